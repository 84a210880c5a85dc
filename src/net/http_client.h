// HttpClient: the HTTP(S) requests of discovery (autoconfig, ISPDB,
// Autodiscover), as an interface so discovery can be unit-tested with a fake.
//
// The real implementation (PocoHttpClient) resolves through the Resolver,
// connects with ConnectTcp, does TLS through TlsClient (certificate and host
// name verified), bounds the response size and the total time, and never
// follows redirects by itself: callers decide (Autodiscover rules differ from
// autoconfig rules). Thread-safe.
#ifndef MAILSCOUT_NET_HTTP_CLIENT_H_
#define MAILSCOUT_NET_HTTP_CLIENT_H_

#include <cstddef>
#include <map>
#include <string>

#include "core/deadline.h"
#include "core/result.h"

namespace mailscout {

class Resolver;
class TlsClient;

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // http:// or https://, host in ASCII
  std::string body;
  std::string content_type;
  size_t max_body_bytes = 1 << 20;  // larger bodies fail with kProtocol
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower case
  std::string body;
  bool https = false;  // fetched over verified TLS
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Errors: kDns, kRefused, kTimeout (Phase::kNone in the HTTP exchange), kTls, kCertificate,
  // kProtocol (malformed response or body over max_body_bytes).
  virtual Result<HttpResponse> Fetch(const HttpRequest& request, Deadline deadline) = 0;
};

}  // namespace mailscout

#endif  // MAILSCOUT_NET_HTTP_CLIENT_H_
