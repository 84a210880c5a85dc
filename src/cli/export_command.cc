// `mailscout export FORMAT --from REPORT.json [-o FILE]`: writes a client
// file (or the card, or the JSON again) from a report saved by
// `setup --save-report` / `setup --format json`. Never touches the network.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/command.h"
#include "cli/exit_status.h"
#include "export/render.h"
#include "report/setup_json.h"

namespace mailscout {
namespace {

constexpr std::streamsize kMaxReportBytes = 16 << 20;

int UsageError(const std::string& message) {
  std::cerr << "mailscout export: " << message << "\nTry 'mailscout export --help'.\n";
  return kExitUsage;
}

int Run(const ParsedArgs& args) {
  if (args.positionals().size() != 1) {
    return UsageError(args.positionals().empty()
                          ? "which format? (mailscout export FORMAT --from REPORT.json)"
                          : "give exactly one format");
  }
  const std::string format = args.positionals()[0];
  if (!IsOutputFormat(format)) {
    return UsageError("unknown format '" + format + "' (one of " + OutputFormatList() + ")");
  }
  std::optional<std::string> from = args.Get("from");
  if (!from) return UsageError("--from REPORT.json is required");
  Result<ExportOptions> options =
      OutputOptions(format, args.Get("output"), isatty(STDOUT_FILENO) == 1);
  if (!options.ok()) return UsageError(options.error().message);

  std::ifstream in(*from, std::ios::binary);
  if (!in) return UsageError("cannot read the report " + *from);
  std::string text(kMaxReportBytes + 1, '\0');
  in.read(text.data(), kMaxReportBytes + 1);
  text.resize(static_cast<size_t>(in.gcount()));
  if (static_cast<std::streamsize>(text.size()) > kMaxReportBytes) {
    return UsageError("the report " + *from + " is larger than 16 MiB");
  }
  Result<SetupReport> report = SetupFromJsonText(text);
  if (!report.ok()) return UsageError(*from + ": " + report.error().message);
  if (auto name = args.Get("name")) report->display_name = *name;

  Status fits = CheckOutputAddress(format, report->discovery.email);
  if (!fits.ok()) return UsageError(fits.error().message);
  Result<ExportedFile> file = RenderSetupReport(report.value(), format, options.value());
  if (!file.ok() && file.error().kind == ErrorKind::kUsage) {
    return UsageError(file.error().message);
  }
  if (!file.ok()) {
    std::cerr << "mailscout export: " << file.error().message << "\n";
    return kExitFailed;
  }
  for (const auto& note : file->notes) std::cerr << "note: " << note << "\n";
  if (auto out = args.Get("output")) {
    Status written = WriteOutputFile(*out, file->text, OutputFileMode(format));
    if (!written.ok()) {
      std::cerr << "mailscout export: " << written.error().message << "\n";
      return kExitFailed;
    }
    std::cerr << "Wrote " << format << " settings for " << report->discovery.email << " to " << *out
              << "\n";
  } else {
    std::cout << file->text << std::flush;
  }
  return kExitOk;
}

}  // namespace

Command MakeExportCommand() {
  Command command;
  command.name = "export";
  command.summary = "write a mail client's settings file from a saved setup report";
  command.usage = "mailscout export FORMAT --from REPORT.json [-o FILE]";
  command.options = {
      {"from", 0, "REPORT.json",
       "the report saved by 'setup --save-report' or 'setup --format json'"},
      {"output", 'o', "FILE", "write to FILE instead of standard output"},
      {"name", 0, "NAME", "the account holder's name for the file (default: from the report)"},
  };
  command.details =
      "FORMAT is one of:\n"
      "  thunderbird   Thunderbird autoconfig file (clientConfig 1.1, config-v1.1.xml)\n"
      "  autodiscover  Outlook Autodiscover response (autodiscover.xml)\n"
      "  mobileconfig  Apple configuration profile for iPhone, iPad and Mac Mail\n"
      "  msmtp         ~/.msmtprc account\n"
      "  mbsync        ~/.mbsyncrc (isync) account, store and channel\n"
      "  neomutt       neomuttrc lines\n"
      "  aerc          aerc accounts.conf section\n"
      "  android-json  Thunderbird for Android's QR code payload (JSON, format version 1)\n"
      "  android-qr    that payload as a QR code to scan with Thunderbird for Android:\n"
      "                -o FILE.png or -o FILE.svg, or drawn on the terminal without -o\n"
      "  text, json    the setup report itself\n\n"
      "No file ever contains a password. Usernames are written exactly as the login\n"
      "was verified, and implicit TLS (SSL/TLS) and STARTTLS are kept apart; see\n"
      "docs/exports.md for how each client imports its file.\n"
      "Exit status 1 when the report has no working incoming or outgoing server.\n";
  command.run = Run;
  return command;
}

}  // namespace mailscout
