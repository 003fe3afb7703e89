// The one logging header. Lines go to stderr as
//   2026-11-25T13:15:05.123Z I coordinator.cc:42] message
// TANDEM_LOG(DEBUG|INFO|WARNING|ERROR) << ...; lines below the process-wide threshold
// (SetLogLevel, default INFO) are dropped. A main() sets it from TANDEM_LOG_LEVEL through
// ApplyEnvironment (common/environment.h); this library reads no environment.
// Thread-safe: each line is written with one call.
#ifndef TANDEM_COMMON_LOG_H_
#define TANDEM_COMMON_LOG_H_

#include <cstddef>
#include <optional>
#include <sstream>

#include "absl/strings/string_view.h"

namespace tandem {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Sets the threshold: lines of a lower level are dropped from then on. Thread-safe; meant
// to be called once, early in main().
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();

// "DEBUG", "INFO", "WARNING" or "ERROR" (exactly, upper case); nullopt for anything else.
std::optional<LogLevel> ParseLogLevel(absl::string_view text);

// Receives a copy of every line written (those above the threshold), e.g. to send it on: a
// worker ships its lines to the coordinator (`tandem logs`). Send runs on the logging thread,
// one line at a time (serialised), and must be quick; lines it logs itself are not sent to it.
class LogSink {
 public:
  virtual ~LogSink() = default;
  // `line` is the whole line as written to stderr, without the newline.
  virtual void Send(LogLevel level, absl::string_view line) = 0;
};

// Lines a worker sends to the coordinator with a heartbeat (`tandem logs`): at most this
// many per heartbeat, each cut to this many bytes by the coordinator.
inline constexpr int kMaxLogLinesPerHeartbeat = 256;
inline constexpr size_t kMaxLogLineBytes = 4096;

// Installs `sink` (not owned; nullptr removes it). After SetLogSink(nullptr) returns, the
// previous sink receives nothing more and may be destroyed.
void SetLogSink(LogSink* sink);

}  // namespace tandem

namespace tandem::log_internal {

using Level = LogLevel;

bool Enabled(Level level);

// Hands a written line to the installed LogSink, if any.
void SendToSink(Level level, absl::string_view line);

// Collects one line and writes it to stderr when destroyed.
class Line {
 public:
  Line(Level level, const char* file, int line);
  ~Line();
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;
  std::ostream& stream() { return stream_; }

 private:
  Level level_;
  std::ostringstream stream_;
};

struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace tandem::log_internal

#define TANDEM_LOG_LEVEL_DEBUG ::tandem::log_internal::Level::kDebug
#define TANDEM_LOG_LEVEL_INFO ::tandem::log_internal::Level::kInfo
#define TANDEM_LOG_LEVEL_WARNING ::tandem::log_internal::Level::kWarning
#define TANDEM_LOG_LEVEL_ERROR ::tandem::log_internal::Level::kError

// `&` binds looser than `<<` and tighter than `?:`, so the whole stream expression is built
// (and the line written) only when the level is enabled; no dangling-else pitfalls.
#define TANDEM_LOG(severity)                                                           \
  !::tandem::log_internal::Enabled(TANDEM_LOG_LEVEL_##severity)                        \
      ? (void)0                                                                        \
      : ::tandem::log_internal::Voidify() &                                            \
            ::tandem::log_internal::Line(TANDEM_LOG_LEVEL_##severity, __FILE__, __LINE__) \
                .stream()

#endif  // TANDEM_COMMON_LOG_H_
