#include "oauth/oauth.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>
#include <vector>

#include "discover/http_fetch.h"
#include "net/http_client.h"
#include "protocols/base64.h"
#include "serve/http.h"

extern char** environ;

namespace mailscout {

namespace {

constexpr size_t kMaxOAuthBody = 64 * 1024;
constexpr Millis kHttpBudget{15000};
// RFC 8628 §3.5: on slow_down the interval grows by 5 seconds.
constexpr Millis kSlowDownStep{5000};
constexpr Millis kDefaultInterval{5000};
constexpr Millis kMaxInterval{60000};
constexpr size_t kMaxRedirectRequest = 8 * 1024;

Error Failed(std::string reason, std::string message) {
  Error e = Error::Make(ErrorKind::kAuth, std::move(message), {}, Phase::kAuth);
  e.reason = std::move(reason);
  return e;
}

Error Bad(std::string message) { return Error::Make(ErrorKind::kProtocol, std::move(message)); }

bool IsHttps(std::string_view url) { return url.rfind("https://", 0) == 0 && url.size() > 8; }

// RFC 4648 §5 (URL and file name safe alphabet, no padding), as PKCE and JWTs
// use it, through the standard Base64 of protocols/base64.h.
std::string Base64Url(const unsigned char* data, size_t size) {
  std::string out = Base64Encode(std::string_view(reinterpret_cast<const char*>(data), size));
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (standard.size() % 4 != 0) standard += '=';
  return Base64Decode(standard);
}

std::string RandomToken(size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) {
    // OpenSSL's generator failing is not something to work around quietly.
    std::abort();
  }
  return Base64Url(buffer.data(), buffer.size());
}

int64_t UnixNow() { return static_cast<int64_t>(std::time(nullptr)); }

// The JSON object of a body, or nullptr.
Poco::JSON::Object::Ptr ParseObject(const std::string& body) {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(body);
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) return nullptr;
    return v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    return nullptr;
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::string StringField(const Poco::JSON::Object::Ptr& o, const std::string& name) {
  if (o.isNull() || !o->has(name)) return {};
  try {
    Poco::Dynamic::Var v = o->get(name);
    if (v.isString()) return v.extract<std::string>();
    if (v.isNumeric()) return v.convert<std::string>();
  } catch (const Poco::Exception&) {
  }
  return {};
}

std::optional<int64_t> NumberField(const Poco::JSON::Object::Ptr& o, const std::string& name) {
  if (o.isNull() || !o->has(name)) return std::nullopt;
  try {
    Poco::Dynamic::Var v = o->get(name);
    if (v.isNumeric() || v.isString()) return v.convert<int64_t>();
  } catch (const Poco::Exception&) {
  }
  return std::nullopt;
}

// Printable ASCII only, bounded: a server's error text goes into messages.
std::string Clean(std::string text, size_t limit = 200) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = ' ';
  }
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

std::string ServerError(const Poco::JSON::Object::Ptr& o, const std::string& code) {
  std::string description = Clean(StringField(o, "error_description"));
  return description.empty() ? code : code + " (" + description + ")";
}

// The origin ("https://host[:port]") and path ("/x/y", no trailing slash) of
// an https URL.
bool SplitUrl(const std::string& url, std::string* origin, std::string* path) {
  if (!IsHttps(url)) return false;
  const size_t slash = url.find('/', 8);
  *origin = slash == std::string::npos ? url : url.substr(0, slash);
  *path = slash == std::string::npos ? std::string() : url.substr(slash);
  while (!path->empty() && path->back() == '/') path->pop_back();
  return origin->size() > 8 && origin->find_first_of("?#") == std::string::npos;
}

// Reads one HTTP request head from a connected socket, by the deadline.
std::string ReadRequestHead(int fd, Deadline deadline) {
  std::string head;
  char buffer[2048];
  while (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos &&
         head.size() < kMaxRedirectRequest) {
    pollfd p{fd, POLLIN, 0};
    const int64_t wait = deadline.remaining_ms();
    if (wait <= 0 || ::poll(&p, 1, static_cast<int>(std::min<int64_t>(wait, 1000))) < 0) break;
    if ((p.revents & POLLIN) == 0) continue;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    head.append(buffer, static_cast<size_t>(n));
  }
  return head;
}

void SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

// The value of one query parameter of a request target ("/?a=1&b=2").
std::optional<std::string> QueryParam(std::string_view target, std::string_view name) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  return FormValue(target.substr(q + 1), name);
}

std::string PageResponse(int status, const std::string& text) {
  const std::string body =
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>mailscout</title></head>"
      "<body><p>" +
      text + "</p></body></html>\n";
  return "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
         "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) +
         "\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: "
         "close\r\n\r\n" +
         body;
}

// A listening socket on 127.0.0.1, closed on destruction.
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~LoopbackListener() {
    if (fd_ >= 0) ::close(fd_);
  }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  bool ok() const { return fd_ >= 0; }
  uint16_t port() const { return port_; }

  // The next connection, or -1 when the deadline passed.
  int Accept(Deadline deadline) const {
    while (!deadline.expired()) {
      pollfd p{fd_, POLLIN, 0};
      const int n =
          ::poll(&p, 1, static_cast<int>(std::min<int64_t>(deadline.remaining_ms(), 1000)));
      if (n < 0 && errno != EINTR) return -1;
      if (n > 0) {
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) return c;
      }
    }
    return -1;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

bool DefaultSleep(Millis wait, Deadline deadline) {
  if (deadline.remaining() < wait) return false;
  std::this_thread::sleep_for(wait);
  return true;
}

}  // namespace

std::string PkceChallenge(std::string_view verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return Base64Url(digest, sizeof digest);
}

std::optional<int64_t> JwtExpiry(std::string_view token) {
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.size() > 16 * 1024) return std::nullopt;
  std::optional<std::string> payload = Base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  return NumberField(ParseObject(*payload), "exp");
}

bool OpenSystemBrowser(const std::string& url) {
  std::vector<std::string> argv;
  if (const char* browser = std::getenv("BROWSER"); browser != nullptr && *browser != '\0') {
    argv = {browser, url};
  } else if (std::getenv("DISPLAY") != nullptr || std::getenv("WAYLAND_DISPLAY") != nullptr) {
    argv = {"xdg-open", url};
  } else {
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  // xdg-open returns at once; a browser named by $BROWSER may run for long:
  // reap it without waiting.
  std::thread([pid] { ::waitpid(pid, nullptr, 0); }).detach();
  return true;
}

OAuthClient::OAuthClient(HttpClient& http, Say say, Sleep sleep, OpenBrowser browser)
    : http_(http),
      say_(std::move(say)),
      sleep_(sleep ? std::move(sleep) : Sleep(DefaultSleep)),
      browser_(browser ? std::move(browser) : OpenBrowser(OpenSystemBrowser)) {}

Result<OAuthEndpoints> OAuthClient::Discover(const std::string& issuer_url, Deadline deadline) {
  std::string origin, path;
  if (!SplitUrl(issuer_url, &origin, &path)) {
    return Error::Make(ErrorKind::kUsage,
                       "the OAuth issuer must be an https URL without query, e.g. "
                       "https://login.example.com (got '" +
                           Clean(issuer_url) + "')");
  }
  const std::string issuer = origin + path;
  const std::vector<std::string> urls = {origin + "/.well-known/oauth-authorization-server" + path,
                                         issuer + "/.well-known/openid-configuration"};
  std::string tried;
  for (const std::string& url : urls) {
    HttpRequest request;
    request.url = url;
    request.max_body_bytes = kMaxOAuthBody;
    Result<HttpResponse> response = http_.Fetch(request, deadline.Cap(kHttpBudget));
    if (!response.ok()) {
      if (response.error().kind != ErrorKind::kProtocol) return response.error();
      tried += "; " + url + ": " + response.error().message;
      continue;
    }
    if (response->status != 200) {
      tried += "; " + url + ": HTTP " + std::to_string(response->status);
      continue;
    }
    Poco::JSON::Object::Ptr o = ParseObject(response->body);
    if (o.isNull()) {
      tried += "; " + url + ": not a JSON object";
      continue;
    }
    std::string said = StringField(o, "issuer");
    while (!said.empty() && said.back() == '/') said.pop_back();
    if (said != issuer) {
      // RFC 8414 §3.3: a document for another issuer must not be used.
      tried += "; " + url + ": it names the issuer '" + Clean(said) + "'";
      continue;
    }
    OAuthEndpoints endpoints;
    endpoints.issuer = issuer;
    endpoints.authorization = StringField(o, "authorization_endpoint");
    endpoints.token = StringField(o, "token_endpoint");
    endpoints.device = StringField(o, "device_authorization_endpoint");
    if (!IsHttps(endpoints.token)) {
      tried += "; " + url + ": no https token_endpoint";
      continue;
    }
    if (!endpoints.authorization.empty() && !IsHttps(endpoints.authorization)) {
      endpoints.authorization.clear();
    }
    if (!endpoints.device.empty() && !IsHttps(endpoints.device)) endpoints.device.clear();
    return endpoints;
  }
  return Bad("no usable OAuth metadata for " + issuer + tried);
}

Result<OAuthToken> OAuthClient::SignIn(const OAuthSignIn& request, Deadline deadline) {
  if (request.client_id.empty()) return Error::Make(ErrorKind::kUsage, "no OAuth client id");
  if (!IsHttps(request.endpoints.token)) {
    return Error::Make(ErrorKind::kUsage, "the OAuth token endpoint must be an https URL");
  }
  if (request.flow == OAuthFlow::kDevice) {
    if (!IsHttps(request.endpoints.device)) {
      return Error::Make(ErrorKind::kUsage,
                         request.endpoints.issuer +
                             " has no device authorization endpoint: use --oauth-flow loopback");
    }
    return DeviceFlow(request, deadline);
  }
  if (!IsHttps(request.endpoints.authorization)) {
    return Error::Make(
        ErrorKind::kUsage,
        request.endpoints.issuer + " has no authorization endpoint: use --oauth-flow device");
  }
  return LoopbackFlow(request, deadline);
}

Result<OAuthToken> OAuthClient::TokenRequest(const std::string& token_url, const std::string& form,
                                             Deadline deadline, std::string* error_code) {
  error_code->clear();
  HttpRequest request;
  request.method = "POST";
  request.url = token_url;
  request.body = form;
  request.content_type = "application/x-www-form-urlencoded";
  request.max_body_bytes = kMaxOAuthBody;
  Result<HttpResponse> response = http_.Fetch(request, deadline.Cap(kHttpBudget));
  if (!response.ok()) return response.error();
  Poco::JSON::Object::Ptr o = ParseObject(response->body);
  if (response->status == 200) {
    OAuthToken token;
    token.access_token = StringField(o, "access_token");
    if (token.access_token.empty()) {
      return Bad("the token endpoint answered 200 without an access_token");
    }
    token.refresh_token = StringField(o, "refresh_token");
    token.scope = StringField(o, "scope");
    token.expires_at = JwtExpiry(token.access_token);
    if (!token.expires_at) {
      if (std::optional<int64_t> in = NumberField(o, "expires_in")) {
        token.expires_at = UnixNow() + *in;
      }
    }
    return token;
  }
  *error_code = Clean(StringField(o, "error"), 64);
  if (error_code->empty()) {
    return Bad("the token endpoint answered HTTP " + std::to_string(response->status) +
               " without an OAuth error");
  }
  return Failed("oauth-failed", "the token endpoint refused: " + ServerError(o, *error_code));
}

Result<OAuthToken> OAuthClient::DeviceFlow(const OAuthSignIn& request, Deadline deadline) {
  HttpRequest start;
  start.method = "POST";
  start.url = request.endpoints.device;
  start.body = "client_id=" + UrlEncode(request.client_id) + "&scope=" + UrlEncode(request.scope);
  start.content_type = "application/x-www-form-urlencoded";
  start.max_body_bytes = kMaxOAuthBody;
  Result<HttpResponse> response = http_.Fetch(start, deadline.Cap(kHttpBudget));
  if (!response.ok()) return response.error();
  Poco::JSON::Object::Ptr o = ParseObject(response->body);
  if (response->status != 200) {
    const std::string code = Clean(StringField(o, "error"), 64);
    if (code.empty()) {
      return Bad("the device authorization endpoint answered HTTP " +
                 std::to_string(response->status));
    }
    return Failed(code == "access_denied" ? "oauth-denied" : "oauth-failed",
                  "the device authorization endpoint refused: " + ServerError(o, code));
  }
  const std::string device_code = StringField(o, "device_code");
  const std::string user_code = Clean(StringField(o, "user_code"), 64);
  // Google's early endpoint said verification_url.
  std::string uri = StringField(o, "verification_uri");
  if (uri.empty()) uri = StringField(o, "verification_url");
  uri = Clean(uri, 2048);
  if (device_code.empty() || user_code.empty() || !IsHttps(uri)) {
    return Bad(
        "the device authorization answer lacks device_code, user_code or an https "
        "verification_uri");
  }
  Millis interval = kDefaultInterval;
  if (std::optional<int64_t> seconds = NumberField(o, "interval"); seconds && *seconds > 0) {
    interval = std::min(Millis(*seconds * 1000), kMaxInterval);
  }
  Deadline expiry = deadline;
  if (std::optional<int64_t> seconds = NumberField(o, "expires_in"); seconds && *seconds > 0) {
    expiry = Deadline::Earliest(deadline, Deadline::After(Millis(*seconds * 1000)));
  }
  say_("oauth: to sign in, open " + uri + " and enter the code " + user_code);
  const std::string complete = Clean(StringField(o, "verification_uri_complete"), 2048);
  if (IsHttps(complete)) say_("oauth: or open " + complete);

  const std::string form =
      "grant_type=" + UrlEncode("urn:ietf:params:oauth:grant-type:device_code") +
      "&device_code=" + UrlEncode(device_code) + "&client_id=" + UrlEncode(request.client_id);
  while (true) {
    if (!sleep_(interval, expiry)) {
      if (expiry.at() < deadline.at()) {
        return Failed("oauth-expired",
                      "the sign-in code " + user_code + " expired before the sign-in was finished");
      }
      return Error::Make(ErrorKind::kTimeout,
                         "the OAuth sign-in was not finished in time (waiting for the code " +
                             user_code + " to be entered)",
                         {}, Phase::kAuth);
    }
    std::string code;
    Result<OAuthToken> token = TokenRequest(request.endpoints.token, form, deadline, &code);
    if (token.ok()) return token;
    if (code == "authorization_pending") continue;
    if (code == "slow_down") {
      interval = std::min(interval + kSlowDownStep, kMaxInterval);
      continue;
    }
    if (code == "expired_token") {
      return Failed("oauth-expired",
                    "the sign-in code " + user_code + " expired before the sign-in was finished");
    }
    if (code == "access_denied") {
      return Failed("oauth-denied", "the sign-in was refused (access_denied)");
    }
    return token.error();
  }
}

Result<OAuthToken> OAuthClient::LoopbackFlow(const OAuthSignIn& request, Deadline deadline) {
  LoopbackListener listener;
  if (!listener.ok()) {
    return Error::Make(ErrorKind::kRefused, "cannot listen on 127.0.0.1 for the OAuth redirect: " +
                                                std::string(std::strerror(errno)));
  }
  const std::string redirect_uri = "http://127.0.0.1:" + std::to_string(listener.port()) + "/";
  const std::string verifier = RandomToken(48);
  const std::string state = RandomToken(24);
  const std::string& endpoint = request.endpoints.authorization;
  std::string url = endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") +
                    "response_type=code&client_id=" + UrlEncode(request.client_id) +
                    "&redirect_uri=" + UrlEncode(redirect_uri) +
                    "&scope=" + UrlEncode(request.scope) + "&state=" + UrlEncode(state) +
                    "&code_challenge=" + UrlEncode(PkceChallenge(verifier)) +
                    "&code_challenge_method=S256";
  if (!request.login_hint.empty()) url += "&login_hint=" + UrlEncode(request.login_hint);
  say_("oauth: to sign in, open this URL: " + url);
  if (browser_(url)) say_("oauth: a browser was opened on it");

  std::string code;
  while (code.empty()) {
    const int fd = listener.Accept(deadline);
    if (fd < 0) {
      return Error::Make(
          ErrorKind::kTimeout,
          "the OAuth sign-in was not finished in time (no redirect reached " + redirect_uri + ")",
          {}, Phase::kAuth);
    }
    const std::string head = ReadRequestHead(fd, deadline.Cap(Millis(10000)));
    // "GET /?code=...&state=... HTTP/1.1"
    std::string target;
    if (head.rfind("GET ", 0) == 0) {
      const size_t end = head.find(' ', 4);
      if (end != std::string::npos) target = head.substr(4, end - 4);
    }
    std::optional<std::string> got_state = QueryParam(target, "state");
    if (!got_state || *got_state != state) {
      // A browser's favicon request, a stray visitor, or a forged redirect.
      SendAll(fd, PageResponse(404, "Not the sign-in redirect mailscout is waiting for."));
      ::close(fd);
      continue;
    }
    if (std::optional<std::string> error = QueryParam(target, "error")) {
      SendAll(fd, PageResponse(200, "The sign-in was not completed. You can close this window."));
      ::close(fd);
      const std::string description = Clean(QueryParam(target, "error_description").value_or(""));
      const std::string what =
          Clean(*error, 64) + (description.empty() ? "" : " (" + description + ")");
      return Failed(*error == "access_denied" ? "oauth-denied" : "oauth-failed",
                    "the sign-in was refused: " + what);
    }
    code = QueryParam(target, "code").value_or("");
    SendAll(fd, PageResponse(200, code.empty() ? "No authorization code came back."
                                               : "Signed in. You can close this window and "
                                                 "return to mailscout."));
    ::close(fd);
    if (code.empty()) return Bad("the sign-in redirect carried no authorization code");
  }
  const std::string form = "grant_type=authorization_code&code=" + UrlEncode(code) +
                           "&redirect_uri=" + UrlEncode(redirect_uri) +
                           "&client_id=" + UrlEncode(request.client_id) +
                           "&code_verifier=" + UrlEncode(verifier);
  std::string error_code;
  return TokenRequest(request.endpoints.token, form, deadline, &error_code);
}

Result<OAuthToken> OAuthClient::Refresh(const OAuthSignIn& request,
                                        const std::string& refresh_token, Deadline deadline) {
  std::string form = "grant_type=refresh_token&refresh_token=" + UrlEncode(refresh_token) +
                     "&client_id=" + UrlEncode(request.client_id);
  if (!request.scope.empty()) form += "&scope=" + UrlEncode(request.scope);
  std::string code;
  Result<OAuthToken> token = TokenRequest(request.endpoints.token, form, deadline, &code);
  if (!token.ok() && code == "invalid_grant") {
    Error e = token.error();
    e.reason = "oauth-refresh-refused";
    return e;
  }
  // RFC 6749 §6: the server may keep the refresh token the same.
  if (token.ok() && token->refresh_token.empty()) token->refresh_token = refresh_token;
  return token;
}

}  // namespace mailscout
