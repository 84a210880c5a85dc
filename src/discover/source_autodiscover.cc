// The Outlook Autodiscover (POX) source. Four ways in, all at once:
//   1. POST https://autodiscover.<domain>/autodiscover/autodiscover.xml
//   2. POST https://<domain>/autodiscover/autodiscover.xml
//   3. SRV _autodiscover._tcp.<domain> -> POST https://<target>:<port>/...
//   4. GET http://autodiscover.<domain>/autodiscover/autodiscover.xml, whose
//      redirect to an https URL is then POSTed to (the "http redirect method")
// Each answer may redirect to another address (redirectAddr) or URL
// (redirectUrl); at most max_redirects hops in all, never to a non-https
// URL. Ways 3 and 4 rest on plain DNS or http: Trust::kUnauthenticated.
#include <set>
#include <string>
#include <vector>

#include "core/email_address.h"
#include "discover/autodiscover.h"
#include "discover/http_fetch.h"
#include "discover/run_state.h"
#include "discover/srv.h"
#include "dns/resolver.h"
#include "net/http_client.h"

namespace mailscout {
namespace {

constexpr const char* kPath = "/autodiscover/autodiscover.xml";

std::vector<std::string> UrlsFor(const std::string& domain) {
  return {"https://autodiscover." + domain + kPath, "https://" + domain + kPath};
}

struct Chain {
  std::vector<std::string> urls;  // tried in turn until one answers
  std::string email;
  bool authenticated = true;
  std::string via;  // " (via SRV ...)" for the detail
  int rank_base = 0;
};

void AddServers(SourceTask& task, const AutodiscoverResponse& response, const Chain& chain,
                const std::string& url, bool all_https) {
  std::vector<ServerCandidate> candidates;
  int order = 0;
  for (const auto& s : response.servers) {
    Result<std::string> host = ToAsciiDomain(s.host);
    if (!host.ok()) {
      task.Note(url + ": server '" + s.host + "' ignored: " + host.error().message);
      continue;
    }
    ServerCandidate c;
    c.protocol = s.protocol;
    c.host = host.value();
    c.port = s.port;
    c.security = s.security;
    c.username = s.login_name.empty() ? chain.email : s.login_name;
    c.source = Source::kAutodiscover;
    c.trust = chain.authenticated && all_https ? Trust::kAuthenticated : Trust::kUnauthenticated;
    c.detail = url + chain.via;
    c.rank = chain.rank_base + order++;
    candidates.push_back(std::move(c));
  }
  for (const auto& note : response.notes) task.Note(url + ": " + note);
  task.Note("POST " + url + ": " + std::to_string(candidates.size()) + " server" +
            (candidates.size() == 1 ? "" : "s") + chain.via);
  task.Add(std::move(candidates));
}

void RunChain(SourceTask& task, Chain chain) {
  const DiscoveryOptions& options = task.options();
  int hops = 0;
  std::set<std::string> addresses{chain.email};
  size_t next = 0;
  while (next < chain.urls.size() && !task.cancelled()) {
    const std::string url = chain.urls[next++];
    HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.body = BuildAutodiscoverRequest(chain.email);
    request.content_type = "text/xml; charset=utf-8";
    request.max_body_bytes = options.max_body_bytes;
    Result<FetchOutcome> fetched =
        FetchFollowing(task.env().http, request, task.HttpDeadline(), options.http_timeout_ms,
                       options.max_redirects - hops, /*https_only=*/true);
    if (!fetched.ok()) {
      task.Problem("POST " + url + chain.via, fetched.error());
      continue;
    }
    hops += static_cast<int>(fetched->hops.size()) - 1;
    const std::string& final_url = fetched->final_url;
    if (fetched->response.status != 200) {
      task.Note("POST " + final_url + ": HTTP " + std::to_string(fetched->response.status) +
                chain.via);
      continue;
    }
    if (fetched->response.body.find("Autodiscover") == std::string::npos) {
      task.Note("POST " + final_url + ": HTTP 200, but not an Autodiscover answer" + chain.via);
      continue;
    }
    Result<AutodiscoverResponse> parsed = ParseAutodiscover(fetched->response.body);
    if (!parsed.ok()) {
      task.Problem("POST " + final_url + chain.via, parsed.error());
      continue;
    }
    const AutodiscoverResponse& response = parsed.value();
    if (response.action == AutodiscoverResponse::Action::kSettings) {
      AddServers(task, response, chain, final_url, fetched->all_https);
      return;
    }
    if (response.action == AutodiscoverResponse::Action::kError) {
      task.Note("POST " + final_url + ": Autodiscover error: " + response.error_message);
      continue;
    }
    if (++hops > options.max_redirects) {
      task.Problem(
          "POST " + final_url,
          Error::Make(ErrorKind::kProtocol, "more than " + std::to_string(options.max_redirects) +
                                                " Autodiscover redirects; gave up"));
      return;
    }
    if (response.action == AutodiscoverResponse::Action::kRedirectUrl) {
      if (!IsHttpsUrl(response.redirect_url)) {
        task.Problem("POST " + final_url,
                     Error::Make(ErrorKind::kProtocol, "refused the redirectUrl " +
                                                           response.redirect_url + " (not https)"));
        return;
      }
      task.Note("POST " + final_url + ": redirectUrl " + response.redirect_url);
      chain.urls = {response.redirect_url};
      next = 0;
      continue;
    }
    // redirectAddr: ask again for the new address at its own domain.
    Result<EmailAddress> address = EmailAddress::Parse(response.redirect_addr);
    if (!address.ok()) {
      task.Problem(
          "POST " + final_url,
          Error::Make(ErrorKind::kProtocol, "redirectAddr '" + response.redirect_addr +
                                                "' is not an address: " + address.error().message));
      return;
    }
    if (!addresses.insert(address->ascii()).second) {
      task.Problem(
          "POST " + final_url,
          Error::Make(ErrorKind::kProtocol, "redirectAddr loop back to " + address->ascii()));
      return;
    }
    task.Note("POST " + final_url + ": redirectAddr " + address->ascii());
    chain.email = address->ascii();
    chain.urls = UrlsFor(address->ascii_domain());
    next = 0;
  }
}

void ViaSrv(SourceTask& task) {
  const std::string name = "_autodiscover._tcp." + task.address().ascii_domain();
  Result<std::vector<SrvRecord>> records = task.env().resolver.LookupSrv(name, task.DnsDeadline());
  if (!records.ok()) {
    task.Problem("SRV " + name, records.error());
    return;
  }
  std::vector<SrvRecord> ordered = OrderSrv(records.value());
  if (ordered.empty()) {
    task.Note("SRV " + name + (records->empty() ? ": no record" : ": not offered"));
    return;
  }
  Result<std::string> host = ToAsciiDomain(ordered.front().target);
  if (!host.ok()) {
    task.Problem("SRV " + name, host.error());
    return;
  }
  Chain chain;
  chain.email = task.address().ascii();
  chain.urls = {"https://" + host.value() + ":" + std::to_string(ordered.front().port) + kPath};
  chain.authenticated = false;
  chain.via = " (via SRV " + name + ")";
  chain.rank_base = 200;
  RunChain(task, chain);
}

void ViaHttpRedirect(SourceTask& task) {
  HttpRequest request;
  request.url = "http://autodiscover." + task.address().ascii_domain() + kPath;
  request.max_body_bytes = 64 * 1024;
  Result<HttpResponse> response = task.env().http.Fetch(request, task.HttpDeadline());
  if (!response.ok()) {
    task.Problem("GET " + request.url, response.error());
    return;
  }
  const int status = response->status;
  auto location = response->headers.find("location");
  if (status < 300 || status > 399 || location == response->headers.end()) {
    task.Note("GET " + request.url + ": HTTP " + std::to_string(status) + ", no redirect");
    return;
  }
  std::optional<std::string> target = ResolveLocation(request.url, location->second);
  if (!target || !IsHttpsUrl(*target)) {
    task.Problem("GET " + request.url,
                 Error::Make(ErrorKind::kProtocol,
                             "refused the redirect to " + location->second + " (not https)"));
    return;
  }
  Chain chain;
  chain.email = task.address().ascii();
  chain.urls = {*target};
  chain.authenticated = false;
  chain.via = " (via http redirect from " + request.url + ")";
  chain.rank_base = 300;
  RunChain(task, chain);
}

}  // namespace

void RunAutodiscoverSource(SourceTask& task) {
  const std::vector<std::string> urls = UrlsFor(task.address().ascii_domain());
  task.Spawn([url = urls[1]](SourceTask& t) {
    RunChain(t, Chain{{url}, t.address().ascii(), true, "", 100});
  });
  task.Spawn(ViaSrv);
  task.Spawn(ViaHttpRedirect);
  RunChain(task, Chain{{urls[0]}, task.address().ascii(), true, "", 0});
}

}  // namespace mailscout
