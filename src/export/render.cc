#include "export/render.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "report/setup_json.h"
#include "report/setup_text.h"

namespace mailscout {

const std::vector<std::string>& OutputFormatNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v = {"text", "json"};
    for (ExportFormat f : AllExportFormats()) v.emplace_back(ToString(f));
    return v;
  }();
  return names;
}

bool IsOutputFormat(const std::string& name) {
  for (const auto& n : OutputFormatNames()) {
    if (n == name) return true;
  }
  return false;
}

std::string OutputFormatList() {
  std::string list;
  for (const auto& n : OutputFormatNames()) list += (list.empty() ? "" : "|") + n;
  return list;
}

Result<ExportedFile> RenderSetupReport(const SetupReport& report, const std::string& format,
                                       const ExportOptions& options) {
  if (format == "text") return ExportedFile{SetupText(report) + "\n", {}};
  if (format == "json") return ExportedFile{SetupToJsonText(report), {}};
  std::optional<ExportFormat> f = ParseExportFormat(format);
  if (!f) return Error::Make(ErrorKind::kProtocol, "unknown format '" + format + "'");
  Result<ExportAccount> account = AccountFromReport(report);
  if (!account.ok()) return account.error();
  return WriteExport(*f, account.value(), options);
}

namespace {

bool EndsWith(const std::string& text, std::string_view tail) {
  if (text.size() < tail.size()) return false;
  for (size_t i = 0; i < tail.size(); ++i) {
    char c = text[text.size() - tail.size() + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != tail[i]) return false;
  }
  return true;
}

}  // namespace

Result<ExportOptions> OutputOptions(const std::string& format,
                                    const std::optional<std::string>& output_path,
                                    bool stdout_is_terminal) {
  ExportOptions options;
  if (ParseExportFormat(format) != ExportFormat::kAndroidQr) return options;
  if (!output_path) {
    options.qr_image = QrImage::kHalfBlocks;
    options.ansi_colors = stdout_is_terminal;
  } else if (EndsWith(*output_path, ".png")) {
    options.qr_image = QrImage::kPng;
  } else if (EndsWith(*output_path, ".svg")) {
    options.qr_image = QrImage::kSvg;
  } else {
    return Error::Make(ErrorKind::kUsage, "android-qr writes a PNG or an SVG image: name the file "
                                          "FILE.png or FILE.svg (not '" +
                                              *output_path + "')");
  }
  return options;
}

Status CheckOutputAddress(const std::string& format, const std::string& email) {
  std::optional<ExportFormat> f = ParseExportFormat(format);
  if (!f) return OkStatus();
  return CheckAddressForFormat(*f, email);
}

unsigned OutputFileMode(const std::string& format) { return format == "msmtp" ? 0600 : 0644; }

Status WriteOutputFile(const std::string& path, const std::string& text, unsigned mode) {
  auto fail = [&](const std::string& what) {
    return Error::Make(ErrorKind::kProtocol,
                       "cannot " + what + " " + path + ": " + std::strerror(errno));
  };
  std::string tmp = path + ".tmp-mailscout";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return fail("write");
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Error e = fail("write");
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    Error e = fail("write");
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = fail("create");
    ::unlink(tmp.c_str());
    return e;
  }
  return OkStatus();
}

}  // namespace mailscout
