#include "client/translate_flags.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tandem {

std::vector<FlagSpec> TranslateFlags() {
  return {{"beam", true, "beam size (1 = greedy; default 5)", "N"},
          {"length_penalty", true,
           "beam search ranks by log P / length^A: 0 favours short output, 1 (default) is the "
           "mean per subword, above 1 favours long output",
           "A"},
          {"n_best", true, "print the N best candidates of each sentence with their scores", "N"},
          {"replace_unk", false,
           "an unknown subword in the output becomes the source subword it attends to most"},
          {"bf16", false,
           "decode with the weights rounded to bfloat16: faster for one sentence at a time, at a "
           "small cost in BLEU (BENCHMARKS.md)"}};
}

absl::Status SetTranslateOptions(const ParsedArgs& a, v1::TranslateRequest* request) {
  uint32_t beam = 0;
  if (a.Has("beam") && (!absl::SimpleAtoi(a.Get("beam"), &beam) || beam < 1)) {
    return absl::InvalidArgumentError("--beam: expected a positive number");
  }
  request->set_beam_size(beam);
  if (a.Has("length_penalty")) {
    double alpha = 0;
    if (!absl::SimpleAtod(a.Get("length_penalty"), &alpha)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--length_penalty: expected a number, got '", a.Get("length_penalty"), "'"));
    }
    request->set_length_penalty(alpha);
  }
  uint32_t n_best = 0;
  if (a.Has("n_best") && (!absl::SimpleAtoi(a.Get("n_best"), &n_best) || n_best < 1)) {
    return absl::InvalidArgumentError("--n_best: expected a positive number");
  }
  request->set_n_best(n_best);
  request->set_replace_unk(a.Has("replace_unk"));
  request->set_bf16(a.Has("bf16"));
  return absl::OkStatus();
}

std::vector<std::string> TranslateArgs(const ParsedArgs& a) {
  std::vector<std::string> args;
  for (const char* name : {"beam", "length_penalty", "n_best"}) {
    if (a.Has(name)) args.insert(args.end(), {absl::StrCat("--", name), a.Get(name)});
  }
  if (a.Has("replace_unk")) args.push_back("--replace_unk");
  if (a.Has("bf16")) args.push_back("--bf16");
  return args;
}

std::string FormatTranslations(const v1::TranslateResponse& response, size_t first) {
  std::string out;
  for (int i = 0; i < response.translations_size(); ++i) {
    const v1::Translation& t = response.translations(i);
    if (t.n_best().empty()) {
      absl::StrAppend(&out, t.text(), "\n");
      continue;
    }
    for (const v1::Candidate& c : t.n_best()) {
      absl::StrAppendFormat(&out, "%d ||| %s ||| %.4f\n", first + i, c.text(), c.score());
    }
  }
  return out;
}

}  // namespace tandem
