#include "discover/http_fetch.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace mailscout {
namespace {

Error Refused(std::string message) { return Error::Make(ErrorKind::kProtocol, std::move(message)); }

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

bool IsHttpsUrl(const std::string& url) { return Lower(url.substr(0, 8)) == "https://"; }

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> ResolveLocation(const std::string& base, const std::string& location) {
  if (location.empty() || location.size() > 4096) return std::nullopt;
  try {
    Poco::URI uri(base);
    uri.resolve(location);
    const std::string scheme = Lower(uri.getScheme());
    if ((scheme != "http" && scheme != "https") || uri.getHost().empty()) return std::nullopt;
    return uri.toString();
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::string UrlHost(const std::string& url) {
  try {
    return Lower(Poco::URI(url).getHost());
  } catch (const Poco::Exception&) {
    return {};
  }
}

Result<FetchOutcome> FetchFollowing(HttpClient& http, HttpRequest request, Deadline overall,
                                    int64_t per_hop_ms, int max_redirects, bool https_only) {
  FetchOutcome outcome;
  std::set<std::string> seen;
  while (true) {
    if (https_only && !IsHttpsUrl(request.url)) {
      return Refused("refused to use " + request.url + ": only https is allowed here");
    }
    if (!seen.insert(request.url).second) {
      return Refused("redirect loop: " + request.url + " was already visited");
    }
    outcome.hops.push_back(request.url);
    Result<HttpResponse> response = http.Fetch(request, overall.Cap(Millis(per_hop_ms)));
    if (!response.ok()) return response.error();
    if (!response->https) outcome.all_https = false;
    if (!IsRedirect(response->status)) {
      outcome.response = std::move(response.value());
      outcome.final_url = request.url;
      return outcome;
    }
    if (static_cast<int>(outcome.hops.size()) > max_redirects) {
      return Refused("more than " + std::to_string(max_redirects) + " redirects, last at " +
                     request.url);
    }
    auto location = response->headers.find("location");
    if (location == response->headers.end()) {
      return Refused("HTTP " + std::to_string(response->status) + " from " + request.url +
                     " without a Location header");
    }
    std::optional<std::string> next = ResolveLocation(request.url, location->second);
    if (!next) {
      return Refused("redirect from " + request.url + " to something that is not an http(s) URL");
    }
    if (IsHttpsUrl(request.url) && !IsHttpsUrl(*next)) {
      return Refused("refused the redirect from " + request.url + " to " + *next +
                     " (https to plain http)");
    }
    request.url = *next;
  }
}

}  // namespace mailscout
