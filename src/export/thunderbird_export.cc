// Thunderbird clientConfig 1.1 (the autoconfig / ISPDB format):
//   <clientConfig version="1.1"><emailProvider id=...>
//     <domain/> <displayName/> <displayShortName/>
//     <incomingServer type="imap|pop3"> hostname port socketType username
//       authentication </incomingServer> ...
//     <outgoingServer type="smtp"> ... </outgoingServer> ...
// socketType: SSL (implicit TLS), STARTTLS, plain. Usernames are literal (no
// %EMAILADDRESS% placeholders): the file describes one verified account.
#include <tinyxml2.h>

#include "export/writers.h"

namespace mailscout {
namespace {

const char* SocketType(Security s) {
  switch (s) {
    case Security::kTls:
      return "SSL";
    case Security::kStartTls:
      return "STARTTLS";
    case Security::kPlain:
      return "plain";
  }
  return "plain";
}

void Server(tinyxml2::XMLPrinter& out, const char* element, const Setting& s) {
  out.OpenElement(element);
  out.PushAttribute("type", std::string(ToString(s.protocol)).c_str());
  XmlTextElement(out, "hostname", s.host);
  XmlTextElement(out, "port", std::to_string(s.port));
  XmlTextElement(out, "socketType", SocketType(s.security));
  XmlTextElement(out, "username", s.username);
  XmlTextElement(out, "authentication", s.auth.empty() ? "password-cleartext" : s.auth);
  out.CloseElement();
}

}  // namespace

ExportedFile WriteThunderbird(const ExportAccount& account) {
  tinyxml2::XMLPrinter out;
  out.PushDeclaration("xml version=\"1.0\" encoding=\"UTF-8\"");
  out.PushComment(
      " Thunderbird autoconfig (clientConfig 1.1) written by mailscout. The first server of each "
      "kind is the recommended one; the others also work. No password is stored here. ");
  out.OpenElement("clientConfig");
  out.PushAttribute("version", "1.1");
  out.OpenElement("emailProvider");
  out.PushAttribute("id", account.provider_id.c_str());
  XmlTextElement(out, "domain", account.domain);
  XmlTextElement(out, "displayName", account.provider_name);
  XmlTextElement(out, "displayShortName", account.provider_name);
  for (const Setting& s : account.incoming) Server(out, "incomingServer", s);
  for (const Setting& s : account.outgoing) Server(out, "outgoingServer", s);
  out.CloseElement();  // emailProvider
  out.CloseElement();  // clientConfig
  ExportedFile file;
  file.text = out.CStr();
  return file;
}

}  // namespace mailscout
