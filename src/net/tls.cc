#include "net/tls.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/Net/InvalidCertificateHandler.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/VerificationErrorArgs.h>
#include <Poco/Net/X509Certificate.h>

#include <cstdlib>
#include <mutex>
#include <set>
#include <string_view>
#include <vector>

namespace mailscout {
namespace {

struct ChainError {
  int code = 0;
  int depth = 0;
  std::string message;
};

// A handshake lists at most this many chain problems.
constexpr size_t kMaxChainErrors = 16;

// The problem `ctx` is reporting now.
ChainError CurrentError(X509_STORE_CTX* ctx) {
  const int code = X509_STORE_CTX_get_error(ctx);
  return {code, X509_STORE_CTX_get_error_depth(ctx), X509_verify_cert_error_string(code)};
}

// Chain problems are found on the thread that runs the handshake (in
// TlsClient::Trust::Verify). Each handshake points this at its own list.
thread_local std::vector<ChainError>* g_chain_errors = nullptr;

// Where VerifyAgainst() keeps its error list on an X509_STORE_CTX.
int ErrorsExIndex() {
  static const int index = X509_STORE_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Poco wants a process-wide handler for its per-certificate callback. That
// callback no longer runs (Trust::Verify replaces libssl's whole verification);
// should it ever, the handler records into the same list and never rejects.
class RecordingCertificateHandler : public Poco::Net::InvalidCertificateHandler {
 public:
  RecordingCertificateHandler() : InvalidCertificateHandler(false) {}
  void onInvalidCertificate(const void* /*sender*/,
                            Poco::Net::VerificationErrorArgs& args) override {
    if (g_chain_errors != nullptr && g_chain_errors->size() < kMaxChainErrors) {
      g_chain_errors->push_back({args.errorNumber(), args.errorDepth(), args.errorMessage()});
    }
    // Let the handshake finish: TlsClient decides after it, so the report can
    // show the certificate and --insecure-tls can continue.
    args.setIgnoreError(true);
  }
};

void InstallHandlerOnce(Poco::Net::Context::Ptr context) {
  static std::once_flag once;
  std::call_once(once, [&] {
    Poco::Net::SSLManager::instance().initializeClient(nullptr, new RecordingCertificateHandler(),
                                                       context);
  });
}

// Records every chain problem and lets verification go on, so that one pass
// lists them all (as the handshake's relaxed mode does).
int RecordAndContinue(int ok, X509_STORE_CTX* ctx) {
  if (ok == 0) {
    auto* errors =
        static_cast<std::vector<ChainError>*>(X509_STORE_CTX_get_ex_data(ctx, ErrorsExIndex()));
    if (errors != nullptr && errors->size() < kMaxChainErrors) errors->push_back(CurrentError(ctx));
  }
  return 1;
}

// Verifies the peer's certificate and chain from `handshake` (libssl's
// context: leaf, untrusted chain, "ssl_server" parameters) against `store`.
std::vector<ChainError> VerifyAgainst(X509_STORE* store, X509_STORE_CTX* handshake) {
  std::vector<ChainError> errors;
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  if (ctx == nullptr || X509_STORE_CTX_init(ctx, store, X509_STORE_CTX_get0_cert(handshake),
                                            X509_STORE_CTX_get0_untrusted(handshake)) != 1) {
    X509_STORE_CTX_free(ctx);
    errors.push_back({X509_V_ERR_UNSPECIFIED, 0, "cannot set up certificate verification"});
    return errors;
  }
  X509_STORE_CTX_set_default(ctx, "ssl_server");
  X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(ctx), X509_STORE_CTX_get0_param(handshake));
  X509_STORE_CTX_set_ex_data(ctx, ErrorsExIndex(), &errors);
  X509_STORE_CTX_set_verify_cb(ctx, RecordAndContinue);
  if (X509_verify_cert(ctx) != 1 && errors.empty()) errors.push_back(CurrentError(ctx));
  X509_STORE_CTX_free(ctx);
  return errors;
}

std::string IsoTime(const Poco::DateTime& t) {
  return Poco::DateTimeFormatter::format(t, Poco::DateTimeFormat::ISO8601_FORMAT);
}

std::string VersionName(int version) {
  switch (version) {
    case TLS1_3_VERSION:
      return "TLSv1.3";
    case TLS1_2_VERSION:
      return "TLSv1.2";
    case TLS1_1_VERSION:
      return "TLSv1.1";
    case TLS1_VERSION:
      return "TLSv1.0";
    default:
      return "unknown";
  }
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

void DescribePeer(const Poco::Net::SecureStreamSocket& socket, const std::string& host,
                  const std::vector<ChainError>& errors, TlsInfo* info) {
  Poco::Net::SecureStreamSocket& s = const_cast<Poco::Net::SecureStreamSocket&>(socket);
  if (auto session = s.currentSession(); !session.isNull() && session->sslSession() != nullptr) {
    SSL_SESSION* ssl_session = session->sslSession();
    info->version = VersionName(SSL_SESSION_get_protocol_version(ssl_session));
    if (const SSL_CIPHER* cipher = SSL_SESSION_get0_cipher(ssl_session)) {
      info->cipher = SSL_CIPHER_get_name(cipher);
    }
  }
  info->chain_ok = errors.empty();
  if (!errors.empty()) {
    info->chain_error_code = errors.front().code;
    info->chain_error = errors.front().message;
  }
  if (!s.havePeerCertificate()) {
    info->name_ok = false;
    if (info->chain_ok) {
      info->chain_ok = false;
      info->chain_error = "the server sent no certificate";
    }
    return;
  }
  Poco::Net::X509Certificate cert = s.peerCertificate();
  info->subject = cert.subjectName();
  info->issuer = cert.issuerName();
  info->not_before = IsoTime(cert.validFrom());
  info->not_after = IsoTime(cert.expiresOn());
  std::string common_name;
  std::set<std::string> names;
  cert.extractNames(common_name, names);
  info->sans.assign(names.begin(), names.end());
  // RFC 6125: wildcard only as the whole left-most label; no partial wildcards.
  const X509* x509 = cert.certificate();
  info->name_ok = X509_check_host(const_cast<X509*>(x509), host.c_str(), host.size(),
                                  X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
}

Error HandshakeError(const std::string& host, const std::string& detail) {
  std::string message = "The TLS handshake with " + host + " failed";
  if (detail.find("wrong version number") != std::string::npos ||
      detail.find("packet length too long") != std::string::npos ||
      detail.find("unknown protocol") != std::string::npos) {
    message +=
        ": the server does not speak TLS on this port (it may expect STARTTLS or plain text)";
  } else if (detail.find("nexpectedly closed") != std::string::npos ||
             detail.find("unexpected eof") != std::string::npos) {
    message += ": the server closed the connection during the handshake";
  } else if (detail.find("alert") != std::string::npos) {
    message += ": the server refused the handshake (" + detail + ")";
  } else if (!detail.empty()) {
    message += " (" + detail + ")";
  }
  return Error::Make(ErrorKind::kTls, message, {}, Phase::kTls);
}

}  // namespace

std::string DescribeCertificateProblem(const TlsInfo& info, const std::string& host) {
  std::string problems;
  auto add = [&](const std::string& p) { problems += (problems.empty() ? "" : "; ") + p; };
  if (!info.chain_ok) {
    switch (info.chain_error_code) {
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        add("The certificate of " + host +
            " is self-signed: no trusted authority vouches for it (untrusted)");
        break;
      case X509_V_ERR_CERT_HAS_EXPIRED:
        add("The certificate of " + host + " expired on " + info.not_after);
        break;
      case X509_V_ERR_CERT_NOT_YET_VALID:
        add("The certificate of " + host + " is not valid before " + info.not_before);
        break;
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        add("The certificate of " + host +
            " is issued by an authority this computer does not trust (" +
            (info.issuer.empty() ? std::string("unknown issuer") : info.issuer) +
            "), or the server does not send its intermediate certificates (untrusted)");
        break;
      default:
        add("The certificate of " + host + " could not be verified (" + info.chain_error + ")");
    }
  }
  if (!info.name_ok && !info.subject.empty()) {
    add("The certificate of " + host + " is issued for " +
        (info.sans.empty() ? info.subject : Join(info.sans)) + ", not " + host + " (wrong name)");
  }
  return problems;
}

namespace {

// The CA bundle file (SSL_CERT_FILE or OpenSSL's default), served by subject
// name the way the hashed directory is: an X509_LOOKUP whose get_by_subject
// hands the store every bundle certificate with the asked-for subject.
// OpenSSL's own file lookup decodes the whole bundle up front, and decoding
// a certificate (its public key, through OpenSSL 3's decoders) is what costs:
// ~140 roots take ~240 million instructions, more than the rest of a
// `mailscout test` run. Here the first lookup reads the bundle's PEM blocks
// and decodes only their subject names; a certificate is decoded when a chain
// asks for its subject. The store sees exactly the certificates the file
// lookup would have given it for that name, so verdicts do not change.
class BundleIndex {
 public:
  explicit BundleIndex(std::string path) : path_(std::move(path)) {}
  ~BundleIndex() {
    for (Entry& e : entries_) {
      X509_NAME_free(e.subject);
      X509_free(e.cert);
    }
  }
  BundleIndex(const BundleIndex&) = delete;
  BundleIndex& operator=(const BundleIndex&) = delete;

  // False when the file holds something this index does not serve exactly
  // like OpenSSL's file lookup (trusted-certificate or CRL blocks, a block
  // that is not DER): the caller then loads the file the usual way.
  bool Usable() {
    Build();
    return usable_;
  }

  // Adds to `store` every bundle certificate whose subject is `name`; true
  // when there was at least one (then `ret` is set like OpenSSL's own
  // lookups set it: the store's first object of that name, not up-ref'd).
  bool AddBySubject(X509_STORE* store, const X509_NAME* name, X509_OBJECT* ret) {
    Build();
    bool found = false;
    for (Entry& e : entries_) {
      if (X509_NAME_cmp(e.subject, name) != 0) continue;
      X509* cert = nullptr;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (e.cert == nullptr) {
          const unsigned char* p = reinterpret_cast<const unsigned char*>(e.der.data());
          ERR_set_mark();  // a block that does not decode leaves the handshake's errors alone
          e.cert = d2i_X509(nullptr, &p, static_cast<long>(e.der.size()));
          ERR_pop_to_mark();
        }
        cert = e.cert;
      }
      if (cert == nullptr) continue;
      X509_STORE_add_cert(store, cert);  // a certificate already there is fine
      found = true;
    }
    if (!found) return false;
    X509_STORE_lock(store);
    X509_OBJECT* first =
        X509_OBJECT_retrieve_by_subject(X509_STORE_get0_objects(store), X509_LU_X509, name);
    X509* cert = first != nullptr ? X509_OBJECT_get0_X509(first) : nullptr;
    X509_STORE_unlock(store);
    if (cert == nullptr || X509_OBJECT_set1_X509(ret, cert) != 1) return false;
    X509_free(cert);  // the store keeps it alive, as with the hashed directory
    return true;
  }

 private:
  struct Entry {
    X509_NAME* subject = nullptr;
    std::string der;
    X509* cert = nullptr;  // decoded on first need, under mu_
  };

  void Build() {
    std::call_once(built_, [this] {
      BIO* bio = BIO_new_file(path_.c_str(), "r");
      if (bio == nullptr) {  // no bundle: the file lookup would add nothing either
        ERR_clear_error();
        return;
      }
      while (true) {
        char* name = nullptr;
        char* header = nullptr;
        unsigned char* data = nullptr;
        long len = 0;
        if (PEM_read_bio(bio, &name, &header, &data, &len) != 1) {
          // The end of the file; any other failure makes OpenSSL's loader
          // drop the whole bundle: let it do so.
          if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE) usable_ = false;
          break;
        }
        const std::string_view type(name);
        if ((type == "CERTIFICATE" || type == "X509 CERTIFICATE") && *header == 0) {
          Entry e;
          e.subject = SubjectOf(data, len);
          if (e.subject == nullptr) usable_ = false;
          e.der.assign(reinterpret_cast<const char*>(data), static_cast<size_t>(len));
          entries_.push_back(std::move(e));
        } else {
          // TRUSTED CERTIFICATE (trust settings), CRLs, keys, PEM headers
          // (encryption): leave those to OpenSSL's own loader.
          usable_ = false;
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
      }
      BIO_free(bio);
      ERR_clear_error();  // PEM_read_bio ends with "no start line"
    });
  }

  // The subject of a DER certificate without decoding the rest of it:
  // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
  // serialNumber, signature, issuer, validity, subject, ... }, ... }.
  static X509_NAME* SubjectOf(const unsigned char* der, long len) {
    const unsigned char* p = der;
    const unsigned char* end = der + len;
    long inner = 0;
    int tag = 0;
    int cls = 0;
    // The outer SEQUENCE must span the whole block, as d2i_X509 requires.
    if (ASN1_get_object(&p, &inner, &tag, &cls, len) & 0x80) return nullptr;
    if (tag != V_ASN1_SEQUENCE || p + inner != end) return nullptr;
    if (ASN1_get_object(&p, &inner, &tag, &cls, end - p) & 0x80) return nullptr;
    if (tag != V_ASN1_SEQUENCE) return nullptr;
    const unsigned char* tbs_end = p + inner;
    // Skip [0] version (optional), serialNumber, signature, issuer, validity.
    for (int field = 0; field < 5; ++field) {
      const unsigned char* start = p;
      if (ASN1_get_object(&p, &inner, &tag, &cls, tbs_end - p) & 0x80) return nullptr;
      if (field == 0 && !(cls == V_ASN1_CONTEXT_SPECIFIC && tag == 0)) {
        p = start;  // no version field: this is the serial number
        continue;
      }
      p += inner;
      if (p > tbs_end) return nullptr;
    }
    const unsigned char* subject = p;
    return d2i_X509_NAME(nullptr, &subject, tbs_end - p);
  }

  std::string path_;
  std::once_flag built_;
  std::vector<Entry> entries_;
  bool usable_ = true;
  std::mutex mu_;
};

int BundleBySubject(X509_LOOKUP* lookup, X509_LOOKUP_TYPE type, const X509_NAME* name,
                    X509_OBJECT* ret) {
  auto* index = static_cast<BundleIndex*>(X509_LOOKUP_get_method_data(lookup));
  if (type != X509_LU_X509 || index == nullptr || name == nullptr) return 0;
  return index->AddBySubject(X509_LOOKUP_get_store(lookup), name, ret) ? 1 : 0;
}

X509_LOOKUP_METHOD* BundleLookupMethod() {
  static X509_LOOKUP_METHOD* const method = [] {
    X509_LOOKUP_METHOD* m = X509_LOOKUP_meth_new("mailscout CA bundle by subject");
    if (m != nullptr) X509_LOOKUP_meth_set_get_by_subject(m, &BundleBySubject);
    return m;
  }();
  return method;
}

// The bundle file X509_STORE_set_default_paths would load.
std::string DefaultBundlePath() {
  const char* env = std::getenv(X509_get_default_cert_file_env());
  return env != nullptr ? env : X509_get_default_cert_file();
}

}  // namespace

// The trust store a handshake falls back on: the full system default (the CA
// bundle file and the hashed directory, or SSL_CERT_FILE / SSL_CERT_DIR) plus
// --ca-file, set up on first need only. Without --ca-file the bundle is
// served by subject (BundleIndex) instead of decoded whole; the lookups are
// the ones X509_STORE_set_default_paths installs, in its order (file, hashed
// directory, default OSSL_STORE URI).
struct TlsClient::Trust {
  std::string ca_file;
  std::once_flag once;
  X509_STORE* full = nullptr;
  std::unique_ptr<BundleIndex> bundle;

  ~Trust() { X509_STORE_free(full); }  // before `bundle`, which it points into

  X509_STORE* Full() {
    std::call_once(once, [this] {
      full = X509_STORE_new();
      if (full == nullptr) return;
      if (ca_file.empty() && BundleLookupMethod() != nullptr) {
        bundle = std::make_unique<BundleIndex>(DefaultBundlePath());
        if (bundle->Usable()) {
          X509_LOOKUP* file = X509_STORE_add_lookup(full, BundleLookupMethod());
          X509_LOOKUP* dir = X509_STORE_add_lookup(full, X509_LOOKUP_hash_dir());
          X509_LOOKUP* uri = X509_STORE_add_lookup(full, X509_LOOKUP_store());
          if (file != nullptr && dir != nullptr && uri != nullptr) {
            X509_LOOKUP_set_method_data(file, bundle.get());
            X509_LOOKUP_add_dir(dir, nullptr, X509_FILETYPE_DEFAULT);
            X509_LOOKUP_add_store(uri, nullptr);
            ERR_clear_error();
            return;
          }
        }
        X509_STORE_free(full);  // start again the usual way
        full = X509_STORE_new();
        if (full == nullptr) return;
      }
      X509_STORE_set_default_paths(full);
      if (!ca_file.empty()) X509_STORE_load_file(full, ca_file.c_str());
    });
    return full;
  }

  // libssl's whole-chain verification, replaced (SSL_CTX_set_cert_verify_callback).
  // The fast pass uses the context's own store: --ca-file and the hashed
  // certificate directory, where OpenSSL reads only the issuers a chain needs
  // instead of parsing the whole bundle (~140 certificates, ~20 ms per
  // process) before the first handshake. Only when that pass finds a problem
  // does the full store decide, so the verdict is the one the system default
  // paths give. Relaxed like the rest: the problems go to the handshake's list
  // and TlsClient decides after the handshake.
  static int Verify(X509_STORE_CTX* handshake, void* arg) {
    auto* trust = static_cast<Trust*>(arg);
    std::vector<ChainError> errors = VerifyAgainst(X509_STORE_CTX_get0_store(handshake), handshake);
    if (!errors.empty()) {
      if (X509_STORE* full = trust->Full()) errors = VerifyAgainst(full, handshake);
    }
    X509_STORE_CTX_set_error(handshake, errors.empty() ? X509_V_OK : errors.front().code);
    if (g_chain_errors != nullptr) {
      for (const ChainError& e : errors) {
        if (g_chain_errors->size() < kMaxChainErrors) g_chain_errors->push_back(e);
      }
    }
    return 1;
  }
};

TlsClient::TlsClient(TlsOptions options)
    : options_(std::move(options)), trust_(std::make_unique<Trust>()) {
  trust_->ca_file = options_.ca_file;
  try {
    context_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", options_.ca_file,
                                      Poco::Net::Context::VERIFY_RELAXED, 9, false,
                                      "HIGH:!aNULL:!MD5:!RC4");
  } catch (const Poco::Exception& e) {
    ca_error_ = options_.ca_file.empty()
                    ? "cannot set up TLS: " + e.displayText()
                    : "cannot load the CA file " + options_.ca_file + ": " + e.displayText();
    context_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                      Poco::Net::Context::VERIFY_RELAXED, 9, false,
                                      "HIGH:!aNULL:!MD5:!RC4");
  }
  SSL_CTX* ssl = context_->sslContext();
  if (X509_LOOKUP* dir =
          X509_STORE_add_lookup(SSL_CTX_get_cert_store(ssl), X509_LOOKUP_hash_dir())) {
    const char* env = std::getenv(X509_get_default_cert_dir_env());
    X509_LOOKUP_add_dir(dir, env != nullptr ? env : X509_get_default_cert_dir(), X509_FILETYPE_PEM);
  }
  SSL_CTX_set_cert_verify_callback(ssl, &Trust::Verify, trust_.get());
  // Poco's own name check would throw before we can report; TlsClient checks
  // the name itself with X509_check_host.
  context_->enableExtendedCertificateVerification(false);
  InstallHandlerOnce(context_);
}

TlsClient::~TlsClient() {
  // Poco's SSLManager may keep the first context as its default client one.
  SSL_CTX_set_cert_verify_callback(context_->sslContext(), nullptr, nullptr);
}

Result<Poco::Net::SecureStreamSocket> TlsClient::Handshake(const Poco::Net::StreamSocket& plain,
                                                           const std::string& host,
                                                           Deadline deadline, TlsInfo* info) const {
  if (!ca_error_.empty()) return Error::Make(ErrorKind::kTls, ca_error_, {}, Phase::kTls);
  std::vector<ChainError> errors;
  g_chain_errors = &errors;
  struct Reset {
    ~Reset() { g_chain_errors = nullptr; }
  } reset;

  Poco::Net::SecureStreamSocket secure;
  try {
    Poco::Net::StreamSocket socket = plain;
    const Poco::Timespan left(std::max<int64_t>(deadline.remaining_ms(), 1) * 1000);
    socket.setReceiveTimeout(left);
    socket.setSendTimeout(left);
    secure = Poco::Net::SecureStreamSocket::attach(socket, host, context_);
    // attach() returns without throwing when the peer stays silent past the
    // socket timeout; the handshake is then simply unfinished. Retry once
    // while time is left, never past the deadline.
    for (int tries = 0; !secure.havePeerCertificate() && tries < 2; ++tries) {
      if (deadline.expired()) break;
      const Poco::Timespan rest(std::max<int64_t>(deadline.remaining_ms(), 1) * 1000);
      secure.setReceiveTimeout(rest);
      secure.setSendTimeout(rest);
      secure.completeHandshake();
    }
    if (!secure.havePeerCertificate()) {
      if (deadline.expired()) {
        return Error::Make(ErrorKind::kTimeout,
                           "The TLS handshake with " + host + " did not finish in time", {},
                           Phase::kTls);
      }
      return HandshakeError(host, "the server sent no certificate");
    }
  } catch (const Poco::TimeoutException&) {
    return Error::Make(ErrorKind::kTimeout,
                       "The TLS handshake with " + host + " did not finish in time", {},
                       Phase::kTls);
  } catch (const Poco::Exception& e) {
    if (deadline.expired()) {
      return Error::Make(ErrorKind::kTimeout,
                         "The TLS handshake with " + host + " did not finish in time", {},
                         Phase::kTls);
    }
    return HandshakeError(host, e.message().empty() ? e.displayText() : e.message());
  }

  TlsInfo local;
  TlsInfo* out = info != nullptr ? info : &local;
  *out = TlsInfo{};
  try {
    DescribePeer(secure, host, errors, out);
  } catch (const Poco::Exception& e) {
    return HandshakeError(host, e.displayText());
  }
  if ((!out->chain_ok || !out->name_ok) && !options_.insecure) {
    return Error::Make(ErrorKind::kCertificate, DescribeCertificateProblem(*out, host), {},
                       Phase::kTls);
  }
  return secure;
}

}  // namespace mailscout
