// The guessing source: imap., mail., pop3., pop., smtp., the bare domain and
// the preferred MX host when it lies inside the domain (small domains often
// run IMAP and submission on their MX host) on the standard ports with each security, each
// confirmed by a Prober (connect, TLS or STARTTLS, capabilities; never a login) before it becomes
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

void GuessHostTask(SourceTask& task, const std::string& host, const int (&order)[3]) {
  std::vector<Protocol> wanted;
  for (Protocol p : {Protocol::kImap, Protocol::kPop3, Protocol::kSmtp}) {
    if (order[static_cast<int>(p)] < 0) continue;
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
      c.rank = order[static_cast<int>(p)] * 3 + static_cast<int>(s);
      task.Spawn([c](SourceTask& t) { ProbeOne(t, c); });
    }
  }
}

// The preferred MX host, when it is inside the address's domain and not one
// of the names guessed anyway; empty otherwise.
std::string MxHostInsideDomain(SourceTask& task) {
  const std::string& domain = task.address().ascii_domain();
  Result<std::vector<MxRecord>> mx = task.env().resolver.LookupMx(domain, task.DnsDeadline());
  if (!mx.ok() || mx->empty()) return {};
  const std::string& host = mx->front().host;  // sorted by preference
  if (host.size() <= domain.size() + 1 ||
      host.compare(host.size() - domain.size() - 1, std::string::npos, "." + domain) != 0) {
    return {};
  }
  for (const GuessHost& guess : kHosts) {
    if (host == guess.prefix + domain) return {};
  }
  return host;
}

}  // namespace

void RunGuessSource(SourceTask& task) {
  const std::string& domain = task.address().ascii_domain();
  for (size_t i = 1; i < std::size(kHosts); ++i) {
    task.Spawn([i, domain](SourceTask& t) {
      GuessHostTask(t, kHosts[i].prefix + domain, kHosts[i].order);
    });
  }
  task.Spawn([](SourceTask& t) {
    static constexpr int kMxOrder[3] = {3, 4, 3};
    const std::string host = MxHostInsideDomain(t);
    if (!host.empty()) GuessHostTask(t, host, kMxOrder);
  });
  GuessHostTask(task, kHosts[0].prefix + domain, kHosts[0].order);
}

}  // namespace mailscout
