#include "model/checkpoint.h"

#include <exception>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/status.h"
#include "model/seq2seq.h"

namespace tandem::model {
namespace {

absl::Status Unreadable(const std::string& path, const std::exception& e) {
  return absl::InvalidArgumentError(
      absl::StrCat("cannot read checkpoint ", path,
                   " (truncated or not a checkpoint): ", std::string(e.what()).substr(0, 200)));
}

}  // namespace

absl::Status WriteCheckpoint(const std::string& path, const CheckpointContents& contents) {
  try {
    torch::serialize::OutputArchive archive;
    for (size_t i = 0; i < contents.params.size(); ++i) {
      archive.write("param/" + contents.names[i], contents.params[i].detach());
    }
    archive.write("adam/exp_avg", contents.exp_avg);
    archive.write("adam/exp_avg_sq", contents.exp_avg_sq);
    archive.write("meta/position", torch::tensor({contents.step}));
    std::ostringstream out;
    archive.save_to(out);
    return WriteFileAtomic(path, out.str());
  } catch (const std::exception& e) {
    return TorchError(("saving checkpoint " + path).c_str(), e);
  }
}

absl::StatusOr<CheckpointReader> CheckpointReader::Open(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  CheckpointReader reader;
  reader.path_ = path;
  reader.archive_ = std::make_shared<torch::serialize::InputArchive>();
  try {
    std::istringstream in(bytes);
    reader.archive_->load_from(in);
    torch::Tensor position;
    if (!reader.archive_->try_read("meta/position", position) || position.numel() < 1) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint ", path, " lacks its step"));
    }
    reader.step_ = position[0].item<int64_t>();
  } catch (const std::exception& e) {
    return Unreadable(path, e);
  }
  return reader;
}

absl::StatusOr<std::vector<torch::Tensor>> CheckpointReader::Parameters(
    const std::vector<std::string>& names, const std::vector<torch::Tensor>& like) const {
  std::vector<torch::Tensor> loaded(names.size());
  try {
    for (size_t i = 0; i < names.size(); ++i) {
      if (!archive_->try_read("param/" + names[i], loaded[i])) {
        return absl::InvalidArgumentError(absl::StrCat("checkpoint ", path_, " has no parameter ",
                                                       names[i], " (another model?)"));
      }
      if (loaded[i].scalar_type() != like[i].scalar_type() || !loaded[i].device().is_cpu()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "checkpoint ", path_, ": ", names[i], " holds ", c10::toString(loaded[i].scalar_type()),
            " on ", loaded[i].device().str(), ", this model ",
            c10::toString(like[i].scalar_type()), " on cpu"));
      }
      if (!loaded[i].sizes().equals(like[i].sizes())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "checkpoint ", path_, " is for another model shape: ", names[i], " is ",
            c10::str(loaded[i].sizes()), ", this model has ", c10::str(like[i].sizes())));
      }
    }
  } catch (const std::exception& e) {
    return Unreadable(path_, e);
  }
  return loaded;
}

absl::Status CheckpointReader::AdamMoments(int64_t total, torch::Tensor& exp_avg,
                                           torch::Tensor& exp_avg_sq) const {
  try {
    torch::Tensor a, b;
    if (!archive_->try_read("adam/exp_avg", a) || !archive_->try_read("adam/exp_avg_sq", b) ||
        a.numel() != total || b.numel() != total || a.scalar_type() != torch::kFloat32 ||
        b.scalar_type() != torch::kFloat32 || !a.device().is_cpu() || !b.device().is_cpu()) {
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint ", path_, " lacks this model's optimizer state"));
    }
    exp_avg = a.to(torch::kFloat32).contiguous();
    exp_avg_sq = b.to(torch::kFloat32).contiguous();
  } catch (const std::exception& e) {
    return Unreadable(path_, e);
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> LoadParameters(const std::string& path, Seq2SeqImpl& model) {
  TANDEM_ASSIGN_OR_RETURN(CheckpointReader reader, CheckpointReader::Open(path));
  std::vector<torch::Tensor> params = model.OrderedParameters();
  TANDEM_ASSIGN_OR_RETURN(std::vector<torch::Tensor> loaded,
                          reader.Parameters(model.OrderedParameterNames(), params));
  try {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(loaded[i]);
  } catch (const std::exception& e) {
    return TorchError(("loading checkpoint " + path).c_str(), e);
  }
  return reader.step();
}

}  // namespace tandem::model
