// aerc (~/.config/aerc/accounts.conf): one [account] section.
//   source:   imaps:// (implicit TLS), imap:// (STARTTLS), imap+insecure:// (plain)
//   outgoing: smtps:// (implicit TLS), smtp:// (STARTTLS), smtp+insecure:// (plain)
// aerc reads the username from the URL, so it is percent-encoded there (aerc
// decodes it back to the literal form). aerc has no POP3 backend: a POP3
// recommendation is replaced by the best IMAP alternative (with a note), or
// the export fails.
#include "export/writers.h"

namespace mailscout {
namespace {

std::string Url(const Setting& s) {
  std::string scheme = s.protocol == Protocol::kSmtp ? "smtp" : "imap";
  switch (s.security) {
    case Security::kTls:
      scheme += "s";
      break;
    case Security::kStartTls:
      break;
    case Security::kPlain:
      scheme += "+insecure";
      break;
  }
  return scheme + "://" + PercentEncode(s.username) + "@" + s.host + ":" + std::to_string(s.port);
}

// RFC 5322 display name: quoted when it holds anything beyond atext and spaces.
std::string Mailbox(const std::string& name, const std::string& email) {
  if (name.empty() || name == email) return email;
  bool needs_quotes = name.find_first_of("()<>[]:;@\\,.\"") != std::string::npos;
  if (!needs_quotes) return name + " <" + email + ">";
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return quoted + "\" <" + email + ">";
}

}  // namespace

Result<ExportedFile> WriteAerc(const ExportAccount& account) {
  ExportedFile file;
  Result<Setting> imap = FirstImap(account, "aerc", file);
  if (!imap.ok()) return imap.error();
  const Setting& out = account.outgoing.front();
  std::string& t = file.text;
  t = SnippetHeader("aerc accounts.conf", account);
  t += "# Add source-cred-cmd / outgoing-cred-cmd with a command that prints the password.\n";
  if (imap->security == Security::kPlain || out.security == Security::kPlain) {
    t += "# WARNING: a server here has no encryption; passwords travel in clear text.\n";
  }
  t += "\n[" + SafeName(account.email) + "]\n";
  t += "source   = " + Url(*imap) + "\n";
  t += "outgoing = " + Url(out) + "\n";
  t += "default  = INBOX\n";
  t += "from     = " + Mailbox(account.display_name, account.email) + "\n";
  t += "copy-to  = Sent\n";
  return file;
}

}  // namespace mailscout
