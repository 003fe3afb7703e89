#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <ctime>
#include <string>
#include <sys/time.h>

namespace tandem {
namespace {

std::atomic<LogLevel> g_threshold{LogLevel::kInfo};

std::mutex g_sink_mu;
LogSink* g_sink = nullptr;  // guarded by g_sink_mu
thread_local bool t_in_sink = false;

}  // namespace

void SetLogSink(LogSink* sink) {
  std::lock_guard<std::mutex> lock(g_sink_mu);
  g_sink = sink;
}

namespace log_internal {

void SendToSink(Level level, absl::string_view line) {
  if (t_in_sink) return;  // a line the sink logs itself
  std::lock_guard<std::mutex> lock(g_sink_mu);
  if (g_sink == nullptr) return;
  t_in_sink = true;
  g_sink->Send(level, line);
  t_in_sink = false;
}

}  // namespace log_internal

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
  SendToSink(level_, absl::string_view(text).substr(0, text.size() - 1));
}

}  // namespace tandem::log_internal
