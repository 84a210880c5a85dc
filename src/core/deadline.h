// Deadline: an absolute point on the steady clock by which a step must end.
//
// Every network step in mailscout takes a Deadline rather than a duration, so
// a phase that spends part of the budget leaves the rest to the next one and
// nothing can wait forever. Plain value, thread-safe.
#ifndef MAILSCOUT_CORE_DEADLINE_H_
#define MAILSCOUT_CORE_DEADLINE_H_

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace mailscout {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

class Deadline {
 public:
  static Deadline After(Millis budget) { return Deadline(Clock::now() + budget); }
  static Deadline AfterMs(int64_t ms) { return After(Millis(ms)); }
  static Deadline At(Clock::time_point at) { return Deadline(at); }

  Clock::time_point at() const { return at_; }
  bool expired() const { return Clock::now() >= at_; }
  // Time left, never negative.
  Millis remaining() const {
    auto left = std::chrono::duration_cast<Millis>(at_ - Clock::now());
    return std::max(left, Millis(0));
  }
  int64_t remaining_ms() const { return remaining().count(); }
  // The earlier of this deadline and now + budget.
  Deadline Cap(Millis budget) const { return Earliest(*this, After(budget)); }

  static Deadline Earliest(Deadline a, Deadline b) { return a.at_ < b.at_ ? a : b; }

 private:
  explicit Deadline(Clock::time_point at) : at_(at) {}
  Clock::time_point at_;
};

// Milliseconds elapsed since start, for timings in reports.
inline int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<Millis>(Clock::now() - start).count();
}

}  // namespace mailscout

#endif  // MAILSCOUT_CORE_DEADLINE_H_
