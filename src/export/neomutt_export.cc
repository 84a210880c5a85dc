// NeoMutt (~/.neomuttrc or a sourced file):
//   IMAP   implicit TLS -> folder imaps://host:port/   STARTTLS -> imap://host:port/
//   POP3   implicit TLS -> pops://host:port/           STARTTLS -> pop://host:port/
//   SMTP   implicit TLS -> smtps://user@host:port/     STARTTLS -> smtp://user@host:port/
//   ssl_starttls = yes unless everything is plain; ssl_force_tls = yes unless
//   something is plain (then STARTTLS stays opportunistic for that account:
//   the snippet warns).
// Values are single-quoted: no variable or escape processing inside. Values
// containing a single quote or a backtick are refused rather than escaped.
// The SMTP username goes into smtp_url percent-encoded (a URL needs it);
// imap_user / pop_user hold it literally.
#include "export/writers.h"

namespace mailscout {
namespace {

Result<std::string> SingleQuote(const std::string& value) {
  if (value.find_first_of("'`") != std::string::npos) {
    return Error::Make(ErrorKind::kProtocol, "the value '" + value +
                                                 "' contains a quote or backtick that NeoMutt "
                                                 "cannot take safely");
  }
  return "'" + value + "'";
}

std::string Url(const Setting& s, bool with_user) {
  std::string scheme;
  switch (s.protocol) {
    case Protocol::kImap:
      scheme = "imap";
      break;
    case Protocol::kPop3:
      scheme = "pop";
      break;
    case Protocol::kSmtp:
      scheme = "smtp";
      break;
  }
  if (s.security == Security::kTls) scheme += "s";
  std::string user = with_user ? PercentEncode(s.username) + "@" : "";
  return scheme + "://" + user + s.host + ":" + std::to_string(s.port) + "/";
}

}  // namespace

Result<ExportedFile> WriteNeomutt(const ExportAccount& account) {
  const Setting& in = account.incoming.front();
  const Setting& out = account.outgoing.front();
  auto from = SingleQuote(account.email);
  auto name = SingleQuote(account.display_name);
  auto user = SingleQuote(in.username);
  auto in_url = SingleQuote(Url(in, false));
  auto out_url = SingleQuote(Url(out, true));
  for (const auto* r : {&from, &name, &user, &in_url, &out_url}) {
    if (!r->ok()) return r->error();
  }
  bool any_plain = in.security == Security::kPlain || out.security == Security::kPlain;
  bool all_plain = in.security == Security::kPlain && out.security == Security::kPlain;

  ExportedFile file;
  std::string& t = file.text;
  t = SnippetHeader("NeoMutt", account);
  t += "# NeoMutt asks for the password (imap_pass / smtp_pass are not set).\n\n";
  t += "set from = " + *from + "\n";
  t += "set realname = " + *name + "\n";
  if (in.protocol == Protocol::kImap) {
    t += "set imap_user = " + *user + "\n";
    t += "set folder = " + *in_url + "\n";
    t += "set spoolfile = '+INBOX'\n";
    t += "set record = '+Sent'\n";
    t += "set postponed = '+Drafts'\n";
  } else {
    t += "set pop_user = " + *user + "\n";
    t += "set pop_host = " + *in_url + "\n";
    t += "set spoolfile = " + *in_url + "\n";
  }
  t += "set smtp_url = " + *out_url + "\n";
  if (any_plain)
    t += "# WARNING: a server here has no encryption; passwords travel in clear text.\n";
  t += std::string("set ssl_starttls = ") + (all_plain ? "no" : "yes") + "\n";
  t += std::string("set ssl_force_tls = ") + (any_plain ? "no" : "yes") + "\n";
  return file;
}

}  // namespace mailscout
