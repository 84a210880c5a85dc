// Response parsers: IMAP (tagged, untagged, continuation, response codes,
// literals), POP3 (status lines, multi-line with dot-stuffing, bounds), SMTP
// (multi-line EHLO, code consistency, bounds), base64.
#include <gtest/gtest.h>

#include "fake_line_io.h"
#include "protocols/base64.h"
#include "protocols/imap_response.h"
#include "protocols/pop3_reply.h"
#include "protocols/smtp_reply.h"

namespace mailscout {
namespace {

// ---- base64 ----

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Decode("Zm9vYg==").value(), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYmE=").value(), "fooba");
  EXPECT_EQ(Base64Decode("").value(), "");
  std::string binary("\0\xff\x10", 3);
  EXPECT_EQ(Base64Decode(Base64Encode(binary)).value(), binary);
}

TEST(Base64Test, RejectsMalformedInput) {
  EXPECT_FALSE(Base64Decode("Zm9"));       // length not a multiple of 4
  EXPECT_FALSE(Base64Decode("Zm9v!A=="));  // bad character
  EXPECT_FALSE(Base64Decode("Z==="));      // padding too early
  EXPECT_FALSE(Base64Decode("Zg==Zg=="));  // padding in the middle
  EXPECT_FALSE(Base64Decode("Zm 9v"));
}

// ---- IMAP ----

TEST(ImapResponseTest, Tagged) {
  auto r = ParseImapResponse("a2 NO [AUTHENTICATIONFAILED] Authentication failed.");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, ImapResponse::Kind::kTagged);
  EXPECT_EQ(r->tag, "a2");
  EXPECT_EQ(r->status, "NO");
  EXPECT_EQ(r->code, "AUTHENTICATIONFAILED");
  EXPECT_EQ(r->CodeName(), "AUTHENTICATIONFAILED");
  EXPECT_EQ(r->text, "Authentication failed.");
}

TEST(ImapResponseTest, LowerCaseStatusIsAccepted) {
  auto r = ParseImapResponse("A1 ok done");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, "OK");
}

TEST(ImapResponseTest, UntaggedGreetingWithCapabilityCode) {
  auto r = ParseImapResponse("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot ready.");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, ImapResponse::Kind::kUntagged);
  EXPECT_EQ(r->status, "OK");
  EXPECT_EQ(r->CodeName(), "CAPABILITY");
  EXPECT_EQ(r->Capabilities(), (std::vector<std::string>{"IMAP4rev1", "STARTTLS", "AUTH=PLAIN"}));
  EXPECT_EQ(r->text, "Dovecot ready.");
}

TEST(ImapResponseTest, UntaggedCapabilityData) {
  auto r = ParseImapResponse("* CAPABILITY IMAP4rev1  LOGINDISABLED STARTTLS");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, "CAPABILITY");
  EXPECT_EQ(r->Capabilities(),
            (std::vector<std::string>{"IMAP4rev1", "LOGINDISABLED", "STARTTLS"}));
}

TEST(ImapResponseTest, UntaggedWithMessageNumber) {
  auto r = ParseImapResponse("* 23 EXISTS");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, "EXISTS");
  EXPECT_TRUE(r->Capabilities().empty());
}

TEST(ImapResponseTest, Continuation) {
  auto r = ParseImapResponse("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, ImapResponse::Kind::kContinuation);
  EXPECT_EQ(r->text, "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
  auto empty = ParseImapResponse("+");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->text, "");
}

TEST(ImapResponseTest, RejectsGarbage) {
  for (const char* bad : {"", "hello", "220 smtp.example.com ESMTP", "+OK POP3 ready",
                          "a1 MAYBE later", "* ", "(a) OK x"}) {
    auto r = ParseImapResponse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
    }
  }
}

TEST(ImapResponseTest, TrailingLiteral) {
  EXPECT_EQ(ImapTrailingLiteral("* 1 FETCH (BODY[] {12}").value(), 12u);
  EXPECT_EQ(ImapTrailingLiteral("* ID (\"name\" {5+}").value(), 5u);
  EXPECT_FALSE(ImapTrailingLiteral("* OK {x}"));
  EXPECT_FALSE(ImapTrailingLiteral("* OK done"));
  EXPECT_GT(ImapTrailingLiteral("* CAPABILITY {4294967296}").value(), kMaxLineLength);
  EXPECT_GT(ImapTrailingLiteral("* X {99999999999999999999999999}").value(), kMaxLineLength);
}

TEST(ImapResponseTest, ReadsLiteralsInline) {
  FakeLineIo io("* ID (\"name\" {7}\r\nDove\r\nc \"x\" \"y\")\r\n");
  auto text = ReadImapResponseText(io, Soon(), Phase::kCapabilities);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(text.value(), "* ID (\"name\" {7}\r\nDove\r\nc \"x\" \"y\")");
}

TEST(ImapResponseTest, LiteralCountIsBounded) {
  std::string hostile;
  for (int i = 0; i < kMaxImapLiterals + 2; ++i) hostile += "* X {1}\r\na";
  hostile += "\r\n";
  FakeLineIo io(hostile);
  auto text = ReadImapResponseText(io, Soon(), Phase::kCapabilities);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().kind, ErrorKind::kProtocol);
}

TEST(ImapResponseTest, HugeLiteralIsRefusedBeforeReading) {
  FakeLineIo io("* CAPABILITY {4294967296}\r\n");
  auto text = ReadImapResponseText(io, Soon(), Phase::kCapabilities);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().kind, ErrorKind::kProtocol);
  EXPECT_NE(text.error().message.find("KiB"), std::string::npos);
}

TEST(ImapQuoteTest, QuotesOrRefuses) {
  EXPECT_EQ(ImapQuote("alice").value(), "\"alice\"");
  EXPECT_EQ(ImapQuote("a\"b\\c").value(), "\"a\\\"b\\\\c\"");
  EXPECT_FALSE(ImapQuote("line\r\nbreak"));
  EXPECT_FALSE(ImapQuote("p\xc3\xa4ss"));
}

// ---- POP3 ----

TEST(Pop3ReplyTest, StatusLines) {
  auto ok = ParsePop3Reply("+OK Dovecot ready.");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->kind, Pop3Reply::Kind::kOk);
  EXPECT_EQ(ok->text, "Dovecot ready.");
  auto err = ParsePop3Reply("-ERR [AUTH] Authentication failed.");
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->kind, Pop3Reply::Kind::kErr);
  EXPECT_EQ(err->text, "[AUTH] Authentication failed.");
  auto cont = ParsePop3Reply("+ VXNlcm5hbWU6");
  ASSERT_TRUE(cont.ok());
  EXPECT_EQ(cont->kind, Pop3Reply::Kind::kContinuation);
  EXPECT_EQ(cont->text, "VXNlcm5hbWU6");
  EXPECT_TRUE(ParsePop3Reply("+OK").ok());
  EXPECT_FALSE(ParsePop3Reply("+OKAY").ok());
  EXPECT_FALSE(ParsePop3Reply("* OK IMAP").ok());
  EXPECT_FALSE(ParsePop3Reply("").ok());
}

TEST(Pop3ReplyTest, MultiLineWithDotStuffing) {
  FakeLineIo io("CAPA\r\n..hidden\r\nSASL PLAIN\r\n.\r\n+OK next\r\n");
  auto lines = ReadPop3MultiLine(io, Soon(), Phase::kCapabilities);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines.value(), (std::vector<std::string>{"CAPA", ".hidden", "SASL PLAIN"}));
}

TEST(Pop3ReplyTest, MultiLineIsBounded) {
  std::string endless;
  for (int i = 0; i < 50; ++i) endless += "X\r\n";
  FakeLineIo io(endless);
  auto lines = ReadPop3MultiLine(io, Soon(), Phase::kCapabilities, 20);
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.error().kind, ErrorKind::kProtocol);
  EXPECT_NE(lines.error().message.find("more than 20 lines"), std::string::npos);
}

TEST(Pop3ReplyTest, MultiLineCutShortIsAnError) {
  FakeLineIo io("TOP\r\nUSER\r\n");
  auto lines = ReadPop3MultiLine(io, Soon(), Phase::kCapabilities);
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.error().kind, ErrorKind::kProtocol);
}

// ---- SMTP ----

TEST(SmtpReplyTest, MultiLineEhlo) {
  FakeLineIo io(
      "250-mail.example.com Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
      "250-AUTH PLAIN LOGIN\r\n250-AUTH=CRAM-MD5\r\n250-STARTTLS\r\n250 8BITMIME\r\n");
  auto reply = ReadSmtpReply(io, Soon(), Phase::kCapabilities);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->code, 250);
  auto keywords = EhloKeywords(reply.value());
  EXPECT_EQ(keywords.size(), 6u);
  EXPECT_EQ(SmtpAuthMechanisms(keywords), (std::vector<std::string>{"PLAIN", "LOGIN", "CRAM-MD5"}));
  EXPECT_TRUE(HasEhloKeyword(keywords, "starttls"));
  EXPECT_FALSE(HasEhloKeyword(keywords, "SMTPUTF8"));
}

TEST(SmtpReplyTest, SingleLineAndBareCode) {
  SmtpReplyParser parser;
  ASSERT_TRUE(parser.Add("235").ok());
  EXPECT_TRUE(parser.complete());
  EXPECT_EQ(parser.reply().code, 235);
  EXPECT_TRUE(parser.reply().positive());
  EXPECT_EQ(parser.reply().Raw(), "235 ");
}

TEST(SmtpReplyTest, RejectsChangingCodesAndGarbage) {
  SmtpReplyParser parser;
  ASSERT_TRUE(parser.Add("250-first").ok());
  EXPECT_FALSE(parser.Add("251 second").ok());
  for (const char* bad : {"", "25", "hello", "* OK imap", "2500 x", "650 x", "250x"}) {
    SmtpReplyParser p;
    EXPECT_FALSE(p.Add(bad).ok()) << bad;
  }
}

TEST(SmtpReplyTest, ReplyLinesAreBounded) {
  std::string flood;
  for (int i = 0; i < 30; ++i) flood += "250-X\r\n";
  FakeLineIo io(flood);
  auto reply = ReadSmtpReply(io, Soon(), Phase::kCapabilities, {}, 10);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().kind, ErrorKind::kProtocol);
  EXPECT_EQ(reply.error().phase, Phase::kCapabilities);
}

}  // namespace
}  // namespace mailscout
