// Builds SetupReports for the export tests.
#ifndef MAILSCOUT_TESTS_UNIT_EXPORT_EXPORT_TEST_UTIL_H_
#define MAILSCOUT_TESTS_UNIT_EXPORT_EXPORT_TEST_UTIL_H_

#include <stdexcept>
#include <string>

#include "core/model.h"
#include "export/export.h"

namespace mailscout::testing {

inline Setting MakeSetting(Protocol p, const std::string& host, uint16_t port, Security s,
                           const std::string& user = "alice@example.com") {
  Setting setting;
  setting.protocol = p;
  setting.host = host;
  setting.port = port;
  setting.security = s;
  setting.username = user;
  setting.auth = "password-cleartext";
  setting.verified = true;
  setting.source = Source::kAutoconfig;
  return setting;
}

// alice@example.com: IMAP 993 TLS (alternative IMAP 143 STARTTLS), SMTP 465
// TLS (alternative 587 STARTTLS).
inline SetupReport MakeReport() {
  SetupReport report;
  report.discovery.email = "alice@example.com";
  report.discovery.domain = "example.com";
  report.display_name = "Alice Example";
  report.password_given = true;
  report.recommended.incoming =
      MakeSetting(Protocol::kImap, "imap.example.com", 993, Security::kTls);
  report.recommended.incoming_alternatives.push_back(
      MakeSetting(Protocol::kImap, "imap.example.com", 143, Security::kStartTls));
  report.recommended.outgoing =
      MakeSetting(Protocol::kSmtp, "smtp.example.com", 465, Security::kTls);
  report.recommended.outgoing_alternatives.push_back(
      MakeSetting(Protocol::kSmtp, "smtp.example.com", 587, Security::kStartTls));
  return report;
}

inline ExportAccount Account(const SetupReport& report) {
  auto account = AccountFromReport(report);
  if (!account.ok()) throw std::runtime_error(account.error().message);
  return account.value();
}

inline std::string Write(ExportFormat format, const SetupReport& report) {
  auto file = WriteExport(format, Account(report));
  if (!file.ok()) throw std::runtime_error(file.error().message);
  return file->text;
}

}  // namespace mailscout::testing

#endif  // MAILSCOUT_TESTS_UNIT_EXPORT_EXPORT_TEST_UTIL_H_
