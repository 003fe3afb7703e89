// Transport security of one process (DESIGN.md section 8): TLS credentials for its servers
// and channels, loaded once from PEM files, and the rule that nothing listens in plaintext
// off loopback unless the operator said --insecure.
//
// Identities. Every certificate is signed by the deployment's CA (scripts/make-certs.sh)
// and names its role in a URI subject alternative name: spiffe://tandem/coordinator,
// spiffe://tandem/worker or spiffe://tandem/client. Servers check the role of the peer's
// verified certificate (PeerRole); channels check the server's host name as usual, except
// between workers, whose addresses are not known when certificates are made: a worker's
// certificate also names the host kWorkerServerName, and peers verify that name.
#ifndef TANDEM_COMMON_TRANSPORT_SECURITY_H_
#define TANDEM_COMMON_TRANSPORT_SECURITY_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/flags.h"

namespace tandem {

inline constexpr char kWorkerServerName[] = "tandem-worker";

// The PEM files of a process (the --tls_ca, --tls_cert and --tls_key flags). All empty:
// plaintext.
struct TlsFiles {
  std::string ca;    // the deployment's CA: peers must present certificates it signed
  std::string cert;  // this process's certificate (chain)
  std::string key;   // its private key
};

// What a server asks of its clients' certificates.
enum class ClientCertificates {
  // Requested and verified when presented: the coordinator's port serves clients (a token
  // and no certificate) and workers (a worker certificate) alike.
  kOptional,
  // Mutual TLS: a connection without a certificate signed by the CA is refused (the
  // collective).
  kRequired,
};

class TransportSecurity {
 public:
  // Plaintext; listening is allowed on loopback only.
  TransportSecurity() = default;

  // Reads and checks the files: a CA, or a CA with a certificate and its key
  // (`need_certificate`: servers, and workers, which are clients with an identity).
  // `insecure`: the operator allows plaintext off loopback (only without TLS files).
  // InvalidArgument naming the flag and file for anything missing, unreadable or not
  // matching (a key that does not belong to the certificate).
  static absl::StatusOr<TransportSecurity> Load(const TlsFiles& files, bool need_certificate,
                                                bool insecure);

  bool tls() const { return !ca_pem_.empty(); }
  bool insecure() const { return insecure_; }
  // This process's certificate chain and key (PEM), for listeners that are not gRPC (the
  // metrics endpoint); empty without TLS.
  const std::string& cert_pem() const { return cert_pem_; }
  const std::string& key_pem() const { return key_pem_; }

  std::shared_ptr<grpc::ServerCredentials> ServerCredentials(ClientCertificates mode) const;
  std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials() const;

  // InvalidArgument naming `flag` for an address that is not host:port with a port in
  // [0, 65535] (or unix:path). Then: OK for a TLS listener, for a plaintext one on a loopback
  // address (127.0.0.0/8, ::1, localhost) or a Unix socket, and for any address with
  // --insecure (then a warning is logged). FailedPrecondition naming `flag`, the address
  // and the fix otherwise.
  absl::Status CheckListen(absl::string_view flag, const std::string& address) const;

 private:
  std::string ca_pem_, cert_pem_, key_pem_;
  bool insecure_ = false;
};

// CheckListen for a listener without TLS: OK on loopback, or off it with `insecure`
// (logging a warning); FailedPrecondition naming `flag` and the fix.
absl::Status CheckPlaintextListen(absl::string_view flag, const std::string& address,
                                  bool insecure);

// The flags every program takes for transport security: --tls_ca, --tls_cert, --tls_key,
// and --insecure when `with_insecure` (servers).
std::vector<FlagSpec> TransportSecurityFlags(bool with_insecure);

// TransportSecurity::Load from those flags; `ca_fallback` (an environment variable's value)
// stands in for a missing --tls_ca.
absl::StatusOr<TransportSecurity> TransportSecurityFromFlags(const ParsedArgs& args,
                                                             bool need_certificate,
                                                             const std::string& ca_fallback = "");

// InvalidArgument naming `flag` unless `address` is host:port, [v6]:port or unix:path with
// a non-empty host and a decimal port in [0, 65535] (0: the system picks one).
absl::Status CheckListenAddress(absl::string_view flag, const std::string& address);

// Whether `address` (host:port, [v6]:port or unix:path) is reachable only from this machine.
bool IsLoopbackAddress(const std::string& address);

// The role (coordinator, worker, client) named by the peer's verified certificate; empty
// over plaintext, without a certificate, or for a certificate that names no Tandem role.
std::string PeerRole(const grpc::AuthContext& auth);

}  // namespace tandem

#endif  // TANDEM_COMMON_TRANSPORT_SECURITY_H_
