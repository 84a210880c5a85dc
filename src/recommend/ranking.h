// Ranking: which of the servers that were checked should a person use?
//
// Recommend() turns discovery candidates plus the tester's CheckResults into
// a Recommendation: the best incoming and outgoing Setting, each with a reason
// in plain words, and the alternatives that also work, best first.
//
// Rules, strongest first (each decides only when every earlier rule ties):
//   1. evidence: a verified login beats a server that answered up to the
//      login (no password given), which beats one that rejected the password,
//      which beats one whose login the login policy held back; a server that
//      failed before the login step is never recommended.
//   2. between two encrypted settings, a valid certificate (chain and host
//      name) beats an invalid one that was accepted only because of
//      --insecure (plain has no certificate: rule 3 handles it).
//   3. encrypted (implicit TLS or STARTTLS) beats plain; plain is never
//      recommended at all without RankOptions::allow_plaintext.
//   4. incoming only: IMAP beats POP3, or POP3 beats IMAP with prefer_pop3.
//      This comes before rule 5 on purpose: the choice of protocol changes
//      how the mailbox behaves, the flavour of TLS does not, and --prefer
//      pop3 must win over a TLS flavour.
//   5. implicit TLS beats STARTTLS (RFC 8314).
//   6. trust of the source: authenticated beats unauthenticated beats guessed.
//   7. outgoing only: a submission port (465, 587) beats any other (25).
//   8. discovery's own order (the candidate list is best first).
//
// Pure functions of their arguments; thread-safe.
#ifndef MAILSCOUT_RECOMMEND_RANKING_H_
#define MAILSCOUT_RECOMMEND_RANKING_H_

#include <string>
#include <vector>

#include "core/model.h"

namespace mailscout {

struct RankOptions {
  bool prefer_pop3 = false;
  bool allow_plaintext = false;
};

// How far a check got, best first.
enum class Evidence {
  kVerified,          // the login succeeded
  kReachable,         // everything up to the login passed; no login was tried (no password)
  kPasswordRejected,  // everything up to the login passed; the password was rejected
  kHeldBack,          // everything up to the login passed; the login policy did not let it
                      // log in (the password was already rejected, or the budget is spent)
  kFailed,            // failed before the login step: not usable
};

// The facts the rules look at for one server setting.
struct Standing {
  Protocol protocol = Protocol::kImap;
  Security security = Security::kTls;
  uint16_t port = 0;
  Evidence evidence = Evidence::kFailed;
  bool certificate_ok = false;  // always false for plain
  Trust trust = Trust::kGuessed;
  int order = 0;  // position in discovery's candidate list (lower is better)
};

enum class RankRule {
  kEvidence,
  kCertificate,
  kEncryption,
  kProtocol,
  kImplicitTls,
  kTrust,
  kSubmissionPort,
  kDiscoveryOrder,
  kNone,  // the two standings are equal
};

// Negative when a ranks above b, positive when below, 0 when equal.
// `decided_by` (optional) receives the rule that made the difference.
int CompareStandings(const Standing& a, const Standing& b, const RankOptions& options,
                     RankRule* decided_by = nullptr);

// Why `better` ranks above `worse` by `rule`, e.g. "IMAP is preferred to POP3".
std::string ExplainRule(RankRule rule, const Standing& better, const Standing& worse,
                        const RankOptions& options);

// Evidence and certificate state of one check.
Evidence EvidenceOf(const CheckResult& check);
bool CertificateOk(const CheckResult& check);

// The standing of a finished check, its trust and order taken from the
// candidate MatchCandidate() finds (a guess at `fallback_order` if none).
Standing StandingOf(const CheckResult& check, const std::vector<ServerCandidate>& candidates,
                    int fallback_order);

// The best standing a candidate could still reach if its check were to
// succeed completely: used to stop early once nothing pending can win.
Standing OptimisticStanding(const ServerCandidate& candidate, int order);

// Whether a setting may be recommended at all under `options` (plain only
// with allow_plaintext; never one that failed before the login).
bool Eligible(const Standing& standing, const RankOptions& options);

// The ISPDB authentication word for a SASL mechanism the tester used:
// "password-cleartext" for PLAIN/LOGIN/USER, "password-encrypted" for
// CRAM-MD5/SCRAM/DIGEST-MD5/APOP, "OAuth2" for XOAUTH2/OAUTHBEARER; empty when
// the mechanism is empty.
std::string AuthWordFor(const std::string& auth_used);

// The candidate a check of (protocol, host, port, security) belongs to: the
// exact match, else the first candidate of the same protocol and host (a port
// or security type mailscout tried on a host a source named: it inherits
// that source's trust, username and place), else -1.
int MatchCandidate(const std::vector<ServerCandidate>& candidates, Protocol protocol,
                   const std::string& host, uint16_t port, Security security);

// Ranks every check against the candidates (MatchCandidate; a check with no
// candidate counts as a guess at the end of discovery's order). Several
// checks of one server (username forms) count as their best one. Never
// fails: an empty side stays nullopt.
Recommendation Recommend(const std::vector<ServerCandidate>& candidates,
                         const std::vector<CheckResult>& checks, const RankOptions& options);

}  // namespace mailscout

#endif  // MAILSCOUT_RECOMMEND_RANKING_H_
