#include "core/phase.h"

#include <array>
#include <utility>

namespace mailscout {
namespace {

constexpr std::array<std::pair<Phase, std::string_view>, 12> kPhases = {{
    {Phase::kNone, ""},
    {Phase::kResolve, "resolve"},
    {Phase::kConnect, "connect"},
    {Phase::kTls, "tls"},
    {Phase::kGreeting, "greeting"},
    {Phase::kCapabilities, "capabilities"},
    {Phase::kStartTls, "starttls"},
    {Phase::kAuth, "auth"},
    {Phase::kLogout, "logout"},
    {Phase::kOverall, "overall"},
    {Phase::kCancelled, "cancelled"},
    {Phase::kSkipped, "skipped"},
}};

}  // namespace

std::string_view ToString(Phase p) {
  for (const auto& [value, name] : kPhases) {
    if (value == p) return name;
  }
  return "?";
}

std::optional<Phase> ParsePhase(std::string_view s) {
  for (const auto& [value, name] : kPhases) {
    if (name == s) return value;
  }
  return std::nullopt;
}

}  // namespace mailscout
