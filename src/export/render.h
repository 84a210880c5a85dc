// Rendering a SetupReport in any output format of `setup --format` and
// `export`: the helpdesk card ("text"), JSON ("json") or one of the client
// files (export/export.h), and writing the result to a file.
//
// Shared by cli/setup_command.cc and cli/export_command.cc so both accept the
// same format names and write files the same way. Pure apart from
// WriteOutputFile; thread-safe.
#ifndef MAILSCOUT_EXPORT_RENDER_H_
#define MAILSCOUT_EXPORT_RENDER_H_

#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/result.h"
#include "export/export.h"

namespace mailscout {

// "text", "json", then every export format name.
const std::vector<std::string>& OutputFormatNames();
bool IsOutputFormat(const std::string& name);
// "text|json|thunderbird|..." for help and error messages.
std::string OutputFormatList();

// Errors (kProtocol, a helpdesk sentence) for the client files only: the
// report has no working incoming or outgoing server, or the format cannot
// express it (AccountFromReport, WriteExport); kUsage when the format cannot
// hold the address at all (android-json, android-qr: not ASCII).
// `options` says how android-qr draws its code (OutputOptions below).
Result<ExportedFile> RenderSetupReport(const SetupReport& report, const std::string& format,
                                       const ExportOptions& options = {});

// The options for writing `format` to `output_path` (nullopt: standard
// output, a terminal when `stdout_is_terminal`). android-qr writes a PNG for
// FILE.png, an SVG for FILE.svg, and Unicode half blocks to standard output
// (in colour on a terminal). Error (kUsage): android-qr to a file whose name
// ends in neither .png nor .svg.
Result<ExportOptions> OutputOptions(const std::string& format,
                                    const std::optional<std::string>& output_path,
                                    bool stdout_is_terminal);

// Whether `format` can hold the address `email` (CheckAddressForFormat for
// the client files; text and json take any). Error kUsage.
Status CheckOutputAddress(const std::string& format, const std::string& email);

// Writes text to path through a temporary file and a rename, so a reader
// never sees half a file; mode as for open(2) (0600 for files that could
// later hold a secret, e.g. msmtprc). Error kProtocol naming the path.
Status WriteOutputFile(const std::string& path, const std::string& text, unsigned mode = 0644);

// The mode a file of this format is written with (0600 for msmtp, whose
// config must not be readable by others once a user adds a password).
unsigned OutputFileMode(const std::string& format);

}  // namespace mailscout

#endif  // MAILSCOUT_EXPORT_RENDER_H_
