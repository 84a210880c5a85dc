// Error values and Result<T>: how mailscout reports expected failures.
//
// A refused connection, NXDOMAIN or a bad certificate is a finding of this
// tool, not an exceptional condition, so adapters catch library exceptions at
// their boundary and return an Error instead (habit 6 of the shared style
// guide, shared/STYLE.md outside the repository).
// Error is a plain value; Result<T> holds either a T or an Error.
#ifndef MAILSCOUT_CORE_RESULT_H_
#define MAILSCOUT_CORE_RESULT_H_

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "core/phase.h"
#include "core/types.h"

namespace mailscout {

struct Error {
  ErrorKind kind = ErrorKind::kProtocol;
  // A sentence for a helpdesk, e.g. "The server rejected the password for
  // alice@example.com". Never contains a password.
  std::string message;
  // The server's own words (a reply line), when there are any.
  std::string server_reply;
  // For kTimeout (and useful elsewhere): the phase that failed, e.g.
  // Phase::kConnect, kGreeting, kTls, kAuth, kResolve; kNone when not tied
  // to one.
  Phase phase = Phase::kNone;
  // For kDns: what the resolver's answer meant (set in dns/); nullopt for
  // every other kind and for a name that was never asked (an invalid one).
  std::optional<DnsOutcome> dns;
  // For kAuth: why the provider refused, when its words say more than "wrong
  // password": "basic-auth-disabled" (the provider allows only OAuth2 here),
  // "app-password-required" (the account password is refused; an app
  // password or OAuth2 works). Empty when the reply says nothing specific.
  std::string reason;

  static Error Make(ErrorKind kind, std::string message, std::string server_reply = {},
                    Phase phase = Phase::kNone) {
    return Error{kind, std::move(message), std::move(server_reply), phase, std::nullopt, {}};
  }
};

// Either a value or an Error. Check ok() before value(); value() on an error
// and error() on a value are programming errors (std::bad_variant_access).
template <typename T>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : data_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(data_); }

 private:
  std::variant<T, Error> data_;
};

// Result for operations with no value.
struct Unit {};
using Status = Result<Unit>;
inline Status OkStatus() { return Unit{}; }

}  // namespace mailscout

#endif  // MAILSCOUT_CORE_RESULT_H_
