#include "verify/tester.h"

#include <algorithm>
#include <csignal>
#include <mutex>
#include <thread>

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>

#include "net/connect.h"
#include "net/line_channel.h"
#include "net/transcript.h"
#include "protocols/base64.h"
#include "protocols/mail_session.h"
#include "protocols/sasl.h"
#include "verify/check_errors.h"

namespace mailscout {
namespace {

std::string JoinWords(const std::vector<std::string>& words, const char* separator = " ") {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += separator;
    out += w;
  }
  return out;
}

// "[192.0.2.1]" / "[IPv6:2001:db8::1]" for EHLO: always syntactically valid.
std::string EhloName(Poco::Net::StreamSocket& socket) {
  try {
    const Poco::Net::SocketAddress local = socket.address();
    const std::string ip = local.host().toString();
    if (local.family() == Poco::Net::SocketAddress::IPv6) return "[IPv6:" + ip + "]";
    return "[" + ip + "]";
  } catch (const Poco::Exception&) {
    return "mailscout.invalid";
  }
}

// Hands ConnectTcp one address we already resolved, so each address gets
// its own attempt under the shared connect deadline.
class LiteralResolver : public Resolver {
 public:
  Result<std::vector<std::string>> ResolveHost(const std::string& host, Deadline) override {
    return std::vector<std::string>{host};
  }
  Result<std::vector<SrvRecord>> LookupSrv(const std::string&, Deadline) override {
    return std::vector<SrvRecord>{};
  }
  Result<std::vector<MxRecord>> LookupMx(const std::string&, Deadline) override {
    return std::vector<MxRecord>{};
  }
};

// Everything one Check() carries from phase to phase.
class Run {
 public:
  Run(Resolver& resolver, const TlsSource& tls, const CheckRequest& request)
      : resolver_(resolver),
        tls_(tls),
        req_(request),
        transcript_(request.transcript),
        start_(Clock::now()),
        overall_(request.overall.value_or(DefaultOverall(request.timeouts))) {
    result_.protocol = req_.protocol;
    result_.host = req_.host;
    result_.port = req_.port != 0 ? req_.port : DefaultPort(req_.protocol, req_.security);
    result_.security = req_.security;
    result_.username = req_.username;
    if (req_.password) AddSecretForms(*req_.password);
    if (req_.oauth_token) AddSecretForms(*req_.oauth_token);
    context_.protocol = req_.protocol;
    context_.host = req_.host;
    context_.port = result_.port;
    context_.security = req_.security;
    context_.username = req_.username;
    username_ = req_.username;
  }

  CheckResult Execute() {
    if (std::optional<Error> e = Steps()) Fail(*e);
    // Log out politely unless the connection is in an unknown state (a
    // timeout or broken protocol: waiting for a reply would only cost time).
    const bool sane = !result_.error || (result_.error->kind != ErrorKind::kTimeout &&
                                         result_.error->kind != ErrorKind::kProtocol &&
                                         result_.error->kind != ErrorKind::kTls);
    if (channel_ && session_ && greeted_ && sane) {
      const auto t = Clock::now();
      session_->Logout(overall_.Cap(std::min(req_.timeouts.command, Millis(1000))));
      Time(Phase::kLogout, t);
    }
    if (channel_) channel_->Close();
    result_.ms = MsSince(start_);
    result_.transcript = transcript_.Take();
    if (result_.error) {
      result_.error->message = transcript_.Scrub(result_.error->message);
      result_.error->server_reply = transcript_.Scrub(result_.error->server_reply);
    }
    result_.auth_reply = transcript_.Scrub(result_.auth_reply);
    return std::move(result_);
  }

 private:
  static Deadline DefaultOverall(const PhaseTimeouts& t) {
    // Every phase once plus a second capabilities round after STARTTLS.
    return Deadline::After(t.resolve + t.connect + t.tls + t.greeting + 3 * t.command + t.tls +
                           t.auth + Millis(2000));
  }

  void AddSecretForms(const std::string& secret) {
    transcript_.AddSecret(secret);
    if (secret.size() >= 4) transcript_.AddSecret(Base64Encode(secret));
  }

  bool Cancelled() const { return req_.cancelled && req_.cancelled->load(); }

  Deadline PhaseDeadline(Millis budget, Phase name) {
    // The budget the phase really gets, for "within N s" in messages.
    context_.phase_budget_ms = std::min(budget, overall_.remaining()).count();
    last_phase_ = name;
    return overall_.Cap(budget);
  }

  void Time(Phase name, Clock::time_point since) {
    const int64_t ms = MsSince(since);
    for (PhaseTiming& t : result_.timings) {
      if (t.phase == name) {
        t.ms += ms;
        return;
      }
    }
    result_.timings.push_back({name, ms});
  }

  void Fail(Error e) {
    if (e.kind == ErrorKind::kTimeout && e.phase == Phase::kNone) e.phase = last_phase_;
    result_.ok = false;
    result_.error = Explain(std::move(e), context_);
  }

  std::optional<Error> CheckCancel() const {
    if (!Cancelled()) return std::nullopt;
    return Error::Make(ErrorKind::kTimeout, "cancelled", {}, Phase::kCancelled);
  }

  std::optional<Error> Steps();
  std::optional<Error> Connect();
  std::optional<Error> Handshake(Phase timing_name);
  std::optional<Error> StartTls();
  std::optional<Error> Login();
  std::optional<Error> SendCredentials(const std::optional<SaslMechanism>& mechanism,
                                       const std::string& fallback);
  std::optional<Error> NoMechanism() const;

  Resolver& resolver_;
  const TlsSource& tls_;
  const CheckRequest& req_;
  Transcript transcript_;
  Clock::time_point start_;
  Deadline overall_;
  CheckResult result_;
  CheckContext context_;
  Phase last_phase_ = Phase::kResolve;
  Poco::Net::StreamSocket socket_;
  std::unique_ptr<LineChannel> channel_;
  std::unique_ptr<MailSession> session_;
  bool greeted_ = false;
  std::string username_;  // the username sent: the request's, or the login gate's
};

std::optional<Error> Run::Connect() {
  auto t = Clock::now();
  Result<std::vector<std::string>> addresses =
      resolver_.ResolveHost(req_.host, PhaseDeadline(req_.timeouts.resolve, Phase::kResolve));
  Time(Phase::kResolve, t);
  if (!addresses.ok()) {
    Error e = addresses.error();
    if (e.kind == ErrorKind::kDns && e.message.find(req_.host) == std::string::npos) {
      e.message = "The name " + req_.host + " does not resolve (" + e.message + ")";
    }
    e.phase = Phase::kResolve;
    return e;
  }
  if (auto e = CheckCancel()) return e;

  t = Clock::now();
  const Deadline connect_deadline = PhaseDeadline(req_.timeouts.connect, Phase::kConnect);
  std::optional<Error> last;
  LiteralResolver literal;
  for (const std::string& ip : addresses.value()) {
    Result<TcpConnection> connection =
        ConnectTcp(literal, ip, result_.port, connect_deadline, connect_deadline);
    if (connection.ok()) {
      socket_ = connection->socket;
      result_.address = connection->address;
      transcript_.Note("connected to " + ip + " port " + std::to_string(result_.port));
      Time(Phase::kConnect, t);
      return std::nullopt;
    }
    // Keep a timeout over a refusal: it is the more informative finding.
    if (!last || last->kind != ErrorKind::kTimeout) last = connection.error();
    if (connect_deadline.expired() || Cancelled()) break;
  }
  Time(Phase::kConnect, t);
  if (!last) {
    Error none = Error::Make(ErrorKind::kDns, "The name " + req_.host + " has no address", {},
                             Phase::kResolve);
    none.dns = DnsOutcome::kNoRecords;
    last = none;
  }
  Error e = *last;
  if (e.kind == ErrorKind::kRefused) {
    e.message = "Could not connect to " + req_.host + " port " + std::to_string(result_.port) +
                " (" + JoinWords(addresses.value(), ", ") +
                "): the connection was refused, nothing is listening there";
  }
  e.phase = e.kind == ErrorKind::kTimeout ? Phase::kConnect : e.phase;
  return e;
}

std::optional<Error> Run::Handshake(Phase timing_name) {
  const TlsClient& tls = tls_();  // may wait until OpenSSL is set up
  const auto t = Clock::now();
  TlsInfo info;
  Result<Poco::Net::SecureStreamSocket> secure =
      tls.Handshake(socket_, req_.host, PhaseDeadline(req_.timeouts.tls, Phase::kTls), &info);
  Time(timing_name, t);
  if (!info.version.empty() || !info.subject.empty()) result_.tls = info;
  if (!secure.ok()) {
    Error e = secure.error();
    if (e.kind == ErrorKind::kTimeout) e.phase = Phase::kTls;
    return e;
  }
  transcript_.Note("TLS " + info.version + " " + info.cipher + ", certificate " + info.subject);
  if (!info.chain_ok || !info.name_ok) {
    // Only reached with --insecure-tls: go on, but say what was ignored.
    result_.warnings.push_back(DescribeCertificateProblem(info, req_.host) +
                               " (ignored because of --insecure-tls)");
  }
  socket_ = secure.value();
  return std::nullopt;
}

std::optional<Error> Run::StartTls() {
  if (!session_->OffersStartTls()) {
    std::string offered = JoinWords(session_->capabilities());
    if (offered.size() > 200) offered = offered.substr(0, 200) + "...";
    return Error::Make(ErrorKind::kStartTlsMissing,
                       req_.host + " port " + std::to_string(result_.port) +
                           " does not offer STARTTLS, so the connection cannot be encrypted" +
                           (offered.empty() ? std::string() : " (it offers: " + offered + ")"),
                       {}, Phase::kStartTls);
  }
  const auto t = Clock::now();
  Status started = session_->StartTls(PhaseDeadline(req_.timeouts.command, Phase::kStartTls));
  Time(Phase::kStartTls, t);
  if (!started.ok()) return started.error();
  if (channel_->HasBufferedData()) {
    // RFC 3207 4.2 / CVE-2011-0411: anything sent before the handshake
    // could be injected by an attacker; a correct server never does it.
    return Error::Make(ErrorKind::kProtocol,
                       "The server sent data after agreeing to STARTTLS, before the TLS "
                       "handshake (a command injection risk)",
                       {}, Phase::kStartTls);
  }
  if (auto e = Handshake(Phase::kTls)) return e;
  channel_->Replace(socket_);
  session_->AfterTls();
  const auto t2 = Clock::now();
  Status caps =
      session_->LoadCapabilities(PhaseDeadline(req_.timeouts.command, Phase::kCapabilities));
  Time(Phase::kCapabilities, t2);
  if (!caps.ok()) return caps.error();
  return std::nullopt;
}

std::optional<Error> Run::NoMechanism() const {
  const std::string where = req_.host + " port " + std::to_string(result_.port);
  const bool encrypted = req_.security != Security::kPlain;
  std::string message;
  if (req_.mechanism == "PASSWORD") {
    message = session_->PasswordLoginName().empty()
                  ? std::string(DisplayName(req_.protocol)) +
                        " has no password command of its own; use a SASL mechanism"
                  : where + " does not allow its password command here" +
                        std::string(session_->LoginDisabled() ? " (LOGINDISABLED)" : "");
  } else if (session_->LoginDisabled()) {
    message = where + " does not allow logging in " +
              (encrypted ? std::string("(LOGINDISABLED) and offers no login method mailscout "
                                       "supports")
                         : std::string("without TLS (LOGINDISABLED): use --security tls or "
                                       "starttls"));
  } else if (session_->mechanisms().empty()) {
    message = where + " offers no way to log in";
    if (req_.protocol == Protocol::kSmtp) message += " (no AUTH in its EHLO reply)";
    if (!encrypted) message += "; it probably requires TLS first";
  } else if (req_.oauth_token && !req_.password) {
    message = where + " does not accept OAuth tokens (it offers " +
              JoinWords(session_->mechanisms()) + ", not OAUTHBEARER or XOAUTH2)";
  } else {
    message = where + " offers only " + JoinWords(session_->mechanisms()) +
              ", none of which mailscout supports (it supports SCRAM-SHA-256, SCRAM-SHA-1, "
              "CRAM-MD5, PLAIN, LOGIN, OAUTHBEARER, XOAUTH2)";
  }
  return Error::Make(ErrorKind::kAuthMechanism, message, {}, Phase::kAuth);
}

std::optional<Error> Run::Login() {
  const bool have_password = req_.password.has_value();
  const bool have_token = req_.oauth_token.has_value();
  if (session_->PreAuthenticated()) {
    // Logged in by the greeting (e.g. a local server): nothing to send.
    result_.auth_used = "PREAUTH";
    result_.login_ok = true;
    return std::nullopt;
  }
  if (req_.security == Security::kPlain && !req_.allow_plaintext) {
    return Error::Make(ErrorKind::kCleartextRefused,
                       "mailscout did not send the " +
                           std::string(have_password ? "password" : "OAuth token") + " for " +
                           req_.username + " because the connection to " + req_.host + " port " +
                           std::to_string(result_.port) +
                           " is not encrypted; use --security tls or starttls, or "
                           "--allow-plaintext if you accept the risk",
                       {}, Phase::kAuth);
  }
  std::optional<SaslMechanism> mechanism;
  if (!req_.mechanism.empty()) {
    mechanism = ParseMechanism(req_.mechanism);
  } else {
    mechanism = ChooseMechanism(session_->mechanisms(), have_password, have_token);
  }
  const std::string fallback = session_->PasswordLoginName();
  const bool use_fallback = !mechanism && have_password && !fallback.empty() &&
                            !session_->LoginDisabled() &&
                            (req_.mechanism.empty() || req_.mechanism == "PASSWORD");
  if (!mechanism && !use_fallback) return NoMechanism();

  context_.oauth = mechanism && UsesOAuthToken(*mechanism);
  context_.token_expiry = req_.oauth_token_expiry;
  if (req_.login_gate == nullptr) return SendCredentials(mechanism, fallback);
  // The login policy says when, and as whom (engine/login_policy.h).
  std::string why;
  std::optional<std::string> username = req_.login_gate->Acquire(result_.address, overall_, &why);
  if (!username) return Error::Make(ErrorKind::kNotTried, why, {}, Phase::kSkipped);
  username_ = *username;
  result_.username = username_;
  context_.username = username_;
  std::optional<Error> error = SendCredentials(mechanism, fallback);
  req_.login_gate->Release(result_.address, username_, error);
  return error;
}

std::optional<Error> Run::SendCredentials(const std::optional<SaslMechanism>& mechanism,
                                          const std::string& fallback) {
  const Deadline deadline = PhaseDeadline(req_.timeouts.auth, Phase::kAuth);
  const auto t = Clock::now();
  result_.login_attempted = true;
  Result<std::string> reply = std::string();
  if (mechanism) {
    result_.auth_used = std::string(MechanismName(*mechanism));
    SaslCredentials credentials;
    credentials.username = username_;
    credentials.password = req_.password.value_or("");
    credentials.oauth_token = req_.oauth_token.value_or("");
    std::unique_ptr<SaslClient> sasl = MakeSaslClient(*mechanism, credentials);
    reply = session_->Authenticate(*sasl, deadline);
  } else {
    result_.auth_used = fallback;
    reply = session_->PasswordLogin(username_, *req_.password, deadline);
  }
  Time(Phase::kAuth, t);
  if (!reply.ok()) {
    result_.auth_reply = reply.error().server_reply;
    return reply.error();
  }
  result_.auth_reply = reply.value();
  result_.login_ok = true;
  return std::nullopt;
}

std::optional<Error> Run::Steps() {
  if (req_.host.empty())
    return Error::Make(ErrorKind::kDns, "No host name given", {}, Phase::kResolve);
  if (!req_.mechanism.empty() && req_.mechanism != "PASSWORD" && !ParseMechanism(req_.mechanism)) {
    return Error::Make(ErrorKind::kAuthMechanism,
                       "mailscout does not support the mechanism " + req_.mechanism, {},
                       Phase::kAuth);
  }
  if (auto e = CheckCancel()) return e;
  if (auto e = Connect()) return e;
  if (auto e = CheckCancel()) return e;
  if (req_.security == Security::kTls) {
    if (auto e = Handshake(Phase::kTls)) return e;
    if (auto e = CheckCancel()) return e;
  }
  channel_ = std::make_unique<LineChannel>(socket_, &transcript_,
                                           req_.cancelled ? req_.cancelled.get() : nullptr);
  session_ = MakeSession(req_.protocol, *channel_,
                         req_.ehlo_name.empty() ? EhloName(socket_) : req_.ehlo_name);

  auto t = Clock::now();
  Result<std::string> greeting =
      session_->ReadGreeting(PhaseDeadline(req_.timeouts.greeting, Phase::kGreeting));
  Time(Phase::kGreeting, t);
  if (!greeting.ok()) return greeting.error();
  greeted_ = true;
  result_.greeting = greeting.value();

  t = Clock::now();
  Status caps =
      session_->LoadCapabilities(PhaseDeadline(req_.timeouts.command, Phase::kCapabilities));
  Time(Phase::kCapabilities, t);
  if (!caps.ok()) return caps.error();
  if (auto e = CheckCancel()) return e;

  if (req_.security == Security::kStartTls) {
    result_.mechanisms_before_tls = session_->mechanisms();
    if (std::find(session_->capabilities().begin(), session_->capabilities().end(), "USER") !=
        session_->capabilities().end()) {
      result_.mechanisms_before_tls.push_back("USER");
    }
    if (req_.protocol == Protocol::kImap &&
        std::find(session_->capabilities().begin(), session_->capabilities().end(),
                  "LOGINDISABLED") == session_->capabilities().end()) {
      result_.mechanisms_before_tls.push_back(
          "IMAP LOGIN");  // RFC 3501 6.2.3: allowed unless LOGINDISABLED
    }
    if (auto e = StartTls()) {
      // Report what the server offered in the clear.
      result_.capabilities = session_->capabilities();
      result_.auth_mechanisms = session_->mechanisms();
      return e;
    }
    if (auto e = CheckCancel()) return e;
  }
  // What the server offers before login (it changes after login).
  result_.capabilities = session_->capabilities();
  result_.auth_mechanisms = session_->mechanisms();
  if (req_.on_ready) req_.on_ready(result_);

  const bool want_login = !req_.probe_only && !req_.username.empty() &&
                          (req_.password.has_value() || req_.oauth_token.has_value());
  if (want_login) {
    if (auto e = Login()) return e;
  }
  result_.ok = true;
  return std::nullopt;
}

}  // namespace

Tester::Tester(Resolver& resolver, const TlsClient& tls)
    : Tester(resolver, TlsSource([&tls]() -> const TlsClient& { return tls; })) {}

Tester::Tester(Resolver& resolver, TlsSource tls) : resolver_(resolver), tls_(std::move(tls)) {
  // A server that closes while we write must not kill the process.
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

CheckResult Tester::Check(const CheckRequest& request) const {
  try {
    return Run(resolver_, tls_, request).Execute();
  } catch (const std::exception& e) {
    // A bug, not a finding; still a value, never a crash.
    CheckResult result;
    result.protocol = request.protocol;
    result.host = request.host;
    result.port =
        request.port != 0 ? request.port : DefaultPort(request.protocol, request.security);
    result.security = request.security;
    result.username = request.username;
    result.error = Error::Make(ErrorKind::kProtocol,
                               std::string("Internal error while checking: ") + e.what());
    return result;
  }
}

std::vector<CheckResult> Tester::CheckAll(const std::vector<CheckRequest>& requests,
                                          size_t max_parallel) const {
  std::vector<CheckResult> results(requests.size());
  std::mutex mutex;
  size_t next = 0;
  auto worker = [&] {
    for (;;) {
      size_t i;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next >= requests.size()) return;
        i = next++;
      }
      results[i] = Check(requests[i]);
    }
  };
  const size_t threads = std::max<size_t>(1, std::min(max_parallel, requests.size()));
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  return results;
}

std::vector<CheckRequest> ExpandAllSecurities(const CheckRequest& base) {
  std::vector<CheckRequest> out;
  for (Security s : {Security::kTls, Security::kStartTls, Security::kPlain}) {
    CheckRequest r = base;
    r.security = s;
    r.port = DefaultPort(base.protocol, s);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mailscout
