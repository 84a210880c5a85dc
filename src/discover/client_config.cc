#include "discover/client_config.h"

#include <tinyxml2.h>

#include <algorithm>

#include "discover/xml_text.h"

namespace mailscout {
namespace {

constexpr size_t kMaxProviders = 64;
constexpr size_t kMaxServers = 64;
constexpr size_t kMaxDomains = 4096;
constexpr size_t kMaxAuth = 16;
constexpr size_t kMaxText = 1024;

Error Bad(std::string message) { return Error::Make(ErrorKind::kProtocol, std::move(message)); }

std::string Trim(std::string_view s) { return TrimText(s, kMaxText); }

std::string Lower(std::string s) { return LowerAscii(std::move(s)); }

std::string Text(const tinyxml2::XMLElement* e) {
  if (e == nullptr || e->GetText() == nullptr) return {};
  return Trim(e->GetText());
}

std::string ChildText(const tinyxml2::XMLElement* parent, const char* name) {
  return Text(parent->FirstChildElement(name));
}

std::string Attr(const tinyxml2::XMLElement* e, const char* name) {
  const char* v = e->Attribute(name);
  return v == nullptr ? std::string() : Trim(v);
}

std::optional<Security> ParseSocketType(const std::string& text) {
  std::string s = Lower(text);
  if (s == "ssl" || s == "tls") return Security::kTls;
  if (s == "starttls") return Security::kStartTls;
  if (s == "plain") return Security::kPlain;
  return std::nullopt;
}

// Reads one <incomingServer>/<outgoingServer>; nullopt (with a note) when
// it is of a type mailscout does not speak or is incomplete.
std::optional<ServerTemplate> ReadServer(const tinyxml2::XMLElement* e, bool incoming,
                                         std::vector<std::string>* notes) {
  const std::string element = incoming ? "incomingServer" : "outgoingServer";
  const std::string type = Lower(Attr(e, "type"));
  ServerTemplate server;
  if (incoming && type == "imap") {
    server.protocol = Protocol::kImap;
  } else if (incoming && (type == "pop3" || type == "pop")) {
    server.protocol = Protocol::kPop3;
  } else if (!incoming && type == "smtp") {
    server.protocol = Protocol::kSmtp;
  } else {
    notes->push_back(element + " type '" + type + "' ignored");
    return std::nullopt;
  }
  // Not lower-cased here: that would break %EMAILDOMAIN%; ExpandServers
  // lower-cases after expanding.
  server.hostname = ChildText(e, "hostname");
  if (server.hostname.empty()) {
    notes->push_back(element + " without <hostname> ignored");
    return std::nullopt;
  }
  std::optional<Security> security = ParseSocketType(ChildText(e, "socketType"));
  if (!security) {
    notes->push_back(element + " " + server.hostname + ": socketType '" +
                     ChildText(e, "socketType") + "' not understood, ignored");
    return std::nullopt;
  }
  server.security = *security;
  const std::string port_text = ChildText(e, "port");
  if (port_text.empty()) {
    server.port = DefaultPort(server.protocol, server.security);
  } else if (auto port = ParsePortText(port_text)) {
    server.port = *port;
  } else {
    notes->push_back(element + " " + server.hostname + ": port '" + port_text +
                     "' is not a port number, ignored");
    return std::nullopt;
  }
  server.username = ChildText(e, "username");
  for (auto* a = e->FirstChildElement("authentication");
       a != nullptr && server.auth.size() < kMaxAuth; a = a->NextSiblingElement("authentication")) {
    std::string value = Text(a);
    if (!value.empty()) server.auth.push_back(value);
  }
  return server;
}

ProviderConfig ReadProvider(const tinyxml2::XMLElement* p) {
  ProviderConfig config;
  config.id = Lower(Attr(p, "id"));
  for (auto* d = p->FirstChildElement("domain"); d != nullptr;
       d = d->NextSiblingElement("domain")) {
    if (config.domains.size() >= kMaxDomains) {
      config.notes.push_back("more than " + std::to_string(kMaxDomains) +
                             " <domain> entries; the rest ignored");
      break;
    }
    std::string domain = Lower(Text(d));
    if (!domain.empty()) config.domains.push_back(domain);
  }
  config.display_name = ChildText(p, "displayName");
  config.display_short_name = ChildText(p, "displayShortName");
  config.login_policy = Lower(ChildText(p, "loginPolicy"));
  if (auto* app = p->FirstChildElement("appPassword")) {
    config.app_password_url = Attr(app, "url");
    config.app_password_text = Text(app);
  }
  if (!config.login_policy.empty() && config.login_policy != "password" &&
      config.login_policy != "app-password" && config.login_policy != "oauth2-only") {
    config.notes.push_back("loginPolicy '" + config.login_policy + "' not understood, ignored");
    config.login_policy.clear();
  }
  for (auto* d = p->FirstChildElement("documentation"); d != nullptr;
       d = d->NextSiblingElement("documentation")) {
    std::string url = Attr(d, "url");
    if (!url.empty()) {
      config.documentation_url = url;
      break;
    }
  }
  for (int pass = 0; pass < 2; ++pass) {
    const bool incoming = pass == 0;
    const char* name = incoming ? "incomingServer" : "outgoingServer";
    for (auto* s = p->FirstChildElement(name); s != nullptr; s = s->NextSiblingElement(name)) {
      if (config.servers.size() >= kMaxServers) {
        config.notes.push_back("more than " + std::to_string(kMaxServers) +
                               " servers; the rest ignored");
        break;
      }
      if (auto server = ReadServer(s, incoming, &config.notes)) {
        config.servers.push_back(std::move(*server));
      }
    }
  }
  // <webMail> and <oAuth2> are siblings of <emailProvider> in the ISPDB;
  // accept them inside it too.
  return config;
}

void ReadOAuth(const tinyxml2::XMLElement* e, OAuthFacts* facts) {
  facts->issuer = ChildText(e, "issuer");
  facts->auth_url = ChildText(e, "authURL");
  facts->token_url = ChildText(e, "tokenURL");
  facts->device_url = ChildText(e, "deviceURL");
  facts->device_flow = Lower(ChildText(e, "deviceFlow"));
  for (auto* s = e->FirstChildElement("scope"); s != nullptr; s = s->NextSiblingElement("scope")) {
    const std::string protocol = Lower(Attr(s, "protocol"));
    std::string* target = protocol.empty()     ? &facts->scope
                          : protocol == "imap" ? &facts->imap_scope
                          : protocol == "pop3" ? &facts->pop3_scope
                          : protocol == "smtp" ? &facts->smtp_scope
                                               : nullptr;
    if (target != nullptr && target->empty()) *target = Text(s);
  }
}

void ReadSiblings(const tinyxml2::XMLElement* root, ProviderConfig* config) {
  for (const tinyxml2::XMLElement* scope : {root, root->FirstChildElement("emailProvider")}) {
    if (scope == nullptr) continue;
    if (auto* oauth = scope->FirstChildElement("oAuth2"); oauth != nullptr && !config->has_oauth2) {
      config->has_oauth2 = true;
      ReadOAuth(oauth, &config->oauth);
    }
    if (auto* web = scope->FirstChildElement("webMail")) {
      if (auto* login = web->FirstChildElement("loginPage")) {
        if (config->webmail_url.empty()) config->webmail_url = Attr(login, "url");
      }
    }
  }
}

}  // namespace

Result<std::vector<ProviderConfig>> ParseClientConfig(std::string_view xml) {
  tinyxml2::XMLDocument doc(/*processEntities=*/true, tinyxml2::COLLAPSE_WHITESPACE);
  Status parsed =
      ParseXmlDocument(xml, kMaxClientConfigBytes, "the configuration file", kMaxText, &doc);
  if (!parsed.ok()) return parsed.error();
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (root == nullptr || std::string_view(root->Name()) != "clientConfig") {
    return Bad(std::string("the configuration file's root element is <") +
               (root != nullptr ? root->Name() : "") + ">, not <clientConfig>");
  }
  std::vector<ProviderConfig> providers;
  for (auto* p = root->FirstChildElement("emailProvider"); p != nullptr;
       p = p->NextSiblingElement("emailProvider")) {
    if (providers.size() >= kMaxProviders) break;
    providers.push_back(ReadProvider(p));
  }
  if (providers.empty()) return Bad("the configuration file has no <emailProvider>");
  ReadSiblings(root, &providers.front());
  return providers;
}

std::string ExpandPlaceholders(std::string_view text, const EmailAddress& address) {
  struct Rule {
    std::string_view name;
    std::string value;
  };
  const Rule rules[] = {{"%EMAILADDRESS%", address.ascii()},
                        {"%EMAILLOCALPART%", address.local_part()},
                        {"%EMAILDOMAIN%", address.ascii_domain()}};
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    bool matched = false;
    if (text[i] == '%') {
      for (const auto& rule : rules) {
        if (text.substr(i, rule.name.size()) == rule.name) {
          out += rule.value;
          i += rule.name.size();
          matched = true;
          break;
        }
      }
    }
    if (!matched) out += text[i++];
  }
  return out;
}

std::vector<ServerCandidate> ExpandServers(const ProviderConfig& config,
                                           const EmailAddress& address, Source source, Trust trust,
                                           const std::string& detail,
                                           std::vector<std::string>* problems) {
  std::vector<ServerCandidate> out;
  int rank = 0;
  for (const auto& server : config.servers) {
    std::string host = ExpandPlaceholders(server.hostname, address);
    Result<std::string> ascii = ToAsciiDomain(host);
    if (!ascii.ok()) {
      if (problems != nullptr) {
        problems->push_back("host name '" + host + "' ignored: " + ascii.error().message);
      }
      continue;
    }
    ServerCandidate c;
    c.protocol = server.protocol;
    c.host = ascii.value();
    c.port = server.port;
    c.security = server.security;
    c.username = ExpandPlaceholders(server.username, address);
    c.source = source;
    c.trust = trust;
    c.detail = detail;
    c.auth = server.auth;
    c.rank = rank++;
    out.push_back(std::move(c));
  }
  return out;
}

ProviderInfo ToProviderInfo(const ProviderConfig& config, const EmailAddress& address) {
  ProviderInfo info;
  info.id = config.id;
  info.display_name = ExpandPlaceholders(
      config.display_name.empty() ? config.display_short_name : config.display_name, address);
  info.documentation_url = config.documentation_url;
  info.app_password_url = config.app_password_url;
  info.app_password_text = config.app_password_text;
  if (!config.login_policy.empty()) {
    info.login_policy = config.login_policy;
    return info;
  }
  bool any = false;
  bool all_oauth = true;
  for (const auto& server : config.servers) {
    any = true;
    bool only_oauth = !server.auth.empty() &&
                      std::all_of(server.auth.begin(), server.auth.end(),
                                  [](const std::string& a) { return Lower(a) == "oauth2"; });
    if (!only_oauth) all_oauth = false;
  }
  info.login_policy = any && all_oauth ? "oauth2-only" : "password";
  return info;
}

}  // namespace mailscout
