// Thunderbird for Android ("Export for Mobile" QR code format, version 1, in
// the thunderbird-android repository): compact JSON arrays,
//   [1, [1, 1], IncomingServer, OutgoingServerGroups]
//   IncomingServer       [IncomingProtocol, Hostname, Port, ConnectionSecurity,
//                         AuthenticationType, Username]
//   OutgoingServerGroups [[OutgoingServer, Identity]]
//   OutgoingServer       [0 (SMTP), Hostname, Port, ConnectionSecurity,
//                         AuthenticationType, Username]
//   Identity             [EmailAddress, DisplayName]
// One account per code (sequence 1 of 1). IncomingProtocol 0 IMAP, 1 POP3;
// ConnectionSecurity 0 plain, 2 STARTTLS, 3 implicit TLS;
// AuthenticationType 0 none, 1 password-cleartext, 2 password-encrypted,
// 3 GSSAPI, 4 NTLM, 5 TLS client certificate, 6 OAuth2.
//
// The optional AccountName and Password are omitted (a reader then names
// the account after the address, and the user types the password on the
// phone). Host names and the address are ASCII: hosts are A-labels already
// (AccountFromReport), the address's domain is written as A-labels, and a
// local part that is not ASCII is a usage error.
#include "core/email_address.h"
#include "export/qr_code.h"
#include "export/writers.h"

namespace mailscout {
namespace {

constexpr int kFormatVersion = 1;
constexpr int kIncomingImap = 0;
constexpr int kIncomingPop3 = 1;
constexpr int kOutgoingSmtp = 0;

int ConnectionSecurity(Security s) {
  switch (s) {
    case Security::kPlain:
      return 0;
    case Security::kStartTls:
      return 2;
    case Security::kTls:
      return 3;
  }
  return 3;
}

// The ISPDB word of the verified mechanism (recommend/ranking.h) as the
// format's AuthenticationType. Thunderbird for Android cannot use GSSAPI or
// NTLM, so those are refused rather than written into a code it rejects.
Result<int> AuthenticationType(const Setting& s) {
  const std::string& auth = s.auth;
  if (auth.empty() || auth == "password-cleartext") return 1;
  if (auth == "password-encrypted") return 2;
  if (auth == "OAuth2") return 6;
  if (auth == "TLS-client-cert") return 5;
  if (auth == "none" || auth == "client-IP-address") return 0;
  return Error::Make(ErrorKind::kProtocol,
                     "Thunderbird for Android cannot log in to " + s.host + " with '" + auth + "'");
}

// A JSON string: quote, backslash and control characters escaped, UTF-8 kept
// as it is (as JavaScript's JSON.stringify writes it).
std::string JsonString(const std::string& text) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

Result<std::string> ServerArray(int protocol, const Setting& s) {
  Result<int> auth = AuthenticationType(s);
  if (!auth.ok()) return auth.error();
  return "[" + std::to_string(protocol) + "," + JsonString(s.host) + "," + std::to_string(s.port) +
         "," + std::to_string(ConnectionSecurity(s.security)) + "," + std::to_string(auth.value()) +
         "," + JsonString(s.username) + "]";
}

}  // namespace

Result<std::string> AndroidPayload(const ExportAccount& account) {
  Status ascii = CheckAddressForFormat(ExportFormat::kAndroidJson, account.email);
  if (!ascii.ok()) return ascii.error();
  Result<EmailAddress> address = EmailAddress::Parse(account.email);
  if (!address.ok()) {
    return Error::Make(ErrorKind::kUsage, "'" + account.email + "' is not a mail address");
  }
  const Setting& in = account.incoming.front();
  const Setting& out = account.outgoing.front();
  Result<std::string> incoming =
      ServerArray(in.protocol == Protocol::kPop3 ? kIncomingPop3 : kIncomingImap, in);
  if (!incoming.ok()) return incoming.error();
  Result<std::string> outgoing = ServerArray(kOutgoingSmtp, out);
  if (!outgoing.ok()) return outgoing.error();
  const std::string identity =
      "[" + JsonString(address->ascii()) + "," + JsonString(account.given_name) + "]";
  return "[" + std::to_string(kFormatVersion) + ",[1,1]," + incoming.value() + ",[[" +
         outgoing.value() + "," + identity + "]]]";
}

Result<ExportedFile> WriteAndroidJson(const ExportAccount& account) {
  Result<std::string> payload = AndroidPayload(account);
  if (!payload.ok()) return payload.error();
  return ExportedFile{payload.value(), {}};
}

Result<ExportedFile> WriteAndroidQr(const ExportAccount& account, QrImage image, bool ansi_colors) {
  Result<std::string> payload = AndroidPayload(account);
  if (!payload.ok()) return payload.error();
  Result<QrSymbol> symbol = EncodeQr(payload.value());
  if (!symbol.ok()) return symbol.error();
  ExportedFile file;
  switch (image) {
    case QrImage::kPng:
      file.text = QrPng(symbol.value());
      break;
    case QrImage::kSvg:
      file.text = QrSvg(symbol.value());
      break;
    case QrImage::kHalfBlocks:
      file.text = QrHalfBlocks(symbol.value(), ansi_colors);
      break;
  }
  if (file.text.empty()) {
    return Error::Make(ErrorKind::kProtocol, "the QR code image could not be written");
  }
  return file;
}

}  // namespace mailscout
