#include "protocols/mail_session.h"

#include "protocols/base64.h"

namespace mailscout {
namespace {

// A SASL exchange never needs more round trips than this.
constexpr int kMaxSaslSteps = 8;

}  // namespace

Error SessionError(ErrorKind kind, std::string message, std::string server_reply, Phase phase) {
  return Error::Make(kind, std::move(message), std::move(server_reply), phase);
}

Result<std::string> MailSession::PasswordLogin(const std::string&, const std::string&, Deadline) {
  return SessionError(ErrorKind::kAuthMechanism, "This protocol has no password login command", {},
                      Phase::kAuth);
}

std::unique_ptr<MailSession> MakeSession(Protocol protocol, LineIo& io, std::string ehlo_name) {
  switch (protocol) {
    case Protocol::kImap:
      return MakeImapSession(io);
    case Protocol::kPop3:
      return MakePop3Session(io);
    case Protocol::kSmtp:
      return MakeSmtpSession(io, std::move(ehlo_name));
  }
  return nullptr;
}

Result<std::string> RunSaslExchange(LineIo& io, SaslClient& sasl, const std::string& command,
                                    bool initial_response_allowed,
                                    const std::function<Result<SaslStep>(Deadline)>& read_step,
                                    Deadline deadline) {
  const std::string start = command + " " + std::string(MechanismName(sasl.mechanism()));
  std::optional<std::string> pending = sasl.InitialResponse();
  std::string line = start;
  std::string shown = start;
  if (pending && initial_response_allowed) {
    line += " " + (pending->empty() ? std::string("=") : Base64Encode(*pending));
    shown += " ***";
    pending.reset();
  }
  if (Status s = io.WriteLine(line, deadline, Phase::kAuth, shown); !s.ok()) return s.error();

  for (int step = 0; step < kMaxSaslSteps; ++step) {
    Result<SaslStep> reply = read_step(deadline);
    if (!reply.ok()) return reply.error();
    SaslStep& got = reply.value();
    if (got.kind == SaslStep::Kind::kSuccess) {
      std::optional<std::string> data = Base64Decode(got.payload);
      if (Status s = sasl.Finish(data ? *data : std::string()); !s.ok()) {
        Error e = s.error();
        e.server_reply = got.reply;
        return e;
      }
      return got.reply;
    }
    if (got.kind == SaslStep::Kind::kFailure) {
      std::string words = got.reply;
      if (!sasl.server_error().empty()) words += " (" + sasl.server_error() + ")";
      return SessionError(got.failure, "The server rejected the login", words, Phase::kAuth);
    }
    // A challenge.
    std::string answer;
    std::optional<Error> problem;
    if (pending) {
      // The server asked for the initial response with an empty challenge.
      answer = *pending;
      pending.reset();
    } else if (std::optional<std::string> challenge = Base64Decode(got.payload); !challenge) {
      problem = SessionError(ErrorKind::kProtocol,
                             "The server sent a SASL challenge that is not valid base64", got.reply,
                             Phase::kAuth);
    } else if (Result<std::string> r = sasl.Respond(*challenge); !r.ok()) {
      problem = r.error();
    } else {
      answer = std::move(r.value());
    }
    if (problem) {
      // Cancel the exchange and read the server's verdict, then report ours.
      if (io.WriteLine("*", deadline, Phase::kAuth).ok()) (void)read_step(deadline);
      if (problem->server_reply.empty()) problem->server_reply = got.reply;
      return *problem;
    }
    if (Status s = io.WriteLine(Base64Encode(answer), deadline, Phase::kAuth, kRedacted); !s.ok()) {
      return s.error();
    }
  }
  return SessionError(ErrorKind::kProtocol, "The login exchange did not end", {}, Phase::kAuth);
}

}  // namespace mailscout
