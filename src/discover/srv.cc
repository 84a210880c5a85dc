#include "discover/srv.h"

#include <algorithm>
#include <map>

namespace mailscout {

std::vector<SrvRecord> OrderSrv(std::vector<SrvRecord> records, std::mt19937& random) {
  records.erase(
      std::remove_if(records.begin(), records.end(),
                     [](const SrvRecord& r) { return r.target == "." || r.target.empty(); }),
      records.end());
  std::map<uint16_t, std::vector<SrvRecord>> by_priority;
  for (auto& r : records) by_priority[r.priority].push_back(std::move(r));

  std::vector<SrvRecord> out;
  for (auto& [priority, group] : by_priority) {
    // Weight-0 records first, then the rest in the order received (RFC 2782).
    std::stable_partition(group.begin(), group.end(),
                          [](const SrvRecord& r) { return r.weight == 0; });
    while (!group.empty()) {
      uint32_t total = 0;
      for (const auto& r : group) total += r.weight;
      size_t pick = 0;
      if (total > 0) {
        uint32_t target = std::uniform_int_distribution<uint32_t>(0, total)(random);
        uint32_t sum = 0;
        for (size_t i = 0; i < group.size(); ++i) {
          sum += group[i].weight;
          if (sum >= target) {
            pick = i;
            break;
          }
        }
      }
      out.push_back(std::move(group[pick]));
      group.erase(group.begin() + static_cast<std::ptrdiff_t>(pick));
    }
  }
  return out;
}

std::vector<SrvRecord> OrderSrv(std::vector<SrvRecord> records) {
  thread_local std::mt19937 random{std::random_device{}()};
  return OrderSrv(std::move(records), random);
}

bool IsNotOffered(const std::vector<SrvRecord>& records) {
  return records.size() == 1 && (records[0].target == "." || records[0].target.empty());
}

}  // namespace mailscout
