// Outlook Autodiscover POX response (what Outlook accepts from
// autodiscover.<domain>/autodiscover/autodiscover.xml):
//   <Autodiscover xmlns=".../exchange/autodiscover/responseschema/2006">
//     <Response xmlns=".../exchange/autodiscover/outlook/responseschema/2006a">
//       <User><DisplayName/></User>
//       <Account><AccountType>email</AccountType><Action>settings</Action>
//         <Protocol> Type Server Port DomainRequired LoginName SPA SSL
//           Encryption AuthRequired </Protocol> (incoming, then SMTP)
// SSL is on for implicit TLS and STARTTLS; Encryption says which ("SSL" =
// implicit TLS, "TLS" = STARTTLS, "None"); Outlook honours Encryption when
// present and older versions fall back to SSL. Only the recommended servers:
// Outlook uses the first Protocol of each type.
#include <tinyxml2.h>

#include <functional>

#include "export/writers.h"

namespace mailscout {
namespace {

constexpr const char* kResponseSchema =
    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
constexpr const char* kOutlookSchema =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

const char* Encryption(Security s) {
  switch (s) {
    case Security::kTls:
      return "SSL";
    case Security::kStartTls:
      return "TLS";
    case Security::kPlain:
      return "None";
  }
  return "None";
}

void ProtocolElement(tinyxml2::XMLPrinter& out, const Setting& s) {
  out.OpenElement("Protocol");
  XmlTextElement(out, "Type", std::string(DisplayName(s.protocol)));  // IMAP, POP3, SMTP
  XmlTextElement(out, "Server", s.host);
  XmlTextElement(out, "Port", std::to_string(s.port));
  XmlTextElement(out, "DomainRequired", "off");
  if (!s.username.empty()) XmlTextElement(out, "LoginName", s.username);  // optional in POX
  XmlTextElement(out, "SPA", "off");
  XmlTextElement(out, "SSL", s.security == Security::kPlain ? "off" : "on");
  XmlTextElement(out, "Encryption", Encryption(s.security));
  XmlTextElement(out, "AuthRequired", "on");
  out.CloseElement();
}

}  // namespace

namespace {

// <Autodiscover><Response> ... </Response></Autodiscover> around `body`.
std::string Envelope(const std::function<void(tinyxml2::XMLPrinter&)>& body) {
  tinyxml2::XMLPrinter out;
  out.PushDeclaration("xml version=\"1.0\" encoding=\"UTF-8\"");
  out.PushComment(
      " Outlook Autodiscover response written by mailscout. No password is stored here. ");
  out.OpenElement("Autodiscover");
  out.PushAttribute("xmlns", kResponseSchema);
  out.OpenElement("Response");
  out.PushAttribute("xmlns", kOutlookSchema);
  body(out);
  out.CloseElement();  // Response
  out.CloseElement();  // Autodiscover
  return out.CStr();
}

}  // namespace

std::string AutodiscoverPoxSettings(const std::string& display_name,
                                    const std::vector<Setting>& protocols) {
  return Envelope([&](tinyxml2::XMLPrinter& out) {
    out.OpenElement("User");
    XmlTextElement(out, "DisplayName", display_name);
    out.CloseElement();
    out.OpenElement("Account");
    XmlTextElement(out, "AccountType", "email");
    XmlTextElement(out, "Action", "settings");
    for (const Setting& s : protocols) ProtocolElement(out, s);
    out.CloseElement();  // Account
  });
}

std::string AutodiscoverPoxRedirect(const std::string& address) {
  return Envelope([&](tinyxml2::XMLPrinter& out) {
    out.OpenElement("Account");
    XmlTextElement(out, "AccountType", "email");
    XmlTextElement(out, "Action", "redirectAddr");
    XmlTextElement(out, "RedirectAddr", address);
    out.CloseElement();  // Account
  });
}

ExportedFile WriteAutodiscover(const ExportAccount& account) {
  ExportedFile file;
  file.text = AutodiscoverPoxSettings(account.display_name,
                                      {account.incoming.front(), account.outgoing.front()});
  return file;
}

}  // namespace mailscout
