#include "serve/metrics.h"

#include <cstdio>

namespace mailscout {
namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

}  // namespace

void ServeMetrics::Record(const std::string& endpoint, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{endpoint, status}];
  Histogram& h = latency_[endpoint];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string ServeMetrics::Prometheus() const {
  std::string out;
  out += "# HELP mailscout_http_requests_total HTTP requests answered, by endpoint and status.\n";
  out += "# TYPE mailscout_http_requests_total counter\n";
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, count] : requests_) {
    out += "mailscout_http_requests_total{endpoint=\"" + key.first + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(count) + "\n";
  }
  out +=
      "# HELP mailscout_http_request_duration_seconds Time from a whole request to its answer.\n";
  out += "# TYPE mailscout_http_request_duration_seconds histogram\n";
  for (const auto& [endpoint, h] : latency_) {
    std::string name = "mailscout_http_request_duration_seconds";
    std::string label = "endpoint=\"" + endpoint + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += name + "_bucket{" + label + ",le=\"" + Number(kBuckets[i]) + "\"} " +
             std::to_string(h.buckets[i]) + "\n";
    }
    out += name + "_bucket{" + label + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += name + "_sum{" + label + "} " + Number(h.sum) + "\n";
    out += name + "_count{" + label + "} " + std::to_string(h.count) + "\n";
  }
  auto gauge = [&out](const char* name, const char* type, const char* help, int64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(value) + "\n";
  };
  gauge("mailscout_connections_open", "gauge", "Client connections open now.",
        connections_open.load());
  gauge("mailscout_connections_total", "counter", "Client connections accepted.",
        connections_total.load());
  gauge("mailscout_connections_refused_total", "counter",
        "Connections closed at once because --max-connections were open.",
        connections_refused.load());
  gauge("mailscout_connections_timed_out_total", "counter",
        "Connections closed because the client was too slow or idle too long.",
        connections_timed_out.load());
  gauge("mailscout_lookups_running", "gauge", "Helpdesk lookups running now.",
        lookups_running.load());
  gauge("mailscout_lookups_refused_total", "counter", "Helpdesk lookups refused with 429.",
        lookups_refused.load());
  gauge("mailscout_site_reloads_total", "counter", "Successful site reloads (SIGHUP).",
        site_reloads.load());
  gauge("mailscout_site_reload_failures_total", "counter",
        "Site reloads that failed and kept the old site.", site_reload_failures.load());
  return out;
}

}  // namespace mailscout
