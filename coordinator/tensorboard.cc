#include "coordinator/tensorboard.h"

#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/status.h"

namespace tandem {
namespace {

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

template <typename T>
void PutFixed(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));  // little-endian hosts (x86-64, arm64)
  out.append(buf, sizeof(T));
}

void PutBytesField(std::string& out, int field, absl::string_view bytes) {
  PutVarint(out, static_cast<uint64_t>(field) << 3 | 2);
  PutVarint(out, bytes.size());
  out.append(bytes.data(), bytes.size());
}

}  // namespace

uint32_t Crc32c(absl::string_view data) {
  static const auto table = [] {
    std::vector<uint32_t> t(256);
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char ch : data) crc = table[(crc ^ ch) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t MaskedCrc32c(absl::string_view data) {
  const uint32_t crc = Crc32c(data);
  return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
}

std::string TfRecord(absl::string_view data) {
  std::string length;
  PutFixed<uint64_t>(length, data.size());
  std::string out = length;
  PutFixed<uint32_t>(out, MaskedCrc32c(length));
  out.append(data.data(), data.size());
  PutFixed<uint32_t>(out, MaskedCrc32c(data));
  return out;
}

std::string ScalarEvent(double wall_time, int64_t step,
                        const std::vector<std::pair<std::string, float>>& scalars) {
  std::string summary;
  for (const auto& [tag, value] : scalars) {
    std::string v;
    PutBytesField(v, 1, tag);  // Summary.Value.tag
    PutVarint(v, 2 << 3 | 5);  // Summary.Value.simple_value (float)
    PutFixed<float>(v, value);
    PutBytesField(summary, 1, v);  // Summary.value
  }
  std::string event;
  PutVarint(event, 1 << 3 | 1);  // Event.wall_time (double)
  PutFixed<double>(event, wall_time);
  PutVarint(event, 2 << 3 | 0);  // Event.step
  PutVarint(event, static_cast<uint64_t>(step));
  PutBytesField(event, 5, summary);  // Event.summary
  return event;
}

absl::Status TensorBoardWriter::Add(double wall_time, int64_t step,
                                    const std::vector<std::pair<std::string, float>>& scalars) {
  std::string records;
  if (path_.empty()) {
    TANDEM_RETURN_IF_ERROR(MakeDirs(dir_));
    path_ = absl::StrCat(dir_, "/events.out.tfevents.", static_cast<int64_t>(wall_time), ".tandem");
    std::string version;
    PutVarint(version, 1 << 3 | 1);
    PutFixed<double>(version, wall_time);
    PutBytesField(version, 3, "brain.Event:2");  // Event.file_version
    records = TfRecord(version);
  }
  records += TfRecord(ScalarEvent(wall_time, step, scalars));
  std::ofstream out(path_, std::ios::binary | std::ios::app);
  out << records;
  out.close();
  return out ? absl::OkStatus() : absl::InternalError(absl::StrCat("cannot write ", path_));
}

}  // namespace tandem
