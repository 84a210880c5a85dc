#include "export/export.h"

#include <openssl/rand.h>
#include <tinyxml2.h>

#include <array>
#include <cstdio>
#include <random>
#include <utility>

#include "core/email_address.h"
#include "export/writers.h"

namespace mailscout {
namespace {

constexpr std::array<std::pair<ExportFormat, std::string_view>, 9> kFormats = {{
    {ExportFormat::kThunderbird, "thunderbird"},
    {ExportFormat::kAutodiscover, "autodiscover"},
    {ExportFormat::kMobileconfig, "mobileconfig"},
    {ExportFormat::kMsmtp, "msmtp"},
    {ExportFormat::kMbsync, "mbsync"},
    {ExportFormat::kNeomutt, "neomutt"},
    {ExportFormat::kAerc, "aerc"},
    {ExportFormat::kAndroidJson, "android-json"},
    {ExportFormat::kAndroidQr, "android-qr"},
}};

Error Bad(std::string message) { return Error::Make(ErrorKind::kProtocol, std::move(message)); }

bool HasControl(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_' || c == ':';
}

bool IsAscii(const std::string& s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Checks one setting; writes a Unicode host name as A-labels; fills a
// missing username with the address.
std::optional<Error> CheckSetting(Setting& s, const std::string& email) {
  if (!IsAscii(s.host)) {
    Result<std::string> ascii = ToAsciiDomain(s.host);
    if (!ascii.ok()) return Bad("the host name '" + s.host + "' is not a valid host name");
    s.host = ascii.value();
  }
  if (s.host.empty() || s.host.size() > 253) return Bad("a server has no usable host name");
  for (char c : s.host) {
    if (!IsHostChar(c)) return Bad("the host name '" + s.host + "' cannot be written safely");
  }
  if (s.port == 0) return Bad("the server " + s.host + " has no port");
  if (s.username.empty()) s.username = email;
  if (HasControl(s.username) || HasControl(s.auth)) {
    return Bad("the username for " + s.host + " contains control characters");
  }
  return std::nullopt;
}

}  // namespace

std::string_view ToString(ExportFormat format) {
  for (const auto& [f, name] : kFormats) {
    if (f == format) return name;
  }
  return "?";
}

std::optional<ExportFormat> ParseExportFormat(std::string_view name) {
  for (const auto& [f, n] : kFormats) {
    if (n == name) return f;
  }
  return std::nullopt;
}

const std::vector<ExportFormat>& AllExportFormats() {
  static const std::vector<ExportFormat> all = [] {
    std::vector<ExportFormat> v;
    v.reserve(std::size(kFormats));
    for (const auto& entry : kFormats) v.push_back(entry.first);
    return v;
  }();
  return all;
}

std::string DefaultFileName(ExportFormat format, const std::string& email) {
  switch (format) {
    case ExportFormat::kThunderbird:
      return "config-v1.1.xml";
    case ExportFormat::kAutodiscover:
      return "autodiscover.xml";
    case ExportFormat::kMobileconfig:
      return SafeName(email) + ".mobileconfig";
    case ExportFormat::kMsmtp:
      return "msmtprc";
    case ExportFormat::kMbsync:
      return "mbsyncrc";
    case ExportFormat::kNeomutt:
      return "neomuttrc";
    case ExportFormat::kAerc:
      return "accounts.conf";
    case ExportFormat::kAndroidJson:
      return SafeName(email) + ".android.json";
    case ExportFormat::kAndroidQr:
      return SafeName(email) + ".android.png";
  }
  return "export.txt";
}

Result<ExportAccount> AccountFromReport(const SetupReport& report) {
  ExportAccount account;
  account.email = report.discovery.email;
  account.domain = report.discovery.domain;
  if (account.email.empty() || HasControl(account.email) || HasControl(account.domain)) {
    return Bad("the report has no usable email address");
  }
  const Recommendation& rec = report.recommended;
  if (!rec.incoming) {
    return Bad("setup found no working incoming (IMAP or POP3) server for " + account.email +
               ", so there is nothing to export");
  }
  if (!rec.outgoing) {
    return Bad("setup found no working outgoing (SMTP) server for " + account.email +
               ", so there is nothing to export");
  }
  account.display_name = report.display_name.empty() ? account.email : report.display_name;
  account.given_name = report.display_name;
  account.provider_id = account.domain;
  account.provider_name = account.domain;
  if (report.discovery.provider) {
    if (!report.discovery.provider->id.empty()) account.provider_id = report.discovery.provider->id;
    if (!report.discovery.provider->display_name.empty()) {
      account.provider_name = report.discovery.provider->display_name;
    }
  }
  if (HasControl(account.display_name) || HasControl(account.provider_id) ||
      HasControl(account.provider_name)) {
    return Bad("a name in the report contains control characters");
  }
  account.incoming.push_back(*rec.incoming);
  for (const auto& s : rec.incoming_alternatives) account.incoming.push_back(s);
  account.outgoing.push_back(*rec.outgoing);
  for (const auto& s : rec.outgoing_alternatives) account.outgoing.push_back(s);
  for (auto* list : {&account.incoming, &account.outgoing}) {
    for (Setting& s : *list) {
      if (auto error = CheckSetting(s, account.email)) return *error;
    }
  }
  return account;
}

Result<ExportedFile> WriteExport(ExportFormat format, const ExportAccount& account,
                                 const ExportOptions& options) {
  switch (format) {
    case ExportFormat::kThunderbird:
      return WriteThunderbird(account);
    case ExportFormat::kAutodiscover:
      return WriteAutodiscover(account);
    case ExportFormat::kMobileconfig:
      return WriteMobileconfig(account, options.new_uuid ? options.new_uuid : RandomUuid);
    case ExportFormat::kMsmtp:
      return WriteMsmtp(account);
    case ExportFormat::kMbsync:
      return WriteMbsync(account);
    case ExportFormat::kNeomutt:
      return WriteNeomutt(account);
    case ExportFormat::kAerc:
      return WriteAerc(account);
    case ExportFormat::kAndroidJson:
      return WriteAndroidJson(account);
    case ExportFormat::kAndroidQr:
      return WriteAndroidQr(account, options.qr_image, options.ansi_colors);
  }
  return Bad("unknown export format");
}

Status CheckAddressForFormat(ExportFormat format, const std::string& email) {
  if (format != ExportFormat::kAndroidJson && format != ExportFormat::kAndroidQr) {
    return OkStatus();
  }
  size_t at = email.rfind('@');
  std::string local = email.substr(0, at == std::string::npos ? email.size() : at);
  if (IsAscii(local)) return OkStatus();
  return Error::Make(ErrorKind::kUsage,
                     "Thunderbird for Android's QR code holds only ASCII addresses, and " + email +
                         " is not one (the part before the @ has other characters): set up this "
                         "account on the phone by hand, with the settings from the text card");
}

std::string RandomUuid() {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    std::random_device rd;  // OpenSSL's generator failed: the OS one is good enough
    for (auto& byte : b) byte = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

// --- helpers shared by the writers (writers.h) ---

Result<Setting> FirstImap(const ExportAccount& account, const std::string& client,
                          ExportedFile& file) {
  for (size_t i = 0; i < account.incoming.size(); ++i) {
    const Setting& s = account.incoming[i];
    if (s.protocol != Protocol::kImap) continue;
    if (i > 0) {
      file.notes.push_back(client + " speaks IMAP only: this file uses the IMAP server " + s.host +
                           ":" + std::to_string(s.port) + " instead of the recommended " +
                           std::string(DisplayName(account.incoming[0].protocol)) + " server " +
                           account.incoming[0].host);
    }
    return s;
  }
  return Bad(client + " speaks IMAP only, and no IMAP server works for " + account.email);
}

void XmlTextElement(tinyxml2::XMLPrinter& out, const char* name, const std::string& text) {
  out.OpenElement(name);
  out.PushText(text.c_str());
  out.CloseElement();
}

std::string PercentEncode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string DoubleQuote(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string SafeName(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_' || c == '@';
    out.push_back(keep ? static_cast<char>(c) : '-');
  }
  return out.empty() ? "mail" : out;
}

std::string SnippetHeader(const std::string& client, const ExportAccount& account) {
  const Setting& in = account.incoming.front();
  const Setting& out = account.outgoing.front();
  auto verified = [](const Setting& s) {
    return s.verified ? "verified by a real login" : "NOT verified";
  };
  return "# " + client + " settings for " + account.email + ", written by mailscout " +
         MAILSCOUT_VERSION + ".\n# Incoming " + std::string(DisplayName(in.protocol)) + " " +
         in.host + ": " + verified(in) + "; outgoing SMTP " + out.host + ": " + verified(out) +
         ".\n# No password is stored in this file.\n";
}

}  // namespace mailscout
