// Rendering a SetupReport in any output format of `setup --format` and
// `export`: the helpdesk card ("text"), JSON ("json") or one of the client
// files (export/export.h), and writing the result to a file.
//
// Shared by cli/setup_command.cc and cli/export_command.cc so both accept the
// same format names and write files the same way. Pure apart from
// WriteOutputFile; thread-safe.
#ifndef MAILSCOUT_EXPORT_RENDER_H_
#define MAILSCOUT_EXPORT_RENDER_H_

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
// express it (AccountFromReport, WriteExport).
Result<ExportedFile> RenderSetupReport(const SetupReport& report, const std::string& format);

// Writes text to path through a temporary file and a rename, so a reader
// never sees half a file; mode as for open(2) (0600 for files that could
// later hold a secret, e.g. msmtprc). Error kProtocol naming the path.
Status WriteOutputFile(const std::string& path, const std::string& text, unsigned mode = 0644);

// The mode a file of this format is written with (0600 for msmtp, whose
// config must not be readable by others once a user adds a password).
unsigned OutputFileMode(const std::string& format);

}  // namespace mailscout

#endif  // MAILSCOUT_EXPORT_RENDER_H_
