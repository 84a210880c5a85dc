#include "discover/task_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace mailscout {
namespace {

using std::chrono::milliseconds;

TEST(TaskPool, RunsEverythingWithAtMostMaxThreads) {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::atomic<int> done{0};
  {
    TaskPool pool(3);
    for (int i = 0; i < 12; ++i) {
      pool.Submit([&] {
        int now = ++running;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(milliseconds(20));
        --running;
        ++done;
      });
    }
    pool.WaitIdle();
    EXPECT_EQ(done.load(), 12);
  }
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 2);
}

// Regression: the destructor iterated its thread list while running tasks
// submitted more work and so started threads; a thread it never joined
// ended the process with std::terminate.
TEST(TaskPool, DestructorJoinsThreadsStartedByRunningTasks) {
  std::atomic<int> ran{0};
  {
    TaskPool pool(64);
    for (int i = 0; i < 4; ++i) {
      pool.Submit([&pool, &ran] {
        std::this_thread::sleep_for(milliseconds(50));  // the destructor starts meanwhile
        for (int j = 0; j < 8; ++j) {
          pool.Submit([&ran] {
            std::this_thread::sleep_for(milliseconds(5));
            ++ran;
          });
        }
      });
    }
  }
  EXPECT_EQ(ran.load(), 32);
}

TEST(TaskPool, ExceptionsDoNotEscape) {
  std::atomic<int> ran{0};
  {
    TaskPool pool(2);
    pool.Submit([] { throw std::runtime_error("boom"); });
    pool.Submit([&] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace mailscout
