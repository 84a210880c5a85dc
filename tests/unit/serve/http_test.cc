#include "serve/http.h"

#include <gtest/gtest.h>

namespace mailscout {
namespace {

TEST(ParseRequestTest, WholeGetWithQuery) {
  ServeRequest r;
  std::string data =
      "GET /mail/config-v1.1.xml?emailaddress=a%40b.example HTTP/1.1\r\nHost: x\r\n\r\n";
  ParseOutcome out = ParseRequest(data, &r);
  ASSERT_EQ(out.status, ParseStatus::kComplete);
  EXPECT_EQ(out.consumed, data.size());
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/mail/config-v1.1.xml");
  EXPECT_EQ(FormValue(r.query, "emailaddress").value(), "a@b.example");
  EXPECT_EQ(r.Header("host").value(), "x");
  EXPECT_TRUE(r.keep_alive);
}

TEST(ParseRequestTest, IncompleteUntilTheBodyIsThere) {
  ServeRequest r;
  std::string head = "POST /autodiscover/autodiscover.xml HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
  EXPECT_EQ(ParseRequest(head.substr(0, 20), &r).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseRequest(head + "abc", &r).status, ParseStatus::kIncomplete);
  ParseOutcome out = ParseRequest(head + "abcdeGET", &r);
  ASSERT_EQ(out.status, ParseStatus::kComplete);
  EXPECT_EQ(r.body, "abcde");
  EXPECT_EQ(out.consumed, head.size() + 5);  // the pipelined "GET" stays
}

TEST(ParseRequestTest, BareLineFeedsAndHttp10) {
  ServeRequest r;
  ASSERT_EQ(ParseRequest("GET / HTTP/1.0\nHost: a\n\n", &r).status, ParseStatus::kComplete);
  EXPECT_FALSE(r.keep_alive);
  ASSERT_EQ(ParseRequest("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r).status,
            ParseStatus::kComplete);
  EXPECT_TRUE(r.keep_alive);
  ASSERT_EQ(ParseRequest("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &r).status,
            ParseStatus::kComplete);
  EXPECT_FALSE(r.keep_alive);
}

int ErrorStatus(const std::string& data) {
  ServeRequest r;
  ParseOutcome out = ParseRequest(data, &r);
  return out.status == ParseStatus::kError ? out.error_status : 0;
}

TEST(ParseRequestTest, LimitsAndMalformedRequests) {
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n"), 413);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nX: " + std::string(17000, 'a')), 431);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nX: " + std::string(17000, 'a') + "\r\n\r\n"), 431);
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 70; ++i) many += "X" + std::to_string(i) + ": y\r\n";
  EXPECT_EQ(ErrorStatus(many + "\r\n"), 431);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 501);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/2.0\r\n\r\n"), 505);
  EXPECT_EQ(ErrorStatus("GET  / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\n folded: x\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nNo colon\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("G(T / HTTP/1.1\r\n\r\n"), 400);
}

TEST(ParseRequestTest, AbsoluteFormTargetsKeepThePathAndNameTheHost) {
  ServeRequest r;
  ASSERT_EQ(
      ParseRequest(
          "GET https://autoconfig.example.com/mail/config-v1.1.xml?emailaddress=a HTTP/1.1\r\n"
          "Host: other\r\n\r\n",
          &r)
          .status,
      ParseStatus::kComplete);
  EXPECT_EQ(r.path, "/mail/config-v1.1.xml");
  EXPECT_EQ(r.query, "emailaddress=a");
  EXPECT_EQ(r.Header("host").value(), "autoconfig.example.com");
  ASSERT_EQ(ParseRequest("GET HTTP://h.example?x=1 HTTP/1.1\r\n\r\n", &r).status,
            ParseStatus::kComplete);
  EXPECT_EQ(r.path, "/");
  EXPECT_EQ(r.query, "x=1");
  EXPECT_EQ(ErrorStatus("GET ftp://h/ HTTP/1.1\r\n\r\n"), 400);
}

TEST(PercentTest, DecodesAndDropsNul) {
  EXPECT_EQ(PercentDecode("a%40b+c", true), "a@b c");
  EXPECT_EQ(PercentDecode("a%40b+c", false), "a@b+c");
  EXPECT_EQ(PercentDecode("%zz%4", true), "%zz%4");
  EXPECT_EQ(PercentDecode("a%00b", true), "ab");
  EXPECT_EQ(PercentEncode("a b@c/d"), "a%20b@c%2Fd");
}

TEST(FormValueTest, FirstMatchCaseInsensitive) {
  EXPECT_EQ(FormValue("Email=x%40y&email=z", "email").value(), "x@y");
  EXPECT_EQ(FormValue("a&b=", "a").value(), "");
  EXPECT_FALSE(FormValue("a=1", "b").has_value());
}

TEST(SerializeTest, HeadersLengthAndHead) {
  ServeResponse r = ServeResponse::Text(404, "nope");
  std::string full = SerializeResponse(r, true, false);
  EXPECT_EQ(full.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0U);
  EXPECT_NE(full.find("Content-Length: 5\r\n"), std::string::npos);
  EXPECT_NE(full.find("Connection: keep-alive\r\n\r\nnope\n"), std::string::npos);
  std::string head = SerializeResponse(r, false, true);
  EXPECT_NE(head.find("Content-Length: 5\r\n"), std::string::npos);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
}

TEST(HtmlEscapeTest, EscapesMarkup) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

}  // namespace
}  // namespace mailscout
