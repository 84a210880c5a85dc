// SMTP submission login dialog (RFC 5321, 6409; STARTTLS RFC 3207; AUTH RFC
// 4954). See mail_session.h for the contract.
#include "protocols/mail_session.h"
#include "protocols/smtp_reply.h"

namespace mailscout {
namespace {

// RFC 4954 4: keep AUTH command lines within the 512-octet command limit.
constexpr size_t kMaxInitialResponse = 400;

class SmtpSession : public MailSession {
 public:
  SmtpSession(LineIo& io, std::string ehlo_name)
      : MailSession(io), ehlo_name_(ehlo_name.empty() ? "mailscout.invalid" : ehlo_name) {}

  Protocol protocol() const override { return Protocol::kSmtp; }

  Result<std::string> ReadGreeting(Deadline deadline) override {
    Result<SmtpReply> reply = ReadSmtpReply(io_, deadline, Phase::kGreeting);
    if (!reply.ok()) return reply.error();
    if (reply->code != 220) {
      return SessionError(ErrorKind::kProtocol, "The server refused the connection", reply->Raw(),
                          Phase::kGreeting);
    }
    return std::to_string(reply->code) + " " + reply->lines.front();
  }

  Status LoadCapabilities(Deadline deadline) override {
    capabilities_.clear();
    mechanisms_.clear();
    if (Status s = io_.WriteLine("EHLO " + ehlo_name_, deadline, Phase::kCapabilities); !s.ok()) {
      return s;
    }
    Result<SmtpReply> reply = ReadSmtpReply(io_, deadline, Phase::kCapabilities);
    if (!reply.ok()) return reply.error();
    if (reply->code == 250) {
      capabilities_ = EhloKeywords(reply.value());
      mechanisms_ = SmtpAuthMechanisms(capabilities_);
      return OkStatus();
    }
    // An old server: HELO gives no extensions (and so no AUTH, no STARTTLS).
    if (Status s = io_.WriteLine("HELO " + ehlo_name_, deadline, Phase::kCapabilities); !s.ok()) {
      return s;
    }
    reply = ReadSmtpReply(io_, deadline, Phase::kCapabilities);
    if (!reply.ok()) return reply.error();
    if (reply->code != 250) {
      return SessionError(ErrorKind::kProtocol, "The server refused both EHLO and HELO",
                          reply->Raw(), Phase::kCapabilities);
    }
    return OkStatus();
  }

  bool OffersStartTls() const override { return HasEhloKeyword(capabilities_, "STARTTLS"); }

  Status StartTls(Deadline deadline) override {
    if (Status s = io_.WriteLine("STARTTLS", deadline, Phase::kStartTls); !s.ok()) return s;
    Result<SmtpReply> reply = ReadSmtpReply(io_, deadline, Phase::kStartTls);
    if (!reply.ok()) return reply.error();
    if (reply->code != 220) {
      return SessionError(ErrorKind::kStartTlsMissing, "The server refused STARTTLS", reply->Raw(),
                          Phase::kStartTls);
    }
    return OkStatus();
  }

  Result<std::string> Authenticate(SaslClient& sasl, Deadline deadline) override {
    auto read_step = [&](Deadline d) -> Result<SaslStep> {
      Result<SmtpReply> reply = ReadSmtpReply(io_, d, Phase::kAuth, "334");
      if (!reply.ok()) return reply.error();
      const SmtpReply& r = reply.value();
      if (r.code == 334) {
        return SaslStep{SaslStep::Kind::kChallenge, r.lines.empty() ? "" : r.lines.back(), r.Raw()};
      }
      if (r.code == 235) return SaslStep{SaslStep::Kind::kSuccess, {}, r.Raw()};
      SaslStep failure{SaslStep::Kind::kFailure, {}, r.Raw()};
      // 504 unknown mechanism, 534 mechanism too weak, 538 encryption
      // required: the method, not the credentials, was refused.
      if (r.code == 504 || r.code == 534 || r.code == 538) {
        failure.failure = ErrorKind::kAuthMechanism;
      }
      return failure;
    };
    std::optional<std::string> probe = sasl.InitialResponse();
    const bool fits = !probe || probe->size() * 4 / 3 < kMaxInitialResponse;
    return RunSaslExchange(io_, sasl, "AUTH", fits, read_step, deadline);
  }

  void Logout(Deadline deadline) override {
    if (io_.WriteLine("QUIT", deadline, Phase::kLogout).ok()) {
      (void)ReadSmtpReply(io_, deadline, Phase::kLogout);
    }
  }

 private:
  std::string ehlo_name_;
};

}  // namespace

std::unique_ptr<MailSession> MakeSmtpSession(LineIo& io, std::string ehlo_name) {
  return std::make_unique<SmtpSession>(io, std::move(ehlo_name));
}

}  // namespace mailscout
