#include "discover/task_pool.h"

#include <algorithm>

namespace mailscout {

TaskPool::TaskPool(int max_threads) : max_threads_(std::max(1, max_threads)) {}

TaskPool::~TaskPool() {
  // Running tasks may still Submit() (and so start threads) while we join:
  // take the threads out under the lock until none are left.
  while (true) {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      threads.swap(threads_);
    }
    work_cv_.notify_all();
    if (threads.empty()) break;
    for (auto& t : threads) t.join();
  }
}

void TaskPool::Submit(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(task));
  // Every idle worker will take one queued task; start a thread for the
  // rest while under the limit.
  if (static_cast<int>(queue_.size()) > idle_ && static_cast<int>(threads_.size()) < max_threads_) {
    threads_.emplace_back([this] { Worker(); });
  }
  work_cv_.notify_one();
}

void TaskPool::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
}

void TaskPool::Worker() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (queue_.empty()) {
      if (stopping_) return;
      ++idle_;
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_;
      continue;
    }
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    try {
      task();
    } catch (...) {
      // A task must not throw; never let one kill the process.
    }
    task = nullptr;
    lock.lock();
    --running_;
    if (queue_.empty() && running_ == 0) idle_cv_.notify_all();
  }
}

}  // namespace mailscout
