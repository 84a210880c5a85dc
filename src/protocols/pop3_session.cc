// POP3 login dialog (RFC 1939; CAPA RFC 2449; STLS RFC 2595; AUTH RFC 5034).
// See mail_session.h for the contract.
#include <algorithm>
#include <cctype>

#include "protocols/imap_response.h"
#include "protocols/mail_session.h"
#include "protocols/pop3_reply.h"

namespace mailscout {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

class Pop3Session : public MailSession {
 public:
  explicit Pop3Session(LineIo& io) : MailSession(io) {}

  Protocol protocol() const override { return Protocol::kPop3; }

  Result<std::string> ReadGreeting(Deadline deadline) override {
    Result<Pop3Reply> reply = Read(deadline, Phase::kGreeting);
    if (!reply.ok()) return reply.error();
    if (reply->kind != Pop3Reply::Kind::kOk) {
      return SessionError(ErrorKind::kProtocol, "The server refused the connection", reply->line,
                          Phase::kGreeting);
    }
    return reply->line;
  }

  Status LoadCapabilities(Deadline deadline) override {
    if (Status s = io_.WriteLine("CAPA", deadline, Phase::kCapabilities); !s.ok()) return s;
    Result<Pop3Reply> reply = Read(deadline, Phase::kCapabilities);
    if (!reply.ok()) return reply.error();
    capabilities_.clear();
    mechanisms_.clear();
    have_capa_ = false;
    if (reply->kind != Pop3Reply::Kind::kOk) return OkStatus();  // an old server without CAPA
    Result<std::vector<std::string>> lines = ReadPop3MultiLine(io_, deadline, Phase::kCapabilities);
    if (!lines.ok()) return lines.error();
    have_capa_ = true;
    capabilities_ = std::move(lines.value());
    for (const std::string& line : capabilities_) {
      if (Upper(line.substr(0, 5)) == "SASL ") {
        for (const std::string& m : SplitWords(line.substr(5))) mechanisms_.push_back(Upper(m));
      }
    }
    return OkStatus();
  }

  bool OffersStartTls() const override { return Has("STLS"); }

  Status StartTls(Deadline deadline) override {
    if (Status s = io_.WriteLine("STLS", deadline, Phase::kStartTls); !s.ok()) return s;
    Result<Pop3Reply> reply = Read(deadline, Phase::kStartTls);
    if (!reply.ok()) return reply.error();
    if (reply->kind != Pop3Reply::Kind::kOk) {
      return SessionError(ErrorKind::kStartTlsMissing, "The server refused STLS", reply->line,
                          Phase::kStartTls);
    }
    return OkStatus();
  }

  Result<std::string> Authenticate(SaslClient& sasl, Deadline deadline) override {
    auto read_step = [&](Deadline d) -> Result<SaslStep> {
      Result<Pop3Reply> reply = Read(d, Phase::kAuth, "+");
      if (!reply.ok()) return reply.error();
      switch (reply->kind) {
        case Pop3Reply::Kind::kContinuation:
          return SaslStep{SaslStep::Kind::kChallenge, reply->text, reply->line};
        case Pop3Reply::Kind::kOk:
          return SaslStep{SaslStep::Kind::kSuccess, {}, reply->line};
        case Pop3Reply::Kind::kErr:
          break;
      }
      return SaslStep{SaslStep::Kind::kFailure, {}, reply->line};
    };
    // RFC 5034 allows an initial response; keep the command under 255 octets.
    std::optional<std::string> probe = sasl.InitialResponse();
    const bool fits = !probe || probe->size() < 150;
    return RunSaslExchange(io_, sasl, "AUTH", fits, read_step, deadline);
  }

  std::string PasswordLoginName() const override {
    // Without CAPA, USER is worth a try (RFC 1939 servers all had it).
    return !have_capa_ || Has("USER") ? "USER/PASS" : "";
  }

  Result<std::string> PasswordLogin(const std::string& user, const std::string& password,
                                    Deadline deadline) override {
    if (user.find_first_of("\r\n") != std::string::npos ||
        password.find_first_of("\r\n") != std::string::npos) {
      return SessionError(ErrorKind::kAuthMechanism,
                          "USER/PASS cannot carry a name or password with line breaks", {},
                          Phase::kAuth);
    }
    if (Status s = io_.WriteLine("USER " + user, deadline, Phase::kAuth); !s.ok()) return s.error();
    Result<Pop3Reply> reply = Read(deadline, Phase::kAuth);
    if (!reply.ok()) return reply.error();
    if (reply->kind != Pop3Reply::Kind::kOk) {
      return SessionError(ErrorKind::kAuth, "The server rejected the user name", reply->line,
                          Phase::kAuth);
    }
    if (Status s = io_.WriteLine("PASS " + password, deadline, Phase::kAuth, "PASS ***"); !s.ok()) {
      return s.error();
    }
    reply = Read(deadline, Phase::kAuth);
    if (!reply.ok()) return reply.error();
    if (reply->kind != Pop3Reply::Kind::kOk) {
      return SessionError(ErrorKind::kAuth, "The server rejected the login", reply->line,
                          Phase::kAuth);
    }
    return reply->line;
  }

  void Logout(Deadline deadline) override {
    if (io_.WriteLine("QUIT", deadline, Phase::kLogout).ok()) (void)Read(deadline, Phase::kLogout);
  }

 private:
  bool Has(std::string_view keyword) const {
    return std::any_of(capabilities_.begin(), capabilities_.end(), [&](const std::string& c) {
      return Upper(c.substr(0, c.find(' '))) == keyword;
    });
  }

  Result<Pop3Reply> Read(Deadline deadline, Phase phase, std::string_view redact = {}) {
    Result<std::string> line = io_.ReadLine(deadline, phase, redact);
    if (!line.ok()) return line.error();
    Result<Pop3Reply> reply = ParsePop3Reply(line.value());
    if (!reply.ok()) {
      Error e = reply.error();
      e.phase = phase;
      return e;
    }
    return reply;
  }

  bool have_capa_ = false;
};

}  // namespace

std::unique_ptr<MailSession> MakePop3Session(LineIo& io) {
  return std::make_unique<Pop3Session>(io);
}

}  // namespace mailscout
