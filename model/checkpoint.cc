#include "model/checkpoint.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/status.h"
#include "model/seq2seq.h"

namespace tandem::model {
namespace {

constexpr char kMagic[8] = {'T', 'A', 'N', 'D', 'E', 'M', 'C', 'K'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kMaxNameBytes = 4096;
constexpr uint8_t kMaxRank = 8;
constexpr char kParamPrefix[] = "param/";
constexpr char kExpAvg[] = "adam/exp_avg";
constexpr char kExpAvgSq[] = "adam/exp_avg_sq";
constexpr char kTrainPrefix[] = "train/";

struct Dtype {
  uint8_t code;
  torch::ScalarType type;
};
constexpr Dtype kDtypes[] = {{1, torch::kFloat32}, {2, torch::kFloat64}, {3, torch::kFloat16},
                             {4, torch::kBFloat16}, {5, torch::kInt64}, {6, torch::kInt32}};

template <class T>
void Put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(value));
}

void PutTensor(std::string& out, const std::string& name, const torch::Tensor& tensor) {
  const torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
  uint8_t code = 0;
  for (const Dtype& d : kDtypes) code = d.type == t.scalar_type() ? d.code : code;
  if (code == 0) {
    throw std::invalid_argument(
        absl::StrCat(name, ": dtype ", c10::toString(t.scalar_type()), " cannot be stored"));
  }
  Put<uint32_t>(out, static_cast<uint32_t>(name.size()));
  out += name;
  Put<uint8_t>(out, code);
  Put<uint8_t>(out, static_cast<uint8_t>(t.dim()));
  for (int64_t d : t.sizes()) Put<int64_t>(out, d);
  out.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
}

// Reads fixed-size fields from the file's bytes, refusing to read past the end.
class Cursor {
 public:
  explicit Cursor(const std::string& bytes) : bytes_(bytes) {}
  size_t pos() const { return pos_; }
  size_t left() const { return bytes_.size() - pos_; }
  template <class T>
  bool Get(T* value) {
    if (left() < sizeof(T)) return false;
    std::memcpy(value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool Skip(size_t n) {
    if (left() < n) return false;
    pos_ += n;
    return true;
  }

 private:
  const std::string& bytes_;
  size_t pos_ = 0;
};

absl::Status Malformed(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat("cannot read checkpoint ", path, " (truncated or not a checkpoint): ", what));
}

}  // namespace

absl::Status WriteCheckpoint(const std::string& path, const CheckpointContents& contents) {
  try {
    std::string out(kMagic, sizeof(kMagic));
    Put<uint32_t>(out, kVersion);
    if (!contents.train_params.empty() && contents.train_params.size() != contents.params.size()) {
      return absl::InternalError(
          absl::StrCat("saving checkpoint ", path, ": ", contents.train_params.size(),
                       " training weights for ", contents.params.size(), " parameters"));
    }
    Put<uint32_t>(out, static_cast<uint32_t>(contents.params.size() + 2 +
                                             contents.train_params.size()));
    Put<int64_t>(out, contents.step);
    for (size_t i = 0; i < contents.params.size(); ++i) {
      PutTensor(out, kParamPrefix + contents.names[i], contents.params[i]);
    }
    PutTensor(out, kExpAvg, contents.exp_avg);
    PutTensor(out, kExpAvgSq, contents.exp_avg_sq);
    for (size_t i = 0; i < contents.train_params.size(); ++i) {
      PutTensor(out, kTrainPrefix + contents.names[i], contents.train_params[i]);
    }
    return WriteFileAtomic(path, out);
  } catch (const std::exception& e) {
    return TorchError(("saving checkpoint " + path).c_str(), e);
  }
}

absl::StatusOr<CheckpointReader> CheckpointReader::Open(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(std::string file, ReadFile(path));
  CheckpointReader reader;
  reader.path_ = path;
  reader.bytes_ = std::make_shared<const std::string>(std::move(file));
  const std::string& bytes = *reader.bytes_;
  Cursor in(bytes);
  uint32_t version = 0, count = 0;
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return Malformed(path, bytes.rfind("PK", 0) == 0
                               ? "a LibTorch archive: written by an older Tandem, which this "
                                 "version no longer reads"
                               : "no TANDEMCK header");
  }
  in.Skip(sizeof(kMagic));
  if (!in.Get(&version) || version != kVersion) {
    return Malformed(path, absl::StrCat("format version ", version, ", this Tandem reads ",
                                        kVersion));
  }
  if (!in.Get(&count) || count > kMaxCheckpointTensors || !in.Get(&reader.step_)) {
    return Malformed(path, absl::StrCat("header (", count, " tensors; at most ",
                                        kMaxCheckpointTensors, ")"));
  }
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t name_bytes = 0;
    if (!in.Get(&name_bytes) || name_bytes > kMaxNameBytes || name_bytes > in.left()) {
      return Malformed(path, absl::StrCat("tensor ", i, ": name of ", name_bytes, " bytes"));
    }
    std::string name = bytes.substr(in.pos(), name_bytes);
    in.Skip(name_bytes);
    uint8_t code = 0, rank = 0;
    Entry e{torch::kFloat32, {}, 0};
    bool known = false;
    if (in.Get(&code)) {
      for (const Dtype& d : kDtypes) {
        if (d.code == code) e.dtype = d.type, known = true;
      }
    }
    if (!known || !in.Get(&rank) || rank > kMaxRank) {
      return Malformed(path, absl::StrCat(name, ": dtype ", code, " or rank ", rank));
    }
    // The element bytes, multiplied with an overflow check: at most what the file still holds.
    uint64_t total = c10::elementSize(e.dtype);
    for (uint8_t d = 0; d < rank; ++d) {
      int64_t dim = -1;
      if (!in.Get(&dim) || dim < 0 ||
          (dim > 0 && total > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(dim))) {
        return Malformed(path, absl::StrCat(name, ": dimension ", d, " is ", dim));
      }
      total *= static_cast<uint64_t>(dim);
      e.shape.push_back(dim);
    }
    e.offset = in.pos();
    if (total > in.left() || !in.Skip(total)) {
      return Malformed(path, absl::StrCat(name, ": ", total, " bytes of elements, ", in.left(),
                                          " left in the file"));
    }
    if (!reader.entries_.emplace(std::move(name), std::move(e)).second) {
      return Malformed(path, "a tensor name appears twice");
    }
  }
  if (in.left() != 0) return Malformed(path, absl::StrCat(in.left(), " bytes after the last tensor"));
  return reader;
}

const CheckpointReader::Entry* CheckpointReader::Find(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

torch::Tensor CheckpointReader::Materialize(const Entry& e) const {
  torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype));
  std::memcpy(t.data_ptr(), bytes_->data() + e.offset, t.numel() * t.element_size());
  return t;
}

absl::StatusOr<std::vector<torch::Tensor>> CheckpointReader::Parameters(
    const std::vector<std::string>& names, const std::vector<torch::Tensor>& like) const {
  return Named(kParamPrefix, "parameter ", names, like);
}

bool CheckpointReader::HasTrainingParameters() const {
  auto it = entries_.lower_bound(kTrainPrefix);
  return it != entries_.end() && it->first.rfind(kTrainPrefix, 0) == 0;
}

absl::StatusOr<std::vector<torch::Tensor>> CheckpointReader::TrainingParameters(
    const std::vector<std::string>& names, const std::vector<torch::Tensor>& like) const {
  return Named(kTrainPrefix, "training weight ", names, like);
}

absl::StatusOr<std::vector<torch::Tensor>> CheckpointReader::Named(
    const char* prefix, const char* what, const std::vector<std::string>& names,
    const std::vector<torch::Tensor>& like) const {
  if (names.size() != like.size()) {
    return absl::InternalError(absl::StrCat("checkpoint ", path_, ": ", names.size(),
                                            " names for ", like.size(), " tensors"));
  }
  std::vector<const Entry*> found;
  for (size_t i = 0; i < names.size(); ++i) {
    const Entry* e = Find(prefix + names[i]);
    if (e == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint ", path_, " has no ", what,
                                                     names[i], " (another model?)"));
    }
    if (e->dtype != like[i].scalar_type()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint ", path_, ": ", names[i], " holds ", c10::toString(e->dtype),
          ", this model ", c10::toString(like[i].scalar_type())));
    }
    if (!like[i].sizes().equals(e->shape)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint ", path_, " is for another model shape: ", names[i], " is ",
          c10::str(c10::IntArrayRef(e->shape)), ", this model has ", c10::str(like[i].sizes())));
    }
    found.push_back(e);
  }
  std::vector<torch::Tensor> loaded;
  loaded.reserve(found.size());
  for (const Entry* e : found) loaded.push_back(Materialize(*e));
  return loaded;
}

absl::Status CheckpointReader::AdamMoments(int64_t total, torch::Tensor& exp_avg,
                                           torch::Tensor& exp_avg_sq) const {
  const Entry* a = Find(kExpAvg);
  const Entry* b = Find(kExpAvgSq);
  auto fits = [total](const Entry* e) {
    return e != nullptr && e->dtype == torch::kFloat32 && e->shape.size() == 1 &&
           e->shape[0] == total;
  };
  if (!fits(a) || !fits(b)) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint ", path_, " lacks this model's optimizer state"));
  }
  exp_avg = Materialize(*a);
  exp_avg_sq = Materialize(*b);
  return absl::OkStatus();
}

absl::StatusOr<CheckpointContents> AverageCheckpoints(const std::vector<std::string>& paths,
                                                      const std::vector<std::string>& names,
                                                      const std::vector<torch::Tensor>& like) {
  if (paths.empty()) return absl::InvalidArgumentError("no checkpoint to average");
  if (names.size() != like.size()) {
    return absl::InternalError(
        absl::StrCat("averaging: ", names.size(), " names for ", like.size(), " parameters"));
  }
  try {
    std::vector<std::vector<double>> sums(like.size());
    for (size_t i = 0; i < like.size(); ++i) {
      if (like[i].scalar_type() != torch::kFloat32) {
        return absl::InternalError(absl::StrCat("averaging: ", names[i], " is not float32"));
      }
      sums[i].assign(static_cast<size_t>(like[i].numel()), 0.0);
    }
    int64_t step = 0;
    for (const std::string& path : paths) {
      // One file in memory at a time.
      TANDEM_ASSIGN_OR_RETURN(const CheckpointReader reader, CheckpointReader::Open(path));
      TANDEM_ASSIGN_OR_RETURN(const std::vector<torch::Tensor> loaded,
                              reader.Parameters(names, like));
      for (size_t i = 0; i < loaded.size(); ++i) {
        const float* v = loaded[i].data_ptr<float>();
        std::vector<double>& sum = sums[i];
        for (size_t j = 0; j < sum.size(); ++j) sum[j] += v[j];
      }
      step = std::max(step, reader.step());
    }
    CheckpointContents out;
    out.names = names;
    const auto count = static_cast<double>(paths.size());
    for (size_t i = 0; i < like.size(); ++i) {
      torch::Tensor mean = torch::empty(like[i].sizes(), torch::kFloat32);
      float* m = mean.data_ptr<float>();
      for (size_t j = 0; j < sums[i].size(); ++j) m[j] = static_cast<float>(sums[i][j] / count);
      out.params.push_back(std::move(mean));
    }
    out.exp_avg = torch::zeros({0}, torch::kFloat32);
    out.exp_avg_sq = torch::zeros({0}, torch::kFloat32);
    out.step = step;
    return out;
  } catch (const std::exception& e) {
    return TorchError("averaging checkpoints", e);
  }
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
