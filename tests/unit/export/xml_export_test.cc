// Thunderbird clientConfig and Outlook Autodiscover exports, parsed back with
// tinyxml2 and checked element by element.
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <string>
#include <vector>

#include "export/export_test_util.h"

namespace mailscout {
namespace {

using testing::MakeReport;
using testing::MakeSetting;
using testing::Write;

std::string Text(const tinyxml2::XMLElement* parent, const char* name) {
  if (parent == nullptr) return "<no parent>";
  const tinyxml2::XMLElement* e = parent->FirstChildElement(name);
  if (e == nullptr) return "<missing " + std::string(name) + ">";
  return e->GetText() ? e->GetText() : "";
}

std::vector<const tinyxml2::XMLElement*> Children(const tinyxml2::XMLElement* parent,
                                                  const char* name) {
  std::vector<const tinyxml2::XMLElement*> out;
  for (auto* e = parent->FirstChildElement(name); e; e = e->NextSiblingElement(name)) {
    out.push_back(e);
  }
  return out;
}

TEST(ThunderbirdExportTest, ClientConfigElements) {
  std::string xml = Write(ExportFormat::kThunderbird, MakeReport());
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(xml.c_str()), tinyxml2::XML_SUCCESS) << xml;
  auto* root = doc.RootElement();
  ASSERT_STREQ(root->Name(), "clientConfig");
  EXPECT_STREQ(root->Attribute("version"), "1.1");
  auto* provider = root->FirstChildElement("emailProvider");
  ASSERT_NE(provider, nullptr);
  EXPECT_STREQ(provider->Attribute("id"), "example.com");
  EXPECT_EQ(Text(provider, "domain"), "example.com");
  EXPECT_EQ(Text(provider, "displayName"), "example.com");

  auto incoming = Children(provider, "incomingServer");
  ASSERT_EQ(incoming.size(), 2u);
  EXPECT_STREQ(incoming[0]->Attribute("type"), "imap");
  EXPECT_EQ(Text(incoming[0], "hostname"), "imap.example.com");
  EXPECT_EQ(Text(incoming[0], "port"), "993");
  EXPECT_EQ(Text(incoming[0], "socketType"), "SSL");
  EXPECT_EQ(Text(incoming[0], "username"), "alice@example.com");
  EXPECT_EQ(Text(incoming[0], "authentication"), "password-cleartext");
  EXPECT_EQ(Text(incoming[1], "port"), "143");
  EXPECT_EQ(Text(incoming[1], "socketType"), "STARTTLS");

  auto outgoing = Children(provider, "outgoingServer");
  ASSERT_EQ(outgoing.size(), 2u);
  EXPECT_STREQ(outgoing[0]->Attribute("type"), "smtp");
  EXPECT_EQ(Text(outgoing[0], "hostname"), "smtp.example.com");
  EXPECT_EQ(Text(outgoing[0], "port"), "465");
  EXPECT_EQ(Text(outgoing[0], "socketType"), "SSL");
  EXPECT_EQ(Text(outgoing[1], "socketType"), "STARTTLS");
}

TEST(ThunderbirdExportTest, Pop3PlainAndProviderName) {
  SetupReport report = MakeReport();
  report.recommended.incoming =
      MakeSetting(Protocol::kPop3, "pop.example.com", 110, Security::kPlain, "alice");
  report.recommended.incoming_alternatives.clear();
  report.discovery.provider = ProviderInfo{"examplemail", "Example Mail", "password", "", "", ""};
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(Write(ExportFormat::kThunderbird, report).c_str()), tinyxml2::XML_SUCCESS);
  auto* provider = doc.RootElement()->FirstChildElement("emailProvider");
  EXPECT_STREQ(provider->Attribute("id"), "examplemail");
  EXPECT_EQ(Text(provider, "displayName"), "Example Mail");
  auto* in = provider->FirstChildElement("incomingServer");
  EXPECT_STREQ(in->Attribute("type"), "pop3");
  EXPECT_EQ(Text(in, "socketType"), "plain");
  EXPECT_EQ(Text(in, "username"), "alice");
}

TEST(ThunderbirdExportTest, EscapesSpecialCharacters) {
  SetupReport report = MakeReport();
  const std::string odd = "a<b>&\"c'd";
  report.recommended.incoming->username = odd;
  report.discovery.provider = ProviderInfo{"x\"y", "Fish & <Chips>", "password", "", "", ""};
  std::string xml = Write(ExportFormat::kThunderbird, report);
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(xml.c_str()), tinyxml2::XML_SUCCESS) << xml;
  auto* provider = doc.RootElement()->FirstChildElement("emailProvider");
  EXPECT_STREQ(provider->Attribute("id"), "x\"y");
  EXPECT_EQ(Text(provider, "displayName"), "Fish & <Chips>");
  EXPECT_EQ(Text(provider->FirstChildElement("incomingServer"), "username"), odd);
}

TEST(AutodiscoverExportTest, PoxResponseElements) {
  SetupReport report = MakeReport();
  report.recommended.outgoing =
      MakeSetting(Protocol::kSmtp, "smtp.example.com", 587, Security::kStartTls);
  std::string xml = Write(ExportFormat::kAutodiscover, report);
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(xml.c_str()), tinyxml2::XML_SUCCESS) << xml;
  auto* root = doc.RootElement();
  ASSERT_STREQ(root->Name(), "Autodiscover");
  EXPECT_STREQ(root->Attribute("xmlns"),
               "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006");
  auto* response = root->FirstChildElement("Response");
  ASSERT_NE(response, nullptr);
  EXPECT_STREQ(response->Attribute("xmlns"),
               "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a");
  EXPECT_EQ(Text(response->FirstChildElement("User"), "DisplayName"), "Alice Example");
  auto* account = response->FirstChildElement("Account");
  ASSERT_NE(account, nullptr);
  EXPECT_EQ(Text(account, "AccountType"), "email");
  EXPECT_EQ(Text(account, "Action"), "settings");
  auto protocols = Children(account, "Protocol");
  ASSERT_EQ(protocols.size(), 2u);  // recommendations only

  EXPECT_EQ(Text(protocols[0], "Type"), "IMAP");
  EXPECT_EQ(Text(protocols[0], "Server"), "imap.example.com");
  EXPECT_EQ(Text(protocols[0], "Port"), "993");
  EXPECT_EQ(Text(protocols[0], "LoginName"), "alice@example.com");
  EXPECT_EQ(Text(protocols[0], "SSL"), "on");
  EXPECT_EQ(Text(protocols[0], "Encryption"), "SSL");
  EXPECT_EQ(Text(protocols[0], "SPA"), "off");
  EXPECT_EQ(Text(protocols[0], "AuthRequired"), "on");
  EXPECT_EQ(Text(protocols[0], "DomainRequired"), "off");

  EXPECT_EQ(Text(protocols[1], "Type"), "SMTP");
  EXPECT_EQ(Text(protocols[1], "Port"), "587");
  EXPECT_EQ(Text(protocols[1], "SSL"), "on");
  EXPECT_EQ(Text(protocols[1], "Encryption"), "TLS");  // STARTTLS
}

TEST(AutodiscoverExportTest, Pop3AndPlain) {
  SetupReport report = MakeReport();
  report.recommended.incoming =
      MakeSetting(Protocol::kPop3, "pop.example.com", 110, Security::kPlain, "alice&bob");
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(Write(ExportFormat::kAutodiscover, report).c_str()), tinyxml2::XML_SUCCESS);
  auto* p = doc.RootElement()
                ->FirstChildElement("Response")
                ->FirstChildElement("Account")
                ->FirstChildElement("Protocol");
  EXPECT_EQ(Text(p, "Type"), "POP3");
  EXPECT_EQ(Text(p, "SSL"), "off");
  EXPECT_EQ(Text(p, "Encryption"), "None");
  EXPECT_EQ(Text(p, "LoginName"), "alice&bob");
}

}  // namespace
}  // namespace mailscout
