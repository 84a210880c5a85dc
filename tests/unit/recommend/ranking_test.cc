// One test per ranking rule (recommend/ranking.h), plus the plumbing around
// them: alternatives, usernames, sources and reasons.
#include "recommend/ranking.h"

#include <gtest/gtest.h>

namespace mailscout {
namespace {

ServerCandidate Cand(Protocol p, const std::string& host, uint16_t port, Security s,
                     Source source = Source::kAutoconfig, Trust trust = Trust::kAuthenticated) {
  ServerCandidate c;
  c.protocol = p;
  c.host = host;
  c.port = port;
  c.security = s;
  c.source = source;
  c.trust = trust;
  c.username = "alice@example.com";
  return c;
}

TlsInfo GoodTls() {
  TlsInfo t;
  t.chain_ok = true;
  t.name_ok = true;
  return t;
}

CheckResult Verified(const ServerCandidate& c, const std::string& user = "alice@example.com") {
  CheckResult r;
  r.protocol = c.protocol;
  r.host = c.host;
  r.port = c.port;
  r.security = c.security;
  r.username = user;
  r.ok = true;
  r.login_attempted = true;
  r.login_ok = true;
  r.auth_used = "PLAIN";
  if (c.security != Security::kPlain) r.tls = GoodTls();
  return r;
}

CheckResult Reachable(const ServerCandidate& c) {
  CheckResult r = Verified(c, "");
  r.login_attempted = false;
  r.login_ok = false;
  r.auth_used.clear();
  return r;
}

CheckResult Rejected(const ServerCandidate& c, const std::string& user = "alice@example.com") {
  CheckResult r = Verified(c, user);
  r.ok = false;
  r.login_ok = false;
  r.error = Error::Make(ErrorKind::kAuth, "rejected");
  return r;
}

CheckResult Failed(const ServerCandidate& c, ErrorKind kind) {
  CheckResult r = Verified(c, "");
  r.ok = false;
  r.login_attempted = false;
  r.login_ok = false;
  r.error = Error::Make(kind, "failed");
  return r;
}

const ServerCandidate kImapTls = Cand(Protocol::kImap, "imap.example.com", 993, Security::kTls);
const ServerCandidate kImapStartTls =
    Cand(Protocol::kImap, "imap.example.com", 143, Security::kStartTls);
const ServerCandidate kImapPlain = Cand(Protocol::kImap, "imap.example.com", 143, Security::kPlain);
const ServerCandidate kPopTls = Cand(Protocol::kPop3, "pop.example.com", 995, Security::kTls);
const ServerCandidate kPopStartTls =
    Cand(Protocol::kPop3, "pop.example.com", 110, Security::kStartTls);
const ServerCandidate kSmtpTls = Cand(Protocol::kSmtp, "smtp.example.com", 465, Security::kTls);
const ServerCandidate kSmtpStartTls =
    Cand(Protocol::kSmtp, "smtp.example.com", 587, Security::kStartTls);
const ServerCandidate kSmtp25 = Cand(Protocol::kSmtp, "smtp.example.com", 25, Security::kStartTls);

// Rule 1: a verified login beats a better-looking server that was not verified.
TEST(RankingTest, VerifiedLoginBeatsEverythingElse) {
  auto rec =
      Recommend({kImapTls, kImapStartTls}, {Rejected(kImapTls), Verified(kImapStartTls)}, {});
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->port, 143);
  EXPECT_TRUE(rec.incoming->verified);
  EXPECT_NE(rec.incoming->reason.find("verified login"), std::string::npos);
}

TEST(RankingTest, ReachableWithoutPasswordIsRecommendedUnverified) {
  auto rec = Recommend({kImapTls}, {Reachable(kImapTls)}, {});
  ASSERT_TRUE(rec.incoming);
  EXPECT_FALSE(rec.incoming->verified);
  EXPECT_EQ(rec.incoming->username, "alice@example.com");  // the source's form
  EXPECT_NE(rec.incoming->reason.find("no password"), std::string::npos);
}

TEST(RankingTest, ReachableBeatsPasswordRejected) {
  auto rec =
      Recommend({kImapTls, kImapStartTls}, {Rejected(kImapTls), Reachable(kImapStartTls)}, {});
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->port, 143);
}

// A check the login policy held back at its gate got everything up to the
// login: usable, but below a server that really tried the password.
TEST(RankingTest, HeldBackByTheLoginPolicyRanksBelowRejected) {
  CheckResult held = Reachable(kImapStartTls);
  held.ok = false;
  held.greeting = "* OK ready";
  held.error = Error::Make(ErrorKind::kNotTried, "Not tried: password already rejected", "",
                           Phase::kSkipped);
  EXPECT_EQ(EvidenceOf(held), Evidence::kHeldBack);
  auto rec = Recommend({kImapTls, kImapStartTls, kSmtpTls},
                       {Rejected(kImapTls), held,
                        [&] {
                          CheckResult smtp = held;
                          smtp.protocol = Protocol::kSmtp;
                          smtp.host = kSmtpTls.host;
                          smtp.port = kSmtpTls.port;
                          smtp.security = kSmtpTls.security;
                          return smtp;
                        }()},
                       {});
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->port, 993);  // the rejected one, not the untried one
  ASSERT_TRUE(rec.outgoing);           // the outgoing side is still named
  EXPECT_FALSE(rec.outgoing->verified);
  EXPECT_NE(rec.outgoing->reason.find("did not try the password"), std::string::npos);
  // Cancelled before it connected: no evidence at all.
  CheckResult cancelled = held;
  cancelled.greeting.clear();
  EXPECT_EQ(EvidenceOf(cancelled), Evidence::kFailed);
}

TEST(RankingTest, FailedBeforeLoginIsNeverRecommended) {
  auto rec = Recommend(
      {kImapTls, kSmtpTls},
      {Failed(kImapTls, ErrorKind::kCertificate), Failed(kSmtpTls, ErrorKind::kTimeout)}, {});
  EXPECT_FALSE(rec.incoming);
  EXPECT_FALSE(rec.outgoing);
}

// Rule 2: valid certificate beats one accepted only with --insecure.
TEST(RankingTest, ValidCertificateBeatsInvalid) {
  CheckResult bad = Verified(kImapTls);
  bad.tls->name_ok = false;
  auto rec = Recommend({kImapTls, kImapStartTls}, {bad, Verified(kImapStartTls)}, {});
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->security, Security::kStartTls);
  EXPECT_NE(rec.incoming->reason.find("valid certificate"), std::string::npos);
}

// Rule 3: encrypted beats plain; plain only with allow_plaintext.
TEST(RankingTest, PlainNeverRecommendedWithoutAllowPlaintext) {
  auto rec = Recommend({kImapPlain}, {Verified(kImapPlain)}, {});
  EXPECT_FALSE(rec.incoming);
  RankOptions allow;
  allow.allow_plaintext = true;
  rec = Recommend({kImapPlain}, {Verified(kImapPlain)}, allow);
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->security, Security::kPlain);
}

TEST(RankingTest, EncryptedBeatsPlainEvenAcrossProtocols) {
  RankOptions allow;
  allow.allow_plaintext = true;
  auto rec = Recommend({kImapPlain, kPopTls}, {Verified(kImapPlain), Verified(kPopTls)}, allow);
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->protocol, Protocol::kPop3);
  ASSERT_EQ(rec.incoming_alternatives.size(), 1u);
  EXPECT_NE(rec.incoming_alternatives[0].reason.find("encrypted"), std::string::npos);
}

// Rule 4: IMAP over POP3, unless prefer_pop3; it outranks the TLS flavour.
TEST(RankingTest, ImapBeatsPop3) {
  auto rec = Recommend({kPopTls, kImapStartTls}, {Verified(kPopTls), Verified(kImapStartTls)}, {});
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->protocol, Protocol::kImap);
  EXPECT_NE(rec.incoming->reason.find("IMAP is preferred"), std::string::npos);
}

TEST(RankingTest, PreferPop3WinsOverImapAndOverTlsFlavour) {
  RankOptions pop;
  pop.prefer_pop3 = true;
  auto rec = Recommend({kImapTls, kPopStartTls}, {Verified(kImapTls), Verified(kPopStartTls)}, pop);
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->protocol, Protocol::kPop3);
  EXPECT_NE(rec.incoming->reason.find("--prefer pop3"), std::string::npos);
}

// Rule 5: implicit TLS over STARTTLS.
TEST(RankingTest, ImplicitTlsBeatsStartTls) {
  auto rec =
      Recommend({kImapStartTls, kImapTls}, {Verified(kImapStartTls), Verified(kImapTls)}, {});
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->security, Security::kTls);
  EXPECT_NE(rec.incoming->reason.find("RFC 8314"), std::string::npos);
  ASSERT_EQ(rec.incoming_alternatives.size(), 1u);
  EXPECT_EQ(rec.incoming_alternatives[0].security, Security::kStartTls);
}

// Rule 6: trusted source over guess.
TEST(RankingTest, TrustedSourceBeatsGuess) {
  ServerCandidate guessed = Cand(Protocol::kImap, "mail.example.com", 993, Security::kTls,
                                 Source::kGuess, Trust::kGuessed);
  ServerCandidate srv = Cand(Protocol::kImap, "imap.example.com", 993, Security::kTls, Source::kSrv,
                             Trust::kUnauthenticated);
  auto rec = Recommend({guessed, srv}, {Verified(guessed), Verified(srv)}, {});
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->host, "imap.example.com");
  EXPECT_EQ(rec.incoming->source, Source::kSrv);
  EXPECT_NE(rec.incoming->reason.find("unauthenticated"), std::string::npos);
}

// Rule 7: submission port over 25.
TEST(RankingTest, SubmissionPortBeatsPort25) {
  ServerCandidate s25 = kSmtp25;
  s25.trust = Trust::kAuthenticated;
  auto rec = Recommend({s25, kSmtpStartTls}, {Verified(s25), Verified(kSmtpStartTls)}, {});
  ASSERT_TRUE(rec.outgoing);
  EXPECT_EQ(rec.outgoing->port, 587);
  EXPECT_NE(rec.outgoing->reason.find("submission"), std::string::npos);
}

TEST(RankingTest, Smtp465BeatsSmtp587) {
  auto rec =
      Recommend({kSmtpStartTls, kSmtpTls}, {Verified(kSmtpStartTls), Verified(kSmtpTls)}, {});
  ASSERT_TRUE(rec.outgoing);
  EXPECT_EQ(rec.outgoing->port, 465);
}

// Rule 8: discovery's order breaks the remaining ties.
TEST(RankingTest, DiscoveryOrderBreaksTies) {
  ServerCandidate a = Cand(Protocol::kImap, "a.example.com", 993, Security::kTls);
  ServerCandidate b = Cand(Protocol::kImap, "b.example.com", 993, Security::kTls);
  auto rec = Recommend({b, a}, {Verified(a), Verified(b)}, {});
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->host, "b.example.com");
}

TEST(RankingTest, CompareStandingsNamesTheDecidingRule) {
  Standing a = OptimisticStanding(kImapTls, 0);
  Standing b = OptimisticStanding(kImapStartTls, 1);
  RankRule rule = RankRule::kNone;
  EXPECT_LT(CompareStandings(a, b, {}, &rule), 0);
  EXPECT_EQ(rule, RankRule::kImplicitTls);
  EXPECT_GT(CompareStandings(b, a, {}, &rule), 0);
  EXPECT_EQ(CompareStandings(a, a, {}, &rule), 0);
  EXPECT_EQ(rule, RankRule::kNone);
}

TEST(RankingTest, UsernameIsTheVerifiedForm) {
  auto rec = Recommend({kImapTls},
                       {Rejected(kImapTls, "alice@example.com"), Verified(kImapTls, "alice")}, {});
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->username, "alice");
  EXPECT_TRUE(rec.incoming->verified);
  EXPECT_TRUE(rec.incoming_alternatives.empty());  // same server counted once
}

TEST(RankingTest, AlternativesHaveTheSameEvidenceOnly) {
  auto rec = Recommend({kImapTls, kImapStartTls, kPopTls},
                       {Verified(kImapTls), Verified(kPopTls), Rejected(kImapStartTls)}, {});
  ASSERT_TRUE(rec.incoming);
  ASSERT_EQ(rec.incoming_alternatives.size(), 1u);
  EXPECT_EQ(rec.incoming_alternatives[0].protocol, Protocol::kPop3);
  EXPECT_NE(rec.incoming_alternatives[0].reason.find("ranked lower"), std::string::npos);
}

TEST(RankingTest, CheckWithoutCandidateCountsAsGuess) {
  auto rec = Recommend({}, {Verified(kImapTls)}, {});
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->source, Source::kGuess);
}

TEST(RankingTest, DerivedPortInheritsTheHostsSource) {
  ServerCandidate srv = Cand(Protocol::kImap, "imap.example.com", 993, Security::kTls, Source::kSrv,
                             Trust::kUnauthenticated);
  ServerCandidate derived = kImapStartTls;  // not among the candidates
  CheckResult tls_bad = Rejected(srv);
  auto rec = Recommend({srv}, {tls_bad, Verified(derived)}, {});
  ASSERT_TRUE(rec.incoming);
  EXPECT_EQ(rec.incoming->port, 143);
  EXPECT_EQ(rec.incoming->source, Source::kSrv);
  EXPECT_EQ(MatchCandidate({srv}, Protocol::kImap, "imap.example.com", 143, Security::kStartTls),
            0);
  EXPECT_EQ(MatchCandidate({srv}, Protocol::kPop3, "imap.example.com", 110, Security::kStartTls),
            -1);
}

TEST(RankingTest, AuthWords) {
  EXPECT_EQ(AuthWordFor("PLAIN"), "password-cleartext");
  EXPECT_EQ(AuthWordFor("LOGIN (IMAP)"), "password-cleartext");
  EXPECT_EQ(AuthWordFor("USER/PASS"), "password-cleartext");
  EXPECT_EQ(AuthWordFor("CRAM-MD5"), "password-encrypted");
  EXPECT_EQ(AuthWordFor("SCRAM-SHA-256"), "password-encrypted");
  EXPECT_EQ(AuthWordFor("APOP"), "password-encrypted");
  EXPECT_EQ(AuthWordFor("XOAUTH2"), "OAuth2");
  EXPECT_EQ(AuthWordFor(""), "");
}

TEST(RankingTest, EligibleRules) {
  Standing st = OptimisticStanding(kImapPlain, 0);
  EXPECT_FALSE(Eligible(st, {}));
  RankOptions allow;
  allow.allow_plaintext = true;
  EXPECT_TRUE(Eligible(st, allow));
  st.evidence = Evidence::kFailed;
  EXPECT_FALSE(Eligible(st, allow));
}

}  // namespace
}  // namespace mailscout
