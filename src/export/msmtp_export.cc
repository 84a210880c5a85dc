// msmtp (~/.msmtprc): one account for the recommended SMTP server.
//   implicit TLS  -> tls on,  tls_starttls off
//   STARTTLS      -> tls on,  tls_starttls on
//   plain         -> tls off
// User and sender are double-quoted (msmtp strips the quotes and honours
// \" and \\ inside them).
#include "export/writers.h"

namespace mailscout {

Result<ExportedFile> WriteMsmtp(const ExportAccount& account) {
  const Setting& s = account.outgoing.front();
  std::string name = SafeName(account.email);
  std::string text = SnippetHeader("msmtp", account);
  text += "# msmtp asks for the password, or add: passwordeval \"<command printing it>\"\n\n";
  text += "account " + name + "\n";
  text += "host " + s.host + "\n";
  text += "port " + std::to_string(s.port) + "\n";
  switch (s.security) {
    case Security::kTls:
      text += "tls on\ntls_starttls off\n";
      break;
    case Security::kStartTls:
      text += "tls on\ntls_starttls on\n";
      break;
    case Security::kPlain:
      text += "# WARNING: no encryption; the password travels in clear text.\ntls off\n";
      break;
  }
  text += "auth on\n";
  text += "user " + DoubleQuote(s.username) + "\n";
  text += "from " + DoubleQuote(account.email) + "\n\n";
  text += "account default : " + name + "\n";
  ExportedFile file;
  file.text = std::move(text);
  return file;
}

}  // namespace mailscout
