#include "core/phase.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "core/result.h"

namespace mailscout {
namespace {

// The names are the JSON schema's (docs/json.md: error.phase, timings keys).
TEST(PhaseTest, StableNamesRoundTrip) {
  const std::pair<Phase, std::string> names[] = {
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
  };
  for (const auto& [phase, name] : names) {
    EXPECT_EQ(ToString(phase), name);
    EXPECT_EQ(ParsePhase(name), phase) << name;
  }
}

TEST(PhaseTest, UnknownNamesDoNotParse) {
  EXPECT_EQ(ParsePhase("dns"), std::nullopt);
  EXPECT_EQ(ParsePhase("http"), std::nullopt);
  EXPECT_EQ(ParsePhase("TLS"), std::nullopt);
}

TEST(PhaseTest, ErrorDefaultsToNoPhaseAndNoDnsOutcome) {
  const Error e = Error::Make(ErrorKind::kProtocol, "x");
  EXPECT_EQ(e.phase, Phase::kNone);
  EXPECT_EQ(e.dns, std::nullopt);
  EXPECT_EQ(Error::Make(ErrorKind::kTimeout, "x", {}, Phase::kGreeting).phase, Phase::kGreeting);
}

}  // namespace
}  // namespace mailscout
