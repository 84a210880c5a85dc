#include "dns/answer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mailscout {
namespace {

// Builds a DNS response with one question and the given answer RDATAs.
class MessageBuilder {
 public:
  MessageBuilder(const std::string& qname, uint16_t qtype) : qtype_(qtype) {
    Put16(0x1234);
    Put16(0x8180);
    Put16(1);
    count_at_ = bytes_.size();
    Put16(0);
    Put16(0);
    Put16(0);
    PutName(qname);
    Put16(qtype);
    Put16(1);
  }
  MessageBuilder& Srv(uint16_t priority, uint16_t weight, uint16_t port,
                      const std::string& target) {
    std::vector<uint8_t> rdata;
    for (uint16_t v : {priority, weight, port}) {
      rdata.push_back(v >> 8);
      rdata.push_back(v & 0xff);
    }
    AppendName(rdata, target);
    return Answer(rdata);
  }
  MessageBuilder& Mx(uint16_t preference, const std::string& host) {
    std::vector<uint8_t> rdata = {static_cast<uint8_t>(preference >> 8),
                                  static_cast<uint8_t>(preference & 0xff)};
    AppendName(rdata, host);
    return Answer(rdata);
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  static void AppendName(std::vector<uint8_t>& out, const std::string& name) {
    size_t start = 0;
    while (start < name.size()) {
      size_t dot = name.find('.', start);
      if (dot == std::string::npos) dot = name.size();
      out.push_back(static_cast<uint8_t>(dot - start));
      out.insert(out.end(), name.begin() + start, name.begin() + dot);
      start = dot + 1;
    }
    out.push_back(0);
  }
  void PutName(const std::string& name) { AppendName(bytes_, name); }
  void Put16(uint16_t v) {
    bytes_.push_back(v >> 8);
    bytes_.push_back(v & 0xff);
  }
  MessageBuilder& Answer(const std::vector<uint8_t>& rdata) {
    bytes_.push_back(0xc0);
    bytes_.push_back(0x0c);
    Put16(qtype_);
    Put16(1);
    Put16(0);
    Put16(300);
    Put16(static_cast<uint16_t>(rdata.size()));
    bytes_.insert(bytes_.end(), rdata.begin(), rdata.end());
    ++answers_;
    bytes_[count_at_] = answers_ >> 8;
    bytes_[count_at_ + 1] = answers_ & 0xff;
    return *this;
  }

  uint16_t qtype_;
  size_t count_at_ = 0;
  uint16_t answers_ = 0;
  std::vector<uint8_t> bytes_;
};

TEST(DnsAnswerTest, ParsesSrvRecordsInWireOrder) {
  MessageBuilder m("_imaps._tcp.example.com", 33);
  m.Srv(10, 5, 993, "B.Example.com").Srv(0, 1, 10993, "a.example.com");
  auto records = ParseSrvAnswer(m.bytes().data(), static_cast<int>(m.bytes().size()));
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].target, "b.example.com");
  EXPECT_EQ((*records)[0].priority, 10);
  EXPECT_EQ((*records)[1].port, 10993);
}

TEST(DnsAnswerTest, RootTargetMeansNotOffered) {
  MessageBuilder m("_pop3._tcp.example.com", 33);
  m.Srv(0, 0, 0, "");
  auto records = ParseSrvAnswer(m.bytes().data(), static_cast<int>(m.bytes().size()));
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].target, ".");
}

TEST(DnsAnswerTest, MxSortedByPreference) {
  MessageBuilder m("example.com", 15);
  m.Mx(30, "c.example.com").Mx(10, "a.example.com").Mx(20, "b.example.com");
  auto records = ParseMxAnswer(m.bytes().data(), static_cast<int>(m.bytes().size()));
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].host, "a.example.com");
  EXPECT_EQ((*records)[2].host, "c.example.com");
}

TEST(DnsAnswerTest, CapsHugeAnswers) {
  MessageBuilder m("_imap._tcp.example.com", 33);
  for (int i = 0; i < 400; ++i) m.Srv(1, 1, 143, "h" + std::to_string(i) + ".example.com");
  auto records = ParseSrvAnswer(m.bytes().data(), static_cast<int>(m.bytes().size()));
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), kMaxRecordsPerAnswer);
}

TEST(DnsAnswerTest, TruncatedAnswerIsAnError) {
  MessageBuilder m("example.com", 15);
  m.Mx(10, "mx.example.com");
  std::vector<uint8_t> cut(m.bytes().begin(), m.bytes().end() - 6);
  auto records = ParseMxAnswer(cut.data(), static_cast<int>(cut.size()));
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.error().kind, ErrorKind::kDns);
  EXPECT_EQ(records.error().dns, DnsOutcome::kResolverFailure);
  EXPECT_EQ(records.error().phase, Phase::kResolve);
}

}  // namespace
}  // namespace mailscout
