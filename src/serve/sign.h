// CMS signing of Apple configuration profiles (`serve --sign-cert/--sign-key
// [--sign-chain]`): the profile becomes a CMS SignedData structure (DER) with
// the profile as encapsulated content and the signer certificate plus the
// chain included, which iOS and macOS show as "Verified" when the chain
// leads to a trusted root, and `openssl cms -verify -CAfile ROOT` accepts.
// Immutable after Load(); Sign() is thread-safe.
#ifndef MAILSCOUT_SERVE_SIGN_H_
#define MAILSCOUT_SERVE_SIGN_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace mailscout {

class ProfileSigner {
 public:
  // Errors (kUsage): a file cannot be read or parsed, or the key does not
  // belong to the certificate.
  static Result<ProfileSigner> Load(const std::string& cert_pem, const std::string& key_pem,
                                    const std::string& chain_pem);

  Result<std::string> Sign(std::string_view data) const;

  struct Keys;

 private:
  std::shared_ptr<const Keys> keys_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_SERVE_SIGN_H_
