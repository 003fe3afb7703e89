#include "coordinator/log_store.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log.h"
#include "coordinator/job_paths.h"

namespace tandem {
namespace {

uint64_t SizeOnDisk(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

std::string Format(const v1::LogLine& l) {
  return absl::StrCat(l.unix_ms(), "\t", l.rank(), "\t", l.worker_id(), "\t",
                      LogStore::CleanText(l.text()), "\n");
}

// A stored line back as a LogLine; false for a line that is not one (a torn last write).
bool Parse(absl::string_view line, v1::LogLine& out) {
  std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits('\t', 3));
  int64_t ms = 0;
  uint32_t rank = 0;
  if (f.size() != 4 || !absl::SimpleAtoi(f[0], &ms) || !absl::SimpleAtoi(f[1], &rank)) {
    return false;
  }
  out.set_unix_ms(ms);
  out.set_rank(rank);
  out.set_worker_id(std::string(f[2]));
  out.set_text(std::string(f[3]));
  return true;
}

}  // namespace

std::string LogStore::CleanText(const std::string& text) {
  std::string s = text;
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (s.size() > kMaxLogLineBytes) {
    size_t cut = kMaxLogLineBytes - 3;  // on a UTF-8 character boundary
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s = absl::StrCat(s.substr(0, cut), "...");
  }
  return s;
}

std::string LogStore::PathOf(const std::string& job_id) const {
  return JobDir(data_dir_, job_id) + "/worker.log";
}

absl::Status LogStore::Append(const std::string& job_id, const std::vector<v1::LogLine>& lines) {
  if (lines.empty()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  const std::string path = PathOf(job_id);
  auto [it, fresh] = sizes_.emplace(job_id, 0);
  if (fresh) it->second = SizeOnDisk(path);
  uint64_t& size = it->second;
  if (size >= max_bytes_) return absl::OkStatus();  // full: the marker is already there
  std::string out;
  bool full = false;
  for (const v1::LogLine& l : lines) {
    std::string one = Format(l);
    if (size + out.size() + one.size() > max_bytes_) {
      v1::LogLine marker = l;
      marker.set_text(absl::StrCat("[tandem: this job's log reached its limit of ", max_bytes_,
                                   " bytes; later lines are dropped]"));
      absl::StrAppend(&out, Format(marker));
      full = true;
      break;
    }
    absl::StrAppend(&out, one);
  }
  std::ofstream f(path, std::ios::app | std::ios::binary);
  f << out;
  f.flush();
  if (!f) {
    return absl::InternalError(absl::StrCat("cannot append to ", path, ": ", std::strerror(errno)));
  }
  size = full ? max_bytes_ : size + out.size();
  return absl::OkStatus();
}

absl::StatusOr<LogStore::Page> LogStore::Read(const std::string& job_id,
                                              std::optional<uint32_t> rank, uint64_t offset,
                                              uint64_t max_bytes) {
  Page page;
  page.next_offset = offset;
  std::ifstream f(PathOf(job_id), std::ios::binary);
  if (!f) return page;  // no lines yet
  f.seekg(static_cast<std::streamoff>(offset));
  if (!f) return page;
  std::string buffer(max_bytes, '\0');
  f.read(buffer.data(), static_cast<std::streamsize>(max_bytes));
  buffer.resize(static_cast<size_t>(f.gcount()));
  // Whole lines only: a line still being written, or cut by the page, is read next time.
  const size_t end = buffer.rfind('\n');
  if (end == std::string::npos) {
    // One line longer than a page cannot happen (lines are bounded far below a page).
    return page;
  }
  for (absl::string_view line : absl::StrSplit(absl::string_view(buffer).substr(0, end), '\n')) {
    v1::LogLine l;
    if (!Parse(line, l)) continue;
    if (rank.has_value() && l.rank() != *rank) continue;
    l.set_job_id(job_id);
    page.lines.push_back(std::move(l));
  }
  page.next_offset = offset + end + 1;
  page.more = buffer.size() == max_bytes;  // the page was full
  return page;
}

void LogStore::Forget(const std::string& job_id) {
  absl::MutexLock lock(&mu_);
  sizes_.erase(job_id);
}

}  // namespace tandem
