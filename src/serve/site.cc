#include "serve/site.h"

#include <tinyxml2.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "discover/xml_text.h"

namespace mailscout {
namespace {

namespace fs = std::filesystem;

Error Wrong(const std::string& path, int line, const std::string& reason) {
  return Error::Make(ErrorKind::kUsage, path + ":" + std::to_string(line) + ": " + reason);
}

std::string Text(const tinyxml2::XMLElement* e) {
  return e == nullptr || e->GetText() == nullptr ? std::string() : TrimText(e->GetText(), 1024);
}

// Checks one <incomingServer>/<outgoingServer>; true when it is one mailscout
// serves (imap, pop3, smtp); other types (exchange, jmap, ...) are left as
// they are for the clients that know them.
Result<bool> CheckServer(const std::string& path, const tinyxml2::XMLElement* server) {
  const char* type_attr = server->Attribute("type");
  std::string type = LowerAscii(type_attr == nullptr ? "" : type_attr);
  bool outgoing = std::string_view(server->Name()) == "outgoingServer";
  if (type != (outgoing ? "smtp" : "imap") && (outgoing || type != "pop3")) return false;
  int line = server->GetLineNum();
  const auto* host = server->FirstChildElement("hostname");
  if (Text(host).empty())
    return Wrong(path, line, "<" + std::string(server->Name()) + "> has no <hostname>");
  const auto* port = server->FirstChildElement("port");
  if (port == nullptr)
    return Wrong(path, line, "<" + std::string(server->Name()) + "> has no <port>");
  if (!ParsePortText(Text(port))) {
    return Wrong(path, port->GetLineNum(),
                 "<port> '" + Text(port) + "' is not a port number (1-65535)");
  }
  const auto* socket = server->FirstChildElement("socketType");
  std::string s = LowerAscii(Text(socket));
  if (s != "ssl" && s != "tls" && s != "starttls" && s != "plain") {
    return Wrong(path, socket == nullptr ? line : socket->GetLineNum(),
                 "<socketType> must be SSL, STARTTLS or plain");
  }
  return true;
}

// The document with only the index-th <emailProvider> kept.
std::string OneProviderXml(const tinyxml2::XMLDocument& doc, int index) {
  tinyxml2::XMLDocument copy;
  doc.DeepCopy(&copy);
  tinyxml2::XMLElement* root = copy.RootElement();
  int i = 0;
  for (auto* p = root->FirstChildElement("emailProvider"); p != nullptr;) {
    auto* next = p->NextSiblingElement("emailProvider");
    if (i++ != index) root->DeleteChild(p);
    p = next;
  }
  tinyxml2::XMLPrinter printer;
  copy.Print(&printer);
  std::string text = printer.CStr();
  if (text.rfind("<?xml", 0) != 0) text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + text;
  return text;
}

Setting ToSetting(const ServerCandidate& c) {
  Setting s = SettingOf(c);
  if (s.auth.empty()) s.auth = "password-cleartext";
  s.reason = "published by this site (" + c.detail + ")";
  return s;
}

}  // namespace

Result<std::vector<SiteProvider>> Site::ParseFile(const std::string& path, std::string_view xml) {
  if (xml.size() > kMaxClientConfigBytes) {
    return Wrong(path, 1, "larger than " + std::to_string(kMaxClientConfigBytes / 1024) + " KiB");
  }
  if (xml.find("<!DOCTYPE") != std::string_view::npos ||
      xml.find("<!ENTITY") != std::string_view::npos) {
    size_t at = xml.find("<!");
    int line =
        1 + static_cast<int>(std::count(xml.begin(), xml.begin() + static_cast<long>(at), '\n'));
    return Wrong(path, line, "a DTD or entity declaration is not allowed");
  }
  tinyxml2::XMLDocument doc(/*processEntities=*/true, tinyxml2::PRESERVE_WHITESPACE);
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    std::string name = doc.ErrorName() != nullptr ? doc.ErrorName() : "parse error";
    return Wrong(path, doc.ErrorLineNum(), "not well-formed XML (" + name + ")");
  }
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (root == nullptr || std::string_view(root->Name()) != "clientConfig") {
    return Wrong(path, root == nullptr ? 1 : root->GetLineNum(),
                 "the root element is not <clientConfig>");
  }
  if (root->FirstChildElement("emailProvider") == nullptr) {
    return Wrong(path, root->GetLineNum(), "no <emailProvider>");
  }
  std::vector<std::string> redirects;
  for (auto* p = root->FirstChildElement("emailProvider"); p != nullptr;
       p = p->NextSiblingElement("emailProvider")) {
    if (p->FirstChildElement("domain") == nullptr) {
      return Wrong(path, p->GetLineNum(), "<emailProvider> names no <domain>");
    }
    for (auto* d = p->FirstChildElement("domain"); d != nullptr;
         d = d->NextSiblingElement("domain")) {
      std::string domain = Text(d);
      if (domain.find('%') != std::string::npos) continue;  // ISPDB's %EMAILDOMAIN% form
      if (!ToAsciiDomain(domain).ok() || domain.find('.') == std::string::npos) {
        return Wrong(path, d->GetLineNum(), "'" + domain + "' is not a domain name");
      }
    }
    std::string redirect = Text(p->FirstChildElement("redirectDomain"));
    if (!redirect.empty()) {
      Result<std::string> ascii = ToAsciiDomain(redirect);
      if (!ascii.ok() || redirect.find('.') == std::string::npos) {
        return Wrong(path, p->FirstChildElement("redirectDomain")->GetLineNum(),
                     "<redirectDomain> '" + redirect + "' is not a domain name");
      }
      redirect = ascii.value();
    }
    redirects.push_back(redirect);
    int incoming = 0;
    int outgoing = 0;
    for (auto* s = p->FirstChildElement(); s != nullptr; s = s->NextSiblingElement()) {
      std::string_view name = s->Name();
      if (name != "incomingServer" && name != "outgoingServer") continue;
      Result<bool> usable = CheckServer(path, s);
      if (!usable.ok()) return usable.error();
      if (usable.value()) ++(name == "incomingServer" ? incoming : outgoing);
    }
    if (redirect.empty() && (incoming == 0 || outgoing == 0)) {
      return Wrong(path, p->GetLineNum(),
                   incoming == 0 ? "<emailProvider> has no IMAP or POP3 <incomingServer>"
                                 : "<emailProvider> has no SMTP <outgoingServer>");
    }
  }
  Result<std::vector<ProviderConfig>> configs = ParseClientConfig(xml);
  if (!configs.ok()) return Wrong(path, 1, configs.error().message);
  std::vector<SiteProvider> out;
  for (size_t i = 0; i < configs->size() && i < redirects.size(); ++i) {
    SiteProvider provider;
    provider.config = std::move(configs.value()[i]);
    provider.path = path;
    provider.xml = OneProviderXml(doc, static_cast<int>(i));
    provider.redirect_domain = redirects[i];
    out.push_back(std::move(provider));
  }
  return out;
}

Result<std::shared_ptr<const Site>> Site::Load(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error::Make(ErrorKind::kUsage, "the site folder " + dir + " does not exist");
  }
  std::vector<fs::path> paths;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".xml" && it->is_regular_file(ec)) paths.push_back(it->path());
  }
  if (ec)
    return Error::Make(ErrorKind::kUsage,
                       "cannot read the site folder " + dir + ": " + ec.message());
  std::sort(paths.begin(), paths.end());
  auto site = std::make_shared<Site>();
  site->dir_ = dir;
  for (const fs::path& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::string text(kMaxClientConfigBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) return Wrong(path.string(), 1, "cannot be read");
    text.resize(static_cast<size_t>(in.gcount()));
    Result<std::vector<SiteProvider>> providers = ParseFile(path.string(), text);
    if (!providers.ok()) return providers.error();
    ++site->file_count_;
    for (SiteProvider& p : providers.value()) {
      auto shared = std::make_shared<const SiteProvider>(std::move(p));
      for (const std::string& domain : shared->config.domains) {
        if (domain.find('%') != std::string::npos) continue;
        std::string ascii = ToAsciiDomain(domain).value();
        auto [it, added] = site->by_domain_.emplace(ascii, shared);
        if (!added) {
          return Wrong(path.string(), 1,
                       "the domain " + ascii + " is already served by " + it->second->path);
        }
      }
      site->providers_.push_back(std::move(shared));
    }
  }
  return std::shared_ptr<const Site>(std::move(site));
}

const SiteProvider* Site::Find(std::string_view domain) const {
  auto it = by_domain_.find(domain);
  return it == by_domain_.end() ? nullptr : it->second.get();
}

std::vector<std::string> Site::Domains() const {
  std::vector<std::string> out;
  out.reserve(by_domain_.size());
  for (const auto& [domain, provider] : by_domain_) out.push_back(domain);
  return out;
}

SiteSettings SettingsFor(const SiteProvider& provider, const EmailAddress& address) {
  std::vector<ServerCandidate> candidates =
      ExpandServers(provider.config, address, Source::kProviders, Trust::kAuthenticated,
                    fs::path(provider.path).filename().string());
  SiteSettings out;
  for (Protocol protocol : {Protocol::kImap, Protocol::kPop3, Protocol::kSmtp}) {
    for (const ServerCandidate& c : candidates) {
      if (c.protocol != protocol) continue;
      Setting s = ToSetting(c);
      if (s.username.empty()) s.username = address.ascii();
      (protocol == Protocol::kSmtp ? out.outgoing : out.incoming).push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace mailscout
