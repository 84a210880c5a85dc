// EndpointMemory: one dial per endpoint, concurrent askers wait for the
// first, failures before the login are recalled, a probe is answered from a
// check that got further, and outcomes that say nothing are forgotten.
#include "engine/endpoint_memory.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "unit/engine/fake_servers.h"

namespace mailscout {
namespace {

using std::chrono::milliseconds;

CheckRequest Request(uint16_t port, Security security = Security::kTls) {
  CheckRequest r;
  r.protocol = Protocol::kImap;
  r.host = "imap.example.com";
  r.port = port;
  r.security = security;
  r.username = "alice";
  r.password = "right";
  return r;
}

CheckRequest Probe(uint16_t port) {
  CheckRequest r = Request(port);
  r.username.clear();
  r.password.reset();
  r.probe_only = true;
  return r;
}

TEST(EndpointMemoryTest, ConcurrentAskersOfASilentEndpointWaitForTheFirstDial) {
  FakeServers servers;
  servers.Set("imap.example.com", 993, Fails(ErrorKind::kTimeout, 300));  // a tarpit
  EndpointMemory memory([&](const CheckRequest& r) { return servers.Check(r); });
  const auto start = Clock::now();
  std::vector<CheckResult> results(4);
  std::vector<std::thread> askers;
  for (size_t i = 0; i < results.size(); ++i) {
    askers.emplace_back([&, i] { results[i] = memory.Check(i % 2 ? Probe(993) : Request(993)); });
  }
  for (auto& t : askers) t.join();
  // One dial, one deadline: not four, and not two in a row.
  EXPECT_EQ(memory.dials(Protocol::kImap, "imap.example.com", 993, Security::kTls), 1);
  EXPECT_LT(Clock::now() - start, milliseconds(550));
  int recalled = 0;
  for (const CheckResult& r : results) {
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->kind, ErrorKind::kTimeout);
    recalled += r.recalled;
  }
  EXPECT_EQ(recalled, 3);
  // Later askers get the memory too.
  EXPECT_TRUE(memory.Check(Request(993)).recalled);
  EXPECT_EQ(servers.calls().size(), 1u);
}

TEST(EndpointMemoryTest, EndpointsAreKeptApart) {
  FakeServers servers;
  servers.Set("imap.example.com", 993, Fails(ErrorKind::kRefused));
  servers.Set("imap.example.com", 143, Ok());
  EndpointMemory memory([&](const CheckRequest& r) { return servers.Check(r); });
  EXPECT_FALSE(memory.Check(Request(993)).ok);
  EXPECT_TRUE(memory.Check(Request(143, Security::kStartTls)).login_ok);
  EXPECT_EQ(memory.dials(Protocol::kImap, "imap.example.com", 143, Security::kStartTls), 1);
}

TEST(EndpointMemoryTest, ProbeIsAnsweredByACheckThatReachedTheLogin) {
  FakeServers servers;
  servers.Set("imap.example.com", 993, Ok());
  EndpointMemory memory([&](const CheckRequest& r) { return servers.Check(r); });
  EXPECT_TRUE(memory.Check(Request(993)).login_ok);
  CheckResult probe = memory.Check(Probe(993));
  EXPECT_TRUE(probe.ok);
  EXPECT_TRUE(probe.recalled);
  EXPECT_FALSE(probe.login_attempted);
  EXPECT_EQ(servers.calls().size(), 1u);
}

TEST(EndpointMemoryTest, WorkingEndpointIsDialledForEveryLogin) {
  FakeServers servers;
  servers.Set("imap.example.com", 993, Accepts("alice"));
  EndpointMemory memory([&](const CheckRequest& r) { return servers.Check(r); });
  CheckRequest wrong = Request(993);
  wrong.username = "alice@example.com";
  EXPECT_EQ(memory.Check(wrong).error->kind, ErrorKind::kAuth);  // not a failure of the endpoint
  EXPECT_TRUE(memory.Check(Request(993)).login_ok);
  EXPECT_EQ(servers.calls().size(), 2u);
}

TEST(EndpointMemoryTest, CancelledCheckTeachesNothing) {
  FakeServers servers;
  servers.Set("imap.example.com", 993, Hangs());
  EndpointMemory memory([&](const CheckRequest& r) { return servers.Check(r); });
  CheckRequest r = Request(993);
  r.cancelled = MakeCancelFlag();
  std::thread cancel([&] {
    std::this_thread::sleep_for(milliseconds(50));
    r.cancelled->store(true);
  });
  CheckResult first = memory.Check(r);
  cancel.join();
  EXPECT_EQ(first.error->phase, Phase::kCancelled);
  CheckRequest again = Request(993);
  again.overall = Deadline::AfterMs(50);
  memory.Check(again);
  EXPECT_EQ(memory.dials(Protocol::kImap, "imap.example.com", 993, Security::kTls), 2);
}

TEST(EndpointMemoryTest, WaiterStopsAtItsOwnCancel) {
  FakeServers servers;
  servers.Set("imap.example.com", 993, Hangs());
  EndpointMemory memory([&](const CheckRequest& r) { return servers.Check(r); });
  CheckRequest first = Request(993);
  first.overall = Deadline::AfterMs(600);
  std::thread dial([&] { memory.Check(first); });
  std::this_thread::sleep_for(milliseconds(30));
  CheckRequest waiter = Request(993);
  waiter.overall = Deadline::AfterMs(100);
  const auto start = Clock::now();
  CheckResult r = memory.Check(waiter);
  EXPECT_LT(Clock::now() - start, milliseconds(300));
  EXPECT_EQ(r.error->phase, Phase::kOverall);
  dial.join();
}

}  // namespace
}  // namespace mailscout
