#include "serve/lookups.h"

#include <functional>
#include <thread>

#include "core/email_address.h"
#include "engine/setup_engine.h"
#include "report/discovery_text.h"
#include "verify/tester.h"

namespace mailscout {

struct LookupService::Shared {
  LookupConfig config;
  ServeMetrics* metrics = nullptr;
  std::mutex mu;
  std::condition_variable cv;
  struct PerIp {
    int running = 0;
    int waiting = 0;
  };
  std::map<std::string, PerIp> by_ip;
  int total = 0;  // running + waiting
};

namespace {

std::string SseEvent(const std::string& event, const std::string& data) {
  std::string out = "event: " + event + "\n";
  size_t start = 0;
  while (start <= data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string::npos) end = data.size();
    out += "data: " + data.substr(start, end - start) + "\n";
    if (end == data.size()) break;
    start = end + 1;
  }
  return out + "\n";
}

HandlerResult Refuse(int status, const std::string& message) {
  HandlerResult r;
  r.response = ServeResponse::Text(status, message);
  if (status == 429) r.response.headers.emplace_back("Retry-After", "10");
  r.response.endpoint = "lookup";
  return r;
}

// Runs the lookup and calls `done` with its report before the engine is torn
// down (which waits for cancelled checks to end).
void RunLookup(const LookupConfig& config, const EmailAddress& address,
               const std::shared_ptr<ResponseStream>& stream, bool progress_events,
               const std::function<void(const SetupReport&)>& done) {
  Result<std::unique_ptr<EngineStack>> stack = EngineStack::Create(config.stack);
  if (!stack.ok()) {
    SetupReport report;
    report.discovery.email = address.display();
    report.warnings.push_back(stack.error().message);
    done(report);
    return;
  }
  SetupOptions options;
  options.timeouts = PhaseTimeouts::All(Millis(config.phase_ms));
  options.display_name = address.display();
  if (progress_events) {
    options.progress = [stream](const std::string& line) {
      stream->Write(SseEvent("progress", line));
    };
  }
  ProgressFn discovery_progress;
  if (progress_events) {
    discovery_progress = [stream](const std::vector<SourceStatus>& sources) {
      stream->Write(SseEvent("progress", ProgressLine(sources)));
    };
  }
  DiscoverFn discover = stack.value()->DiscoverFunction(discovery_progress, [] {});
  const Deadline deadline = Deadline::AfterMs(config.timeout_ms);
  SetupEngine engine(discover, stack.value()->CheckFunction(), stack.value()->policy(), options);
  done(engine.Run(address, deadline));
}

}  // namespace

LookupService::LookupService(LookupConfig config, ServeMetrics* metrics)
    : shared_(std::make_shared<Shared>()) {
  shared_->config = std::move(config);
  shared_->metrics = metrics;
}

LookupService::~LookupService() = default;

HandlerResult LookupService::Start(const ServeRequest& request, const ConnectionInfo& info,
                                   const ServeContext& context, bool page) {
  std::string address_text = HelpdeskAddress(request);
  Result<EmailAddress> address = EmailAddress::Parse(address_text);
  if (!address.ok()) return Refuse(400, "'" + address_text + "' is not an e-mail address");
  std::shared_ptr<Shared> shared = shared_;
  {
    std::lock_guard<std::mutex> lock(shared->mu);
    Shared::PerIp& ip = shared->by_ip[info.peer];
    if (shared->total >= shared->config.max_total ||
        ip.running + ip.waiting >= shared->config.per_ip + shared->config.queue_per_ip) {
      if (ip.running + ip.waiting == 0) shared->by_ip.erase(info.peer);
      if (shared->metrics != nullptr) ++shared->metrics->lookups_refused;
      return Refuse(429, "too many lookups from your address at once; try again in a moment");
    }
    ++ip.waiting;
    ++shared->total;
  }
  auto stream = std::make_shared<ResponseStream>();
  HandlerResult result;
  result.stream = stream;
  result.response.endpoint = "lookup";
  if (page) {
    SetPageHeaders(&result.response);
  } else {
    result.response.content_type = "text/event-stream; charset=utf-8";
    result.response.headers.emplace_back("Cache-Control", "no-store");
    result.response.headers.emplace_back("X-Accel-Buffering", "no");
  }
  // What the page needs, copied: the thread outlives this request.
  ServeOptions options = *context.options;
  options.signer.reset();
  std::string peer = info.peer;
  EmailAddress who = address.value();
  std::thread([shared, stream, who, page, peer, address_text, options]() {
    {
      std::unique_lock<std::mutex> lock(shared->mu);
      shared->cv.wait(lock, [&] { return shared->by_ip[peer].running < shared->config.per_ip; });
      Shared::PerIp& ip = shared->by_ip[peer];
      --ip.waiting;
      ++ip.running;
    }
    if (shared->metrics != nullptr) ++shared->metrics->lookups_running;
    if (!page) stream->Write(SseEvent("progress", "Looking up " + who.display() + " ..."));
    if (!stream->cancelled()) {
      RunLookup(shared->config, who, stream, !page, [&](const SetupReport& report) {
        std::string card = CardHtml(CardFromReport(report));
        if (page) {
          ServeContext context;
          context.options = &options;
          stream->Write(PageHtml(context, address_text, card, "", true));
        } else {
          stream->Write(SseEvent("card", card));
        }
        stream->Close();
      });
    }
    stream->Close();
    if (shared->metrics != nullptr) --shared->metrics->lookups_running;
    std::lock_guard<std::mutex> lock(shared->mu);
    Shared::PerIp& ip = shared->by_ip[peer];
    --ip.running;
    --shared->total;
    if (ip.running + ip.waiting == 0) shared->by_ip.erase(peer);
    shared->cv.notify_all();
  }).detach();
  return result;
}

}  // namespace mailscout
