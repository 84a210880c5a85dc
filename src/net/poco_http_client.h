// PocoHttpClient: the real HttpClient (net/http_client.h) for discovery's
// autoconfig, ISPDB and Autodiscover requests.
//
// Each Fetch() resolves the host through the Resolver (c-ares, so
// --dns-server applies), connects with ConnectTcp, and for https performs
// the handshake through TlsClient (SNI and certificate chain + host name
// verified), then speaks HTTP/1.1 with Poco's HTTPClientSession over that
// socket: one request per connection ("Connection: close"). Redirects are
// never followed (callers apply their own rules). The body is read in
// pieces, each read bounded by the time left, and reading stops as soon as
// it exceeds max_body_bytes. A watchdog thread shuts the socket down when
// the deadline passes, so neither a silent peer nor one that drips a byte at
// a time (TLS reads can otherwise wait twice the socket timeout) can hold a
// request past its deadline.
//
// Errors: kDns, kRefused, kTimeout (Phase::kResolve, kConnect, kTls, or
// kNone for the HTTP exchange itself), kTls, kCertificate, kProtocol (not an
// http(s) URL, malformed
// response, body over the limit, connection closed early). No Poco
// exception escapes. Thread-safe: the Resolver and TlsClient are.
#ifndef MAILSCOUT_NET_POCO_HTTP_CLIENT_H_
#define MAILSCOUT_NET_POCO_HTTP_CLIENT_H_

#include <functional>
#include <memory>
#include <string>

#include "net/http_client.h"

namespace mailscout {

class Resolver;
class TlsClient;

class PocoHttpClient : public HttpClient {
 public:
  // Both must outlive the client.
  PocoHttpClient(Resolver& resolver, const TlsClient& tls);
  // The TlsClient is asked for only when the first https request reaches
  // its handshake, so setting up OpenSSL (~2 ms) can overlap the DNS
  // lookups; `tls` may block until it is ready and is called from many
  // threads.
  PocoHttpClient(Resolver& resolver, std::function<const TlsClient&()> tls);
  ~PocoHttpClient() override;

  Result<HttpResponse> Fetch(const HttpRequest& request, Deadline deadline) override;

  class Watchdog;

 private:
  Resolver& resolver_;
  std::function<const TlsClient&()> tls_;
  std::unique_ptr<Watchdog> watchdog_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_NET_POCO_HTTP_CLIENT_H_
