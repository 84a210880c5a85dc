// SCRAM-SHA-1 and SCRAM-SHA-256 clients (RFC 5802, RFC 7677), without
// channel binding (gs2 flag "n"). Internal to protocols/sasl.cc; exposed for
// tests. The client verifies the server signature: a server that cannot prove
// it knows the password fails with kProtocol.
//
// Limits against hostile servers: at most kMaxScramIterations PBKDF2 rounds,
// the server nonce must extend the client nonce, unknown mandatory
// extensions ("m=") are refused.
//
// Passwords are used as UTF-8 bytes; SASLprep (RFC 4013) normalisation is
// not applied, which only matters for non-ASCII passwords.
#ifndef MAILSCOUT_PROTOCOLS_SASL_SCRAM_H_
#define MAILSCOUT_PROTOCOLS_SASL_SCRAM_H_

#include <memory>
#include <string>

#include "protocols/sasl.h"

namespace mailscout {

constexpr long kMaxScramIterations = 1000000;

// m must be kScramSha1 or kScramSha256. Empty client_nonce: random.
std::unique_ptr<SaslClient> MakeScramClient(SaslMechanism m, const SaslCredentials& credentials,
                                            std::string client_nonce);

}  // namespace mailscout

#endif  // MAILSCOUT_PROTOCOLS_SASL_SCRAM_H_
