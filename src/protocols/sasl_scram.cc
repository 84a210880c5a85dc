#include "protocols/sasl_scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>
#include <map>

#include "protocols/base64.h"

namespace mailscout {
namespace {

Error ScramError(std::string message) {
  return Error::Make(ErrorKind::kProtocol, std::move(message), {}, Phase::kAuth);
}

using Bytes = std::string;

Bytes Hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
  Bytes result(reinterpret_cast<char*>(out), length);
  OPENSSL_cleanse(out, sizeof out);
  return result;
}

Bytes Hash(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), out, &length, md, nullptr);
  return Bytes(reinterpret_cast<char*>(out), length);
}

void Wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

// "a=1,b=2" -> {a: 1, b: 2}; nullopt on a malformed attribute.
std::optional<std::map<char, std::string>> ParseAttributes(std::string_view text) {
  std::map<char, std::string> attributes;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    if (item.size() < 2 || item[1] != '=') return std::nullopt;
    attributes.emplace(item[0], std::string(item.substr(2)));
    start = end + 1;
  }
  return attributes;
}

class ScramClient : public SaslClient {
 public:
  ScramClient(SaslMechanism m, const SaslCredentials& credentials, std::string nonce)
      : mechanism_(m),
        md_(m == SaslMechanism::kScramSha1 ? EVP_sha1() : EVP_sha256()),
        credentials_(credentials),
        client_nonce_(std::move(nonce)) {
    if (client_nonce_.empty()) {
      unsigned char random[24];
      RAND_bytes(random, sizeof random);
      client_nonce_ =
          Base64Encode(std::string_view(reinterpret_cast<char*>(random), sizeof random));
    }
    gs2_header_ =
        credentials_.authzid.empty() ? "n,," : "n,a=" + ScramEscapeName(credentials_.authzid) + ",";
    client_first_bare_ = "n=" + ScramEscapeName(credentials_.username) + ",r=" + client_nonce_;
  }
  ~ScramClient() override {
    Wipe(credentials_.password);
    Wipe(expected_server_signature_);
  }

  SaslMechanism mechanism() const override { return mechanism_; }
  const std::string& server_error() const override { return server_error_; }

  std::optional<std::string> InitialResponse() override { return gs2_header_ + client_first_bare_; }

  Result<std::string> Respond(std::string_view challenge) override {
    switch (step_++) {
      case 0:
        return ClientFinal(challenge);
      case 1:
        if (Status s = VerifyServerFinal(challenge); !s.ok()) {
          // "e=..." is the server's verdict, not a broken protocol: answer
          // empty and let the server send its failure reply.
          if (!server_error_.empty()) return std::string();
          return s.error();
        }
        return std::string();
      default:
        return ScramError("The server sent more challenges than " +
                          std::string(MechanismName(mechanism_)) + " has");
    }
  }

  Status Finish(std::string_view success_data) override {
    if (!verified_ && !success_data.empty()) {
      if (Status s = VerifyServerFinal(success_data); !s.ok()) return s;
    }
    if (!verified_) {
      return ScramError(
          "The server accepted the login without proving it knows the password "
          "(no SCRAM server signature)");
    }
    return OkStatus();
  }

 private:
  Result<std::string> ClientFinal(std::string_view server_first) {
    auto attributes = ParseAttributes(server_first);
    if (!attributes) return ScramError("The server sent a malformed SCRAM challenge");
    if (attributes->count('e')) {
      server_error_ = (*attributes)['e'];
      return ScramError("The server refused SCRAM: " + server_error_);
    }
    if (attributes->count('m')) {
      return ScramError("The server requires a SCRAM extension mailscout does not know");
    }
    const std::string& nonce = (*attributes)['r'];
    const std::string& salt_b64 = (*attributes)['s'];
    const std::string& iterations_text = (*attributes)['i'];
    if (nonce.size() <= client_nonce_.size() ||
        nonce.compare(0, client_nonce_.size(), client_nonce_) != 0) {
      return ScramError("The server's SCRAM nonce does not extend mailscout's nonce");
    }
    std::optional<std::string> salt = Base64Decode(salt_b64);
    if (!salt || salt->empty()) return ScramError("The server sent a malformed SCRAM salt");
    long iterations = 0;
    auto [end, ec] = std::from_chars(iterations_text.data(),
                                     iterations_text.data() + iterations_text.size(), iterations);
    if (ec != std::errc() || end != iterations_text.data() + iterations_text.size() ||
        iterations < 1) {
      return ScramError("The server sent a malformed SCRAM iteration count");
    }
    if (iterations > kMaxScramIterations) {
      return ScramError("The server asked for " + iterations_text +
                        " SCRAM iterations, more than mailscout allows (" +
                        std::to_string(kMaxScramIterations) + ")");
    }

    const int hash_size = EVP_MD_get_size(md_);
    std::string salted(static_cast<size_t>(hash_size), '\0');
    PKCS5_PBKDF2_HMAC(credentials_.password.data(), static_cast<int>(credentials_.password.size()),
                      reinterpret_cast<const unsigned char*>(salt->data()),
                      static_cast<int>(salt->size()), static_cast<int>(iterations), md_, hash_size,
                      reinterpret_cast<unsigned char*>(salted.data()));
    std::string client_key = Hmac(md_, salted, "Client Key");
    std::string stored_key = Hash(md_, client_key);
    std::string server_key = Hmac(md_, salted, "Server Key");
    const std::string without_proof = "c=" + Base64Encode(gs2_header_) + ",r=" + nonce;
    const std::string auth_message =
        client_first_bare_ + "," + std::string(server_first) + "," + without_proof;
    std::string client_signature = Hmac(md_, stored_key, auth_message);
    std::string proof = client_key;
    for (size_t i = 0; i < proof.size(); ++i) proof[i] ^= client_signature[i];
    expected_server_signature_ = Hmac(md_, server_key, auth_message);
    std::string response = without_proof + ",p=" + Base64Encode(proof);
    for (std::string* s :
         {&salted, &client_key, &stored_key, &server_key, &client_signature, &proof}) {
      Wipe(*s);
    }
    return response;
  }

  Status VerifyServerFinal(std::string_view server_final) {
    auto attributes = ParseAttributes(server_final);
    if (!attributes) return ScramError("The server sent a malformed SCRAM final message");
    if (attributes->count('e')) {
      server_error_ = (*attributes)['e'];
      return ScramError("The server refused SCRAM: " + server_error_);
    }
    std::optional<std::string> signature = Base64Decode((*attributes)['v']);
    if (!signature || expected_server_signature_.empty() ||
        signature->size() != expected_server_signature_.size() ||
        CRYPTO_memcmp(signature->data(), expected_server_signature_.data(), signature->size()) !=
            0) {
      return ScramError(
          "The server's SCRAM signature is wrong: it does not know the password "
          "(this may not be the real server)");
    }
    verified_ = true;
    return OkStatus();
  }

  SaslMechanism mechanism_;
  const EVP_MD* md_;
  SaslCredentials credentials_;
  std::string client_nonce_;
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string expected_server_signature_;
  std::string server_error_;
  bool verified_ = false;
  int step_ = 0;
};

}  // namespace

std::unique_ptr<SaslClient> MakeScramClient(SaslMechanism m, const SaslCredentials& credentials,
                                            std::string client_nonce) {
  return std::make_unique<ScramClient>(m, credentials, std::move(client_nonce));
}

}  // namespace mailscout
