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

Result<ExportedFile> RenderSetupReport(const SetupReport& report, const std::string& format) {
  if (format == "text") return ExportedFile{SetupText(report) + "\n", {}};
  if (format == "json") return ExportedFile{SetupToJsonText(report), {}};
  std::optional<ExportFormat> f = ParseExportFormat(format);
  if (!f) return Error::Make(ErrorKind::kProtocol, "unknown format '" + format + "'");
  Result<ExportAccount> account = AccountFromReport(report);
  if (!account.ok()) return account.error();
  return WriteExport(*f, account.value());
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
