#include "inference/translate_request.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "data/corpus.h"
#include "inference/translate_batcher.h"

namespace tandem::inference {

absl::Status CheckTranslationInput(const std::string& sentence, size_t n) {
  if (sentence.find_first_not_of(" \t\r") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("sentence ", n, ": cannot translate an empty sentence"));
  }
  const size_t words = CountWords(sentence);
  if (words > kMaxTranslateWords || sentence.size() > kMaxTranslateBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sentence ", n, " is too long: ", words, " words, ", sentence.size(),
        " bytes (the limit is ", kMaxTranslateWords, " words and ", kMaxTranslateBytes, " bytes)"));
  }
  return absl::OkStatus();
}

absl::Status CheckTranslateRequest(const v1::TranslateRequest& request) {
  const auto& sentences = request.sentences();
  if (sentences.empty()) return absl::InvalidArgumentError("no sentence to translate");
  if (static_cast<size_t>(sentences.size()) > kMaxTranslateSentences) {
    return absl::InvalidArgumentError(absl::StrCat(
        sentences.size(), " sentences in one request (the limit is ", kMaxTranslateSentences, ")"));
  }
  TANDEM_RETURN_IF_ERROR(OptionsOf(request).status());
  for (int i = 0; i < sentences.size(); ++i) {
    TANDEM_RETURN_IF_ERROR(CheckTranslationInput(sentences[i], i + 1));
  }
  return absl::OkStatus();
}

absl::StatusOr<TranslateOptions> OptionsOf(const v1::TranslateRequest& request) {
  TranslateOptions o;
  if (request.beam_size() > static_cast<uint32_t>(kMaxBeamSize)) {
    return absl::InvalidArgumentError(
        absl::StrCat("beam_size ", request.beam_size(), " is out of range 1..", kMaxBeamSize));
  }
  if (request.beam_size() != 0) o.beam_size = static_cast<int>(request.beam_size());
  if (request.has_length_penalty()) {
    if (!(request.length_penalty() >= 0 && request.length_penalty() <= kMaxLengthPenalty)) {
      return absl::InvalidArgumentError(absl::StrCat("length_penalty ", request.length_penalty(),
                                                     " is out of range 0..", kMaxLengthPenalty));
    }
    o.length_penalty = request.length_penalty();
  }
  if (request.n_best() > 1) {
    if (request.attention()) {
      return absl::InvalidArgumentError(
          "n_best: an attention request decodes greedily, with one candidate");
    }
    if (request.n_best() > static_cast<uint32_t>(o.beam_size)) {
      return absl::InvalidArgumentError(absl::StrCat("n_best ", request.n_best(),
                                                     " is more than the beam size ", o.beam_size));
    }
    o.n_best = static_cast<int>(request.n_best());
  }
  if (request.heads() && !request.attention()) {
    return absl::InvalidArgumentError(
        "heads: per-head attention comes with an attention request (set attention too)");
  }
  o.replace_unk = request.replace_unk();
  o.bf16 = request.bf16();
  o.int8 = request.int8();
  return o;
}

absl::StatusOr<v1::TranslateResponse> TranslateWith(Translator& translator,
                                                    const v1::TranslateRequest& request,
                                                    TranslateBatcher* batcher) {
  TANDEM_RETURN_IF_ERROR(CheckTranslateRequest(request));
  TANDEM_ASSIGN_OR_RETURN(const TranslateOptions options, OptionsOf(request));
  const auto& sentences = request.sentences();
  v1::TranslateResponse response;
  if (!request.attention()) {
    const std::vector<std::string> text(sentences.begin(), sentences.end());
    TANDEM_ASSIGN_OR_RETURN(std::vector<std::vector<Candidate>> out,
                            batcher != nullptr ? batcher->Translate(translator, text, options)
                                               : translator.Translate(text, options));
    for (std::vector<Candidate>& candidates : out) {
      v1::Translation* t = response.add_translations();
      t->set_text(candidates.front().text);
      if (options.n_best < 2) continue;
      for (Candidate& c : candidates) {
        v1::Candidate* n = t->add_n_best();
        n->set_text(std::move(c.text));
        n->set_score(c.score);
        n->set_log_prob(c.log_prob);
      }
    }
    return response;
  }
  size_t head_weights = 0;
  for (const std::string& sentence : sentences) {
    TANDEM_ASSIGN_OR_RETURN(Alignment a,
                            translator.Attention(sentence, options.replace_unk, request.heads()));
    v1::Translation* t = response.add_translations();
    t->set_text(a.translation);
    for (const std::string& p : a.source_pieces) t->add_source_pieces(p);
    for (const std::string& p : a.target_pieces) t->add_target_pieces(p);
    for (const auto& row : a.weights) t->mutable_weights()->Add(row.begin(), row.end());
    if (!request.heads()) continue;
    for (const auto& head : a.head_weights) {
      for (const auto& row : head) head_weights += row.size();
    }
    if (head_weights > kMaxHeadWeights) {
      return absl::InvalidArgumentError(
          absl::StrCat("heads: the per-head attention of ", response.translations_size(),
                       " sentence(s) is more than ", kMaxHeadWeights,
                       " weights (the limit per request); ask for fewer or shorter sentences"));
    }
    t->set_head_count(static_cast<uint32_t>(a.head_weights.size()));
    for (const auto& head : a.head_weights) {
      for (const auto& row : head) t->mutable_head_weights()->Add(row.begin(), row.end());
    }
  }
  return response;
}

}  // namespace tandem::inference
