// SASL mechanisms against the RFC test vectors (RFC 4616 PLAIN, RFC 2195
// CRAM-MD5, RFC 5802 SCRAM-SHA-1, RFC 7677 SCRAM-SHA-256), plus the checks a
// client must make of a hostile server, and mechanism choice.
#include <gtest/gtest.h>

#include "protocols/sasl.h"
#include "protocols/sasl_scram.h"

namespace mailscout {
namespace {

SaslCredentials Creds(std::string user, std::string password, std::string authzid = {}) {
  SaslCredentials c;
  c.username = std::move(user);
  c.password = std::move(password);
  c.authzid = std::move(authzid);
  return c;
}

TEST(SaslPlainTest, Rfc4616Examples) {
  auto plain = MakeSaslClient(SaslMechanism::kPlain, Creds("tim", "tanstaaftanstaaf"));
  EXPECT_EQ(plain->InitialResponse().value(), std::string("\0tim\0tanstaaftanstaaf", 21));
  auto with_authzid = MakeSaslClient(SaslMechanism::kPlain, Creds("Kurt", "xipj3plmq", "Ursel"));
  EXPECT_EQ(with_authzid->InitialResponse().value(), std::string("Ursel\0Kurt\0xipj3plmq", 20));
  EXPECT_FALSE(plain->Respond("unexpected").ok());
  EXPECT_TRUE(plain->Finish("").ok());
}

TEST(SaslCramMd5Test, Rfc2195Example) {
  auto cram = MakeSaslClient(SaslMechanism::kCramMd5, Creds("tim", "tanstaaftanstaaf"));
  EXPECT_FALSE(cram->InitialResponse().has_value());
  auto response = cram->Respond("<1896.697170952@postoffice.reston.mci.net>");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response.value(), "tim b913a602c7eda7a495b4e6e7334d3890");
  EXPECT_FALSE(cram->Respond("again").ok());
}

TEST(SaslLoginTest, UserThenPassword) {
  auto login = MakeSaslClient(SaslMechanism::kLogin, Creds("alice", "secret"));
  EXPECT_FALSE(login->InitialResponse().has_value());
  EXPECT_EQ(login->Respond("Username:").value(), "alice");
  EXPECT_EQ(login->Respond("Password:").value(), "secret");
  EXPECT_FALSE(login->Respond("More:").ok());
}

TEST(SaslScramTest, Rfc5802ScramSha1) {
  auto scram = MakeSaslClient(SaslMechanism::kScramSha1, Creds("user", "pencil"),
                              "fyko+d2lbbFgONRv9qkxdawL");
  EXPECT_EQ(scram->InitialResponse().value(), "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  auto final_message =
      scram->Respond("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096");
  ASSERT_TRUE(final_message.ok()) << final_message.error().message;
  EXPECT_EQ(final_message.value(),
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
  auto last = scram->Respond("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
  ASSERT_TRUE(last.ok()) << last.error().message;
  EXPECT_EQ(last.value(), "");
  EXPECT_TRUE(scram->Finish("").ok());
}

TEST(SaslScramTest, Rfc7677ScramSha256) {
  auto scram =
      MakeSaslClient(SaslMechanism::kScramSha256, Creds("user", "pencil"), "rOprNGfwEbeRWgbNEkqO");
  EXPECT_EQ(scram->InitialResponse().value(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  auto final_message = scram->Respond(
      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  ASSERT_TRUE(final_message.ok()) << final_message.error().message;
  EXPECT_EQ(final_message.value(),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  // Success data may also arrive with the final OK instead of a challenge.
  EXPECT_TRUE(scram->Finish("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").ok());
}

TEST(SaslScramTest, WrongServerSignatureIsRefused) {
  auto scram =
      MakeSaslClient(SaslMechanism::kScramSha256, Creds("user", "pencil"), "rOprNGfwEbeRWgbNEkqO");
  (void)scram->InitialResponse();
  ASSERT_TRUE(scram
                  ->Respond("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                            "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
                  .ok());
  auto last = scram->Respond("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error().kind, ErrorKind::kProtocol);
  EXPECT_NE(last.error().message.find("signature"), std::string::npos);
}

TEST(SaslScramTest, SuccessWithoutServerSignatureIsRefused) {
  auto scram = MakeSaslClient(SaslMechanism::kScramSha1, Creds("user", "pencil"),
                              "fyko+d2lbbFgONRv9qkxdawL");
  (void)scram->InitialResponse();
  ASSERT_TRUE(
      scram->Respond("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
          .ok());
  EXPECT_FALSE(scram->Finish("").ok());
}

TEST(SaslScramTest, HostileServerFirstMessages) {
  const std::string nonce = "fyko+d2lbbFgONRv9qkxdawL";
  for (const std::string& hostile : {
           std::string("r=otherNonce,s=QSXCR+Q6sek8bf92,i=4096"),                // nonce not ours
           std::string("r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096"),  // not extended
           std::string("r=fyko+d2lbbFgONRv9qkxdawLx,s=!!!,i=4096"),              // bad salt
           std::string("r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=0"),
           std::string("r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=4096x"),
           std::string("r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=2000000000"),  // CPU bomb
           std::string("m=ext,r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=4096"),
           std::string("garbage"),
           std::string(""),
       }) {
    auto scram = MakeSaslClient(SaslMechanism::kScramSha1, Creds("user", "pencil"), nonce);
    (void)scram->InitialResponse();
    auto r = scram->Respond(hostile);
    EXPECT_FALSE(r.ok()) << hostile;
    if (!r.ok()) {
      EXPECT_EQ(r.error().kind, ErrorKind::kProtocol) << hostile;
    }
  }
}

TEST(SaslScramTest, ServerErrorIsKept) {
  auto scram = MakeSaslClient(SaslMechanism::kScramSha1, Creds("user", "pencil"),
                              "fyko+d2lbbFgONRv9qkxdawL");
  (void)scram->InitialResponse();
  ASSERT_TRUE(
      scram->Respond("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
          .ok());
  auto r = scram->Respond("e=invalid-proof");
  ASSERT_TRUE(r.ok());  // answered empty; the server then sends its failure
  EXPECT_EQ(scram->server_error(), "invalid-proof");
}

TEST(SaslScramTest, UsernameIsEscaped) {
  EXPECT_EQ(ScramEscapeName("a=b,c"), "a=3Db=2Cc");
  auto scram = MakeSaslClient(SaslMechanism::kScramSha256, Creds("x,y=z", "p"), "nonce");
  EXPECT_EQ(scram->InitialResponse().value(), "n,,n=x=2Cy=3Dz,r=nonce");
}

TEST(SaslScramTest, RandomNoncesDiffer) {
  auto a = MakeSaslClient(SaslMechanism::kScramSha256, Creds("u", "p"));
  auto b = MakeSaslClient(SaslMechanism::kScramSha256, Creds("u", "p"));
  EXPECT_NE(a->InitialResponse().value(), b->InitialResponse().value());
  EXPECT_EQ(a->InitialResponse()->find(','), 1u);
}

TEST(SaslOAuthTest, XOAuth2AndOAuthBearerMessages) {
  SaslCredentials c;
  c.username = "alice@example.com";
  c.oauth_token = "ya29.token";
  auto xoauth2 = MakeSaslClient(SaslMechanism::kXOAuth2, c);
  EXPECT_EQ(xoauth2->InitialResponse().value(),
            "user=alice@example.com\x01"
            "auth=Bearer ya29.token\x01\x01");
  auto r = xoauth2->Respond("{\"status\":\"401\"}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "");
  EXPECT_EQ(xoauth2->server_error(), "{\"status\":\"401\"}");

  auto bearer = MakeSaslClient(SaslMechanism::kOAuthBearer, c);
  EXPECT_EQ(bearer->InitialResponse().value(),
            "n,a=alice@example.com,\x01"
            "auth=Bearer ya29.token\x01\x01");
  auto r2 = bearer->Respond("{\"status\":\"invalid_token\"}");
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2.value(), "\x01");
}

TEST(SaslChoiceTest, StrongestUsableMechanism) {
  const std::vector<std::string> dovecot = {"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1",
                                            "SCRAM-SHA-256"};
  EXPECT_EQ(ChooseMechanism(dovecot, true, false), SaslMechanism::kScramSha256);
  EXPECT_EQ(ChooseMechanism({"plain", "login"}, true, false), SaslMechanism::kPlain);
  EXPECT_EQ(ChooseMechanism({"LOGIN"}, true, false), SaslMechanism::kLogin);
  EXPECT_EQ(ChooseMechanism({"cram-md5", "plain"}, true, false), SaslMechanism::kCramMd5);
  EXPECT_FALSE(ChooseMechanism({"GSSAPI", "NTLM"}, true, false));
  EXPECT_FALSE(ChooseMechanism({}, true, false));
  // OAuth only with a token, and then preferred.
  EXPECT_EQ(ChooseMechanism({"PLAIN", "XOAUTH2", "OAUTHBEARER"}, true, true),
            SaslMechanism::kOAuthBearer);
  EXPECT_EQ(ChooseMechanism({"PLAIN", "XOAUTH2"}, false, true), SaslMechanism::kXOAuth2);
  EXPECT_FALSE(ChooseMechanism({"PLAIN"}, false, true));
  EXPECT_EQ(ChooseMechanism({"PLAIN", "XOAUTH2"}, true, false), SaslMechanism::kPlain);
}

TEST(SaslChoiceTest, NamesRoundTrip) {
  for (SaslMechanism m : SupportedMechanisms()) {
    EXPECT_EQ(ParseMechanism(MechanismName(m)), m);
  }
  EXPECT_EQ(ParseMechanism("scram-sha-256"), SaslMechanism::kScramSha256);
  EXPECT_FALSE(ParseMechanism("DIGEST-MD5"));
  EXPECT_TRUE(SendsSecretInClear(SaslMechanism::kPlain));
  EXPECT_FALSE(SendsSecretInClear(SaslMechanism::kScramSha1));
}

}  // namespace
}  // namespace mailscout
