// TaskPool: a bounded pool of worker threads for discovery's network steps.
//
// Threads are started on demand up to max_threads and then reused; tasks
// run in submission order. Submit() never blocks. The destructor lets the
// queued and running tasks finish (each is bounded by its own deadline) and
// joins every thread, also those started by tasks that submit more work
// while it waits. Thread-safe.
#ifndef MAILSCOUT_DISCOVER_TASK_POOL_H_
#define MAILSCOUT_DISCOVER_TASK_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mailscout {

class TaskPool {
 public:
  explicit TaskPool(int max_threads);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  // Queues task; it must not throw (exceptions are caught and dropped).
  void Submit(std::function<void()> task);

  // Waits until no task is queued or running.
  void WaitIdle();

 private:
  void Worker();

  const int max_threads_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  int idle_ = 0;
  int running_ = 0;
  bool stopping_ = false;
};

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_TASK_POOL_H_
