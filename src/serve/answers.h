// What `mailscout serve` answers: one pure function from a whole request to
// a whole response (no I/O, no state), so every endpoint is unit-tested
// without sockets and the server (serve/server.h) only moves bytes.
//
// Endpoints (docs/serve.md has the full list with examples):
//   autoconfig         GET /mail/config-v1.1.xml?emailaddress=A  (and /.well-known/autoconfig/...)
//   ispdb              GET /v1.1/DOMAIN
//   autodiscover-pox   POST|GET /autodiscover/autodiscover.xml (any case)
//   autodiscover-json  GET /autodiscover/autodiscover.json/v1.0/ADDR?Protocol=AutodiscoverV1
//   mobileconfig       GET /mobileconfig?emailaddress=A
//   healthz, metrics
//   helpdesk           GET|POST / ; GET /download/FORMAT ; GET /qr.svg ; GET /static/NAME
// A domain the site does not serve gets 404; every address of a served
// domain gets the domain's answer (no "user unknown").
#ifndef MAILSCOUT_SERVE_ANSWERS_H_
#define MAILSCOUT_SERVE_ANSWERS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "serve/http.h"
#include "serve/metrics.h"
#include "serve/sign.h"
#include "serve/site.h"

namespace mailscout {

struct ServeOptions {
  bool helpdesk = false;
  bool lookups = false;
  // Public base URL ("https://autodiscover.example.com"); empty: from the
  // request's Host header and whether it came over TLS.
  std::string base_url;
  std::optional<ProfileSigner> signer;
  // Web assets by file name: "page.html", "helpdesk.css", "helpdesk.js".
  std::map<std::string, std::string> assets;
};

struct ServeContext {
  std::shared_ptr<const Site> site;
  const ServeOptions* options = nullptr;
  const ServeMetrics* metrics = nullptr;
  bool tls = false;  // the request came over HTTPS
};

ServeResponse Answer(const ServeRequest& request, const ServeContext& context);

// Content type and headers of every helpdesk page: a Content-Security-Policy
// that allows only the page's own script and style, no framing, no caching.
void SetPageHeaders(ServeResponse* response);

// The address a helpdesk request names (query, or form body of a POST), if
// any; empty string for none.
std::string HelpdeskAddress(const ServeRequest& request);

// The address a request names, wherever it is (query, POX body, the
// Autodiscover v2 path, a form body); empty if none. For the access log.
std::string RequestAddress(const ServeRequest& request);

// True for requests the server must hand to the lookup service instead of
// Answer(): GET /lookup (the event stream), or the helpdesk page for a domain
// the site does not serve, when --lookups is on.
bool NeedsLookup(const ServeRequest& request, const ServeContext& context);

// One row of the helpdesk card.
struct CardServer {
  Setting setting;
  std::string origin;  // where it came from, in plain words
};

struct CardData {
  std::string email;
  std::optional<CardServer> incoming;
  std::optional<CardServer> outgoing;
  std::vector<std::string> problems;  // in the card's words
  std::vector<std::string> notes;
  // The provider's <loginPolicy>: "password" (or empty), "app-password" or
  // "oauth2-only"; the card then says what works instead of a password.
  std::string login_policy;
  std::string provider_name;  // for that sentence
  // Download links: format name -> URL (a /download/ URL or a data: URL).
  std::vector<std::pair<std::string, std::string>> downloads;
  std::string qr_url;  // the QR image's URL; empty: none
};

std::string CardHtml(const CardData& card);
// The whole page: the template (assets "page.html") with the address, the
// card (HTML fragment) and a message filled in.
std::string PageHtml(const ServeContext& context, const std::string& address,
                     const std::string& card_html, const std::string& message, bool lookups);

// Helpdesk export formats, in the order the page offers them.
const std::vector<std::string>& HelpdeskFormats();

// The card for a SetupReport made by a lookup (no login): recommended or best
// candidate servers, the problems found, and data: URLs for the downloads.
CardData CardFromReport(const SetupReport& report);

}  // namespace mailscout

#endif  // MAILSCOUT_SERVE_ANSWERS_H_
