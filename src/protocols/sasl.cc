#include "protocols/sasl.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

#include "protocols/sasl_scram.h"

namespace mailscout {
namespace {

Error SaslError(std::string message) {
  return Error::Make(ErrorKind::kProtocol, std::move(message), {}, Phase::kAuth);
}

void Wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

// Base for the simple mechanisms: holds the credentials and wipes them.
class SimpleClient : public SaslClient {
 public:
  explicit SimpleClient(const SaslCredentials& c) : credentials_(c) {}
  ~SimpleClient() override {
    Wipe(credentials_.password);
    Wipe(credentials_.oauth_token);
  }
  Status Finish(std::string_view) override { return OkStatus(); }
  const std::string& server_error() const override { return server_error_; }

 protected:
  SaslCredentials credentials_;
  std::string server_error_;
  int step_ = 0;
};

class PlainClient : public SimpleClient {
 public:
  using SimpleClient::SimpleClient;
  SaslMechanism mechanism() const override { return SaslMechanism::kPlain; }
  std::optional<std::string> InitialResponse() override {
    std::string message = credentials_.authzid;
    message += '\0';
    message += credentials_.username;
    message += '\0';
    message += credentials_.password;
    return message;
  }
  Result<std::string> Respond(std::string_view) override {
    return SaslError("The server sent an unexpected challenge during PLAIN login");
  }
};

class LoginClient : public SimpleClient {
 public:
  using SimpleClient::SimpleClient;
  SaslMechanism mechanism() const override { return SaslMechanism::kLogin; }
  std::optional<std::string> InitialResponse() override { return std::nullopt; }
  Result<std::string> Respond(std::string_view) override {
    switch (step_++) {
      case 0:
        return credentials_.username;
      case 1:
        return credentials_.password;
      default:
        return SaslError("The server sent more challenges than LOGIN has");
    }
  }
};

class CramMd5Client : public SimpleClient {
 public:
  using SimpleClient::SimpleClient;
  SaslMechanism mechanism() const override { return SaslMechanism::kCramMd5; }
  std::optional<std::string> InitialResponse() override { return std::nullopt; }
  Result<std::string> Respond(std::string_view challenge) override {
    if (step_++ > 0) return SaslError("The server sent more challenges than CRAM-MD5 has");
    if (challenge.empty()) return SaslError("The server sent an empty CRAM-MD5 challenge");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (HMAC(EVP_md5(), credentials_.password.data(),
             static_cast<int>(credentials_.password.size()),
             reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(), digest,
             &length) == nullptr) {
      return SaslError("CRAM-MD5 is not available in this OpenSSL build");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string response = credentials_.username + " ";
    for (unsigned int i = 0; i < length; ++i) {
      response += kHex[digest[i] >> 4];
      response += kHex[digest[i] & 15];
    }
    OPENSSL_cleanse(digest, sizeof digest);
    return response;
  }
};

// XOAUTH2: on failure the server sends a JSON error as a challenge and
// expects an empty response before it says NO.
class XOAuth2Client : public SimpleClient {
 public:
  using SimpleClient::SimpleClient;
  SaslMechanism mechanism() const override { return SaslMechanism::kXOAuth2; }
  std::optional<std::string> InitialResponse() override {
    return "user=" + credentials_.username + "\x01" + "auth=Bearer " + credentials_.oauth_token +
           "\x01\x01";
  }
  Result<std::string> Respond(std::string_view challenge) override {
    if (step_++ > 0) return SaslError("The server sent more challenges than XOAUTH2 has");
    server_error_ = std::string(challenge);
    return std::string();
  }
};

// OAUTHBEARER (RFC 7628): on failure the server sends a JSON error and the
// client answers with a single %x01.
class OAuthBearerClient : public SimpleClient {
 public:
  using SimpleClient::SimpleClient;
  SaslMechanism mechanism() const override { return SaslMechanism::kOAuthBearer; }
  std::optional<std::string> InitialResponse() override {
    return "n,a=" + ScramEscapeName(credentials_.username) + ",\x01" + "auth=Bearer " +
           credentials_.oauth_token + "\x01\x01";
  }
  Result<std::string> Respond(std::string_view challenge) override {
    if (step_++ > 0) return SaslError("The server sent more challenges than OAUTHBEARER has");
    server_error_ = std::string(challenge);
    return std::string("\x01");
  }
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view MechanismName(SaslMechanism m) {
  switch (m) {
    case SaslMechanism::kScramSha256:
      return "SCRAM-SHA-256";
    case SaslMechanism::kScramSha1:
      return "SCRAM-SHA-1";
    case SaslMechanism::kCramMd5:
      return "CRAM-MD5";
    case SaslMechanism::kPlain:
      return "PLAIN";
    case SaslMechanism::kLogin:
      return "LOGIN";
    case SaslMechanism::kOAuthBearer:
      return "OAUTHBEARER";
    case SaslMechanism::kXOAuth2:
      return "XOAUTH2";
  }
  return "?";
}

std::optional<SaslMechanism> ParseMechanism(std::string_view name) {
  for (SaslMechanism m : SupportedMechanisms()) {
    if (EqualsIgnoreCase(name, MechanismName(m))) return m;
  }
  return std::nullopt;
}

bool UsesOAuthToken(SaslMechanism m) {
  return m == SaslMechanism::kOAuthBearer || m == SaslMechanism::kXOAuth2;
}

bool SendsSecretInClear(SaslMechanism m) {
  return m == SaslMechanism::kPlain || m == SaslMechanism::kLogin || UsesOAuthToken(m);
}

const std::vector<SaslMechanism>& SupportedMechanisms() {
  static const std::vector<SaslMechanism> kAll = {
      SaslMechanism::kOAuthBearer, SaslMechanism::kXOAuth2, SaslMechanism::kScramSha256,
      SaslMechanism::kScramSha1,   SaslMechanism::kCramMd5, SaslMechanism::kPlain,
      SaslMechanism::kLogin,
  };
  return kAll;
}

std::optional<SaslMechanism> ChooseMechanism(const std::vector<std::string>& offered,
                                             bool have_password, bool have_token) {
  for (SaslMechanism m : SupportedMechanisms()) {
    if (UsesOAuthToken(m) ? !have_token : !have_password) continue;
    for (const std::string& name : offered) {
      if (EqualsIgnoreCase(name, MechanismName(m))) return m;
    }
  }
  return std::nullopt;
}

std::unique_ptr<SaslClient> MakeSaslClient(SaslMechanism m, const SaslCredentials& credentials,
                                           std::string client_nonce) {
  switch (m) {
    case SaslMechanism::kScramSha256:
    case SaslMechanism::kScramSha1:
      return MakeScramClient(m, credentials, std::move(client_nonce));
    case SaslMechanism::kCramMd5:
      return std::make_unique<CramMd5Client>(credentials);
    case SaslMechanism::kPlain:
      return std::make_unique<PlainClient>(credentials);
    case SaslMechanism::kLogin:
      return std::make_unique<LoginClient>(credentials);
    case SaslMechanism::kOAuthBearer:
      return std::make_unique<OAuthBearerClient>(credentials);
    case SaslMechanism::kXOAuth2:
      return std::make_unique<XOAuth2Client>(credentials);
  }
  return nullptr;
}

std::string ScramEscapeName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '=') {
      out += "=3D";
    } else if (c == ',') {
      out += "=2C";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace mailscout
