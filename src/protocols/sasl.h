// SASL client mechanisms (RFC 4422) for logging in to mail servers:
// SCRAM-SHA-256, SCRAM-SHA-1 (RFC 5802/7677), CRAM-MD5 (RFC 2195),
// PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login), OAUTHBEARER
// (RFC 7628) and XOAUTH2 (Google/Microsoft).
//
// A SaslClient is one authentication exchange: the protocol session (IMAP,
// POP3, SMTP) moves base64-decoded challenges in and responses out; this file
// knows nothing about sockets. Every response carries a credential or is
// derived from one, so sessions must show them as "***" in transcripts.
//
// One SaslClient per exchange, used by one thread. The credentials are copied
// in and wiped (OPENSSL_cleanse) when the client is destroyed.
#ifndef MAILSCOUT_PROTOCOLS_SASL_H_
#define MAILSCOUT_PROTOCOLS_SASL_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace mailscout {

enum class SaslMechanism {
  kScramSha256,
  kScramSha1,
  kCramMd5,
  kPlain,
  kLogin,
  kOAuthBearer,
  kXOAuth2,
};

struct SaslCredentials {
  std::string username;     // authentication identity (authcid)
  std::string password;     // for password mechanisms
  std::string oauth_token;  // for OAUTHBEARER / XOAUTH2
  std::string authzid;      // authorization identity; normally empty
};

class SaslClient {
 public:
  virtual ~SaslClient() = default;
  virtual SaslMechanism mechanism() const = 0;

  // The initial response for mechanisms where the client speaks first
  // (PLAIN, SCRAM, OAUTHBEARER, XOAUTH2); nullopt when the server sends the
  // first challenge (LOGIN, CRAM-MD5). May be an empty string.
  virtual std::optional<std::string> InitialResponse() = 0;

  // The response to one decoded server challenge. Errors (kProtocol): a
  // malformed challenge, more challenges than the mechanism has, a SCRAM
  // server that fails to prove it knows the password. The session then
  // cancels the exchange ("*").
  virtual Result<std::string> Respond(std::string_view challenge) = 0;

  // Called when the server reports success, with any additional success data
  // (decoded). Error (kProtocol) when a mutual-authentication mechanism
  // (SCRAM) has not verified the server.
  virtual Status Finish(std::string_view success_data) = 0;

  // Error details the server sent inside the exchange (the OAuth JSON error,
  // SCRAM "e=..."), empty when none.
  virtual const std::string& server_error() const = 0;
};

// Stable upper-case name: "SCRAM-SHA-256", "PLAIN", ...
std::string_view MechanismName(SaslMechanism m);
// Case-insensitive; nullopt for mechanisms mailscout does not implement.
std::optional<SaslMechanism> ParseMechanism(std::string_view name);

bool UsesOAuthToken(SaslMechanism m);
// PLAIN, LOGIN, OAUTHBEARER, XOAUTH2 put the secret itself on the wire.
bool SendsSecretInClear(SaslMechanism m);

// The mechanisms mailscout implements, strongest first.
const std::vector<SaslMechanism>& SupportedMechanisms();

// The strongest mechanism in `offered` (server names, any case) usable with
// the credentials at hand: OAuth mechanisms only with a token (and then
// preferred), password mechanisms only with a password. nullopt: none.
std::optional<SaslMechanism> ChooseMechanism(const std::vector<std::string>& offered,
                                             bool have_password, bool have_token);

// A client for one exchange. `client_nonce` fixes the SCRAM nonce (tests use
// the RFC vectors); empty means 24 random bytes, base64-encoded.
std::unique_ptr<SaslClient> MakeSaslClient(SaslMechanism m, const SaslCredentials& credentials,
                                           std::string client_nonce = {});

// RFC 5802 saslname: "=" -> "=3D", "," -> "=2C".
std::string ScramEscapeName(std::string_view name);

}  // namespace mailscout

#endif  // MAILSCOUT_PROTOCOLS_SASL_H_
