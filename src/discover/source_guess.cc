// The guessing source: imap., mail., pop3., pop., smtp. and the bare domain
// on the standard ports with each security, each confirmed by a Prober
// (connect, TLS or STARTTLS, capabilities; never a login) before it becomes
// a candidate. Plain is tried only where STARTTLS was refused by a server
// that answered. A guess is not probed for a protocol another source has
// already answered (unless guess_always) nor for a service SRV says is not
// offered.
#include <string>
#include <vector>

#include "discover/prober.h"
#include "discover/run_state.h"
#include "dns/resolver.h"

namespace mailscout {
namespace {

struct GuessHost {
  const char* prefix;
  // Preference of this host for IMAP, POP3, SMTP; -1: not guessed for it.
  int order[3];
};

constexpr GuessHost kHosts[] = {
    {"imap.", {0, -1, -1}}, {"pop3.", {-1, 0, -1}}, {"pop.", {-1, 1, -1}},
    {"smtp.", {-1, -1, 0}}, {"mail.", {1, 2, 1}},   {"", {2, 3, 2}},
};

bool Skip(SourceTask& task, Protocol protocol, Security security, const std::string& what) {
  if (task.cancelled()) return true;
  if (!task.options().guess_always && task.Answered(protocol)) {
    task.Note(what + ": not probed, another source answered for " +
              std::string(DisplayName(protocol)));
    return true;
  }
  const Security service = security == Security::kPlain ? Security::kStartTls : security;
  if (task.IsNotOffered(protocol, service)) {
    task.Note(what + ": not probed, SRV says the service is not offered");
    return true;
  }
  return false;
}

void ProbeOne(SourceTask& task, ServerCandidate candidate) {
  const std::string what = std::string(DisplayName(candidate.protocol)) + " " + candidate.host +
                           ":" + std::to_string(candidate.port) + " " +
                           std::string(ToString(candidate.security));
  // SRV may say the service is not offered: let it answer first (DNS is
  // quick, and a probe of a service the domain disowns must not be sent).
  task.WaitForSlot(SlotId::kSrv, task.DnsDeadline());
  if (Skip(task, candidate.protocol, candidate.security, what)) return;
  const Deadline deadline = task.ProbeDeadline();
  ProbeOutcome outcome = task.env().prober->Probe(candidate, deadline, task.cancel());
  if (outcome.status == ProbeStatus::kRejected && candidate.security == Security::kStartTls &&
      !task.cancelled()) {
    task.Note(what + ": " + outcome.detail);
    candidate.security = Security::kPlain;
    candidate.rank += 1;
    const std::string plain = what.substr(0, what.rfind(' ')) + " plain";
    if (Skip(task, candidate.protocol, candidate.security, plain)) return;
    outcome = task.env().prober->Probe(candidate, deadline, task.cancel());
    if (outcome.status != ProbeStatus::kConfirmed) {
      task.Note(plain + ": " + outcome.detail);
      return;
    }
    candidate.detail = "guessed " + candidate.host + ", probe: " + outcome.detail;
    task.Note(plain + ": confirmed");
    task.Add({candidate});
    return;
  }
  if (outcome.status != ProbeStatus::kConfirmed) {
    task.Note(what + ": " + outcome.detail);
    return;
  }
  candidate.detail = "guessed " + candidate.host + ", probe: " + outcome.detail;
  task.Note(what + ": confirmed");
  task.Add({candidate});
}

void GuessHostTask(SourceTask& task, const GuessHost& guess) {
  const std::string host = guess.prefix + task.address().ascii_domain();
  std::vector<Protocol> wanted;
  for (Protocol p : {Protocol::kImap, Protocol::kPop3, Protocol::kSmtp}) {
    if (guess.order[static_cast<int>(p)] < 0) continue;
    if (!task.options().guess_always && task.Answered(p)) continue;
    wanted.push_back(p);
  }
  if (wanted.empty() || task.cancelled()) return;
  Result<std::vector<std::string>> addresses =
      task.env().resolver.ResolveHost(host, task.DnsDeadline());
  if (!addresses.ok()) {
    if (addresses.error().kind == ErrorKind::kTimeout) {
      task.Problem(host, addresses.error());
    } else {
      task.Note(host + ": no address");
    }
    return;
  }
  for (Protocol p : wanted) {
    for (Security s : {Security::kTls, Security::kStartTls}) {
      ServerCandidate c;
      c.protocol = p;
      c.host = host;
      c.port = DefaultPort(p, s);
      c.security = s;
      c.source = Source::kGuess;
      c.trust = Trust::kGuessed;
      c.rank = guess.order[static_cast<int>(p)] * 3 + static_cast<int>(s);
      task.Spawn([c](SourceTask& t) { ProbeOne(t, c); });
    }
  }
}

}  // namespace

void RunGuessSource(SourceTask& task) {
  for (size_t i = 1; i < std::size(kHosts); ++i) {
    task.Spawn([i](SourceTask& t) { GuessHostTask(t, kHosts[i]); });
  }
  GuessHostTask(task, kHosts[0]);
}

}  // namespace mailscout
