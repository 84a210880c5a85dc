// isync / mbsync (~/.mbsyncrc): IMAPAccount, IMAPStore, a MaildirStore under
// ~/Mail/<address>/ and a Channel syncing everything.
//   implicit TLS  -> SSLType IMAPS
//   STARTTLS      -> SSLType STARTTLS
//   plain         -> SSLType None (+ AuthMechs LOGIN, which isync otherwise
//                    refuses to send without TLS)
// The keyword is SSLType, not TLSType: isync 1.5 renamed it but still
// accepts SSLType, while isync 1.4 (Debian 12, Ubuntu 22.04) rejects TLSType
// ("keyword 'TLSType' is not recognized", tried with mbsync 1.4.4).
// isync speaks IMAP only: with a POP3 recommendation the best IMAP
// alternative is used (with a note), and with no IMAP server at all the
// export fails.
#include "export/writers.h"

namespace mailscout {
namespace {

const char* TlsType(Security s) {
  switch (s) {
    case Security::kTls:
      return "IMAPS";
    case Security::kStartTls:
      return "STARTTLS";
    case Security::kPlain:
      return "None";
  }
  return "None";
}

}  // namespace

Result<ExportedFile> WriteMbsync(const ExportAccount& account) {
  ExportedFile file;
  Result<Setting> imap = FirstImap(account, "mbsync", file);
  if (!imap.ok()) return imap.error();
  const std::string name = SafeName(account.email);
  const std::string dir = "~/Mail/" + name + "/";
  std::string& t = file.text;
  t = SnippetHeader("isync/mbsync", account);
  t += "# mbsync asks for the password, or add: PassCmd \"<command printing it>\"\n";
  t += "# (isync 1.5 renamed SSLType to TLSType and accepts both names.)\n\n";
  t += "IMAPAccount " + name + "\n";
  t += "Host " + imap->host + "\n";
  t += "Port " + std::to_string(imap->port) + "\n";
  t += "User " + DoubleQuote(imap->username) + "\n";
  t += std::string("SSLType ") + TlsType(imap->security) + "\n";
  if (imap->security == Security::kPlain) {
    t += "# WARNING: no encryption; the password travels in clear text.\nAuthMechs LOGIN\n";
  } else {
    t += "CertificateFile /etc/ssl/certs/ca-certificates.crt\n";
  }
  t += "\nIMAPStore " + name + "-remote\n";
  t += "Account " + name + "\n\n";
  t += "MaildirStore " + name + "-local\n";
  t += "SubFolders Verbatim\n";
  t += "Path " + dir + "\n";
  t += "Inbox " + dir + "INBOX\n\n";
  t += "Channel " + name + "\n";
  t += "Far :" + name + "-remote:\n";
  t += "Near :" + name + "-local:\n";
  t += "Patterns *\n";
  t += "Create Near\n";
  t += "SyncState *\n";
  return file;
}

}  // namespace mailscout
