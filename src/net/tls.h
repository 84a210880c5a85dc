// TLS for every client connection mailscout makes (mail protocols and HTTPS).
//
// TlsClient owns one Poco client Context configured from TlsOptions and
// performs handshakes over already-connected TCP sockets, so implicit TLS,
// STARTTLS and HTTPS share one code path. Certificates are verified against
// the system trust store plus TlsOptions::ca_file (issuers are read from the
// hashed certificate directory first; only when that finds a problem does the
// whole system store decide, and there the CA bundle is read by subject name:
// a certificate of it is decoded when a chain asks for its subject, not ~140
// of them per process); the host name is checked
// with OpenSSL's X509_check_host (RFC 6125: wildcard only as the whole
// left-most label, never partial). Poco does not enforce the host name itself
// (noted in shared/LIBRARY-NOTES.md, outside the repository), which is why
// this class exists.
//
// Thread-safe: Handshake() may be called from many threads at once.
#ifndef MAILSCOUT_NET_TLS_H_
#define MAILSCOUT_NET_TLS_H_

#include <memory>
#include <string>

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>

#include "core/deadline.h"
#include "core/model.h"
#include "core/result.h"

namespace mailscout {

struct TlsOptions {
  std::string ca_file;    // extra trusted CA certificates (PEM), optional
  bool insecure = false;  // continue despite certificate errors (still reported)
};

class TlsClient {
 public:
  // Throws nothing; a CA file that cannot be loaded makes every handshake
  // fail with an ErrorKind::kTls error naming the file (check ca_error()).
  explicit TlsClient(TlsOptions options);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // Non-empty when the options could not be applied (e.g. unreadable --ca-file).
  const std::string& ca_error() const { return ca_error_; }
  const TlsOptions& options() const { return options_; }

  // Performs the TLS handshake on `plain` (already connected) with SNI `host`,
  // finishing by `deadline`. On success returns the secure socket; `info` is
  // filled whenever the handshake completed, even if the certificate is then
  // rejected. Errors:
  //   kTimeout (Phase::kTls)  the peer did not finish the handshake in time
  //   kTls                    the handshake failed (protocol, cipher, closed)
  //   kCertificate            chain or name check failed and !insecure;
  //                           message says which: untrusted / self-signed /
  //                           expired / not yet valid / issued for other names
  Result<Poco::Net::SecureStreamSocket> Handshake(const Poco::Net::StreamSocket& plain,
                                                  const std::string& host, Deadline deadline,
                                                  TlsInfo* info) const;

 private:
  struct Trust;

  TlsOptions options_;
  std::string ca_error_;
  std::unique_ptr<Trust> trust_;
  Poco::Net::Context::Ptr context_;
};

// A helpdesk sentence for a certificate problem found in `info` for `host`,
// e.g. "The certificate of imap.example.com is issued for mail.other.example,
// not imap.example.com". Empty when chain_ok && name_ok.
std::string DescribeCertificateProblem(const TlsInfo& info, const std::string& host);

}  // namespace mailscout

#endif  // MAILSCOUT_NET_TLS_H_
