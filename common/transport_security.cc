#include "common/transport_security.h"

#include <algorithm>
#include <cctype>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/files.h"
#include "common/log.h"
#include "common/status.h"

namespace tandem {

namespace {

constexpr uint64_t kMaxPemBytes = 1 << 20;
constexpr char kSpiffePrefix[] = "spiffe://tandem/";

absl::StatusOr<std::string> ReadPem(absl::string_view flag, const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(path, kMaxPemBytes);
  if (!pem.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", pem.status().message()));
  }
  return pem;
}

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
}

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
absl::StatusOr<X509Ptr> ParseCertificate(absl::string_view flag, const std::string& path,
                                         const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", path, " holds no PEM certificate"));
  }
  return cert;
}

}  // namespace

absl::StatusOr<TransportSecurity> TransportSecurity::Load(const TlsFiles& files,
                                                          bool need_certificate, bool insecure) {
  TransportSecurity s;
  if (files.ca.empty() && files.cert.empty() && files.key.empty()) {
    s.insecure_ = insecure;
    return s;
  }
  if (insecure) {
    return absl::InvalidArgumentError("--insecure turns TLS off: give it without --tls_ca");
  }
  if (files.ca.empty()) return absl::InvalidArgumentError("--tls_ca is required with --tls_cert");
  if (files.cert.empty() != files.key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  if (need_certificate && files.cert.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert and --tls_key are required with --tls_ca (scripts/make-certs.sh makes them)");
  }
  auto ca = ReadPem("--tls_ca", files.ca);
  if (!ca.ok()) return ca.status();
  if (auto c = ParseCertificate("--tls_ca", files.ca, *ca); !c.ok()) return c.status();
  s.ca_pem_ = *std::move(ca);
  if (files.cert.empty()) return s;

  auto cert = ReadPem("--tls_cert", files.cert);
  if (!cert.ok()) return cert.status();
  auto key = ReadPem("--tls_key", files.key);
  if (!key.ok()) return key.status();
  auto x509 = ParseCertificate("--tls_cert", files.cert, *cert);
  if (!x509.ok()) return x509.status();
  BioPtr key_bio = MemoryBio(*key);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_key: ", files.key, " holds no unencrypted PEM private key"));
  }
  if (X509_check_private_key(x509->get(), pkey.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("--tls_key: ", files.key,
                                                   " is not the key of the certificate in ",
                                                   files.cert));
  }
  s.cert_pem_ = *std::move(cert);
  s.key_pem_ = *std::move(key);
  return s;
}

std::shared_ptr<grpc::ServerCredentials> TransportSecurity::ServerCredentials(
    ClientCertificates mode) const {
  if (!tls()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(
      mode == ClientCertificates::kRequired
          ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
          : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = ca_pem_;
  options.pem_key_cert_pairs.push_back({key_pem_, cert_pem_});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> TransportSecurity::ChannelCredentials() const {
  if (!tls()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ca_pem_;
  options.pem_private_key = key_pem_;
  options.pem_cert_chain = cert_pem_;
  return grpc::SslCredentials(options);
}

absl::Status CheckListenAddress(absl::string_view flag, const std::string& address) {
  if (absl::StartsWith(address, "unix:") && address.size() > 5) return absl::OkStatus();
  const size_t colon = address.rfind(':');
  int port = -1;
  const std::string host = colon == std::string::npos ? "" : address.substr(0, colon);
  const std::string digits = colon == std::string::npos ? "" : address.substr(colon + 1);
  const bool numeric = !digits.empty() && digits.size() <= 5 &&
                       std::all_of(digits.begin(), digits.end(), ::isdigit);
  if (numeric) port = std::stoi(digits);
  if (host.empty() || host == "[]" || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", address, ": expected host:port with a port from 0 to 65535 (0: any free port)"));
  }
  return absl::OkStatus();
}

absl::Status TransportSecurity::CheckListen(absl::string_view flag,
                                            const std::string& address) const {
  TANDEM_RETURN_IF_ERROR(CheckListenAddress(flag, address));
  if (tls()) return absl::OkStatus();
  return CheckPlaintextListen(flag, address, insecure_);
}

absl::Status CheckPlaintextListen(absl::string_view flag, const std::string& address,
                                  bool insecure) {
  if (IsLoopbackAddress(address)) return absl::OkStatus();
  if (insecure) {
    TANDEM_LOG(WARNING) << "--insecure: " << flag << " " << address
                        << " serves plaintext off loopback, without authenticating peers";
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      flag, " ", address,
      ": refusing to listen in plaintext off loopback; give --tls_ca, --tls_cert and "
      "--tls_key (scripts/make-certs.sh makes them), listen on 127.0.0.1, or accept the risk "
      "with --insecure"));
}

std::vector<FlagSpec> TransportSecurityFlags(bool with_insecure) {
  std::vector<FlagSpec> flags = {
      {"tls_ca", true, "the deployment's CA certificate (PEM): TLS on, peers verified", "FILE"},
      {"tls_cert", true, "this process's certificate (PEM, signed by the CA)", "FILE"},
      {"tls_key", true, "the certificate's private key (PEM)", "FILE"}};
  if (with_insecure) {
    flags.push_back({"insecure", false,
                     "allow plaintext listeners off loopback, without TLS (logged and exported "
                     "as the tandem_insecure metric)"});
  }
  return flags;
}

absl::StatusOr<TransportSecurity> TransportSecurityFromFlags(const ParsedArgs& args,
                                                             bool need_certificate,
                                                             const std::string& ca_fallback) {
  TlsFiles files{args.Get("tls_ca", ca_fallback), args.Get("tls_cert"), args.Get("tls_key")};
  return TransportSecurity::Load(files, need_certificate, args.Has("insecure"));
}

bool IsLoopbackAddress(const std::string& address) {
  if (absl::StartsWith(address, "unix:") || absl::StartsWith(address, "unix-abstract:")) {
    return true;
  }
  std::string host = address;
  if (absl::StartsWith(host, "ipv4:")) host = host.substr(5);
  if (absl::StartsWith(host, "ipv6:")) host = host.substr(5);
  if (absl::StartsWith(host, "[")) {
    const size_t end = host.find(']');
    if (end == std::string::npos) return false;
    host = host.substr(1, end - 1);
  } else {
    const size_t colon = host.rfind(':');
    if (colon != std::string::npos) host = host.substr(0, colon);
  }
  if (host == "localhost" || host == "::1") return true;
  std::vector<std::string> octets = absl::StrSplit(host, '.');
  if (octets.size() != 4 || octets[0] != "127") return false;
  for (const std::string& o : octets) {
    int v = 0;
    if (o.empty() || o.size() > 3 || !absl::SimpleAtoi(o, &v) || v < 0 || v > 255) return false;
  }
  return true;
}

std::string PeerRole(const grpc::AuthContext& auth) {
  if (!auth.IsPeerAuthenticated()) return "";
  for (const char* property : {GRPC_PEER_SPIFFE_ID_PROPERTY_NAME, GRPC_PEER_URI_PROPERTY_NAME}) {
    for (const grpc::string_ref& id : auth.FindPropertyValues(property)) {
      absl::string_view v(id.data(), id.size());
      if (!absl::StartsWith(v, kSpiffePrefix)) continue;
      v.remove_prefix(sizeof(kSpiffePrefix) - 1);
      return std::string(v.substr(0, v.find('/')));
    }
  }
  return "";
}

}  // namespace tandem
