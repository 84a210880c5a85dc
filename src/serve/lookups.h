// Helpdesk lookups for domains the site does not serve (`serve --helpdesk
// --lookups`): mailscout's discovery and checks up to, never including, a
// login (the service never sees a password), on a thread of their own, with
// progress streamed to the page as Server-Sent Events.
//
// Lookups make outbound connections on a client's behalf, so each client IP
// gets at most `per_ip` running at once and `queue_per_ip` waiting; beyond
// that, and beyond `max_total` in all, the answer is 429. Each lookup builds
// its own engine (resolver, TLS, endpoint memory), so lookups share no state
// and one client's results never leak into another's.
#ifndef MAILSCOUT_SERVE_LOOKUPS_H_
#define MAILSCOUT_SERVE_LOOKUPS_H_

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/stack.h"
#include "serve/answers.h"
#include "serve/metrics.h"
#include "serve/server.h"

namespace mailscout {

struct LookupConfig {
  StackConfig stack;
  int64_t timeout_ms = 30000;  // the whole lookup
  int64_t phase_ms = 5000;     // each step of a check
  int per_ip = 2;
  int queue_per_ip = 4;
  int max_total = 32;
};

class LookupService {
 public:
  LookupService(LookupConfig config, ServeMetrics* metrics);
  ~LookupService();
  LookupService(const LookupService&) = delete;
  LookupService& operator=(const LookupService&) = delete;

  // GET /lookup?emailaddress=A: an event stream ("progress" events, then one
  // "card" event with the card's HTML, or an "error" event). With `page`, the
  // whole helpdesk page instead, sent when the lookup ends (the form post
  // that works without JavaScript).
  HandlerResult Start(const ServeRequest& request, const ConnectionInfo& info,
                      const ServeContext& context, bool page);

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_SERVE_LOOKUPS_H_
