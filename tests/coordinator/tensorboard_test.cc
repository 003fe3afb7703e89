#include "coordinator/tensorboard.h"

#include <cstring>

#include "common/files.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

TEST(TensorBoardTest, Crc32cKnownAnswers) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // the standard CRC-32C check value
  EXPECT_EQ(Crc32c(""), 0u);
  const uint32_t crc = Crc32c("123456789");
  EXPECT_EQ(MaskedCrc32c("123456789"), ((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
}

TEST(TensorBoardTest, RecordFraming) {
  const std::string r = TfRecord("abc");
  ASSERT_EQ(r.size(), 8u + 4 + 3 + 4);
  uint64_t len;
  std::memcpy(&len, r.data(), 8);
  EXPECT_EQ(len, 3u);
  uint32_t len_crc, data_crc;
  std::memcpy(&len_crc, r.data() + 8, 4);
  std::memcpy(&data_crc, r.data() + 15, 4);
  EXPECT_EQ(len_crc, MaskedCrc32c(r.substr(0, 8)));
  EXPECT_EQ(r.substr(12, 3), "abc");
  EXPECT_EQ(data_crc, MaskedCrc32c("abc"));
}

TEST(TensorBoardTest, ScalarEventEncoding) {
  const std::string e = ScalarEvent(1.5, 300, {{"loss", 2.0f}});
  // wall_time: tag 0x09 then the double 1.5.
  ASSERT_EQ(static_cast<unsigned char>(e[0]), 0x09);
  double wall;
  std::memcpy(&wall, e.data() + 1, 8);
  EXPECT_EQ(wall, 1.5);
  // step: tag 0x10, varint 300 = 0xAC 0x02.
  EXPECT_EQ(static_cast<unsigned char>(e[9]), 0x10);
  EXPECT_EQ(static_cast<unsigned char>(e[10]), 0xAC);
  EXPECT_EQ(static_cast<unsigned char>(e[11]), 0x02);
  // summary: tag 0x2A, then Summary{value{tag "loss", simple_value 2.0}}.
  EXPECT_EQ(static_cast<unsigned char>(e[12]), 0x2A);
  // Value: tag (field 1, 0x0A) "loss", simple_value (field 2, fixed32, 0x15) 2.0f.
  EXPECT_NE(e.find(std::string("\x0A\x04loss", 6)), std::string::npos);
  const float two = 2.0f;
  std::string simple_value("\x15", 1);
  simple_value.append(reinterpret_cast<const char*>(&two), sizeof(two));
  EXPECT_NE(e.find(simple_value), std::string::npos) << "simple_value 2.0";
}

TEST(TensorBoardTest, WriterAppendsRecordsAfterTheVersionRecord) {
  testing::TempDir dir;
  TensorBoardWriter w(dir.Join("tb"));
  ASSERT_OK(w.Add(100.0, 1, {{"a", 1.0f}}));
  ASSERT_OK(w.Add(101.0, 2, {{"a", 0.5f}}));
  ASSERT_OK_AND_ASSIGN(const std::string bytes, ReadFile(w.path()));
  EXPECT_NE(w.path().find("events.out.tfevents.100.tandem"), std::string::npos);
  // Walk the records: three (version + two scalars), each with valid CRCs.
  size_t pos = 0;
  int records = 0;
  while (pos < bytes.size()) {
    uint64_t len;
    std::memcpy(&len, bytes.data() + pos, 8);
    uint32_t crc;
    std::memcpy(&crc, bytes.data() + pos + 12 + len, 4);
    EXPECT_EQ(crc, MaskedCrc32c(bytes.substr(pos + 12, len)));
    pos += 12 + len + 4;
    ++records;
  }
  EXPECT_EQ(pos, bytes.size());
  EXPECT_EQ(records, 3);
  EXPECT_NE(bytes.find("brain.Event:2"), std::string::npos);
}

}  // namespace
}  // namespace tandem
