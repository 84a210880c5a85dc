// OAuthClient against a scripted authorization server: metadata discovery
// (RFC 8414 path rules, OpenID fallback, issuer check), the device flow's
// polling rules (RFC 8628 §3.5), the loopback flow with PKCE over a real
// 127.0.0.1 socket, refresh, and the token helpers.
#include "oauth/oauth.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <functional>
#include <map>
#include <regex>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "protocols/base64.h"

namespace mailscout {
namespace {

// Answers by "METHOD URL"; a queue per key, the last answer repeating.
class ScriptedHttp : public HttpClient {
 public:
  std::map<std::string, std::deque<HttpResponse>> answers;
  std::vector<HttpRequest> requests;
  std::function<void(const HttpRequest&)> on_request;

  void Answer(const std::string& key, int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.https = true;
    answers[key].push_back(r);
  }

  Result<HttpResponse> Fetch(const HttpRequest& request, Deadline) override {
    requests.push_back(request);
    if (on_request) on_request(request);
    auto it = answers.find(request.method + " " + request.url);
    if (it == answers.end() || it->second.empty()) {
      HttpResponse missing;
      missing.status = 404;
      return missing;
    }
    HttpResponse r = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    return r;
  }
};

// A JWT-shaped token with the given exp (signature not checked by anyone).
std::string Jwt(int64_t exp) {
  auto url = [](std::string b64) {
    for (char& c : b64) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    return b64;
  };
  return url(Base64Encode(R"({"alg":"HS256","typ":"JWT"})")) + "." +
         url(Base64Encode(R"({"sub":"alice","exp":)" + std::to_string(exp) + "}")) + ".c2ln";
}

struct Recorder {
  std::vector<std::string> lines;
  std::vector<int64_t> waits;
  OAuthClient::Say say() {
    return [this](const std::string& l) { lines.push_back(l); };
  }
  OAuthClient::Sleep sleep() {
    return [this](Millis wait, Deadline deadline) {
      if (deadline.remaining() < wait) return false;
      waits.push_back(wait.count());
      return true;
    };
  }
};

OAuthSignIn DeviceRequest() {
  OAuthSignIn r;
  r.endpoints = {"https://auth.example", "https://auth.example/authorize",
                 "https://auth.example/token", "https://auth.example/device"};
  r.client_id = "client-1";
  r.scope = "imap offline_access";
  r.flow = OAuthFlow::kDevice;
  return r;
}

constexpr const char* kDeviceAnswer =
    R"({"device_code":"DEV","user_code":"ABCD-EFGH","verification_uri":"https://auth.example/device",)"
    R"("verification_uri_complete":"https://auth.example/device?c=ABCD-EFGH","expires_in":600,"interval":2})";

TEST(OAuthTest, PkceChallengeMatchesRfc7636AppendixB) {
  EXPECT_EQ(PkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(OAuthTest, JwtExpiryReadsTheExpClaimOnly) {
  EXPECT_EQ(JwtExpiry(Jwt(1700000000)), 1700000000);
  EXPECT_FALSE(JwtExpiry("opaque-token").has_value());
  EXPECT_FALSE(JwtExpiry("a.b").has_value());
  EXPECT_FALSE(JwtExpiry("a.!!!.c").has_value());
}

TEST(OAuthTest, DiscoverInsertsWellKnownBeforeTheIssuerPath) {
  ScriptedHttp http;
  http.Answer(
      "GET https://auth.example/.well-known/oauth-authorization-server/tenant", 200,
      R"({"issuer":"https://auth.example/tenant","token_endpoint":"https://auth.example/t",)"
      R"("authorization_endpoint":"https://auth.example/a",)"
      R"("device_authorization_endpoint":"https://auth.example/d"})");
  Recorder rec;
  OAuthClient client(http, rec.say(), rec.sleep());
  Result<OAuthEndpoints> e =
      client.Discover("https://auth.example/tenant/", Deadline::AfterMs(1000));
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->token, "https://auth.example/t");
  EXPECT_EQ(e->authorization, "https://auth.example/a");
  EXPECT_EQ(e->device, "https://auth.example/d");
}

TEST(OAuthTest, DiscoverFallsBackToOpenIdConfiguration) {
  ScriptedHttp http;
  http.Answer("GET https://auth.example/oidc/.well-known/openid-configuration", 200,
              R"({"issuer":"https://auth.example/oidc","token_endpoint":"https://auth.example/t",)"
              R"("authorization_endpoint":"https://auth.example/a"})");
  Recorder rec;
  OAuthClient client(http, rec.say(), rec.sleep());
  Result<OAuthEndpoints> e = client.Discover("https://auth.example/oidc", Deadline::AfterMs(1000));
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(http.requests.size(), 2u);
  EXPECT_TRUE(e->device.empty());
}

TEST(OAuthTest, DiscoverRefusesMetadataOfAnotherIssuer) {
  ScriptedHttp http;
  http.Answer("GET https://auth.example/.well-known/oauth-authorization-server", 200,
              R"({"issuer":"https://evil.example","token_endpoint":"https://evil.example/t"})");
  Recorder rec;
  OAuthClient client(http, rec.say(), rec.sleep());
  Result<OAuthEndpoints> e = client.Discover("https://auth.example", Deadline::AfterMs(1000));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("evil.example"), std::string::npos);
  EXPECT_EQ(client.Discover("http://auth.example", Deadline::AfterMs(1000)).error().kind,
            ErrorKind::kUsage);
}

TEST(OAuthTest, DeviceFlowPollsAtTheIntervalAndGrowsItOnSlowDown) {
  ScriptedHttp http;
  http.Answer("POST https://auth.example/device", 200, kDeviceAnswer);
  http.Answer("POST https://auth.example/token", 400, R"({"error":"authorization_pending"})");
  http.Answer("POST https://auth.example/token", 400, R"({"error":"slow_down"})");
  http.Answer("POST https://auth.example/token", 400, R"({"error":"authorization_pending"})");
  const int64_t exp = 4102444800;  // 2100-01-01
  http.Answer("POST https://auth.example/token", 200,
              R"({"access_token":")" + Jwt(exp) +
                  R"(","refresh_token":"R1","token_type":"Bearer","expires_in":3600})");
  Recorder rec;
  OAuthClient client(http, rec.say(), rec.sleep());
  Result<OAuthToken> token = client.SignIn(DeviceRequest(), Deadline::AfterMs(60000));
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token->refresh_token, "R1");
  EXPECT_EQ(token->expires_at, exp);  // the JWT's own claim wins over expires_in
  EXPECT_EQ(rec.waits, (std::vector<int64_t>{2000, 2000, 7000, 7000}));
  ASSERT_GE(rec.lines.size(), 1u);
  EXPECT_EQ(rec.lines[0],
            "oauth: to sign in, open https://auth.example/device and enter the code ABCD-EFGH");
  EXPECT_EQ(http.requests[0].body, "client_id=client-1&scope=imap%20offline_access");
  EXPECT_NE(http.requests[1].body.find("device_code=DEV"), std::string::npos);
  for (const std::string& line : rec.lines) EXPECT_EQ(line.find(Jwt(exp)), std::string::npos);
}

TEST(OAuthTest, DeviceFlowReportsDenialAndExpiry) {
  for (auto [answer, reason] : std::vector<std::pair<std::string, std::string>>{
           {"access_denied", "oauth-denied"}, {"expired_token", "oauth-expired"}}) {
    ScriptedHttp http;
    http.Answer("POST https://auth.example/device", 200, kDeviceAnswer);
    http.Answer("POST https://auth.example/token", 400, R"({"error":")" + answer + "\"}");
    Recorder rec;
    OAuthClient client(http, rec.say(), rec.sleep());
    Result<OAuthToken> token = client.SignIn(DeviceRequest(), Deadline::AfterMs(60000));
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.error().kind, ErrorKind::kAuth);
    EXPECT_EQ(token.error().reason, reason);
  }
}

TEST(OAuthTest, DeviceFlowEndsWhenTheCodeExpiresWithoutAnswer) {
  ScriptedHttp http;
  http.Answer("POST https://auth.example/device", 200,
              R"({"device_code":"D","user_code":"U-1","verification_uri":"https://a.example/d",)"
              R"("expires_in":5,"interval":2})");
  http.Answer("POST https://auth.example/token", 400, R"({"error":"authorization_pending"})");
  Recorder rec;
  // A real clock: 5 s of expiry at 2 s intervals must end after two polls.
  OAuthClient client(http, rec.say(), [&](Millis wait, Deadline deadline) {
    if (deadline.remaining() < wait) return false;
    rec.waits.push_back(wait.count());
    return rec.waits.size() < 3;  // the third wait would pass the expiry
  });
  Result<OAuthToken> token = client.SignIn(DeviceRequest(), Deadline::AfterMs(60000));
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().reason, "oauth-expired");
}

// The person's browser: follows the authorization URL's redirect_uri with
// the state it was given, after a stray request the client must ignore.
void ActAsBrowser(const std::string& url, const std::string& code) {
  std::smatch port, state;
  ASSERT_TRUE(std::regex_search(url, port,
                                std::regex("redirect_uri=http%3A%2F%2F127\\.0\\.0\\.1%3A(\\d+)")));
  ASSERT_TRUE(std::regex_search(url, state, std::regex("[?&]state=([^&]+)")));
  for (const std::string& target :
       {std::string("/favicon.ico"), "/?code=" + code + "&state=" + state[1].str()}) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(port[1].str())));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    char buffer[512];
    ASSERT_GT(::recv(fd, buffer, sizeof buffer, 0), 0);
    ::close(fd);
  }
}

TEST(OAuthTest, LoopbackFlowExchangesTheCodeWithTheVerifier) {
  ScriptedHttp http;
  http.Answer("POST https://auth.example/token", 200,
              R"({"access_token":"A1","refresh_token":"R1","expires_in":60})");
  std::string challenge;
  Recorder rec;
  std::thread browser;
  OAuthClient client(
      http,
      [&](const std::string& line) {
        rec.lines.push_back(line);
        const std::string prefix = "oauth: to sign in, open this URL: ";
        if (line.rfind(prefix, 0) == 0) {
          std::smatch m;
          const std::string url = line.substr(prefix.size());
          if (std::regex_search(url, m, std::regex("code_challenge=([^&]+)"))) challenge = m[1];
          browser = std::thread(ActAsBrowser, url, "C0DE");
        }
      },
      rec.sleep(), [](const std::string&) { return false; });
  OAuthSignIn request = DeviceRequest();
  request.flow = OAuthFlow::kLoopback;
  Result<OAuthToken> token = client.SignIn(request, Deadline::AfterMs(10000));
  if (browser.joinable()) browser.join();
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token->access_token, "A1");
  ASSERT_EQ(http.requests.size(), 1u);
  const std::string& body = http.requests[0].body;
  std::smatch verifier;
  ASSERT_TRUE(std::regex_search(body, verifier, std::regex("code_verifier=([^&]+)")));
  EXPECT_EQ(PkceChallenge(verifier[1].str()), challenge);
  EXPECT_NE(body.find("grant_type=authorization_code&code=C0DE"), std::string::npos);
}

TEST(OAuthTest, LoopbackFlowTimesOutWithoutARedirect) {
  ScriptedHttp http;
  Recorder rec;
  OAuthClient client(http, rec.say(), rec.sleep(), [](const std::string&) { return false; });
  OAuthSignIn request = DeviceRequest();
  request.flow = OAuthFlow::kLoopback;
  Result<OAuthToken> token = client.SignIn(request, Deadline::AfterMs(300));
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().kind, ErrorKind::kTimeout);
}

TEST(OAuthTest, RefreshKeepsTheOldRefreshTokenUnlessRotated) {
  ScriptedHttp http;
  http.Answer("POST https://auth.example/token", 200, R"({"access_token":"A2"})");
  http.Answer("POST https://auth.example/token", 400, R"({"error":"invalid_grant"})");
  Recorder rec;
  OAuthClient client(http, rec.say(), rec.sleep());
  Result<OAuthToken> token = client.Refresh(DeviceRequest(), "R1", Deadline::AfterMs(1000));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->refresh_token, "R1");
  Result<OAuthToken> refused = client.Refresh(DeviceRequest(), "R1", Deadline::AfterMs(1000));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().reason, "oauth-refresh-refused");
}

}  // namespace
}  // namespace mailscout
