// Helpdesk wording of the errors of one check (verify/check_errors.h).
#include "verify/check_errors.h"

#include <gtest/gtest.h>

#include <string>

namespace mailscout {
namespace {

CheckContext Context(Protocol p = Protocol::kImap, Security s = Security::kTls,
                     uint16_t port = 993) {
  CheckContext c;
  c.protocol = p;
  c.host = "imap.example.com";
  c.port = port;
  c.security = s;
  c.username = "alice@example.com";
  c.phase_budget_ms = 5000;
  return c;
}

TEST(ServerWordsTest, StripsProtocolFraming) {
  EXPECT_EQ(ServerWords(Protocol::kImap, "a2 NO [AUTHENTICATIONFAILED] Authentication failed."),
            "[AUTHENTICATIONFAILED] Authentication failed.");
  EXPECT_EQ(ServerWords(Protocol::kImap, "* BYE Too many"), "Too many");
  EXPECT_EQ(ServerWords(Protocol::kPop3, "-ERR [AUTH] Authentication failed."),
            "[AUTH] Authentication failed.");
  EXPECT_EQ(ServerWords(Protocol::kSmtp, "535 5.7.8 Error: authentication failed"),
            "535 5.7.8 Error: authentication failed");
  EXPECT_EQ(ServerWords(Protocol::kImap, ""), "");
}

// Providers' refusal texts, as their servers send them.
TEST(ClassifyRefusalTest, MicrosoftBasicAuthDisabled) {
  const std::string host = "smtp.office365.com";
  for (const char* reply :
       {"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Tenant. "
        "Visit https://aka.ms/smtp_auth_disabled for more information.",
        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. "
        "[AM0PR04CA0021.eurprd04.prod.outlook.com]",
        "504 5.7.30 Basic authentication is not supported for Client Submission.",
        "535 5.7.3 Authentication unsuccessful [BN9PR03CA0080.namprd03.prod.outlook.com]"}) {
    EXPECT_EQ(ClassifyRefusal(Protocol::kSmtp, host, reply).reason, "basic-auth-disabled") << reply;
  }
  // 5.7.139 for wrong credentials is an ordinary rejection.
  EXPECT_EQ(ClassifyRefusal(
                Protocol::kSmtp, host,
                "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.")
                .reason,
            "");
  EXPECT_EQ(ClassifyRefusal(Protocol::kImap, "outlook.office365.com", "a1 NO AUTHENTICATE failed.")
                .reason,
            "basic-auth-disabled");
  // The same words from any other server are an ordinary rejection.
  EXPECT_EQ(
      ClassifyRefusal(Protocol::kImap, "imap.example.com", "a1 NO AUTHENTICATE failed.").reason,
      "");
}

TEST(ClassifyRefusalTest, AppPasswordRequired) {
  EXPECT_EQ(ClassifyRefusal(Protocol::kImap, "imap.gmail.com",
                            "a1 NO [ALERT] Application-specific password required: "
                            "https://support.google.com/accounts/answer/185833 (Failure)")
                .reason,
            "app-password-required");
  EXPECT_EQ(ClassifyRefusal(Protocol::kSmtp, "smtp.gmail.com",
                            "534-5.7.9 Application-specific password required. Learn more at "
                            "https://support.google.com/mail/?p=InvalidSecondFactor")
                .reason,
            "app-password-required");
  EXPECT_EQ(ClassifyRefusal(Protocol::kImap, "imap.mail.yahoo.com",
                            "a1 NO [AUTHENTICATIONFAILED] LOGIN Invalid credentials")
                .reason,
            "app-password-required");
  EXPECT_EQ(ClassifyRefusal(Protocol::kImap, "imap.example.com",
                            "a1 NO [AUTHENTICATIONFAILED] LOGIN Invalid credentials")
                .reason,
            "");
  EXPECT_EQ(ClassifyRefusal(Protocol::kSmtp, "smtp.gmail.com",
                            "535-5.7.8 Username and Password not accepted.")
                .reason,
            "");
}

TEST(ExplainTest, RefusalKeepsKindAuthAndSaysWhatToDo) {
  CheckContext c = Context(Protocol::kSmtp, Security::kStartTls, 587);
  c.host = "smtp.office365.com";
  Error e = Explain(
      Error::Make(ErrorKind::kAuth, "x",
                  "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.",
                  Phase::kAuth),
      c);
  EXPECT_EQ(e.kind, ErrorKind::kAuth);
  EXPECT_EQ(e.reason, "basic-auth-disabled");
  EXPECT_NE(e.message.find("only OAuth2 sign-in works"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("535 5.7.139"), std::string::npos) << e.message;
}

// Dovecot's oauth2 passdb answers a refused XOAUTH2 token with a JSON
// challenge, then "NO [AUTHENTICATIONFAILED]": the server cannot say why.
TEST(ExplainTest, RefusedTokenSaysExpiredOnlyWhenItsOwnExpiryPassed) {
  CheckContext c = Context();
  c.oauth = true;
  const Error refused = Error::Make(
      ErrorKind::kAuth, "x", "a2 NO [AUTHENTICATIONFAILED] Authentication failed.", Phase::kAuth);
  Error e = Explain(refused, c);
  EXPECT_EQ(e.kind, ErrorKind::kAuth);
  EXPECT_EQ(e.reason, "token-rejected");
  EXPECT_NE(e.message.find("OAuth token"), std::string::npos) << e.message;
  c.token_expiry = 1000;  // 1970
  EXPECT_EQ(Explain(refused, c).reason, "token-expired");
  c.token_expiry = 4102444800;  // 2100
  EXPECT_EQ(Explain(refused, c).reason, "token-rejected");
}

TEST(ExplainTest, AuthMessageNamesUserAndQuotesServer) {
  Error e = Explain(Error::Make(ErrorKind::kAuth, "x",
                                "a2 NO [AUTHENTICATIONFAILED] Authentication failed", Phase::kAuth),
                    Context());
  EXPECT_EQ(e.message,
            "The server rejected the password for alice@example.com (IMAP says: "
            "[AUTHENTICATIONFAILED] Authentication failed)");
  EXPECT_EQ(e.kind, ErrorKind::kAuth);
  EXPECT_EQ(e.server_reply, "a2 NO [AUTHENTICATIONFAILED] Authentication failed");
  CheckContext oauth = Context(Protocol::kSmtp);
  oauth.oauth = true;
  Error o = Explain(Error::Make(ErrorKind::kAuth, "x", "535 5.7.8 bad token", Phase::kAuth), oauth);
  EXPECT_EQ(o.message,
            "The server rejected the OAuth token for alice@example.com (SMTP says: 535 5.7.8 "
            "bad token). The token may have been revoked, belong to another user, or lack the "
            "mail scope: sign in again (mailscout --oauth) as this user, with the scope the "
            "server expects");
}

TEST(ExplainTest, TimeoutsSayWhichPhase) {
  auto message = [](Phase phase, Security s = Security::kTls, uint16_t port = 993) {
    return Explain(Error::Make(ErrorKind::kTimeout, "", "", phase),
                   Context(Protocol::kImap, s, port))
        .message;
  };
  EXPECT_NE(message(Phase::kConnect).find("No answer from imap.example.com port 993 within 5 s"),
            std::string::npos);
  EXPECT_NE(message(Phase::kTls).find("TLS handshake"), std::string::npos);
  EXPECT_NE(message(Phase::kGreeting).find("sent no greeting within 5 s"), std::string::npos);
  EXPECT_NE(message(Phase::kGreeting, Security::kPlain, 993).find("try --security tls"),
            std::string::npos);
  EXPECT_NE(message(Phase::kResolve).find("DNS lookup"), std::string::npos);
  // A login waiting for its answer is a rejection being delayed, never "the
  // server stopped answering".
  EXPECT_NE(message(Phase::kAuth).find("delaying its answer"), std::string::npos);
  EXPECT_EQ(message(Phase::kAuth).find("stopped answering"), std::string::npos);
  EXPECT_NE(message(Phase::kCapabilities).find("stopped answering during capabilities"),
            std::string::npos);
  EXPECT_NE(message(Phase::kCancelled).find("cancelled"), std::string::npos);
}

TEST(ExplainTest, SecondsAreRounded) {
  CheckContext c = Context();
  c.phase_budget_ms = 1951;
  EXPECT_NE(
      Explain(Error::Make(ErrorKind::kTimeout, "", "", Phase::kConnect), c).message.find("2 s"),
      std::string::npos);
  c.phase_budget_ms = 250;
  EXPECT_NE(
      Explain(Error::Make(ErrorKind::kTimeout, "", "", Phase::kConnect), c).message.find("0.3 s"),
      std::string::npos);
}

TEST(ExplainTest, OtherKindsKeepTheirMessage) {
  Error cert = Explain(
      Error::Make(ErrorKind::kCertificate, "The certificate expired", "", Phase::kTls), Context());
  EXPECT_EQ(cert.message, "The certificate expired");
  Error starttls = Explain(
      Error::Make(ErrorKind::kStartTlsMissing, "refused", "a1 NO not now", Phase::kStartTls),
      Context());
  EXPECT_EQ(starttls.message,
            "imap.example.com port 993 refused to start TLS (IMAP says: not now)");
}

}  // namespace
}  // namespace mailscout
