#include "common/log.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <sys/time.h>

namespace tandem::log_internal {
namespace {

Level ThresholdFromEnv() {
  const char* env = std::getenv("TANDEM_LOG_LEVEL");
  if (env == nullptr) return Level::kInfo;
  std::string v(env);
  if (v == "DEBUG") return Level::kDebug;
  if (v == "WARNING") return Level::kWarning;
  if (v == "ERROR") return Level::kError;
  return Level::kInfo;
}

const char* Basename(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

}  // namespace

bool Enabled(Level level) {
  static const Level threshold = ThresholdFromEnv();
  return level >= threshold;
}

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
