// One writer per export format (export/export.h has the shared contract and
// the dispatcher WriteExport, which is what callers use). Each writer is a
// pure function of an ExportAccount whose values AccountFromReport() already
// checked; the helpers at the end are shared by the text formats.
#ifndef MAILSCOUT_EXPORT_WRITERS_H_
#define MAILSCOUT_EXPORT_WRITERS_H_

#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "export/export.h"

namespace tinyxml2 {
class XMLPrinter;
}

namespace mailscout {

// Thunderbird clientConfig 1.1 XML (what autoconfig servers and the ISPDB
// serve): the recommended servers first, then the alternatives.
ExportedFile WriteThunderbird(const ExportAccount& account);

// Outlook Autodiscover POX response XML with one Protocol per direction.
ExportedFile WriteAutodiscover(const ExportAccount& account);

// Apple configuration profile (plist XML) with a com.apple.mail.managed
// payload; two fresh UUIDs from new_uuid.
ExportedFile WriteMobileconfig(const ExportAccount& account,
                               const std::function<std::string()>& new_uuid);

// Config snippets. Errors (kProtocol) when the client cannot express the
// account (mbsync, aerc: no IMAP server).
Result<ExportedFile> WriteMsmtp(const ExportAccount& account);
Result<ExportedFile> WriteMbsync(const ExportAccount& account);
Result<ExportedFile> WriteNeomutt(const ExportAccount& account);
Result<ExportedFile> WriteAerc(const ExportAccount& account);

// Thunderbird for Android's "Export for Mobile" QR payload, format version 1
// (export/android_export.cc): one account, no password, compact JSON.
// Errors: kUsage for an address whose local part is not ASCII; kProtocol
// for a login method the format's reader does not take (GSSAPI, NTLM).
Result<std::string> AndroidPayload(const ExportAccount& account);
// The payload exactly as the QR code holds it (no line break after it).
Result<ExportedFile> WriteAndroidJson(const ExportAccount& account);
// The payload as a QR code (export/qr_code.h) drawn as `image`.
Result<ExportedFile> WriteAndroidQr(const ExportAccount& account, QrImage image,
                                    bool ansi_colors);

// --- helpers shared by the writers ---

// For clients that speak IMAP only: the first IMAP setting among
// account.incoming, with a note added to `file` when it is not the
// recommended one. Error (kProtocol) "<client> speaks IMAP only, and no IMAP
// server works for <address>" when there is none.
Result<Setting> FirstImap(const ExportAccount& account, const std::string& client,
                          ExportedFile& file);

// <name>text</name>, the text escaped by tinyxml2.
void XmlTextElement(tinyxml2::XMLPrinter& out, const char* name, const std::string& text);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string PercentEncode(const std::string& text);

// "value" with " and \ escaped by a backslash (isync's config syntax).
std::string DoubleQuote(const std::string& value);

// A name safe as a config identifier or directory: letters, digits, '.',
// '-', '_' and '@' kept, everything else replaced by '-'.
std::string SafeName(const std::string& text);

// The header comment lines ("# ...") every text snippet starts with.
std::string SnippetHeader(const std::string& client, const ExportAccount& account);

}  // namespace mailscout

#endif  // MAILSCOUT_EXPORT_WRITERS_H_
