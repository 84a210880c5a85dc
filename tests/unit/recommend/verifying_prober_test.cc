// VerifyingProber (recommend/verifying_prober.h): logs in on a guessed
// host's implicit-TLS port once per (protocol, host), hands the result to
// setup once, and leaves every other probe to the inner prober.
#include "recommend/verifying_prober.h"

#include <gtest/gtest.h>

#include <atomic>

namespace mailscout {
namespace {

class CountingProber : public Prober {
 public:
  ProbeOutcome Probe(const ServerCandidate&, Deadline, const ProbeCancel&) override {
    ++calls;
    return {ProbeStatus::kConfirmed, "inner"};
  }
  std::atomic<int> calls{0};
};

ServerCandidate Guess(Protocol p, uint16_t port, Security s) {
  ServerCandidate c;
  c.protocol = p;
  c.host = "mail.example.com";
  c.port = port;
  c.security = s;
  c.source = Source::kGuess;
  c.trust = Trust::kGuessed;
  return c;
}

struct Fixture {
  CountingProber inner;
  std::vector<CheckRequest> requests;
  std::function<CheckResult(const CheckRequest&)> answer = [](const CheckRequest& r) {
    CheckResult res;
    res.protocol = r.protocol;
    res.host = r.host;
    res.port = r.port;
    res.security = r.security;
    res.username = r.username;
    res.ok = res.login_attempted = res.login_ok = true;
    return res;
  };
  std::unique_ptr<VerifyingProber> prober;

  explicit Fixture(std::optional<std::string> password) {
    CheckRequest base;
    base.username = "alice@example.com";
    base.password = password;
    prober = std::make_unique<VerifyingProber>(
        inner,
        [this](const CheckRequest& r) {
          requests.push_back(r);
          return answer(r);
        },
        base);
  }
  CheckRequest Request(Protocol p, uint16_t port, Security s) {
    CheckRequest r;
    r.protocol = p;
    r.host = "mail.example.com";
    r.port = port;
    r.security = s;
    r.username = "alice@example.com";
    r.password = "pw";
    return r;
  }
};

TEST(VerifyingProberTest, WithoutPasswordEveryProbeGoesToTheInnerProber) {
  Fixture f(std::nullopt);
  auto out = f.prober->Probe(Guess(Protocol::kImap, 993, Security::kTls), Deadline::AfterMs(1000),
                             nullptr);
  EXPECT_EQ(out.status, ProbeStatus::kConfirmed);
  EXPECT_EQ(f.inner.calls, 1);
  EXPECT_TRUE(f.requests.empty());
}

TEST(VerifyingProberTest, LogsInOncePerProtocolAndHostOnImplicitTlsAndCachesOnce) {
  Fixture f(std::string("pw"));
  auto out = f.prober->Probe(Guess(Protocol::kImap, 993, Security::kTls), Deadline::AfterMs(1000),
                             nullptr);
  EXPECT_EQ(out.status, ProbeStatus::kConfirmed);
  ASSERT_EQ(f.requests.size(), 1u);
  EXPECT_EQ(f.requests[0].username, "alice@example.com");
  EXPECT_EQ(f.requests[0].password, std::optional<std::string>("pw"));
  EXPECT_FALSE(f.requests[0].probe_only);
  // STARTTLS and a second TLS port of the same (protocol, host): plain probes.
  f.prober->Probe(Guess(Protocol::kImap, 143, Security::kStartTls), Deadline::AfterMs(1000),
                  nullptr);
  f.prober->Probe(Guess(Protocol::kImap, 10993, Security::kTls), Deadline::AfterMs(1000), nullptr);
  EXPECT_EQ(f.inner.calls, 2);
  // Another protocol on the same host logs in too.
  f.prober->Probe(Guess(Protocol::kSmtp, 465, Security::kTls), Deadline::AfterMs(1000), nullptr);
  EXPECT_EQ(f.requests.size(), 2u);

  auto cached = f.prober->Cached(f.Request(Protocol::kImap, 993, Security::kTls));
  ASSERT_TRUE(cached);
  EXPECT_TRUE(cached->login_ok);
  EXPECT_FALSE(f.prober->Cached(f.Request(Protocol::kImap, 993, Security::kTls)));  // used once
  CheckRequest other_user = f.Request(Protocol::kSmtp, 465, Security::kTls);
  other_user.username = "alice";
  EXPECT_FALSE(f.prober->Cached(other_user));
}

TEST(VerifyingProberTest, RejectedPasswordStillConfirmsAndIsCached) {
  Fixture f(std::string("pw"));
  f.answer = [](const CheckRequest& r) {
    CheckResult res;
    res.protocol = r.protocol;
    res.host = r.host;
    res.port = r.port;
    res.security = r.security;
    res.username = r.username;
    res.login_attempted = true;
    res.error = Error::Make(ErrorKind::kAuth, "rejected");
    return res;
  };
  auto out = f.prober->Probe(Guess(Protocol::kPop3, 995, Security::kTls), Deadline::AfterMs(1000),
                             nullptr);
  EXPECT_EQ(out.status, ProbeStatus::kConfirmed);
  auto cached = f.prober->Cached(f.Request(Protocol::kPop3, 995, Security::kTls));
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->error->kind, ErrorKind::kAuth);
}

TEST(VerifyingProberTest, FailuresMapLikeTheTesterProberAndAreNotCached) {
  struct Case {
    ErrorKind kind;
    ProbeStatus status;
  } cases[] = {{ErrorKind::kRefused, ProbeStatus::kUnreachable},
               {ErrorKind::kTimeout, ProbeStatus::kUnreachable},
               {ErrorKind::kDns, ProbeStatus::kUnreachable},
               {ErrorKind::kCertificate, ProbeStatus::kConfirmed},
               {ErrorKind::kTls, ProbeStatus::kRejected},
               {ErrorKind::kProtocol, ProbeStatus::kRejected}};
  for (const Case& c : cases) {
    Fixture f(std::string("pw"));
    f.answer = [&c](const CheckRequest& r) {
      CheckResult res;
      res.protocol = r.protocol;
      res.error = Error::Make(c.kind, "failed");
      return res;
    };
    auto out = f.prober->Probe(Guess(Protocol::kImap, 993, Security::kTls), Deadline::AfterMs(1000),
                               nullptr);
    EXPECT_EQ(out.status, c.status) << ToString(c.kind);
    EXPECT_FALSE(f.prober->Cached(f.Request(Protocol::kImap, 993, Security::kTls)));
  }
}

}  // namespace
}  // namespace mailscout
