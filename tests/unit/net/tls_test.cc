// TlsClient and ConnectTcp against in-process loopback servers: good,
// wrong-name, expired and self-signed certificates, a silent peer during the
// handshake, refused ports. Certificates live in tests/data/certs.
#include "net/tls.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/ServerSocket.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "net/connect.h"
#include "support/fake_resolver.h"

namespace mailscout {
namespace {

const std::string kCerts = std::string(MAILSCOUT_SOURCE_DIR) + "/tests/data/certs/";

// Accepts one connection on 127.0.0.1, then does TLS with `cert` (or stays
// silent when cert is empty) and writes a line.
class OneShotServer {
 public:
  explicit OneShotServer(const std::string& cert)
      : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    port_ = socket_.address().port();
    thread_ = std::thread([this, cert] {
      try {
        Poco::Net::StreamSocket client = socket_.acceptConnection();
        if (cert.empty()) {
          while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
          return;
        }
        Poco::Net::Context::Ptr context =
            new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, kCerts + cert + ".key",
                                   kCerts + cert + ".pem", "", Poco::Net::Context::VERIFY_NONE);
        Poco::Net::SecureStreamSocket tls = Poco::Net::SecureStreamSocket::attach(client, context);
        tls.sendBytes("hello\r\n", 7);
        while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      } catch (...) {
      }
    });
  }
  ~OneShotServer() {
    stop_ = true;
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  Poco::Net::ServerSocket socket_;
  uint16_t port_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class TlsTest : public ::testing::Test {
 protected:
  TlsTest() {
    resolver_.hosts["good.test"] = {"127.0.0.1"};
    resolver_.hosts["other.test"] = {"127.0.0.1"};
    resolver_.hosts["a.wild.test"] = {"127.0.0.1"};
    resolver_.hosts["a.b.wild.test"] = {"127.0.0.1"};
  }

  Result<Poco::Net::SecureStreamSocket> Connect(const std::string& cert, const std::string& host,
                                                bool insecure, TlsInfo* info) {
    OneShotServer server(cert);
    TlsClient client(TlsOptions{kCerts + "ca.pem", insecure});
    auto tcp = ConnectTcp(resolver_, host, server.port(), Deadline::AfterMs(2000),
                          Deadline::AfterMs(2000));
    if (!tcp.ok()) return tcp.error();
    return client.Handshake(tcp->socket, host, Deadline::AfterMs(1500), info);
  }

  FakeResolver resolver_;
};

TEST_F(TlsTest, GoodCertificateVerifies) {
  TlsInfo info;
  auto tls = Connect("good", "good.test", false, &info);
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  EXPECT_TRUE(info.chain_ok);
  EXPECT_TRUE(info.name_ok);
  EXPECT_EQ(info.version, "TLSv1.3");
  EXPECT_FALSE(info.cipher.empty());
  EXPECT_NE(std::find(info.sans.begin(), info.sans.end(), "good.test"), info.sans.end());
  char buf[8] = {0};
  EXPECT_EQ(tls->receiveBytes(buf, 7), 7);
  EXPECT_EQ(std::string(buf, 5), "hello");
}

TEST_F(TlsTest, WildcardMatchesOneLabelOnly) {
  TlsInfo info;
  EXPECT_TRUE(Connect("good", "a.wild.test", false, &info).ok());
  auto deeper = Connect("good", "a.b.wild.test", false, &info);
  ASSERT_FALSE(deeper.ok());
  EXPECT_EQ(deeper.error().kind, ErrorKind::kCertificate);
}

TEST_F(TlsTest, WrongNameIsACertificateError) {
  TlsInfo info;
  auto tls = Connect("good", "other.test", false, &info);
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.error().kind, ErrorKind::kCertificate);
  EXPECT_NE(tls.error().message.find("wrong name"), std::string::npos) << tls.error().message;
  EXPECT_NE(tls.error().message.find("good.test"), std::string::npos);
  EXPECT_TRUE(info.chain_ok);
  EXPECT_FALSE(info.name_ok);
}

TEST_F(TlsTest, ExpiredCertificateSaysExpired) {
  TlsInfo info;
  auto tls = Connect("expired", "good.test", false, &info);
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.error().kind, ErrorKind::kCertificate);
  EXPECT_NE(tls.error().message.find("expired"), std::string::npos) << tls.error().message;
}

TEST_F(TlsTest, SelfSignedCertificateSaysSelfSigned) {
  TlsInfo info;
  auto tls = Connect("selfsigned", "good.test", false, &info);
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.error().kind, ErrorKind::kCertificate);
  EXPECT_NE(tls.error().message.find("self-signed"), std::string::npos) << tls.error().message;
}

TEST_F(TlsTest, InsecureContinuesButStillReports) {
  TlsInfo info;
  auto tls = Connect("selfsigned", "other.test", true, &info);
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  EXPECT_FALSE(info.chain_ok);
  EXPECT_FALSE(info.name_ok);
  EXPECT_FALSE(DescribeCertificateProblem(info, "other.test").empty());
}

TEST_F(TlsTest, SilentPeerTimesOutInTlsPhase) {
  const auto start = Clock::now();
  auto tls = Connect("", "good.test", false, nullptr);
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(tls.error().phase, Phase::kTls);
  EXPECT_LT(MsSince(start), 3000);
}

TEST_F(TlsTest, RefusedPortIsRefused) {
  uint16_t port;
  {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = probe.address().port();
  }
  auto tcp =
      ConnectTcp(resolver_, "good.test", port, Deadline::AfterMs(1000), Deadline::AfterMs(1000));
  ASSERT_FALSE(tcp.ok());
  EXPECT_EQ(tcp.error().kind, ErrorKind::kRefused);
}

TEST_F(TlsTest, UnknownHostIsDns) {
  auto tcp =
      ConnectTcp(resolver_, "nowhere.test", 993, Deadline::AfterMs(1000), Deadline::AfterMs(1000));
  ASSERT_FALSE(tcp.ok());
  EXPECT_EQ(tcp.error().kind, ErrorKind::kDns);
}

// The system trust store without --ca-file: SSL_CERT_FILE is a bundle that
// holds the test CA among other roots, SSL_CERT_DIR a directory without it
// (the bundle-only layout). The bundle is then served by subject name; the
// verdicts must be the ones a fully loaded bundle gives.
class BundleOnlyTest : public TlsTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mailscout-tls-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "emptydir");
    for (const char* name : {"SSL_CERT_FILE", "SSL_CERT_DIR"}) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old != nullptr ? std::optional<std::string>(old) : std::nullopt);
    }
    ::setenv("SSL_CERT_DIR", (dir_ / "emptydir").c_str(), 1);
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
    std::filesystem::remove_all(dir_);
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Writes the bundle and points SSL_CERT_FILE at it.
  void UseBundle(const std::string& text) {
    const std::string path = (dir_ / "bundle.pem").string();
    std::ofstream(path, std::ios::binary) << text;
    ::setenv("SSL_CERT_FILE", path.c_str(), 1);
  }
  Result<Poco::Net::SecureStreamSocket> ConnectSystem(const std::string& cert,
                                                      const std::string& host, TlsInfo* info) {
    OneShotServer server(cert);
    TlsClient client(TlsOptions{"", false});
    auto tcp = ConnectTcp(resolver_, host, server.port(), Deadline::AfterMs(2000),
                          Deadline::AfterMs(2000));
    if (!tcp.ok()) return tcp.error();
    return client.Handshake(tcp->socket, host, Deadline::AfterMs(1500), info);
  }
  // Other roots around the test CA, as in a system bundle.
  std::string OthersAround(const std::string& ca) {
    return Read(kCerts + "selfsigned.pem") + "\n" + ca + Read(kCerts + "selfsigned.pem");
  }

  std::filesystem::path dir_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(BundleOnlyTest, CaInTheBundleVerifies) {
  UseBundle(OthersAround(Read(kCerts + "ca.pem")));
  TlsInfo info;
  auto tls = ConnectSystem("good", "good.test", &info);
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  EXPECT_TRUE(info.chain_ok);
  EXPECT_TRUE(info.name_ok);
}

TEST_F(BundleOnlyTest, CaMissingFromTheBundleIsUntrusted) {
  UseBundle(OthersAround(""));
  TlsInfo info;
  auto tls = ConnectSystem("good", "good.test", &info);
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.error().kind, ErrorKind::kCertificate);
  EXPECT_NE(tls.error().message.find("does not trust"), std::string::npos) << tls.error().message;
}

TEST_F(BundleOnlyTest, ExpiredIsExpiredWithTheCaInTheBundle) {
  UseBundle(OthersAround(Read(kCerts + "ca.pem")));
  TlsInfo info;
  auto tls = ConnectSystem("expired", "good.test", &info);
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.error().kind, ErrorKind::kCertificate);
  EXPECT_NE(tls.error().message.find("expired"), std::string::npos) << tls.error().message;
}

TEST_F(BundleOnlyTest, SelfSignedLeafGetsTheVerdictOfTheWholeBundle) {
  // The self-signed certificate is itself in this bundle: whatever OpenSSL
  // makes of that, it must be what it makes of the bundle loaded whole.
  UseBundle(OthersAround(Read(kCerts + "ca.pem")));
  TlsInfo info;
  auto tls = ConnectSystem("selfsigned", "good.test", &info);
  TlsInfo eager;
  {
    // The same handshake with the bundle given as --ca-file (loaded whole).
    OneShotServer server("selfsigned");
    TlsClient client(TlsOptions{(dir_ / "bundle.pem").string(), false});
    auto tcp = ConnectTcp(resolver_, "good.test", server.port(), Deadline::AfterMs(2000),
                          Deadline::AfterMs(2000));
    ASSERT_TRUE(tcp.ok());
    (void)client.Handshake(tcp->socket, "good.test", Deadline::AfterMs(1500), &eager);
  }
  EXPECT_EQ(info.chain_ok, eager.chain_ok);
  EXPECT_EQ(info.chain_error_code, eager.chain_error_code);
  EXPECT_EQ(info.name_ok, eager.name_ok);
}

TEST_F(BundleOnlyTest, TrustedCertificateBlocksFallBackToTheWholeBundle) {
  // "TRUSTED CERTIFICATE" blocks carry trust settings the index does not
  // read: the bundle is then loaded whole, with the same verdict.
  std::string ca = Read(kCerts + "ca.pem");
  std::string other = Read(kCerts + "selfsigned.pem");
  for (const char* from : {"-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"}) {
    std::string to = from;
    to.replace(to.find("CERTIFICATE"), 11, "TRUSTED CERTIFICATE");
    other.replace(other.find(from), std::string(from).size(), to);
  }
  UseBundle(other + ca);
  TlsInfo info;
  auto tls = ConnectSystem("good", "good.test", &info);
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  EXPECT_TRUE(info.chain_ok);
}

TEST_F(BundleOnlyTest, ATruncatedBundleTrustsWhatOpenSslsLoaderTrusts) {
  // OpenSSL's file loader gives up on the whole bundle at a block it cannot
  // read; the verdict must be that of the bundle loaded whole.
  UseBundle(Read(kCerts + "ca.pem") + "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n");
  TlsInfo info;
  auto tls = ConnectSystem("good", "good.test", &info);
  X509_STORE* whole = X509_STORE_new();
  X509_STORE_set_default_paths(whole);
  const bool whole_has_ca = [&] {
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_OBJECT* obj = X509_OBJECT_new();
    BIO* bio = BIO_new_file((kCerts + "ca.pem").c_str(), "r");
    X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    X509_STORE_CTX_init(ctx, whole, nullptr, nullptr);
    const bool found =
        X509_STORE_CTX_get_by_subject(ctx, X509_LU_X509, X509_get_subject_name(ca), obj) == 1;
    X509_free(ca);
    BIO_free(bio);
    X509_OBJECT_free(obj);
    X509_STORE_CTX_free(ctx);
    return found;
  }();
  X509_STORE_free(whole);
  EXPECT_EQ(tls.ok(), whole_has_ca) << (tls.ok() ? "" : tls.error().message);
  EXPECT_EQ(info.chain_ok, whole_has_ca);
}

TEST_F(TlsTest, UnreadableCaFileIsReported) {
  TlsClient client(TlsOptions{"/nonexistent/ca.pem", false});
  EXPECT_FALSE(client.ca_error().empty());
}

}  // namespace
}  // namespace mailscout
