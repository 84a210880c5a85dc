#include "discover/http_fetch.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace mailscout {
namespace {

HttpRequest Get(const std::string& url) {
  HttpRequest r;
  r.url = url;
  return r;
}

TEST(HttpFetch, FollowsRelativeAndAbsoluteRedirects) {
  FakeHttp http;
  auto& a = http.answers["https://a.example/start"];
  a.status = 301;
  a.headers["location"] = "/next";
  auto& b = http.answers["https://a.example/next"];
  b.status = 302;
  b.headers["location"] = "https://b.example/final";
  http.answers["https://b.example/final"].body = "done";
  auto out =
      FetchFollowing(http, Get("https://a.example/start"), Deadline::AfterMs(1000), 500, 5, false);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->response.body, "done");
  EXPECT_EQ(out->final_url, "https://b.example/final");
  EXPECT_EQ(out->hops.size(), 3u);
  EXPECT_TRUE(out->all_https);
}

TEST(HttpFetch, HttpHopMakesItUnauthenticated) {
  FakeHttp http;
  auto& a = http.answers["http://a.example/start"];
  a.status = 302;
  a.headers["location"] = "https://a.example/x";
  http.answers["https://a.example/x"].body = "x";
  auto out =
      FetchFollowing(http, Get("http://a.example/start"), Deadline::AfterMs(1000), 500, 5, false);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->all_https);
}

TEST(HttpFetch, RefusesDowngradeLoopsAndTooMany) {
  FakeHttp http;
  auto& down = http.answers["https://d.example/"];
  down.status = 302;
  down.headers["location"] = "http://d.example/";
  EXPECT_FALSE(
      FetchFollowing(http, Get("https://d.example/"), Deadline::AfterMs(1000), 500, 5, false).ok());
  auto& loop = http.answers["https://l.example/"];
  loop.status = 302;
  loop.headers["location"] = "https://l.example/";
  auto looped =
      FetchFollowing(http, Get("https://l.example/"), Deadline::AfterMs(1000), 500, 5, false);
  ASSERT_FALSE(looped.ok());
  EXPECT_NE(looped.error().message.find("loop"), std::string::npos);
  for (int i = 0; i < 10; ++i) {
    auto& r = http.answers["https://m.example/" + std::to_string(i)];
    r.status = 307;
    r.headers["location"] = "https://m.example/" + std::to_string(i + 1);
  }
  auto many =
      FetchFollowing(http, Get("https://m.example/0"), Deadline::AfterMs(1000), 500, 3, false);
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.error().message.find("more than 3"), std::string::npos);
  EXPECT_FALSE(
      FetchFollowing(http, Get("http://x.example/"), Deadline::AfterMs(1000), 500, 3, true).ok());
}

TEST(HttpFetch, UrlHelpers) {
  EXPECT_EQ(UrlEncode("alice+x@example.com"), "alice%2Bx%40example.com");
  EXPECT_EQ(UrlHost("https://Autoconfig.Example.COM:8443/x"), "autoconfig.example.com");
  EXPECT_TRUE(IsHttpsUrl("HTTPS://x"));
  EXPECT_FALSE(IsHttpsUrl("http://x"));
  EXPECT_EQ(ResolveLocation("https://a.example/b/c", "d"), "https://a.example/b/d");
  EXPECT_FALSE(ResolveLocation("https://a.example/", "ftp://x.example/").has_value());
  EXPECT_FALSE(ResolveLocation("https://a.example/", "").has_value());
}

}  // namespace
}  // namespace mailscout
