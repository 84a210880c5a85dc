// OAuth 2.0 sign-in for mail logins (XOAUTH2 / OAUTHBEARER tokens).
//
// OAuthClient gets an access token from an authorization server in one of
// two ways a person can complete from a terminal:
//   - the device authorization grant (RFC 8628): it shows a URL and a code,
//     then polls the token endpoint at the server's interval, growing it by
//     5 s on "slow_down", until the person approves, refuses, or the code
//     expires;
//   - the authorization code grant with PKCE S256 (RFC 7636) and a loopback
//     redirect (RFC 8252 §7.3): it listens on 127.0.0.1 at a free port,
//     shows the authorization URL (and opens a browser when one is there),
//     and exchanges the code it receives.
// and renews one with a refresh token (RFC 6749 §6). Endpoints come from the
// provider database or from the issuer's metadata (RFC 8414, falling back
// to OpenID Connect Discovery).
//
// Every HTTP request has its own deadline and a bounded body; the whole
// sign-in ends by the caller's deadline or the code's expiry. Tokens are
// secrets: they are never written to the user output, and errors quote only
// the server's error code and description. HTTPS only (loopback redirect
// aside). Not thread-safe; one sign-in at a time.
#ifndef MAILSCOUT_OAUTH_OAUTH_H_
#define MAILSCOUT_OAUTH_OAUTH_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/deadline.h"
#include "core/result.h"

namespace mailscout {

class HttpClient;

struct OAuthEndpoints {
  std::string issuer;         // for messages and the token cache
  std::string authorization;  // authorization endpoint (loopback flow)
  std::string token;          // token endpoint
  std::string device;         // device authorization endpoint; empty: none
};

struct OAuthToken {
  std::string access_token;   // secret
  std::string refresh_token;  // secret; empty when the server gave none
  std::string scope;          // as granted, if the server said
  // Unix seconds when the access token expires: the token's own "exp" claim
  // when it is a JWT, else now + expires_in; nullopt when neither is known.
  std::optional<int64_t> expires_at;
};

enum class OAuthFlow { kDevice, kLoopback };

struct OAuthSignIn {
  OAuthEndpoints endpoints;
  std::string client_id;
  std::string scope;  // space-separated
  OAuthFlow flow = OAuthFlow::kDevice;
  std::string login_hint;  // the mailbox address, sent where the server allows it
};

class OAuthClient {
 public:
  // What the person must do, one line each (the CLI writes them to stderr).
  using Say = std::function<void(const std::string& line)>;
  // Waits, or returns false at once when the wait would pass the deadline.
  using Sleep = std::function<bool(Millis wait, Deadline deadline)>;
  // Opens a browser on the URL; false when there is none.
  using OpenBrowser = std::function<bool(const std::string& url)>;

  OAuthClient(HttpClient& http, Say say, Sleep sleep = nullptr, OpenBrowser browser = nullptr);

  // The endpoints of an issuer URL from its metadata: first
  // <origin>/.well-known/oauth-authorization-server<path> (RFC 8414 §3.1),
  // then <issuer>/.well-known/openid-configuration. The metadata's issuer
  // must be the one asked for. Errors: kUsage (not an https URL), kProtocol
  // (no usable document), network kinds.
  Result<OAuthEndpoints> Discover(const std::string& issuer_url, Deadline deadline);

  // Runs the sign-in; the result has an access token. Errors: kAuth with
  // reason "oauth-denied" (the person or the server refused),
  // "oauth-expired" (the code expired first), or "oauth-failed" (any other
  // error answer); kTimeout (the deadline passed); kProtocol; network kinds.
  Result<OAuthToken> SignIn(const OAuthSignIn& request, Deadline deadline);

  // A new access token from a refresh token. Errors as SignIn; an
  // "invalid_grant" answer is kAuth reason "oauth-refresh-refused".
  Result<OAuthToken> Refresh(const OAuthSignIn& request, const std::string& refresh_token,
                             Deadline deadline);

 private:
  Result<OAuthToken> DeviceFlow(const OAuthSignIn& request, Deadline deadline);
  Result<OAuthToken> LoopbackFlow(const OAuthSignIn& request, Deadline deadline);
  Result<OAuthToken> TokenRequest(const std::string& token_url, const std::string& form,
                                  Deadline deadline, std::string* error_code);

  HttpClient& http_;
  Say say_;
  Sleep sleep_;
  OpenBrowser browser_;
};

// The "exp" claim of a JWT-shaped token (header.payload.signature, base64url),
// without verifying it; nullopt when the token is not a JWT or has no exp.
std::optional<int64_t> JwtExpiry(std::string_view token);

// PKCE (RFC 7636 §4.2): BASE64URL(SHA256(verifier)), no padding.
std::string PkceChallenge(std::string_view verifier);

// Opens url with $BROWSER, else xdg-open when a display is there; output
// discarded. False when neither is there or it could not be started.
bool OpenSystemBrowser(const std::string& url);

}  // namespace mailscout

#endif  // MAILSCOUT_OAUTH_OAUTH_H_
