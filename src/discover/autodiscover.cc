#include "discover/autodiscover.h"

#include <tinyxml2.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "discover/xml_text.h"

namespace mailscout {
namespace {

constexpr size_t kMaxProtocols = 64;
constexpr size_t kMaxText = 2048;

Error Bad(std::string message) { return Error::Make(ErrorKind::kProtocol, std::move(message)); }

std::string_view LocalName(const tinyxml2::XMLElement* e) {
  std::string_view name = e->Name();
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

bool NameIs(const tinyxml2::XMLElement* e, std::string_view want) {
  std::string_view name = LocalName(e);
  return name.size() == want.size() &&
         std::equal(name.begin(), name.end(), want.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

const tinyxml2::XMLElement* Child(const tinyxml2::XMLElement* parent, std::string_view name) {
  if (parent == nullptr) return nullptr;
  for (auto* e = parent->FirstChildElement(); e != nullptr; e = e->NextSiblingElement()) {
    if (NameIs(e, name)) return e;
  }
  return nullptr;
}

std::string Trim(std::string_view s) { return TrimText(s, kMaxText); }

std::string Lower(std::string s) { return LowerAscii(std::move(s)); }

std::string ChildText(const tinyxml2::XMLElement* parent, std::string_view name) {
  const tinyxml2::XMLElement* e = Child(parent, name);
  if (e == nullptr || e->GetText() == nullptr) return {};
  return Trim(e->GetText());
}

bool IsStartTlsPort(uint16_t port) {
  return port == 143 || port == 110 || port == 587 || port == 25;
}

void ReadProtocol(const tinyxml2::XMLElement* p, AutodiscoverResponse* out) {
  const std::string type = Lower(ChildText(p, "Type"));
  AutodiscoverServer server;
  if (type == "imap") {
    server.protocol = Protocol::kImap;
  } else if (type == "pop3" || type == "pop") {
    server.protocol = Protocol::kPop3;
  } else if (type == "smtp") {
    server.protocol = Protocol::kSmtp;
  } else {
    if (!type.empty()) out->notes.push_back("Protocol type " + ChildText(p, "Type") + " ignored");
    return;
  }
  server.host = Lower(ChildText(p, "Server"));
  if (server.host.empty()) {
    out->notes.push_back(ChildText(p, "Type") + " protocol without <Server> ignored");
    return;
  }
  const std::string port_text = ChildText(p, "Port");
  std::optional<uint16_t> port;
  if (!port_text.empty()) {
    port = ParsePortText(port_text);
    if (!port) {
      out->notes.push_back(ChildText(p, "Type") + " " + server.host + ": port '" + port_text +
                           "' is not a port number, ignored");
      return;
    }
  }
  const std::string encryption = Lower(ChildText(p, "Encryption"));
  const std::string ssl = Lower(ChildText(p, "SSL"));
  bool by_port = false;
  if (!encryption.empty()) {
    if (encryption == "none") {
      server.security = Security::kPlain;
    } else if (encryption == "ssl") {
      server.security = Security::kTls;
    } else if (encryption == "tls") {
      server.security = Security::kStartTls;
    } else {
      by_port = true;  // "Auto" or unknown
    }
  } else if (ssl == "off") {
    server.security = Security::kPlain;
  } else {
    by_port = true;
  }
  if (by_port) {
    server.security = port && IsStartTlsPort(*port) ? Security::kStartTls : Security::kTls;
  }
  server.port = port ? *port : DefaultPort(server.protocol, server.security);
  server.login_name = ChildText(p, "LoginName");
  out->servers.push_back(std::move(server));
}

std::string XmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

Result<AutodiscoverResponse> ParseAutodiscover(std::string_view xml) {
  tinyxml2::XMLDocument doc(/*processEntities=*/true, tinyxml2::COLLAPSE_WHITESPACE);
  Status parsed =
      ParseXmlDocument(xml, kMaxAutodiscoverBytes, "the Autodiscover response", kMaxText, &doc);
  if (!parsed.ok()) return parsed.error();
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (root == nullptr || !NameIs(root, "Autodiscover")) {
    return Bad("the Autodiscover response's root element is not <Autodiscover>");
  }
  const tinyxml2::XMLElement* response = Child(root, "Response");
  if (response == nullptr) return Bad("the Autodiscover response has no <Response>");

  AutodiscoverResponse out;
  out.display_name = ChildText(Child(response, "User"), "DisplayName");
  const tinyxml2::XMLElement* account = Child(response, "Account");
  if (account == nullptr) {
    if (const tinyxml2::XMLElement* error = Child(response, "Error")) {
      out.action = AutodiscoverResponse::Action::kError;
      out.error_message = ChildText(error, "Message");
      if (out.error_message.empty()) out.error_message = ChildText(error, "ErrorCode");
      return out;
    }
    return Bad("the Autodiscover response has neither <Account> nor <Error>");
  }
  const std::string action = Lower(ChildText(account, "Action"));
  if (action == "redirectaddr") {
    out.action = AutodiscoverResponse::Action::kRedirectAddr;
    out.redirect_addr = ChildText(account, "RedirectAddr");
    if (out.redirect_addr.empty()) return Bad("redirectAddr without <RedirectAddr>");
    return out;
  }
  if (action == "redirecturl") {
    out.action = AutodiscoverResponse::Action::kRedirectUrl;
    out.redirect_url = ChildText(account, "RedirectUrl");
    if (out.redirect_url.empty()) return Bad("redirectUrl without <RedirectUrl>");
    return out;
  }
  size_t seen = 0;
  for (auto* e = account->FirstChildElement(); e != nullptr; e = e->NextSiblingElement()) {
    if (!NameIs(e, "Protocol")) continue;
    if (++seen > kMaxProtocols) {
      out.notes.push_back("more than " + std::to_string(kMaxProtocols) +
                          " protocols; the rest ignored");
      break;
    }
    ReadProtocol(e, &out);
  }
  return out;
}

std::string BuildAutodiscoverRequest(const std::string& email) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
         "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/"
         "requestschema/2006\">\r\n"
         "  <Request>\r\n"
         "    <EMailAddress>" +
         XmlEscape(email) +
         "</EMailAddress>\r\n"
         "    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/"
         "outlook/responseschema/2006a</AcceptableResponseSchema>\r\n"
         "  </Request>\r\n"
         "</Autodiscover>\r\n";
}

}  // namespace mailscout
