// Apple configuration profile (.mobileconfig, plist XML) for iPhone, iPad and
// macOS Mail: a top-level "Configuration" payload holding one
// com.apple.mail.managed payload, each with a fresh PayloadUUID.
//
// Security mapping: Apple's *UseSSL key means "require TLS on this
// connection"; Apple Mail chooses implicit TLS or STARTTLS from the port (993,
// 995, 465: implicit TLS; 143, 110, 587, 25: STARTTLS), which is how Apple's
// own iCloud profile describes STARTTLS on 587. So implicit TLS and STARTTLS
// both map to UseSSL true with their exact port, plain to UseSSL false. A
// STARTTLS service on an implicit-TLS port (or the reverse) cannot be told
// apart in a profile: the writer adds a note saying so.
//
// No password key is ever written (the device asks for it).
#include <plist/plist.h>

#include <memory>

#include "export/writers.h"

namespace mailscout {
namespace {

using PlistPtr = std::unique_ptr<void, decltype(&plist_free)>;

void SetString(plist_t dict, const char* key, const std::string& value) {
  plist_dict_set_item(dict, key, plist_new_string(value.c_str()));
}
void SetBool(plist_t dict, const char* key, bool value) {
  plist_dict_set_item(dict, key, plist_new_bool(value ? 1 : 0));
}
void SetInt(plist_t dict, const char* key, uint64_t value) {
  plist_dict_set_item(dict, key, plist_new_uint(value));
}

bool PortLooksImplicit(uint16_t port) { return port == 993 || port == 995 || port == 465; }

// A note when the port alone would lead Apple Mail to the wrong TLS flavour.
void NoteAmbiguousPort(const Setting& s, ExportedFile& file) {
  bool mismatch = (s.security == Security::kTls && !PortLooksImplicit(s.port)) ||
                  (s.security == Security::kStartTls && PortLooksImplicit(s.port));
  if (!mismatch) return;
  file.notes.push_back("Apple Mail picks implicit TLS or STARTTLS from the port number; " + s.host +
                       " uses " + std::string(ClientWords(s.security)) + " on port " +
                       std::to_string(s.port) +
                       ", which the profile cannot state exactly: check the account on the "
                       "device after installing");
}

void AddServer(plist_t mail, const char* prefix, const Setting& s) {
  std::string p = prefix;
  SetString(mail, (p + "MailServerAuthentication").c_str(), "EmailAuthPassword");
  SetString(mail, (p + "MailServerHostName").c_str(), s.host);
  SetInt(mail, (p + "MailServerPortNumber").c_str(), s.port);
  SetBool(mail, (p + "MailServerUseSSL").c_str(), s.security != Security::kPlain);
  SetString(mail, (p + "MailServerUsername").c_str(), s.username);
}

}  // namespace

ExportedFile WriteMobileconfig(const ExportAccount& account,
                               const std::function<std::string()>& new_uuid) {
  const Setting& in = account.incoming.front();
  const Setting& out = account.outgoing.front();
  std::string identifier = "local.mailscout." + SafeName(account.email);

  plist_t mail = plist_new_dict();
  SetString(mail, "PayloadType", "com.apple.mail.managed");
  SetInt(mail, "PayloadVersion", 1);
  SetString(mail, "PayloadIdentifier", identifier + ".mail");
  SetString(mail, "PayloadUUID", new_uuid());
  SetString(mail, "PayloadDisplayName", "Mail account " + account.email);
  SetString(mail, "PayloadDescription", "Mail settings for " + account.email);
  SetString(mail, "EmailAccountDescription", account.email);
  SetString(mail, "EmailAccountName", account.display_name);
  SetString(mail, "EmailAccountType",
            in.protocol == Protocol::kPop3 ? "EmailTypePOP" : "EmailTypeIMAP");
  SetString(mail, "EmailAddress", account.email);
  AddServer(mail, "Incoming", in);
  AddServer(mail, "Outgoing", out);
  SetBool(mail, "OutgoingPasswordSameAsIncomingPassword", in.username == out.username);
  SetBool(mail, "PreventMove", false);
  SetBool(mail, "PreventAppSheet", false);
  SetBool(mail, "SMIMEEnabled", false);

  PlistPtr root(plist_new_dict(), &plist_free);
  plist_t content = plist_new_array();
  plist_array_append_item(content, mail);
  plist_dict_set_item(root.get(), "PayloadContent", content);
  SetString(root.get(), "PayloadDisplayName", "Mail: " + account.email);
  SetString(root.get(), "PayloadDescription",
            "Mail account " + account.email +
                " with settings found by mailscout. Your device asks for the password.");
  SetString(root.get(), "PayloadIdentifier", identifier);
  SetString(root.get(), "PayloadOrganization", account.provider_name);
  SetBool(root.get(), "PayloadRemovalDisallowed", false);
  SetString(root.get(), "PayloadType", "Configuration");
  SetString(root.get(), "PayloadUUID", new_uuid());
  SetInt(root.get(), "PayloadVersion", 1);

  char* xml = nullptr;
  uint32_t length = 0;
  plist_to_xml(root.get(), &xml, &length);
  ExportedFile file;
  if (xml != nullptr) {
    file.text.assign(xml, length);
    plist_to_xml_free(xml);
  }
  NoteAmbiguousPort(in, file);
  NoteAmbiguousPort(out, file);
  return file;
}

}  // namespace mailscout
