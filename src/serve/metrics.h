// Counters for `GET /metrics` (Prometheus text exposition format 0.0.4):
// requests by endpoint and status, a latency histogram per endpoint, and
// connection gauges. Thread-safe; Record() takes one short lock.
#ifndef MAILSCOUT_SERVE_METRICS_H_
#define MAILSCOUT_SERVE_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace mailscout {

class ServeMetrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   1.0,    10.0};

  void Record(const std::string& endpoint, int status, double seconds);
  std::string Prometheus() const;

  std::atomic<int64_t> connections_open{0};
  std::atomic<int64_t> connections_total{0};
  std::atomic<int64_t> connections_refused{0};  // over --max-connections
  std::atomic<int64_t> connections_timed_out{0};
  std::atomic<int64_t> lookups_running{0};
  std::atomic<int64_t> lookups_refused{0};  // 429
  std::atomic<int64_t> site_reloads{0};
  std::atomic<int64_t> site_reload_failures{0};

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_SERVE_METRICS_H_
