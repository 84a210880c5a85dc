// msmtp (~/.msmtprc): one account for the recommended SMTP server.
//   implicit TLS  -> tls on,  tls_starttls off
//   STARTTLS      -> tls on,  tls_starttls on
//   plain         -> tls off
// User and sender are wrapped in double quotes, unescaped: msmtp removes an
// enclosing pair and takes everything between literally (it has no escapes;
// tried with msmtp 1.8.23: user "a"b" gives a"b, user "a\\b" gives a\\b).
#include "export/writers.h"

namespace mailscout {
namespace {

std::string Enclose(const std::string& value) { return "\"" + value + "\""; }

}  // namespace

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
  text += "user " + Enclose(s.username) + "\n";
  text += "from " + Enclose(account.email) + "\n\n";
  text += "account default : " + name + "\n";
  ExportedFile file;
  file.text = std::move(text);
  return file;
}

}  // namespace mailscout
