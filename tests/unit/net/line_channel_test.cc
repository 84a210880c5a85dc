// LineChannel over a real loopback socket pair, and the Transcript's
// redaction: line splitting, length bound, deadlines, cancellation, a peer
// that closes, literals, and secrets kept out of recorded lines.
#include "net/line_channel.h"

#include <gtest/gtest.h>

#include <Poco/Net/ServerSocket.h>

#include <thread>

namespace mailscout {
namespace {

// A connected pair: `client` is wrapped by the channel, `server` is ours.
struct Pair {
  Pair() : listener(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    client.connect(listener.address());
    server = listener.acceptConnection();
  }
  void Send(const std::string& data) {
    server.sendBytes(data.data(), static_cast<int>(data.size()));
  }
  std::string Receive() {
    char buffer[1024];
    server.setReceiveTimeout(Poco::Timespan(1, 0));
    int n = server.receiveBytes(buffer, sizeof buffer);
    return std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0);
  }
  Poco::Net::ServerSocket listener;
  Poco::Net::StreamSocket client;
  Poco::Net::StreamSocket server;
};

TEST(LineChannelTest, SplitsCrlfAndBareLf) {
  Pair pair;
  Transcript transcript(true);
  LineChannel channel(pair.client, &transcript);
  pair.Send("first\r\nsecond\nthird\r\n");
  EXPECT_EQ(channel.ReadLine(Deadline::AfterMs(1000), Phase::kGreeting).value(), "first");
  EXPECT_EQ(channel.ReadLine(Deadline::AfterMs(1000), Phase::kGreeting).value(), "second");
  EXPECT_EQ(channel.ReadLine(Deadline::AfterMs(1000), Phase::kGreeting).value(), "third");
  EXPECT_FALSE(channel.HasBufferedData());
  EXPECT_EQ(transcript.Take(), (std::vector<std::string>{"S: first", "S: second", "S: third"}));
}

TEST(LineChannelTest, LineLengthIsBounded) {
  Pair pair;
  Transcript transcript(true);
  LineChannel channel(pair.client, &transcript, nullptr, 1024);
  pair.Send(std::string(5000, 'x'));
  auto line = channel.ReadLine(Deadline::AfterMs(1000), Phase::kCapabilities);
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().kind, ErrorKind::kProtocol);
  EXPECT_EQ(line.error().phase, Phase::kCapabilities);
  EXPECT_NE(line.error().message.find("longer than 1 KiB"), std::string::npos);
}

TEST(LineChannelTest, SilentPeerTimesOutAtTheDeadline) {
  Pair pair;
  Transcript transcript;
  LineChannel channel(pair.client, &transcript);
  const auto start = Clock::now();
  auto line = channel.ReadLine(Deadline::AfterMs(250), Phase::kGreeting);
  const auto elapsed = MsSince(start);
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(line.error().phase, Phase::kGreeting);
  EXPECT_GE(elapsed, 240);
  EXPECT_LT(elapsed, 700);
}

TEST(LineChannelTest, PartialLineThenSilenceTimesOut) {
  Pair pair;
  Transcript transcript(true);
  LineChannel channel(pair.client, &transcript);
  pair.Send("* OK half a gre");
  auto line = channel.ReadLine(Deadline::AfterMs(200), Phase::kGreeting);
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().kind, ErrorKind::kTimeout);
  auto lines = transcript.Take();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "S: * OK half a gre (incomplete line)");
}

TEST(LineChannelTest, CancelFlagStopsAWait) {
  Pair pair;
  Transcript transcript;
  std::atomic<bool> cancelled{false};
  LineChannel channel(pair.client, &transcript, &cancelled);
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    cancelled = true;
  });
  const auto start = Clock::now();
  auto line = channel.ReadLine(Deadline::AfterMs(5000), Phase::kAuth);
  canceller.join();
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(line.error().phase, Phase::kCancelled);
  EXPECT_LT(MsSince(start), 1000);
}

TEST(LineChannelTest, PeerCloseIsProtocol) {
  Pair pair;
  Transcript transcript;
  LineChannel channel(pair.client, &transcript);
  pair.Send("last words\r\n");
  pair.server.close();
  EXPECT_EQ(channel.ReadLine(Deadline::AfterMs(1000), Phase::kAuth).value(), "last words");
  auto line = channel.ReadLine(Deadline::AfterMs(1000), Phase::kAuth);
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().kind, ErrorKind::kProtocol);
  EXPECT_NE(line.error().message.find("closed"), std::string::npos);
}

TEST(LineChannelTest, ReadBytesForLiterals) {
  Pair pair;
  Transcript transcript;
  LineChannel channel(pair.client, &transcript);
  pair.Send("{5}\r\nab\r\ncrest\r\n");
  EXPECT_EQ(channel.ReadLine(Deadline::AfterMs(1000), Phase::kCapabilities).value(), "{5}");
  EXPECT_EQ(channel.ReadBytes(5, Deadline::AfterMs(1000), Phase::kCapabilities).value(), "ab\r\nc");
  EXPECT_EQ(channel.ReadLine(Deadline::AfterMs(1000), Phase::kCapabilities).value(), "rest");
  EXPECT_FALSE(
      channel.ReadBytes(kMaxLineLength + 1, Deadline::AfterMs(100), Phase::kCapabilities).ok());
}

TEST(LineChannelTest, WriteShowsRedactedForm) {
  Pair pair;
  Transcript transcript(true);
  LineChannel channel(pair.client, &transcript);
  ASSERT_TRUE(
      channel.WriteLine("PASS hunter2", Deadline::AfterMs(1000), Phase::kAuth, "PASS ***").ok());
  EXPECT_EQ(pair.Receive(), "PASS hunter2\r\n");
  EXPECT_EQ(transcript.Take(), (std::vector<std::string>{"C: PASS ***"}));
}

TEST(LineChannelTest, ChallengeLinesAreRedactedOnRequest) {
  Pair pair;
  Transcript transcript(true);
  LineChannel channel(pair.client, &transcript);
  pair.Send("+ c2VjcmV0\r\n+OK fine\r\n334 VXNlcm5hbWU6\r\n");
  ASSERT_TRUE(channel.ReadLine(Deadline::AfterMs(1000), Phase::kAuth, "+").ok());
  ASSERT_TRUE(channel.ReadLine(Deadline::AfterMs(1000), Phase::kAuth, "+").ok());
  ASSERT_TRUE(channel.ReadLine(Deadline::AfterMs(1000), Phase::kAuth, "334").ok());
  EXPECT_EQ(transcript.Take(), (std::vector<std::string>{"S: + ***", "S: +OK fine", "S: 334 ***"}));
}

TEST(TranscriptTest, ScrubsRegisteredSecretsEverywhere) {
  Transcript transcript(true);
  transcript.AddSecret("hunter2");
  transcript.AddSecret("");  // ignored
  transcript.Server("-ERR wrong password hunter2 for you");
  EXPECT_EQ(transcript.Scrub("xhunter2hunter2x"), "x******x");
  EXPECT_EQ(transcript.Take(), (std::vector<std::string>{"S: -ERR wrong password *** for you"}));
}

// Found by fuzzing (imap_session, pop3_session): the server sent
// "f\x0fuzz-Secret-0f7e"; escaping the control byte showed "f\x0fuzz-...",
// which spells the secret "fuzz-Secret-0f7e".
TEST(TranscriptTest, RegressionEscapingCannotSpellASecret) {
  Transcript transcript(true);
  transcript.AddSecret("fuzz-Secret-0f7e");
  transcript.Server(
      std::string("+OK\x0d"
                  "f\x0f"
                  "uzz-Secret-0f7e"));
  auto lines = transcript.Take();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find("fuzz-Secret-0f7e"), std::string::npos) << lines[0];
}

TEST(TranscriptTest, ShortSecretsAreScrubbedOnlyAsWholeTokens) {
  Transcript transcript(true);
  transcript.AddSecret("x");
  transcript.AddSecret("mail");
  EXPECT_EQ(transcript.Scrub("Could not connect to imap.example.com"),
            "Could not connect to imap.example.com");
  EXPECT_EQ(transcript.Scrub("a1 LOGIN bob x"), "a1 LOGIN bob ***");
  EXPECT_EQ(transcript.Scrub("password 'mail' rejected, mailbox fine"),
            "password '***' rejected, mailbox fine");
}

TEST(TranscriptTest, DisabledRecordsNothing) {
  Transcript transcript(false);
  transcript.Client("a1 LOGIN x y");
  EXPECT_TRUE(transcript.Take().empty());
}

TEST(TranscriptTest, BoundsAndEscapes) {
  Transcript transcript(true);
  transcript.Server(std::string("bell\x07", 5));
  transcript.Server(std::string(1000, 'y'));
  for (size_t i = 0; i < kMaxTranscriptLines + 10; ++i) transcript.Client("NOOP");
  auto lines = transcript.Take();
  EXPECT_EQ(lines[0], "S: bell\\x07");
  EXPECT_LT(lines[1].size(), kMaxShownLine + 10);
  EXPECT_EQ(lines.size(), kMaxTranscriptLines + 1);
  EXPECT_EQ(lines.back(), "-- (transcript truncated)");
}

TEST(TranscriptTest, RedactPayload) {
  EXPECT_EQ(RedactPayload("+ abc", "+").value(), "+ ***");
  EXPECT_EQ(RedactPayload("+", "+").value(), "+");
  EXPECT_EQ(RedactPayload("+ ", "+").value(), "+ ");
  EXPECT_FALSE(RedactPayload("+OK Logged in", "+"));
  EXPECT_FALSE(RedactPayload("a1 OK done", "+"));
  EXPECT_EQ(RedactPayload("334 abc", "334").value(), "334 ***");
  EXPECT_FALSE(RedactPayload("235 ok", "334"));
  EXPECT_FALSE(RedactPayload("+ abc", ""));
}

}  // namespace
}  // namespace mailscout
