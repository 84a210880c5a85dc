#include "serve/answers.h"

#include <openssl/sha.h>
#include <tinyxml2.h>

#include <algorithm>
#include <cstdio>

#include "core/email_address.h"
#include "discover/xml_text.h"
#include "export/export.h"
#include "export/qr_code.h"
#include "export/render.h"
#include "protocols/base64.h"

namespace mailscout {
namespace {

constexpr const char* kXml = "text/xml; charset=utf-8";

ServeResponse NotFound(const std::string& what) { return ServeResponse::Text(404, what); }

ServeResponse Xml(std::string body) {
  ServeResponse r;
  r.content_type = kXml;
  r.body = std::move(body);
  return r;
}

// The Host header's host name, lower case, without port; empty if none.
std::string HostName(const ServeRequest& request) {
  std::string host(request.Header("host").value_or(""));
  if (!host.empty() && host.front() == '[') return {};  // an IPv6 literal names no domain
  host = host.substr(0, host.find(':'));
  if (!host.empty() && host.back() == '.') host.pop_back();
  return LowerAscii(host);
}

// The domain a request is about: the address's, else the Host header's
// (without "autoconfig." / "autodiscover.").
std::string RequestDomain(const std::optional<EmailAddress>& address, const ServeRequest& request) {
  if (address) return address->ascii_domain();
  std::string host = HostName(request);
  for (const char* prefix : {"autoconfig.", "autodiscover."}) {
    if (host.rfind(prefix, 0) == 0) return host.substr(std::string_view(prefix).size());
  }
  return host;
}

std::optional<EmailAddress> ParseAddress(const std::string& text) {
  if (text.empty() || text.size() > 320) return std::nullopt;
  Result<EmailAddress> parsed = EmailAddress::Parse(text);
  if (!parsed.ok()) return std::nullopt;
  return parsed.value();
}

std::string BaseUrl(const ServeRequest& request, const ServeContext& context) {
  if (!context.options->base_url.empty()) return context.options->base_url;
  std::string host(request.Header("host").value_or("localhost"));
  return std::string(context.tls ? "https://" : "http://") + host;
}

// A stable UUID for (address, n): the same address always gets the same
// PayloadUUIDs, so installing a profile again replaces the earlier one.
std::string StableUuid(const std::string& address, int n) {
  std::string seed = "mailscout-serve-profile\n" + LowerAscii(address) + "\n" + std::to_string(n);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(seed.data()), seed.size(), digest);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);  // version 5 layout
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(
      out, sizeof(out), "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
      digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
      digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]);
  return out;
}

struct Served {
  std::optional<EmailAddress> address;
  const SiteProvider* provider = nullptr;
  std::string domain;
};

Served Lookup(const std::string& address_text, const ServeRequest& request,
              const ServeContext& context) {
  Served s;
  s.address = ParseAddress(address_text);
  s.domain = RequestDomain(s.address, request);
  s.provider = context.site->Find(s.domain);
  return s;
}

ExportAccount AccountFor(const SiteProvider& provider, const EmailAddress& address) {
  SiteSettings settings = SettingsFor(provider, address);
  ExportAccount account;
  account.email = address.display();
  account.domain = address.ascii_domain();
  account.display_name = address.display();
  account.provider_id = provider.config.id.empty() ? address.ascii_domain() : provider.config.id;
  account.provider_name =
      provider.config.display_name.empty() ? address.ascii_domain() : provider.config.display_name;
  account.incoming = std::move(settings.incoming);
  account.outgoing = std::move(settings.outgoing);
  return account;
}

Result<ExportedFile> ExportFor(ExportFormat format, const SiteProvider& provider,
                               const EmailAddress& address) {
  ExportAccount account = AccountFor(provider, address);
  ExportOptions options;
  int n = 0;
  std::string key = address.ascii();
  options.new_uuid = [&n, key] { return StableUuid(key, n++); };
  options.qr_image = QrImage::kSvg;
  return WriteExport(format, account, options);
}

ServeResponse Autoconfig(const ServeRequest& request, const ServeContext& context) {
  Served s = Lookup(FormValue(request.query, "emailaddress").value_or(""), request, context);
  if (s.provider == nullptr) return NotFound("no configuration for " + s.domain);
  if (!s.provider->redirect_domain.empty()) {
    const SiteProvider* target = context.site->Find(s.provider->redirect_domain);
    if (target == nullptr) return NotFound("no configuration for " + s.domain);
    return Xml(target->xml);
  }
  return Xml(s.provider->xml);
}

ServeResponse Ispdb(const ServeRequest& request, const ServeContext& context) {
  std::string domain = LowerAscii(request.path.substr(std::string_view("/v1.1/").size()));
  const SiteProvider* provider = context.site->Find(domain);
  if (provider == nullptr || !provider->redirect_domain.empty()) {
    return NotFound("no configuration for " + domain);
  }
  return Xml(provider->xml);
}

// EMailAddress from an Outlook POX request body; nullopt if the body is not
// one. No DTD, no entities: a body that declares any is refused outright.
std::optional<std::string> PoxAddress(const std::string& body) {
  if (body.find("<!") != std::string::npos) return std::nullopt;
  tinyxml2::XMLDocument doc(/*processEntities=*/false, tinyxml2::COLLAPSE_WHITESPACE);
  if (doc.Parse(body.data(), body.size()) != tinyxml2::XML_SUCCESS) return std::nullopt;
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (root == nullptr || std::string_view(root->Name()) != "Autodiscover") return std::nullopt;
  const tinyxml2::XMLElement* req = root->FirstChildElement("Request");
  if (req == nullptr) return std::nullopt;
  const tinyxml2::XMLElement* email = req->FirstChildElement("EMailAddress");
  if (email == nullptr || email->GetText() == nullptr) return std::nullopt;
  std::string text = email->GetText();
  text.erase(0, text.find_first_not_of(" \t\r\n"));
  text.erase(text.find_last_not_of(" \t\r\n") + 1);
  return text;
}

ServeResponse AutodiscoverPox(const ServeRequest& request, const ServeContext& context) {
  std::string address_text;
  if (request.method == "POST") {
    std::optional<std::string> from_body = PoxAddress(request.body);
    if (!from_body) {
      return ServeResponse::Text(400,
                                 "the body is not an Autodiscover request with an EMailAddress");
    }
    address_text = *from_body;
  } else {
    address_text = FormValue(request.query, "emailaddress")
                       .value_or(FormValue(request.query, "email").value_or(""));
  }
  Served s = Lookup(address_text, request, context);
  // A GET without an address (Delta Chat's way) is about the Host's domain:
  // the answer then names no LoginName, and the client uses the address.
  const bool anonymous = !s.address && address_text.empty() && request.method != "POST";
  if (anonymous && s.provider != nullptr && s.provider->redirect_domain.empty()) {
    Result<EmailAddress> sample = EmailAddress::Parse("user@" + s.domain);
    if (sample.ok()) s.address = sample.value();
  }
  if (anonymous && s.provider == nullptr) return NotFound("no configuration for " + s.domain);
  if (!s.address) return ServeResponse::Text(400, "no valid e-mail address in the request");
  if (s.provider == nullptr) return NotFound("no configuration for " + s.domain);
  if (!s.provider->redirect_domain.empty()) {
    return Xml(
        AutodiscoverPoxRedirect(s.address->local_part() + "@" + s.provider->redirect_domain));
  }
  SiteSettings settings = SettingsFor(*s.provider, *s.address);
  std::vector<Setting> protocols;
  for (Protocol p : {Protocol::kImap, Protocol::kPop3}) {
    auto it = std::find_if(settings.incoming.begin(), settings.incoming.end(),
                           [p](const Setting& x) { return x.protocol == p; });
    if (it != settings.incoming.end()) protocols.push_back(*it);
  }
  protocols.push_back(settings.outgoing.front());
  if (anonymous) {
    for (Setting& p : protocols) p.username.clear();
  }
  return Xml(AutodiscoverPoxSettings(anonymous ? s.domain : s.address->display(), protocols));
}

ServeResponse Json(int status, std::string body) {
  ServeResponse r;
  r.status = status;
  r.content_type = "application/json; charset=utf-8";
  r.body = std::move(body);
  return r;
}

ServeResponse AutodiscoverJson(const ServeRequest& request, const ServeContext& context) {
  // /autodiscover/autodiscover.json/v1.0/ADDR?Protocol=X, or
  // /autodiscover/autodiscover.json?Email=ADDR&Protocol=X
  std::string lower = LowerAscii(request.path);
  std::string address_text;
  constexpr std::string_view kV1 = "/autodiscover/autodiscover.json/v1.0/";
  if (lower.rfind(kV1, 0) == 0) address_text = request.path.substr(kV1.size());
  if (address_text.empty()) address_text = FormValue(request.query, "email").value_or("");
  std::string protocol = FormValue(request.query, "protocol").value_or("");
  if (LowerAscii(protocol) != "autodiscoverv1") {
    const std::string quoted = JsonQuote(protocol);  // inside a message: without its quotes
    return Json(400,
                "{\"ErrorCode\":\"InvalidProtocol\",\"ErrorMessage\":\"The given protocol value '" +
                    quoted.substr(1, quoted.size() - 2) +
                    "' is invalid. Supported values are 'AutodiscoverV1'.\"}");
  }
  Served s = Lookup(address_text, request, context);
  if (!s.address) {
    return Json(400,
                "{\"ErrorCode\":\"InvalidUser\",\"ErrorMessage\":\"No valid e-mail address.\"}");
  }
  if (s.provider == nullptr) {
    return Json(
        404,
        "{\"ErrorCode\":\"UserNotFound\",\"ErrorMessage\":\"The domain is not served here.\"}");
  }
  return Json(200, "{\"Protocol\":\"AutodiscoverV1\",\"Url\":" +
                       JsonQuote(BaseUrl(request, context) + "/autodiscover/autodiscover.xml") +
                       "}");
}

ServeResponse Mobileconfig(const ServeRequest& request, const ServeContext& context) {
  Served s = Lookup(FormValue(request.query, "emailaddress").value_or(""), request, context);
  if (!s.address) return ServeResponse::Text(400, "emailaddress=ADDRESS is required");
  if (s.provider == nullptr || !s.provider->redirect_domain.empty()) {
    return NotFound("no configuration for " + s.domain);
  }
  Result<ExportedFile> file = ExportFor(ExportFormat::kMobileconfig, *s.provider, *s.address);
  if (!file.ok()) return ServeResponse::Text(500, file.error().message);
  ServeResponse r;
  r.content_type = "application/x-apple-aspen-config";
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" +
                             DefaultFileName(ExportFormat::kMobileconfig, s.address->ascii()) +
                             "\"");
  if (context.options->signer) {
    Result<std::string> signed_profile = context.options->signer->Sign(file->text);
    if (!signed_profile.ok()) return ServeResponse::Text(500, signed_profile.error().message);
    r.body = std::move(signed_profile.value());
  } else {
    r.body = std::move(file->text);
  }
  return r;
}

// ---- helpdesk ----

std::string MobileconfigUrl(const ServeRequest& request, const ServeContext& context,
                            const std::string& address) {
  return BaseUrl(request, context) + "/mobileconfig?emailaddress=" + PercentEncode(address);
}

CardData SiteCard(const SiteProvider& provider, const EmailAddress& address) {
  SiteSettings settings = SettingsFor(provider, address);
  CardData card;
  card.email = address.display();
  std::string origin =
      "this site (" + provider.path.substr(provider.path.find_last_of('/') + 1) + ")";
  if (!settings.incoming.empty()) card.incoming = CardServer{settings.incoming.front(), origin};
  if (!settings.outgoing.empty()) card.outgoing = CardServer{settings.outgoing.front(), origin};
  for (const std::string& format : HelpdeskFormats()) {
    card.downloads.emplace_back(
        format, "/download/" + format + "?emailaddress=" + PercentEncode(address.display()));
  }
  card.qr_url = "/qr.svg?emailaddress=" + PercentEncode(address.display());
  card.login_policy = provider.config.login_policy;
  card.provider_name = provider.config.display_name;
  return card;
}

ServeResponse Html(int status, std::string body) {
  ServeResponse r;
  r.status = status;
  r.body = std::move(body);
  SetPageHeaders(&r);
  return r;
}

ServeResponse HelpdeskPage(const ServeRequest& request, const ServeContext& context) {
  std::string address_text = HelpdeskAddress(request);
  if (address_text.empty())
    return Html(200, PageHtml(context, "", "", "", context.options->lookups));
  std::optional<EmailAddress> address = ParseAddress(address_text);
  if (!address) {
    return Html(
        400, PageHtml(context, address_text, "", "'" + address_text + "' is not an e-mail address.",
                      context.options->lookups));
  }
  const SiteProvider* provider = context.site->Find(address->ascii_domain());
  if (provider != nullptr && !provider->redirect_domain.empty()) {
    provider = context.site->Find(provider->redirect_domain);
  }
  if (provider == nullptr) {
    return Html(404, PageHtml(context, address_text, "",
                              "This service has no settings for " + address->ascii_domain() + ".",
                              context.options->lookups));
  }
  return Html(200, PageHtml(context, address_text, CardHtml(SiteCard(*provider, *address)), "",
                            context.options->lookups));
}

// The card alone (the page's script puts it in place): 404 for a domain the
// site does not serve, so the script can start a lookup.
ServeResponse CardFragment(const ServeRequest& request, const ServeContext& context) {
  std::string address_text = HelpdeskAddress(request);
  std::optional<EmailAddress> address = ParseAddress(address_text);
  auto message = [](int status, const std::string& text) {
    return Html(status, "<p class=\"message\" role=\"alert\">" + HtmlEscape(text) + "</p>");
  };
  if (!address) return message(400, "'" + address_text + "' is not an e-mail address.");
  const SiteProvider* provider = context.site->Find(address->ascii_domain());
  if (provider != nullptr && !provider->redirect_domain.empty()) {
    provider = context.site->Find(provider->redirect_domain);
  }
  if (provider == nullptr) {
    return message(404, "This service has no settings for " + address->ascii_domain() + ".");
  }
  return Html(200, CardHtml(SiteCard(*provider, *address)));
}

ServeResponse Download(const ServeRequest& request, const ServeContext& context) {
  std::string format_name = request.path.substr(std::string_view("/download/").size());
  const auto& formats = HelpdeskFormats();
  std::optional<ExportFormat> format = ParseExportFormat(format_name);
  if (!format || std::find(formats.begin(), formats.end(), format_name) == formats.end()) {
    return NotFound("unknown format " + format_name);
  }
  if (*format == ExportFormat::kMobileconfig) return Mobileconfig(request, context);
  Served s = Lookup(FormValue(request.query, "emailaddress").value_or(""), request, context);
  if (!s.address) return ServeResponse::Text(400, "emailaddress=ADDRESS is required");
  if (s.provider != nullptr && !s.provider->redirect_domain.empty()) {
    s.provider = context.site->Find(s.provider->redirect_domain);
  }
  if (s.provider == nullptr) return NotFound("no configuration for " + s.domain);
  Result<ExportedFile> file = ExportFor(*format, *s.provider, *s.address);
  if (!file.ok()) return ServeResponse::Text(409, file.error().message);
  ServeResponse r;
  r.content_type = *format == ExportFormat::kThunderbird || *format == ExportFormat::kAutodiscover
                       ? kXml
                       : "text/plain; charset=utf-8";
  r.headers.emplace_back(
      "Content-Disposition",
      "attachment; filename=\"" + DefaultFileName(*format, s.address->ascii()) + "\"");
  r.body = std::move(file->text);
  return r;
}

ServeResponse QrCode(const ServeRequest& request, const ServeContext& context) {
  Served s = Lookup(FormValue(request.query, "emailaddress").value_or(""), request, context);
  if (!s.address) return ServeResponse::Text(400, "emailaddress=ADDRESS is required");
  if (s.provider == nullptr) return NotFound("no configuration for " + s.domain);
  Result<QrSymbol> symbol = EncodeQr(MobileconfigUrl(request, context, s.address->display()));
  if (!symbol.ok()) return ServeResponse::Text(500, symbol.error().message);
  ServeResponse r;
  r.content_type = "image/svg+xml";
  r.body = QrSvg(symbol.value());
  return r;
}

ServeResponse Static(const ServeRequest& request, const ServeContext& context) {
  std::string name = request.path.substr(std::string_view("/static/").size());
  if (name == "page.html") return NotFound("not found");
  auto it = context.options->assets.find(name);
  if (it == context.options->assets.end()) return NotFound("not found");
  ServeResponse r;
  r.content_type =
      name.size() > 4 && name.substr(name.size() - 4) == ".css"  ? "text/css; charset=utf-8"
      : name.size() > 3 && name.substr(name.size() - 3) == ".js" ? "text/javascript; charset=utf-8"
                                                                 : "application/octet-stream";
  r.headers.emplace_back("Cache-Control", "max-age=300");
  r.body = it->second;
  return r;
}

bool IsGet(const ServeRequest& r) { return r.method == "GET" || r.method == "HEAD"; }

ServeResponse Route(const ServeRequest& request, const ServeContext& context,
                    std::string* endpoint) {
  const std::string& path = request.path;
  std::string lower = LowerAscii(path);
  auto only_get = [&](const char* name, auto&& answer) {
    *endpoint = name;
    if (!IsGet(request)) {
      ServeResponse r = ServeResponse::Text(405, "method not allowed");
      r.headers.emplace_back("Allow", "GET, HEAD");
      return r;
    }
    return answer();
  };
  if (path == "/mail/config-v1.1.xml" || path == "/.well-known/autoconfig/mail/config-v1.1.xml") {
    return only_get("autoconfig", [&] { return Autoconfig(request, context); });
  }
  if (path.rfind("/v1.1/", 0) == 0)
    return only_get("ispdb", [&] { return Ispdb(request, context); });
  if (lower == "/autodiscover/autodiscover.xml") {
    *endpoint = "autodiscover-pox";
    if (request.method != "POST" && !IsGet(request))
      return ServeResponse::Text(405, "method not allowed");
    return AutodiscoverPox(request, context);
  }
  if (lower.rfind("/autodiscover/autodiscover.json", 0) == 0) {
    return only_get("autodiscover-json", [&] { return AutodiscoverJson(request, context); });
  }
  if (path == "/mobileconfig") {
    return only_get("mobileconfig", [&] { return Mobileconfig(request, context); });
  }
  if (path == "/healthz")
    return only_get("healthz", [&] { return ServeResponse::Text(200, "ok"); });
  if (path == "/metrics") {
    return only_get("metrics", [&] {
      ServeResponse r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = context.metrics != nullptr ? context.metrics->Prometheus() : "";
      return r;
    });
  }
  if (context.options->helpdesk) {
    if (path == "/") {
      *endpoint = "helpdesk";
      if (request.method != "POST" && !IsGet(request))
        return ServeResponse::Text(405, "method not allowed");
      return HelpdeskPage(request, context);
    }
    if (path.rfind("/download/", 0) == 0) {
      return only_get("download", [&] { return Download(request, context); });
    }
    if (path == "/card") return only_get("card", [&] { return CardFragment(request, context); });
    if (path == "/qr.svg") return only_get("qr", [&] { return QrCode(request, context); });
    if (path.rfind("/static/", 0) == 0)
      return only_get("static", [&] { return Static(request, context); });
  }
  *endpoint = "other";
  return NotFound("not found");
}

}  // namespace

void SetPageHeaders(ServeResponse* response) {
  response->content_type = "text/html; charset=utf-8";
  response->headers.emplace_back("Content-Security-Policy",
                                 "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                 "script-src 'self'; frame-ancestors 'none'");
  response->headers.emplace_back("Cache-Control", "no-store");
}

std::string HelpdeskAddress(const ServeRequest& request) {
  std::optional<std::string> value = FormValue(request.query, "emailaddress");
  if (!value && request.method == "POST") value = FormValue(request.body, "emailaddress");
  std::string text = value.value_or("");
  text.erase(0, text.find_first_not_of(" \t\r\n"));
  text.erase(text.find_last_not_of(" \t\r\n") + 1);
  return text;
}

std::string RequestAddress(const ServeRequest& request) {
  for (const char* name : {"emailaddress", "email"}) {
    if (auto v = FormValue(request.query, name)) return *v;
  }
  if (request.method == "POST") {
    if (auto pox = PoxAddress(request.body)) return *pox;
    if (auto form = FormValue(request.body, "emailaddress")) return *form;
  }
  std::string lower = LowerAscii(request.path);
  constexpr std::string_view kV1 = "/autodiscover/autodiscover.json/v1.0/";
  if (lower.rfind(kV1, 0) == 0) return request.path.substr(kV1.size());
  return "";
}

bool NeedsLookup(const ServeRequest& request, const ServeContext& context) {
  if (!context.options->helpdesk || !context.options->lookups) return false;
  if (request.path == "/lookup") return true;
  if (request.path != "/") return false;
  std::optional<EmailAddress> address = ParseAddress(HelpdeskAddress(request));
  return address && context.site->Find(address->ascii_domain()) == nullptr;
}

ServeResponse Answer(const ServeRequest& request, const ServeContext& context) {
  std::string endpoint;
  ServeResponse response = Route(request, context, &endpoint);
  response.endpoint = endpoint;
  return response;
}

const std::vector<std::string>& HelpdeskFormats() {
  static const std::vector<std::string> kFormats = {
      "thunderbird", "autodiscover", "mobileconfig", "msmtp", "mbsync", "neomutt", "aerc"};
  return kFormats;
}

namespace {

std::string Row(const char* label, const std::string& value, const std::string& cls = "") {
  return "<tr><th scope=\"row\">" + std::string(label) + "</th><td" +
         (cls.empty() ? "" : " class=\"" + cls + "\"") + ">" + HtmlEscape(value) + "</td></tr>\n";
}

// What the user logs in with, truthfully for providers that refuse passwords.
std::string PasswordWords(const std::string& policy) {
  if (policy == "oauth2-only") {
    return "none works: the mail program must sign in with OAuth2 (Modern Auth)";
  }
  if (policy == "app-password") {
    return "an app password (the account password is refused), or OAuth2 sign-in";
  }
  return "the user's own password (never stored here)";
}

// The card's first words for such providers.
std::string PolicyBanner(const CardData& card) {
  const std::string who = card.provider_name.empty() ? "This provider" : card.provider_name;
  if (card.login_policy == "oauth2-only") {
    return "<p class=\"policy\" role=\"note\"><strong>OAuth2 required.</strong> " +
           HtmlEscape(who) +
           " accepts no password for IMAP, POP3 or SMTP, not even an app password: use a mail "
           "program that signs in with OAuth2 (Thunderbird, Outlook, Apple Mail and Android's "
           "Thunderbird do).</p>\n";
  }
  if (card.login_policy == "app-password") {
    return "<p class=\"policy\" role=\"note\"><strong>App password required.</strong> " +
           HtmlEscape(who) +
           " refuses the account password in mail programs: create an app password in the "
           "account's security settings, or use a program that signs in with OAuth2.</p>\n";
  }
  return "";
}

std::string ServerBlock(const char* title, const std::optional<CardServer>& server,
                        const std::string& policy) {
  std::string out = "<section class=\"server\"><h3>" + std::string(title) + "</h3>\n";
  if (!server) return out + "<p class=\"missing\">No server found.</p></section>\n";
  const Setting& s = server->setting;
  out += "<table>\n";
  out += Row("Protocol", std::string(DisplayName(s.protocol)));
  out += Row("Server", s.host, "host");
  out += Row("Port", std::to_string(s.port), "port");
  out += Row("Security", std::string(ClientWords(s.security)), "security");
  out += Row("Username", s.username, "username");
  out += Row("Password", PasswordWords(policy), "password");
  out += Row("From", server->origin + (s.verified ? "; login verified" : ""), "origin");
  out += "</table></section>\n";
  return out;
}

}  // namespace

std::string CardHtml(const CardData& card) {
  std::string out = "<div class=\"card\" id=\"card\">\n<h2>Settings for <span class=\"email\">" +
                    HtmlEscape(card.email) + "</span></h2>\n" + PolicyBanner(card) +
                    "<div class=\"servers\">\n";
  out += ServerBlock("Incoming mail", card.incoming, card.login_policy);
  out += ServerBlock("Outgoing mail (SMTP)", card.outgoing, card.login_policy);
  out += "</div>\n";
  if (!card.problems.empty()) {
    out += "<section class=\"problems\"><h3>Problems found</h3><ul>\n";
    for (const auto& p : card.problems) out += "<li>" + HtmlEscape(p) + "</li>\n";
    out += "</ul></section>\n";
  }
  if (!card.notes.empty()) {
    out += "<section class=\"notes\"><ul>\n";
    for (const auto& n : card.notes) out += "<li>" + HtmlEscape(n) + "</li>\n";
    out += "</ul></section>\n";
  }
  if (!card.downloads.empty()) {
    static const std::map<std::string, std::string> kLabels = {
        {"thunderbird", "Thunderbird"},
        {"autodiscover", "Outlook"},
        {"mobileconfig", "Apple (iPhone, Mac)"},
        {"msmtp", "msmtp"},
        {"mbsync", "mbsync"},
        {"neomutt", "NeoMutt"},
        {"aerc", "aerc"}};
    out += "<section class=\"downloads\"><h3>Files for the user's mail program</h3>\n<ul>\n";
    for (const auto& [format, url] : card.downloads) {
      auto label = kLabels.find(format);
      std::optional<ExportFormat> f = ParseExportFormat(format);
      std::string file = f ? DefaultFileName(*f, card.email) : format;
      out += "<li><a class=\"download\" data-format=\"" + HtmlEscape(format) + "\" download=\"" +
             HtmlEscape(file) + "\" href=\"" + HtmlEscape(url) + "\">" +
             HtmlEscape(label == kLabels.end() ? format : label->second) + "</a></li>\n";
    }
    out += "</ul></section>\n";
  }
  if (!card.qr_url.empty()) {
    out +=
        "<section class=\"qr\"><h3>iPhone or iPad</h3><img alt=\"QR code of the Apple profile's "
        "address\" src=\"" +
        HtmlEscape(card.qr_url) +
        "\" width=\"200\" height=\"200\"><p>Scan with the camera to install the "
        "profile.</p></section>\n";
  }
  out += "</div>\n";
  return out;
}

std::string PageHtml(const ServeContext& context, const std::string& address,
                     const std::string& card_html, const std::string& message, bool lookups) {
  auto it = context.options->assets.find("page.html");
  std::string page = it != context.options->assets.end()
                         ? it->second
                         : "<!doctype html><title>mailscout</title>{{message}}{{card}}";
  auto replace = [&page](std::string_view key, const std::string& value) {
    for (size_t at = page.find(key); at != std::string::npos;
         at = page.find(key, at + value.size())) {
      page.replace(at, key.size(), value);
    }
  };
  replace("{{address}}", HtmlEscape(address));
  replace("{{lookups}}", lookups ? "on" : "off");
  replace(
      "{{message}}",
      message.empty() ? "" : "<p class=\"message\" role=\"alert\">" + HtmlEscape(message) + "</p>");
  replace("{{card}}", card_html);
  return page;
}

CardData CardFromReport(const SetupReport& report) {
  CardData card;
  card.email = report.discovery.email;
  // The source in a word, and what the check showed; the ranking's long
  // reason (which repeats the source) stays in the JSON report.
  auto origin = [&report](const Setting& s) {
    std::string how = s.verified ? "a login worked" : "the server answered; login not tried";
    for (const CheckResult& c : report.checks) {
      if (c.protocol == s.protocol && c.host == s.host && c.port == s.port &&
          c.security == s.security && c.tls) {
        how += c.tls->chain_ok && c.tls->name_ok ? ", valid certificate" : ", certificate problem";
        break;
      }
    }
    return "found by " + std::string(ToString(s.source)) + " lookup (" + how + ")";
  };
  if (report.recommended.incoming) {
    card.incoming = CardServer{*report.recommended.incoming, origin(*report.recommended.incoming)};
  }
  if (report.recommended.outgoing) {
    card.outgoing = CardServer{*report.recommended.outgoing, origin(*report.recommended.outgoing)};
  }
  for (const CheckResult& c : report.checks) {
    if (c.ok || !c.error || c.error->kind == ErrorKind::kNotTried) continue;
    card.problems.push_back(std::string(DisplayName(c.protocol)) + " " + c.host + ":" +
                            std::to_string(c.port) + " (" + std::string(ClientWords(c.security)) +
                            "): " + c.error->message);
  }
  for (const std::string& w : report.warnings) card.notes.push_back(w);
  if (const std::optional<ProviderInfo>& p = report.discovery.provider) {
    card.login_policy = p->login_policy;
    card.provider_name = p->display_name;
  }
  if (card.incoming && card.outgoing) {
    for (const std::string& format : HelpdeskFormats()) {
      Result<ExportedFile> file = RenderSetupReport(report, format);
      if (!file.ok()) continue;
      std::string type = format == "mobileconfig" ? "application/x-apple-aspen-config"
                         : format == "thunderbird" || format == "autodiscover" ? "text/xml"
                                                                               : "text/plain";
      card.downloads.emplace_back(format, "data:" + type + ";base64," + Base64Encode(file->text));
    }
  }
  return card;
}

}  // namespace mailscout
