#include "serve/answers.h"

#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <filesystem>
#include <fstream>

namespace mailscout {
namespace {

namespace fs = std::filesystem;

const char* kSite = R"(<clientConfig version="1.1">
  <emailProvider id="example.com">
    <domain>example.com</domain>
    <displayName>Example Mail</displayName>
    <incomingServer type="imap">
      <hostname>imap.example.com</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.example.com</hostname><port>110</port><socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.com</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
  <emailProvider id="old">
    <domain>old.example</domain>
    <redirectDomain>example.com</redirectDomain>
  </emailProvider>
</clientConfig>
)";

class AnswersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mailscout-answers-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "example.com.xml") << kSite;
    auto site = Site::Load(dir_.string());
    ASSERT_TRUE(site.ok()) << site.error().message;
    context_.site = site.value();
    options_.helpdesk = true;
    options_.assets["page.html"] = "<html>{{message}}|{{card}}|{{address}}|{{lookups}}</html>";
    options_.assets["helpdesk.css"] = "body{}";
    context_.options = &options_;
    context_.metrics = &metrics_;
  }
  void TearDown() override { fs::remove_all(dir_); }

  ServeResponse Get(const std::string& target, const std::string& host = "autoconfig.example.com") {
    ServeRequest r;
    std::string data = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    EXPECT_EQ(ParseRequest(data, &r).status, ParseStatus::kComplete);
    return Answer(r, context_);
  }
  ServeResponse Post(const std::string& target, const std::string& body) {
    ServeRequest r;
    std::string data = "POST " + target +
                       " HTTP/1.1\r\nHost: autodiscover.example.com\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body;
    EXPECT_EQ(ParseRequest(data, &r).status, ParseStatus::kComplete);
    return Answer(r, context_);
  }

  fs::path dir_;
  ServeOptions options_;
  ServeMetrics metrics_;
  ServeContext context_;
};

std::string Pox(const std::string& address) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover "
         "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">"
         "<Request><EMailAddress>" +
         address +
         "</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/"
         "autodiscover/"
         "outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>";
}

TEST_F(AnswersTest, AutoconfigByAddressOrHostAndNoEnumeration) {
  ServeResponse r = Get("/mail/config-v1.1.xml?emailaddress=anyone%40example.com");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.endpoint, "autoconfig");
  EXPECT_NE(r.body.find("<hostname>imap.example.com</hostname>"), std::string::npos);
  EXPECT_EQ(r.body.find("old.example"), std::string::npos);  // only this provider
  EXPECT_EQ(Get("/mail/config-v1.1.xml").status, 200);       // from the Host header
  EXPECT_EQ(Get("/.well-known/autoconfig/mail/config-v1.1.xml", "example.com").status, 200);
  EXPECT_EQ(Get("/mail/config-v1.1.xml?emailaddress=a%40other.example").status, 404);
  EXPECT_EQ(Get("/v1.1/example.com").body, r.body);
  EXPECT_EQ(Get("/v1.1/EXAMPLE.com").status, 200);
  EXPECT_EQ(Get("/v1.1/other.example").status, 404);
  EXPECT_EQ(Get("/v1.1/../../etc/passwd").status, 404);
}

TEST_F(AnswersTest, OutlookPoxAnswersEveryProtocolWithSslAndEncryption) {
  ServeResponse r = Post("/AutoDiscover/AutoDiscover.xml", Pox("bob@example.com"));
  ASSERT_EQ(r.status, 200) << r.body;
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(r.body.c_str()), tinyxml2::XML_SUCCESS);
  auto* root = doc.RootElement();
  EXPECT_STREQ(root->Attribute("xmlns"),
               "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006");
  auto* response = root->FirstChildElement("Response");
  EXPECT_STREQ(response->Attribute("xmlns"),
               "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a");
  std::vector<std::string> seen;
  for (auto* p = response->FirstChildElement("Account")->FirstChildElement("Protocol");
       p != nullptr; p = p->NextSiblingElement("Protocol")) {
    seen.push_back(std::string(p->FirstChildElement("Type")->GetText()) + " " +
                   p->FirstChildElement("Server")->GetText() + " " +
                   p->FirstChildElement("SSL")->GetText() + " " +
                   p->FirstChildElement("Encryption")->GetText() + " " +
                   p->FirstChildElement("LoginName")->GetText());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"IMAP imap.example.com on SSL bob@example.com",
                                            "POP3 pop.example.com on TLS bob",
                                            "SMTP smtp.example.com on TLS bob@example.com"}));
  EXPECT_EQ(Get("/autodiscover/autodiscover.xml?emailaddress=bob%40example.com").status, 200);
  // Delta Chat asks by GET with neither body nor address: the Host's domain,
  // and no LoginName (the client then uses the address).
  ServeResponse anonymous = Get("/autodiscover/autodiscover.xml", "autodiscover.example.com");
  EXPECT_EQ(anonymous.status, 200);
  EXPECT_NE(anonymous.body.find("<Server>imap.example.com</Server>"), std::string::npos);
  EXPECT_EQ(anonymous.body.find("LoginName"), std::string::npos);
  EXPECT_EQ(Get("/autodiscover/autodiscover.xml", "autodiscover.other.example").status, 404);
}

TEST_F(AnswersTest, OutlookPoxRedirectsAndRefusesHostileBodies) {
  ServeResponse r = Post("/autodiscover/autodiscover.xml", Pox("carol@old.example"));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<Action>redirectAddr</Action>"), std::string::npos);
  EXPECT_NE(r.body.find("<RedirectAddr>carol@example.com</RedirectAddr>"), std::string::npos);
  std::string bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
      "\"&lol;&lol;&lol;&lol;\">]><Autodiscover><Request><EMailAddress>&lol2;@example.com"
      "</EMailAddress></Request></Autodiscover>";
  EXPECT_EQ(Post("/autodiscover/autodiscover.xml", bomb).status, 400);
  EXPECT_EQ(Post("/autodiscover/autodiscover.xml", "<Autodiscover>").status, 400);
  EXPECT_EQ(Post("/autodiscover/autodiscover.xml", Pox("x@other.example")).status, 404);
  EXPECT_EQ(Post("/autodiscover/autodiscover.xml", Pox("not an address")).status, 400);
}

TEST_F(AnswersTest, AutodiscoverV2) {
  ServeResponse r =
      Get("/autodiscover/autodiscover.json/v1.0/bob@example.com?Protocol=Autodiscoverv1",
          "autodiscover.example.com");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(
      r.body,
      "{\"Protocol\":\"AutodiscoverV1\",\"Url\":\"http://autodiscover.example.com/autodiscover/"
      "autodiscover.xml\"}");
  options_.base_url = "https://ad.example.com";
  EXPECT_NE(Get("/autodiscover/autodiscover.json?Email=bob%40example.com&Protocol=AutodiscoverV1")
                .body.find("https://ad.example.com/autodiscover/autodiscover.xml"),
            std::string::npos);
  ServeResponse bad =
      Get("/autodiscover/autodiscover.json/v1.0/bob@example.com?Protocol=ActiveSync");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"ErrorCode\":\"InvalidProtocol\""), std::string::npos);
  EXPECT_EQ(
      Get("/autodiscover/autodiscover.json/v1.0/bob@other.example?Protocol=AutodiscoverV1").status,
      404);
}

TEST_F(AnswersTest, MobileconfigHasStableUuidsAndNoPassword) {
  ServeResponse a = Get("/mobileconfig?emailaddress=alice%40example.com");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.content_type, "application/x-apple-aspen-config");
  EXPECT_EQ(a.body, Get("/mobileconfig?emailaddress=alice%40example.com").body);
  EXPECT_NE(a.body, Get("/mobileconfig?emailaddress=bob%40example.com").body);
  EXPECT_EQ(a.body.find("<key>IncomingPassword</key>"), std::string::npos);
  EXPECT_EQ(a.body.find("<key>OutgoingPassword</key>"), std::string::npos);
  EXPECT_NE(a.body.find("imap.example.com"), std::string::npos);
  EXPECT_EQ(Get("/mobileconfig?emailaddress=alice%40other.example").status, 404);
  EXPECT_EQ(Get("/mobileconfig").status, 400);
}

// A card must not ask for "the user's own password" where the provider
// refuses it (issue 12: the card tells the truth before any password).
TEST(CardHtmlTest, SaysWhatWorksInsteadOfAPassword) {
  CardData card;
  card.email = "alice@outlook.com";
  card.provider_name = "Outlook.com <Microsoft>";
  card.incoming = CardServer{Setting{}, "the provider database"};
  EXPECT_NE(CardHtml(card).find("own password (never stored here)"), std::string::npos);
  card.login_policy = "oauth2-only";
  std::string html = CardHtml(card);
  EXPECT_NE(html.find("OAuth2 required."), std::string::npos) << html;
  EXPECT_NE(html.find("Outlook.com &lt;Microsoft&gt; accepts no password"), std::string::npos);
  EXPECT_EQ(html.find("own password (never stored here)"), std::string::npos);
  EXPECT_NE(html.find("must sign in with OAuth2"), std::string::npos);
  card.login_policy = "app-password";
  html = CardHtml(card);
  EXPECT_NE(html.find("App password required."), std::string::npos);
  EXPECT_EQ(html.find("own password (never stored here)"), std::string::npos);
}

TEST_F(AnswersTest, HelpdeskPageCardDownloadsAndEscaping) {
  ServeResponse page = Get("/?emailaddress=alice%40example.com");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("imap.example.com"), std::string::npos);
  EXPECT_NE(page.body.find("/download/mbsync?emailaddress=alice@example.com"), std::string::npos);
  EXPECT_NE(page.body.find("SSL/TLS"), std::string::npos);
  ServeResponse hostile = Get("/?emailaddress=%3Cscript%3E");
  EXPECT_EQ(hostile.status, 400);
  EXPECT_EQ(hostile.body.find("<script>"), std::string::npos);
  EXPECT_NE(hostile.body.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(Get("/card?emailaddress=a%40other.example").status, 404);
  for (const std::string& format : HelpdeskFormats()) {
    ServeResponse file = Get("/download/" + format + "?emailaddress=alice%40example.com");
    EXPECT_EQ(file.status, 200) << format << ": " << file.body;
    EXPECT_NE(file.body.find("example.com"), std::string::npos) << format;
  }
  EXPECT_EQ(Get("/download/android-json?emailaddress=alice%40example.com").status, 404);
  EXPECT_EQ(Get("/static/helpdesk.css").body, "body{}");
  EXPECT_EQ(Get("/static/page.html").status, 404);
  EXPECT_EQ(Get("/static/../page.html").status, 404);
  EXPECT_EQ(Get("/qr.svg?emailaddress=alice%40example.com").content_type, "image/svg+xml");
  options_.helpdesk = false;
  EXPECT_EQ(Get("/?emailaddress=alice%40example.com").status, 404);
}

TEST_F(AnswersTest, OperationsEndpoints) {
  EXPECT_EQ(Get("/healthz").body, "ok\n");
  metrics_.Record("autoconfig", 200, 0.0003);
  ServeResponse m = Get("/metrics");
  EXPECT_NE(m.body.find("mailscout_http_requests_total{endpoint=\"autoconfig\",status=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(m.body.find("mailscout_http_request_duration_seconds_bucket{endpoint=\"autoconfig\",le="
                        "\"0.0005\"} 1"),
            std::string::npos);
  ServeRequest post;
  ParseRequest("POST /healthz HTTP/1.1\r\n\r\n", &post);
  EXPECT_EQ(Answer(post, context_).status, 405);
}

TEST_F(AnswersTest, RequestAddressForTheLog) {
  ServeRequest r;
  std::string body = Pox("dave@example.com");
  ParseRequest("POST /autodiscover/autodiscover.xml HTTP/1.1\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body,
               &r);
  EXPECT_EQ(RequestAddress(r), "dave@example.com");
  ParseRequest(
      "GET /autodiscover/autodiscover.json/v1.0/eve@example.com?Protocol=x HTTP/1.1\r\n\r\n", &r);
  EXPECT_EQ(RequestAddress(r), "eve@example.com");
}

}  // namespace
}  // namespace mailscout
