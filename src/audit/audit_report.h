// `mailscout audit` output: the JSON document (docs/json.md, "audit") and
// the text report (findings first, then the endpoints and sources).
#ifndef MAILSCOUT_AUDIT_AUDIT_REPORT_H_
#define MAILSCOUT_AUDIT_AUDIT_REPORT_H_

#include <string>

#include "audit/audit.h"

namespace mailscout {

std::string AuditToJsonText(const AuditReport& report);
std::string AuditText(const AuditReport& report);

}  // namespace mailscout

#endif  // MAILSCOUT_AUDIT_AUDIT_REPORT_H_
