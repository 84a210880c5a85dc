// Exports: the files a mail client imports, written from a setup report.
//
// Each format has one writer (export/writers.h, one .cc per format); this
// header holds what they share: the list of formats, ExportAccount (the
// settings a file describes, taken from a SetupReport) and WriteExport(),
// which dispatches by format.
//
// Guarantees for every format:
//   - no password, ever (SetupReport holds none, and no writer asks for one);
//   - the username is written literally, in the form the login was verified
//     with (percent-encoded only where a URL demands it: aerc, neomutt's
//     smtp_url);
//   - implicit TLS and STARTTLS stay distinct (docs/exports.md has the mapping
//     per format);
//   - every value comes from the report and is checked first: a control
//     character in a name, username or host (which could break out of a
//     config line or an XML document) makes the export fail instead.
//
// Pure functions apart from the random UUIDs of mobileconfig (injectable
// through ExportOptions); thread-safe.
//
// android-json and android-qr (export/android_export.cc) hold one address
// that must be ASCII: a local part that is not is a usage error (kUsage,
// exit status 2), checked up front by CheckAddressForFormat().
#ifndef MAILSCOUT_EXPORT_EXPORT_H_
#define MAILSCOUT_EXPORT_EXPORT_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/result.h"

namespace mailscout {

enum class ExportFormat {
  kThunderbird,
  kAutodiscover,
  kMobileconfig,
  kMsmtp,
  kMbsync,
  kNeomutt,
  kAerc,
  kAndroidJson,  // Thunderbird for Android's QR payload (format version 1), as JSON text
  kAndroidQr     // the same payload as a QR code: PNG, SVG or Unicode half blocks
};

std::string_view ToString(ExportFormat format);  // "thunderbird", ...
std::optional<ExportFormat> ParseExportFormat(std::string_view name);
const std::vector<ExportFormat>& AllExportFormats();
// Usual file name for a format, e.g. "config-v1.1.xml", "alice.mobileconfig".
std::string DefaultFileName(ExportFormat format, const std::string& email);

// What an export describes. incoming[0] / outgoing[0] are the recommended
// settings, the rest the alternatives that also work, best first.
struct ExportAccount {
  std::string email;          // as the user typed it
  std::string domain;         // ASCII domain
  std::string display_name;   // the person's or account's name; the address if unknown
  std::string given_name;     // the name given with --name; empty if none was
  std::string provider_id;    // emailProvider id; the domain if unknown
  std::string provider_name;  // display name of the provider; the domain if unknown
  std::vector<Setting> incoming;
  std::vector<Setting> outgoing;
};

// Builds the account from a report. Errors (kind kProtocol, a helpdesk
// sentence): no recommended incoming or outgoing server ("setup found no
// working outgoing (SMTP) server for alice@example.com, so there is nothing
// to export"), or a value that cannot be written safely (control character,
// a host name with characters no host name has). A Unicode host name is
// converted to its A-label form (libidn2), as every format needs ASCII hosts.
Result<ExportAccount> AccountFromReport(const SetupReport& report);

// How android-qr draws its code: Unicode half blocks for a terminal (ANSI
// black on white when `ansi_colors`, so the code reads the same on dark and
// light terminal themes), or an image file.
enum class QrImage { kHalfBlocks, kPng, kSvg };

struct ExportOptions {
  // Returns a fresh UUID string ("8-4-4-4-12" upper-case hex). Default: random
  // (RFC 4122 version 4) from OpenSSL.
  std::function<std::string()> new_uuid;
  QrImage qr_image = QrImage::kHalfBlocks;
  bool ansi_colors = false;
};

struct ExportedFile {
  std::string text;
  // Things the user should know about this file (e.g. "mbsync speaks IMAP
  // only: the POP3 recommendation was replaced by IMAP ..."); not in the file.
  std::vector<std::string> notes;
};

// Writes one format. Errors (kProtocol): the format cannot express the
// account, e.g. mbsync or aerc with no IMAP server among the settings;
// (kUsage) android-json / android-qr for an address that is not ASCII.
Result<ExportedFile> WriteExport(ExportFormat format, const ExportAccount& account,
                                 const ExportOptions& options = {});

// Whether `format` can hold the address `email` (as typed). Error (kUsage,
// a helpdesk sentence) for android-json / android-qr when its local part is
// not ASCII; every other format takes any address.
Status CheckAddressForFormat(ExportFormat format, const std::string& email);

// Outlook Autodiscover (POX) response bodies, as `autodiscover` exports and
// `serve` answers them: one <Protocol> per setting in the order given (IMAP,
// POP3, SMTP), or an <Action>redirectAddr</Action> to another address.
std::string AutodiscoverPoxSettings(const std::string& display_name,
                                    const std::vector<Setting>& protocols);
std::string AutodiscoverPoxRedirect(const std::string& address);

// A random RFC 4122 version 4 UUID, upper case.
std::string RandomUuid();

}  // namespace mailscout

#endif  // MAILSCOUT_EXPORT_EXPORT_H_
