// IMAP4rev1 login dialog (RFC 3501, 9051; SASL-IR RFC 4959; STARTTLS RFC
// 2595/3501 6.2.1). See mail_session.h for the contract.
#include <algorithm>
#include <cctype>

#include "protocols/imap_response.h"
#include "protocols/mail_session.h"
#include "protocols/pop3_reply.h"

namespace mailscout {
namespace {

bool HasWord(const std::vector<std::string>& words, std::string_view wanted) {
  return std::any_of(words.begin(), words.end(), [&](const std::string& w) {
    return w.size() == wanted.size() &&
           std::equal(w.begin(), w.end(), wanted.begin(), [](char a, char b) {
             return std::toupper(static_cast<unsigned char>(a)) ==
                    std::toupper(static_cast<unsigned char>(b));
           });
  });
}

class ImapSession : public MailSession {
 public:
  explicit ImapSession(LineIo& io) : MailSession(io) {}

  Protocol protocol() const override { return Protocol::kImap; }

  Result<std::string> ReadGreeting(Deadline deadline) override {
    Result<std::string> text = ReadImapResponseText(io_, deadline, Phase::kGreeting);
    if (!text.ok()) return text.error();
    Result<ImapResponse> parsed = ParseImapResponse(text.value());
    if (!parsed.ok()) return WithPhase(parsed.error(), Phase::kGreeting);
    const ImapResponse& r = parsed.value();
    if (r.kind != ImapResponse::Kind::kUntagged ||
        (r.status != "OK" && r.status != "PREAUTH" && r.status != "BYE")) {
      return SessionError(ErrorKind::kProtocol, "The server's greeting is not an IMAP greeting",
                          r.line, Phase::kGreeting);
    }
    if (r.status == "BYE") {
      return SessionError(ErrorKind::kProtocol, "The server refused the connection", r.line,
                          Phase::kGreeting);
    }
    preauth_ = r.status == "PREAUTH";
    SetCapabilities(r.Capabilities());
    return r.line;
  }

  Status LoadCapabilities(Deadline deadline) override {
    if (fresh_) return OkStatus();
    Result<ImapResponse> done = Command("CAPABILITY", deadline, Phase::kCapabilities);
    if (!done.ok()) return done.error();
    if (done->status != "OK") {
      return SessionError(ErrorKind::kProtocol, "The server refused the CAPABILITY command",
                          done->line, Phase::kCapabilities);
    }
    if (!fresh_) {
      return SessionError(ErrorKind::kProtocol, "The server sent no capability list", done->line,
                          Phase::kCapabilities);
    }
    return OkStatus();
  }

  bool OffersStartTls() const override { return HasWord(capabilities_, "STARTTLS"); }
  bool LoginDisabled() const override { return HasWord(capabilities_, "LOGINDISABLED"); }
  bool PreAuthenticated() const override { return preauth_; }

  Status StartTls(Deadline deadline) override {
    Result<ImapResponse> done = Command("STARTTLS", deadline, Phase::kStartTls);
    if (!done.ok()) return done.error();
    if (done->status != "OK") {
      return SessionError(ErrorKind::kStartTlsMissing, "The server refused STARTTLS", done->line,
                          Phase::kStartTls);
    }
    return OkStatus();
  }

  void AfterTls() override {
    MailSession::AfterTls();
    fresh_ = false;
  }

  Result<std::string> Authenticate(SaslClient& sasl, Deadline deadline) override {
    const std::string tag = NextTag();
    auto read_step = [&](Deadline d) -> Result<SaslStep> {
      for (size_t i = 0; i < kMaxReplyLines; ++i) {
        // Challenges are SASL payloads: the transcript shows "+ ***".
        Result<std::string> text = ReadImapResponseText(io_, d, Phase::kAuth, "+");
        if (!text.ok()) return text.error();
        Result<ImapResponse> parsed = ParseImapResponse(text.value());
        if (!parsed.ok()) return WithPhase(parsed.error(), Phase::kAuth);
        ImapResponse& r = parsed.value();
        if (r.kind == ImapResponse::Kind::kContinuation) {
          return SaslStep{SaslStep::Kind::kChallenge, r.text, r.line};
        }
        if (r.kind == ImapResponse::Kind::kUntagged) {
          if (r.status == "BYE") {
            return SessionError(ErrorKind::kProtocol, "The server closed the session", r.line,
                                Phase::kAuth);
          }
          continue;
        }
        if (r.tag != tag) continue;
        if (r.status == "OK") return SaslStep{SaslStep::Kind::kSuccess, {}, r.line};
        SaslStep failure{SaslStep::Kind::kFailure, {}, r.line};
        // BAD means the command itself was not acceptable (e.g. an unknown
        // mechanism); NO is the verdict on the credentials.
        if (r.status == "BAD") failure.failure = ErrorKind::kAuthMechanism;
        return failure;
      }
      return SessionError(ErrorKind::kProtocol, "The server sent too many responses", {},
                          Phase::kAuth);
    };
    return RunSaslExchange(io_, sasl, tag + " AUTHENTICATE", HasWord(capabilities_, "SASL-IR"),
                           read_step, deadline);
  }

  std::string PasswordLoginName() const override { return "LOGIN (IMAP command)"; }

  Result<std::string> PasswordLogin(const std::string& user, const std::string& password,
                                    Deadline deadline) override {
    const std::string tag = NextTag();
    // Quoted strings where possible, else synchronizing literals.
    std::string line = tag + " LOGIN ";
    std::string shown = line;
    if (std::optional<std::string> quoted = ImapQuote(user)) {
      line += *quoted + " ";
      shown = line;
    } else {
      line += "{" + std::to_string(user.size()) + "}";
      shown = line;
      if (Status s = SendAndAwaitContinuation(line, shown, deadline); !s.ok()) return s.error();
      line = user + " ";
      shown = line;
    }
    if (std::optional<std::string> quoted = ImapQuote(password)) {
      line += *quoted;
      shown += "***";
    } else {
      line += "{" + std::to_string(password.size()) + "}";
      shown += line.substr(line.rfind('{'));
      if (Status s = SendAndAwaitContinuation(line, shown, deadline); !s.ok()) return s.error();
      line = password;
      shown = "***";
    }
    if (Status s = io_.WriteLine(line, deadline, Phase::kAuth, shown); !s.ok()) return s.error();
    Result<ImapResponse> done = AwaitTagged(tag, deadline, Phase::kAuth);
    if (!done.ok()) return done.error();
    if (done->status == "OK") return done->line;
    return SessionError(ErrorKind::kAuth, "The server rejected the login", done->line,
                        Phase::kAuth);
  }

  void Logout(Deadline deadline) override { (void)Command("LOGOUT", deadline, Phase::kLogout); }

 private:
  std::string NextTag() { return "a" + std::to_string(++tag_counter_); }

  static Error WithPhase(Error e, Phase phase) {
    e.phase = phase;
    return e;
  }

  void SetCapabilities(std::vector<std::string> capabilities) {
    if (capabilities.empty()) return;
    capabilities_ = std::move(capabilities);
    mechanisms_.clear();
    for (const std::string& c : capabilities_) {
      if (c.size() > 5 && (c.compare(0, 5, "AUTH=") == 0 || c.compare(0, 5, "auth=") == 0)) {
        std::string m = c.substr(5);
        for (char& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        mechanisms_.push_back(std::move(m));
      }
    }
    fresh_ = true;
  }

  Result<ImapResponse> Command(const std::string& command, Deadline deadline, Phase phase) {
    const std::string tag = NextTag();
    if (Status s = io_.WriteLine(tag + " " + command, deadline, phase); !s.ok()) {
      return s.error();
    }
    return AwaitTagged(tag, deadline, phase);
  }

  // Reads responses until the tagged one, taking capabilities from untagged
  // CAPABILITY responses and response codes on the way.
  Result<ImapResponse> AwaitTagged(const std::string& tag, Deadline deadline, Phase phase) {
    for (size_t i = 0; i < kMaxReplyLines; ++i) {
      Result<std::string> text = ReadImapResponseText(io_, deadline, phase);
      if (!text.ok()) return text.error();
      Result<ImapResponse> parsed = ParseImapResponse(text.value());
      if (!parsed.ok()) return WithPhase(parsed.error(), phase);
      ImapResponse& r = parsed.value();
      SetCapabilities(r.Capabilities());
      if (r.kind == ImapResponse::Kind::kTagged && r.tag == tag) return std::move(r);
      if (r.kind == ImapResponse::Kind::kUntagged && r.status == "BYE" && phase != Phase::kLogout) {
        return SessionError(ErrorKind::kProtocol, "The server closed the session", r.line, phase);
      }
    }
    return SessionError(
        ErrorKind::kProtocol,
        "The server sent more than " + std::to_string(kMaxReplyLines) + " responses to one command",
        {}, phase);
  }

  Status SendAndAwaitContinuation(const std::string& line, const std::string& shown,
                                  Deadline deadline) {
    if (Status s = io_.WriteLine(line, deadline, Phase::kAuth, shown); !s.ok()) return s;
    Result<std::string> text = ReadImapResponseText(io_, deadline, Phase::kAuth);
    if (!text.ok()) return text.error();
    Result<ImapResponse> parsed = ParseImapResponse(text.value());
    if (!parsed.ok()) return WithPhase(parsed.error(), Phase::kAuth);
    if (parsed->kind != ImapResponse::Kind::kContinuation) {
      return SessionError(ErrorKind::kAuth, "The server rejected the login", parsed->line,
                          Phase::kAuth);
    }
    return OkStatus();
  }

  int tag_counter_ = 0;
  bool fresh_ = false;  // capabilities_ reflect the current state
  bool preauth_ = false;
};

}  // namespace

std::unique_ptr<MailSession> MakeImapSession(LineIo& io) {
  return std::make_unique<ImapSession>(io);
}

}  // namespace mailscout
