// Test helpers: temporary directories, small real corpora, child processes.
#ifndef TANDEM_TESTS_TESTING_TEST_UTIL_H_
#define TANDEM_TESTS_TESTING_TEST_UTIL_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace tandem::testing {

// A fresh directory under $TEST_TMPDIR or /tmp, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteText(const std::string& path, const std::string& text);
std::string ReadText(const std::string& path);

// Writes a line-aligned synthetic parallel corpus of `lines` pairs (a small word-for-word
// English/Spanish grammar, deterministic from `seed`) to `<dir>/train.en` and `train.es`
// (creating `dir`).
void WriteToyCorpus(const std::string& dir, int lines, unsigned seed = 1);

// The bundled corpus (data/corpus/en-es) in the source tree.
std::string BundledCorpusDir();
// A build output (the directory holding tandem, tandem-coordinator, tandem-worker).
std::string BinDir();

// This process's peak resident memory (VmHWM) in KiB, and a reset of that peak to the
// current resident memory (/proc/self/clear_refs), so that a test measures how far one
// step raises memory above where it started.
long PeakRssKiB();
void ResetPeakRss();

// A socket connected to 127.0.0.1:`port` with a 5 s receive timeout and `rcvbuf` bytes of
// receive buffer (0: the default), or -1; the caller closes it.
int Connect(int port, int rcvbuf = 0);

// Sends `request` (raw bytes) to 127.0.0.1:`port` and returns everything the server sent
// back until it closed the connection or was silent for 5 s ("" if the connection failed).
std::string HttpRequest(int port, const std::string& request);

// HttpRequest over TLS, verifying the server's chain against the CA in `ca_file`; "" if the
// connection or the handshake failed.
std::string HttpsRequest(int port, const std::string& ca_file, const std::string& request);

// Runs scripts/make-certs.sh into `dir` with `args` (a CA, the coordinator's, workers' and
// clients' certificates, client.token and join.token); false (with the script's output on
// stderr) if it failed.
bool MakeCertificates(const std::string& dir, const std::string& args = "");

// A child process; killed (SIGKILL) on destruction if still running.
class ChildProcess {
 public:
  // Starts `argv[0]` with arguments; stdout and stderr go to `log_path` (stderr to
  // `stderr_path` instead when given).
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path,
               const std::string& stderr_path = "");
  ~ChildProcess();
  pid_t pid() const { return pid_; }
  void Kill(int signal);
  // Waits for exit; returns the exit status (or 128+signal), -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);
  bool Running();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// Polls `condition` every 50 ms until it is true or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace tandem::testing

#endif  // TANDEM_TESTS_TESTING_TEST_UTIL_H_
