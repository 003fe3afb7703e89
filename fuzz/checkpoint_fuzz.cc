// Checkpoint loading: the input is a checkpoint file from the network. It is opened and its
// parameters, training weights (train/) and Adam state read against a fixed model's names,
// shapes and dtypes, as a resuming worker does; anything else than the exact layout must be refused with an error.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "model/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = [] {
    std::string pattern = "/tmp/tandem-fuzz-checkpoint-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    return pattern + "/ckpt.pt";
  }();
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  auto reader = tandem::model::CheckpointReader::Open(path);
  if (!reader.ok()) return 0;
  const std::vector<std::string> names = {"embed.weight", "out.bias"};
  const std::vector<torch::Tensor> like = {torch::zeros({4, 3}), torch::zeros({5})};
  auto params = reader->Parameters(names, like);
  if (params.ok()) {
    for (size_t i = 0; i < like.size(); ++i) {
      if (!(*params)[i].sizes().equals(like[i].sizes())) std::abort();  // checked shapes
    }
  }
  // The training weights beside an average (training.ema_decay), checked the same way.
  if (reader->HasTrainingParameters()) {
    auto train = reader->TrainingParameters(names, like);
    if (train.ok()) {
      for (size_t i = 0; i < like.size(); ++i) {
        if (!(*train)[i].sizes().equals(like[i].sizes())) std::abort();
      }
    }
  }
  torch::Tensor m, v;
  if (reader->AdamMoments(17, m, v).ok() && (m.numel() != 17 || v.numel() != 17)) std::abort();
  return 0;
}
