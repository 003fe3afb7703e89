// The one logging header. Lines go to stderr as
//   2026-11-25T13:15:05.123Z I coordinator.cc:42] message
// TANDEM_LOG(INFO|WARNING|ERROR) << ...; the level threshold comes from the environment
// variable TANDEM_LOG_LEVEL (DEBUG, INFO, WARNING, ERROR; default INFO), read once.
// Thread-safe: each line is written with one call.
#ifndef TANDEM_COMMON_LOG_H_
#define TANDEM_COMMON_LOG_H_

#include <sstream>

namespace tandem::log_internal {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

bool Enabled(Level level);

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
