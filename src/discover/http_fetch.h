// HTTP helpers shared by the web-based sources: redirect following with
// discovery's rules, URL building and parsing.
//
// FetchFollowing() sends one request through the HttpClient and follows
// 301/302/303/307/308 responses itself (HttpClient never does): at most
// max_redirects hops, no URL twice (loops), never from https to http, and
// with https_only never to any http URL at all. Each hop gets its own
// per_hop_ms budget, all capped by `overall`. The method and body are kept
// across hops (Autodiscover servers expect the POST to be repeated).
// Thread-safe if the HttpClient is.
#ifndef MAILSCOUT_DISCOVER_HTTP_FETCH_H_
#define MAILSCOUT_DISCOVER_HTTP_FETCH_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/result.h"
#include "net/http_client.h"

namespace mailscout {

struct FetchOutcome {
  HttpResponse response;          // the last response (status may be non-2xx)
  std::string final_url;          // the URL that gave it
  bool all_https = true;          // every hop was verified https
  std::vector<std::string> hops;  // URLs in order, the first included
};

// Errors: those of HttpClient::Fetch for any hop, and kProtocol for a
// refused redirect (loop, too many, https->http, non-https with
// https_only, a Location that is not a URL).
Result<FetchOutcome> FetchFollowing(HttpClient& http, HttpRequest request, Deadline overall,
                                    int64_t per_hop_ms, int max_redirects, bool https_only);

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string UrlEncode(std::string_view text);

// The absolute URL for a Location header relative to base; nullopt if it
// is not an http(s) URL.
std::optional<std::string> ResolveLocation(const std::string& base, const std::string& location);

// Lower-case host of an http(s) URL; "" when it has none.
std::string UrlHost(const std::string& url);
bool IsHttpsUrl(const std::string& url);

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_HTTP_FETCH_H_
