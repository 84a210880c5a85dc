// IMAP, POP3 and SMTP login dialogs against scripted servers (FakeLineIo):
// greetings, capabilities before and after STARTTLS, SASL with and without
// initial responses, the protocols' own password commands, failure replies
// mapped to error kinds, and credentials kept out of the transcript.
#include <gtest/gtest.h>

#include "fake_line_io.h"
#include "protocols/base64.h"
#include "protocols/mail_session.h"
#include "protocols/pop3_reply.h"

namespace mailscout {
namespace {

SaslCredentials Creds(std::string user = "alice@example.com", std::string pw = "s3cret!") {
  SaslCredentials c;
  c.username = std::move(user);
  c.password = std::move(pw);
  return c;
}

std::string PlainB64(const std::string& user, const std::string& pw) {
  return Base64Encode(std::string("\0", 1) + user + std::string("\0", 1) + pw);
}

void ExpectNoSecret(FakeLineIo& io, const std::string& secret) {
  const std::string text = io.TranscriptText();
  EXPECT_EQ(text.find(secret), std::string::npos) << text;
  EXPECT_EQ(text.find(Base64Encode(secret)), std::string::npos) << text;
  EXPECT_NE(text.find("***"), std::string::npos) << text;
}

// ---- IMAP ----

TEST(ImapSessionTest, GreetingCapabilitiesAreUsedThenRefreshedAfterTls) {
  FakeLineIo io("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n");
  io.Then("a1 STARTTLS", "a1 OK Begin TLS\r\n");
  io.Then("a2 CAPABILITY",
          "* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=SCRAM-SHA-256\r\na2 OK done\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  ASSERT_TRUE(imap->LoadCapabilities(Soon()).ok());  // no command: the greeting had them
  EXPECT_TRUE(imap->OffersStartTls());
  EXPECT_TRUE(imap->LoginDisabled());
  EXPECT_TRUE(imap->mechanisms().empty());
  ASSERT_TRUE(imap->StartTls(Soon()).ok());
  imap->AfterTls();
  EXPECT_TRUE(imap->capabilities().empty());
  ASSERT_TRUE(imap->LoadCapabilities(Soon()).ok());
  EXPECT_FALSE(imap->LoginDisabled());
  EXPECT_FALSE(imap->OffersStartTls());
  EXPECT_EQ(imap->mechanisms(), (std::vector<std::string>{"PLAIN", "SCRAM-SHA-256"}));
  EXPECT_TRUE(io.errors.empty()) << io.errors.front();
}

TEST(ImapSessionTest, ByeGreetingIsAProtocolError) {
  FakeLineIo io("* BYE Too many connections\r\n");
  auto r = MakeImapSession(io)->ReadGreeting(Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
  EXPECT_EQ(r.error().server_reply, "* BYE Too many connections");
}

TEST(ImapSessionTest, NonImapGreeting) {
  FakeLineIo io("220 smtp.example.com ESMTP\r\n");
  auto r = MakeImapSession(io)->ReadGreeting(Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
  EXPECT_EQ(r.error().phase, Phase::kGreeting);
}

TEST(ImapSessionTest, StartTlsRefused) {
  FakeLineIo io("* OK ready\r\n");
  io.Then("a1 STARTTLS", "a1 BAD TLS not available\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  Status s = imap->StartTls(Soon());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kStartTlsMissing);
  EXPECT_EQ(s.error().server_reply, "a1 BAD TLS not available");
}

TEST(ImapSessionTest, PlainWithSaslIr) {
  FakeLineIo io("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n");
  io.Then("a1 AUTHENTICATE PLAIN " + PlainB64("alice@example.com", "s3cret!"),
          "a1 OK [CAPABILITY IMAP4rev1 MOVE] Logged in\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  auto sasl = MakeSaslClient(SaslMechanism::kPlain, Creds());
  auto r = imap->Authenticate(*sasl, Soon());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), "a1 OK [CAPABILITY IMAP4rev1 MOVE] Logged in");
  EXPECT_TRUE(io.errors.empty()) << io.errors.front();
  ExpectNoSecret(io, "s3cret!");
}

TEST(ImapSessionTest, PlainWithoutSaslIrWaitsForContinuation) {
  FakeLineIo io("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
  io.Then("a1 AUTHENTICATE PLAIN", "+ \r\n");
  io.Then(PlainB64("alice@example.com", "s3cret!"), "a1 OK Logged in\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  auto sasl = MakeSaslClient(SaslMechanism::kPlain, Creds());
  ASSERT_TRUE(imap->Authenticate(*sasl, Soon()).ok());
  EXPECT_EQ(io.sent.front(), "a1 AUTHENTICATE PLAIN");
  EXPECT_TRUE(io.errors.empty()) << io.errors.front();
}

TEST(ImapSessionTest, RejectedPasswordIsAuthWithServerWords) {
  FakeLineIo io("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n");
  io.Then("a1 AUTHENTICATE PLAIN", "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  auto sasl = MakeSaslClient(SaslMechanism::kPlain, Creds());
  auto r = imap->Authenticate(*sasl, Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kAuth);
  EXPECT_EQ(r.error().server_reply, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
}

TEST(ImapSessionTest, BadToAuthenticateIsAuthMechanism) {
  FakeLineIo io("* OK ready\r\n");
  io.Then("a1 AUTHENTICATE CRAM-MD5", "a1 BAD Unsupported authentication mechanism.\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  auto sasl = MakeSaslClient(SaslMechanism::kCramMd5, Creds());
  auto r = imap->Authenticate(*sasl, Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kAuthMechanism);
}

TEST(ImapSessionTest, CramMd5Rfc2195Dialog) {
  FakeLineIo io("* OK [CAPABILITY IMAP4rev1 AUTH=CRAM-MD5] ready\r\n");
  io.Then("a1 AUTHENTICATE CRAM-MD5",
          "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
  io.Then(Base64Encode("tim b913a602c7eda7a495b4e6e7334d3890"),
          "a1 OK CRAM authentication successful\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  auto sasl = MakeSaslClient(SaslMechanism::kCramMd5, Creds("tim", "tanstaaftanstaaf"));
  auto r = imap->Authenticate(*sasl, Soon());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(io.errors.empty()) << io.errors.front();
  const std::string transcript = io.TranscriptText();
  EXPECT_NE(transcript.find("S: + ***"), std::string::npos) << transcript;
  EXPECT_NE(transcript.find("S: a1 OK CRAM authentication successful"), std::string::npos);
}

TEST(ImapSessionTest, ScramSha1Rfc5802Dialog) {
  FakeLineIo io("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-1] ready\r\n");
  io.Then(
      "a1 AUTHENTICATE SCRAM-SHA-1 " + Base64Encode("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"),
      "+ " +
          Base64Encode("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096") +
          "\r\n");
  io.Then(Base64Encode("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
                       "p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="),
          "+ " + Base64Encode("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=") + "\r\n");
  io.Then("", "a1 OK Logged in\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  auto sasl = MakeSaslClient(SaslMechanism::kScramSha1, Creds("user", "pencil"),
                             "fyko+d2lbbFgONRv9qkxdawL");
  auto r = imap->Authenticate(*sasl, Soon());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(io.errors.empty()) << io.errors.front();
  EXPECT_TRUE(io.script_done());
}

TEST(ImapSessionTest, ScramWithForgedServerSignatureIsCancelled) {
  FakeLineIo io("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-1] ready\r\n");
  io.Then(
      "a1 AUTHENTICATE SCRAM-SHA-1",
      "+ " +
          Base64Encode("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096") +
          "\r\n");
  io.Then("c=", "+ " + Base64Encode("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=") + "\r\n");
  io.Then("*", "a1 BAD Authentication cancelled\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  auto sasl = MakeSaslClient(SaslMechanism::kScramSha1, Creds("user", "pencil"),
                             "fyko+d2lbbFgONRv9qkxdawL");
  auto r = imap->Authenticate(*sasl, Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
  EXPECT_NE(r.error().message.find("signature"), std::string::npos);
  EXPECT_TRUE(io.script_done());
}

TEST(ImapSessionTest, InvalidBase64ChallengeCancels) {
  FakeLineIo io("* OK [CAPABILITY IMAP4rev1 AUTH=CRAM-MD5] ready\r\n");
  io.Then("a1 AUTHENTICATE CRAM-MD5", "+ not*base64\r\n");
  io.Then("*", "a1 BAD cancelled\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  auto sasl = MakeSaslClient(SaslMechanism::kCramMd5, Creds());
  auto r = imap->Authenticate(*sasl, Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
}

TEST(ImapSessionTest, LoginCommandQuotesAndHidesPassword) {
  FakeLineIo io("* OK [CAPABILITY IMAP4rev1] ready\r\n");
  io.Then("a1 LOGIN \"alice\" \"pa\\\"ss\"", "a1 OK Logged in\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  auto r = imap->PasswordLogin("alice", "pa\"ss", Soon());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(io.errors.empty()) << io.errors.front();
  const std::string t = io.TranscriptText();
  EXPECT_NE(t.find("C: a1 LOGIN \"alice\" ***"), std::string::npos) << t;
  EXPECT_EQ(t.find("pa\\\"ss"), std::string::npos) << t;
}

TEST(ImapSessionTest, LoginCommandUsesLiteralForEightBitPassword) {
  FakeLineIo io("* OK [CAPABILITY IMAP4rev1] ready\r\n");
  io.Then("a1 LOGIN \"alice\" {6}", "+ go ahead\r\n");
  io.Then("p\xc3\xa4ss", "a1 NO [AUTHENTICATIONFAILED] nope\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  auto r = imap->PasswordLogin("alice", "p\xc3\xa4ss!", Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kAuth);
  EXPECT_EQ(io.TranscriptText().find("p\xc3\xa4ss"), std::string::npos);
}

TEST(ImapSessionTest, UntaggedByeDuringCommandIsProtocol) {
  FakeLineIo io("* OK ready\r\n");
  io.Then("a1 CAPABILITY", "* BYE Server shutting down\r\n");
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  Status s = imap->LoadCapabilities(Soon());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kProtocol);
  EXPECT_EQ(s.error().server_reply, "* BYE Server shutting down");
}

TEST(ImapSessionTest, CapabilityFloodIsBounded) {
  std::string flood;
  for (size_t i = 0; i < kMaxReplyLines + 5; ++i) flood += "* CAPABILITY IMAP4rev1\r\n";
  FakeLineIo io("* OK ready\r\n");
  io.Then("a1 CAPABILITY", flood);
  auto imap = MakeImapSession(io);
  ASSERT_TRUE(imap->ReadGreeting(Soon()).ok());
  Status s = imap->LoadCapabilities(Soon());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kProtocol);
}

// ---- POP3 ----

TEST(Pop3SessionTest, CapaStlsAndSaslMechanisms) {
  FakeLineIo io("+OK Dovecot ready.\r\n");
  io.Then("CAPA", "+OK\r\nCAPA\r\nTOP\r\nUSER\r\nSTLS\r\nSASL PLAIN LOGIN\r\n.\r\n");
  io.Then("STLS", "+OK Begin TLS negotiation now.\r\n");
  auto pop = MakePop3Session(io);
  ASSERT_TRUE(pop->ReadGreeting(Soon()).ok());
  ASSERT_TRUE(pop->LoadCapabilities(Soon()).ok());
  EXPECT_TRUE(pop->OffersStartTls());
  EXPECT_EQ(pop->mechanisms(), (std::vector<std::string>{"PLAIN", "LOGIN"}));
  EXPECT_EQ(pop->PasswordLoginName(), "USER/PASS");
  ASSERT_TRUE(pop->StartTls(Soon()).ok());
}

TEST(Pop3SessionTest, ServerWithoutCapaStillAllowsUserPass) {
  FakeLineIo io("+OK ready\r\n");
  io.Then("CAPA", "-ERR unknown command\r\n");
  io.Then("USER alice", "+OK\r\n");
  io.Then("PASS s3cret!", "-ERR [AUTH] Authentication failed.\r\n");
  auto pop = MakePop3Session(io);
  ASSERT_TRUE(pop->ReadGreeting(Soon()).ok());
  ASSERT_TRUE(pop->LoadCapabilities(Soon()).ok());
  EXPECT_TRUE(pop->capabilities().empty());
  EXPECT_FALSE(pop->OffersStartTls());
  EXPECT_EQ(pop->PasswordLoginName(), "USER/PASS");
  auto r = pop->PasswordLogin("alice", "s3cret!", Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kAuth);
  EXPECT_EQ(r.error().server_reply, "-ERR [AUTH] Authentication failed.");
  const std::string t = io.TranscriptText();
  EXPECT_NE(t.find("C: PASS ***"), std::string::npos) << t;
  EXPECT_EQ(t.find("s3cret!"), std::string::npos) << t;
}

TEST(Pop3SessionTest, StlsRefused) {
  FakeLineIo io("+OK ready\r\n");
  io.Then("STLS", "-ERR TLS not available\r\n");
  auto pop = MakePop3Session(io);
  ASSERT_TRUE(pop->ReadGreeting(Soon()).ok());
  Status s = pop->StartTls(Soon());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kStartTlsMissing);
}

TEST(Pop3SessionTest, ErrGreeting) {
  FakeLineIo io("-ERR go away\r\n");
  auto r = MakePop3Session(io)->ReadGreeting(Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
}

TEST(Pop3SessionTest, SaslLoginDialog) {
  FakeLineIo io("+OK ready\r\n");
  io.Then("AUTH LOGIN", "+ VXNlcm5hbWU6\r\n");
  io.Then(Base64Encode("alice@example.com"), "+ UGFzc3dvcmQ6\r\n");
  io.Then(Base64Encode("s3cret!"), "+OK Logged in.\r\n");
  auto pop = MakePop3Session(io);
  ASSERT_TRUE(pop->ReadGreeting(Soon()).ok());
  auto sasl = MakeSaslClient(SaslMechanism::kLogin, Creds());
  auto r = pop->Authenticate(*sasl, Soon());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), "+OK Logged in.");
  ExpectNoSecret(io, "s3cret!");
}

// ---- SMTP ----

TEST(SmtpSessionTest, MultiLineGreetingEhloAndAuthPlain) {
  FakeLineIo io("220-mail.example.com ESMTP\r\n220 welcome\r\n");
  io.Then("EHLO [192.0.2.1]",
          "250-mail.example.com\r\n250-AUTH PLAIN LOGIN\r\n250-STARTTLS\r\n250 SIZE 100\r\n");
  io.Then("AUTH PLAIN " + PlainB64("alice@example.com", "s3cret!"),
          "235 2.7.0 Authentication successful\r\n");
  auto smtp = MakeSmtpSession(io, "[192.0.2.1]");
  auto greeting = smtp->ReadGreeting(Soon());
  ASSERT_TRUE(greeting.ok());
  EXPECT_EQ(greeting.value(), "220 mail.example.com ESMTP");
  ASSERT_TRUE(smtp->LoadCapabilities(Soon()).ok());
  EXPECT_TRUE(smtp->OffersStartTls());
  EXPECT_EQ(smtp->mechanisms(), (std::vector<std::string>{"PLAIN", "LOGIN"}));
  auto sasl = MakeSaslClient(SaslMechanism::kPlain, Creds());
  auto r = smtp->Authenticate(*sasl, Soon());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(io.errors.empty()) << io.errors.front();
  ExpectNoSecret(io, "s3cret!");
}

TEST(SmtpSessionTest, EhloRefusedFallsBackToHelo) {
  FakeLineIo io("220 old.example.com\r\n");
  io.Then("EHLO", "502 command not implemented\r\n");
  io.Then("HELO", "250 old.example.com\r\n");
  auto smtp = MakeSmtpSession(io, "");
  ASSERT_TRUE(smtp->ReadGreeting(Soon()).ok());
  ASSERT_TRUE(smtp->LoadCapabilities(Soon()).ok());
  EXPECT_TRUE(smtp->capabilities().empty());
  EXPECT_TRUE(smtp->mechanisms().empty());
  EXPECT_EQ(smtp->PasswordLoginName(), "");
}

TEST(SmtpSessionTest, RefusingGreeting) {
  FakeLineIo io("554 5.7.1 No SMTP service here\r\n");
  auto r = MakeSmtpSession(io, "")->ReadGreeting(Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
  EXPECT_EQ(r.error().server_reply, "554 5.7.1 No SMTP service here");
}

TEST(SmtpSessionTest, StartTlsRefused) {
  FakeLineIo io("220 x\r\n");
  io.Then("STARTTLS", "454 4.7.0 TLS not available due to temporary reason\r\n");
  auto smtp = MakeSmtpSession(io, "");
  ASSERT_TRUE(smtp->ReadGreeting(Soon()).ok());
  Status s = smtp->StartTls(Soon());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kStartTlsMissing);
  EXPECT_EQ(s.error().server_reply, "454 4.7.0 TLS not available due to temporary reason");
}

TEST(SmtpSessionTest, Auth535IsAuthAnd504IsMechanism) {
  {
    FakeLineIo io("220 x\r\n");
    io.Then("AUTH LOGIN", "334 VXNlcm5hbWU6\r\n");
    io.Then(Base64Encode("alice@example.com"), "334 UGFzc3dvcmQ6\r\n");
    io.Then(Base64Encode("s3cret!"), "535 5.7.8 Authentication credentials invalid\r\n");
    auto smtp = MakeSmtpSession(io, "");
    ASSERT_TRUE(smtp->ReadGreeting(Soon()).ok());
    auto sasl = MakeSaslClient(SaslMechanism::kLogin, Creds());
    auto r = smtp->Authenticate(*sasl, Soon());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kAuth);
    EXPECT_EQ(r.error().server_reply, "535 5.7.8 Authentication credentials invalid");
    const std::string t = io.TranscriptText();
    EXPECT_NE(t.find("S: 334 ***"), std::string::npos) << t;
    EXPECT_EQ(t.find(Base64Encode("s3cret!")), std::string::npos) << t;
  }
  {
    FakeLineIo io("220 x\r\n");
    io.Then("AUTH CRAM-MD5", "504 5.5.4 Unrecognized authentication type\r\n");
    auto smtp = MakeSmtpSession(io, "");
    ASSERT_TRUE(smtp->ReadGreeting(Soon()).ok());
    auto sasl = MakeSaslClient(SaslMechanism::kCramMd5, Creds());
    auto r = smtp->Authenticate(*sasl, Soon());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kAuthMechanism);
  }
}

TEST(SmtpSessionTest, XOAuth2FailureCarriesServerJson) {
  FakeLineIo io("220 x\r\n");
  io.Then("AUTH XOAUTH2 ",
          "334 " + Base64Encode("{\"status\":\"400\",\"schemes\":\"Bearer\"}") + "\r\n");
  io.Then("", "535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 Learn more\r\n");
  auto smtp = MakeSmtpSession(io, "");
  ASSERT_TRUE(smtp->ReadGreeting(Soon()).ok());
  SaslCredentials c;
  c.username = "alice@example.com";
  c.oauth_token = "ya29.secret-token";
  auto sasl = MakeSaslClient(SaslMechanism::kXOAuth2, c);
  auto r = smtp->Authenticate(*sasl, Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kAuth);
  EXPECT_NE(r.error().server_reply.find("\"status\":\"400\""), std::string::npos);
  EXPECT_EQ(io.sent.back(), "");  // the empty response XOAUTH2 wants
  EXPECT_EQ(io.TranscriptText().find("ya29"), std::string::npos);
}

TEST(SmtpSessionTest, LongInitialResponseWaitsForChallenge) {
  FakeLineIo io("220 x\r\n");
  SaslCredentials c;
  c.username = "alice@example.com";
  c.oauth_token = std::string(600, 't');
  io.Then("AUTH OAUTHBEARER", "334 \r\n");
  io.Then("", "235 ok\r\n");
  auto smtp = MakeSmtpSession(io, "");
  ASSERT_TRUE(smtp->ReadGreeting(Soon()).ok());
  auto sasl = MakeSaslClient(SaslMechanism::kOAuthBearer, c);
  ASSERT_TRUE(smtp->Authenticate(*sasl, Soon()).ok());
  EXPECT_EQ(io.sent.front(), "AUTH OAUTHBEARER");
  EXPECT_LT(io.sent.front().size(), 512u);
}

}  // namespace
}  // namespace mailscout
