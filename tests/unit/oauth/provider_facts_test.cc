// The <oAuth2> facts of a provider file: the ISPDB's own elements and
// mailscout's extensions (providers/README.md).
#include <gtest/gtest.h>

#include "discover/client_config.h"

namespace mailscout {
namespace {

TEST(ProviderFactsTest, ReadsIspdbOAuthAndExtensions) {
  Result<std::vector<ProviderConfig>> parsed = ParseClientConfig(R"(<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="hotmail.com">
    <domain>hotmail.com</domain>
    <displayName>Outlook.com</displayName>
    <loginPolicy>oauth2-only</loginPolicy>
    <incomingServer type="imap"><hostname>outlook.office365.com</hostname><port>993</port>
      <socketType>SSL</socketType><username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication></incomingServer>
    <appPassword url="https://account.microsoft.com/security">Not accepted any more</appPassword>
  </emailProvider>
  <oAuth2>
    <issuer>login.microsoftonline.com</issuer>
    <scope>https://outlook.office.com/IMAP.AccessAsUser.All offline_access</scope>
    <authURL>https://login.microsoftonline.com/common/oauth2/v2.0/authorize</authURL>
    <tokenURL>https://login.microsoftonline.com/common/oauth2/v2.0/token</tokenURL>
    <deviceURL>https://login.microsoftonline.com/common/oauth2/v2.0/devicecode</deviceURL>
    <scope protocol="smtp">https://outlook.office.com/SMTP.Send offline_access</scope>
    <deviceFlow>allowed</deviceFlow>
  </oAuth2>
</clientConfig>)");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const ProviderConfig& p = parsed->front();
  ASSERT_TRUE(p.has_oauth2);
  EXPECT_EQ(p.oauth.issuer, "login.microsoftonline.com");
  EXPECT_EQ(p.oauth.token_url, "https://login.microsoftonline.com/common/oauth2/v2.0/token");
  EXPECT_EQ(p.oauth.device_url, "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode");
  EXPECT_EQ(p.oauth.device_flow, "allowed");
  EXPECT_EQ(p.oauth.ScopeFor(Protocol::kSmtp),
            "https://outlook.office.com/SMTP.Send offline_access");
  // No own scope for IMAP: the ISPDB's common one.
  EXPECT_EQ(p.oauth.ScopeFor(Protocol::kImap),
            "https://outlook.office.com/IMAP.AccessAsUser.All offline_access");
  EXPECT_EQ(p.app_password_url, "https://account.microsoft.com/security");
  EXPECT_EQ(p.login_policy, "oauth2-only");
}

TEST(ProviderFactsTest, NoOAuthBlockMeansNoFacts) {
  Result<std::vector<ProviderConfig>> parsed = ParseClientConfig(
      "<clientConfig><emailProvider id=\"x\"><domain>x.example</domain></emailProvider>"
      "</clientConfig>");
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->front().has_oauth2);
  EXPECT_TRUE(parsed->front().oauth.token_url.empty());
}

}  // namespace
}  // namespace mailscout
