#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <sys/time.h>

namespace tandem {
namespace {

std::atomic<LogLevel> g_threshold{LogLevel::kInfo};

}  // namespace

void SetLogLevel(LogLevel level) { g_threshold.store(level, std::memory_order_relaxed); }

LogLevel GetLogLevel() { return g_threshold.load(std::memory_order_relaxed); }

std::optional<LogLevel> ParseLogLevel(absl::string_view text) {
  if (text == "DEBUG") return LogLevel::kDebug;
  if (text == "INFO") return LogLevel::kInfo;
  if (text == "WARNING") return LogLevel::kWarning;
  if (text == "ERROR") return LogLevel::kError;
  return std::nullopt;
}

}  // namespace tandem

namespace tandem::log_internal {
namespace {

const char* Basename(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

}  // namespace

bool Enabled(Level level) { return level >= GetLogLevel(); }

Line::Line(Level level, const char* file, int line) : level_(level) {
  timeval tv;
  gettimeofday(&tv, nullptr);
  std::tm tm;
  gmtime_r(&tv.tv_sec, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
  static const char kLetters[] = {'D', 'I', 'W', 'E'};
  char prefix[96];
  std::snprintf(prefix, sizeof(prefix), "%s.%03dZ %c %s:%d] ", stamp,
                static_cast<int>(tv.tv_usec / 1000), kLetters[static_cast<int>(level_)],
                Basename(file), line);
  stream_ << prefix;
}

Line::~Line() {
  stream_ << '\n';
  const std::string text = stream_.str();
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace tandem::log_internal
