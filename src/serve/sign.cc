#include "serve/sign.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>

namespace mailscout {

struct ProfileSigner::Keys {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  STACK_OF(X509) * chain = nullptr;
  Keys() = default;
  Keys(const Keys&) = delete;
  Keys& operator=(const Keys&) = delete;
  ~Keys() {
    X509_free(cert);
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
  }
};

namespace {

std::string OpenSslReason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

Error Bad(const std::string& message) { return Error::Make(ErrorKind::kUsage, message); }

using FilePtr = std::unique_ptr<FILE, int (*)(FILE*)>;

FilePtr Open(const std::string& path) { return {std::fopen(path.c_str(), "rb"), &std::fclose}; }

}  // namespace

Result<ProfileSigner> ProfileSigner::Load(const std::string& cert_pem, const std::string& key_pem,
                                          const std::string& chain_pem) {
  auto keys = std::make_shared<Keys>();
  FilePtr cert_file = Open(cert_pem);
  if (!cert_file) return Bad("cannot read the signing certificate " + cert_pem);
  keys->cert = PEM_read_X509(cert_file.get(), nullptr, nullptr, nullptr);
  if (keys->cert == nullptr)
    return Bad(cert_pem + ": not a PEM certificate (" + OpenSslReason() + ")");
  FilePtr key_file = Open(key_pem);
  if (!key_file) return Bad("cannot read the signing key " + key_pem);
  keys->key = PEM_read_PrivateKey(key_file.get(), nullptr, nullptr, nullptr);
  if (keys->key == nullptr)
    return Bad(key_pem + ": not a PEM private key (" + OpenSslReason() + ")");
  if (X509_check_private_key(keys->cert, keys->key) != 1) {
    ERR_clear_error();
    return Bad(key_pem + " is not the key of the certificate " + cert_pem);
  }
  keys->chain = sk_X509_new_null();
  if (!chain_pem.empty()) {
    FilePtr chain_file = Open(chain_pem);
    if (!chain_file) return Bad("cannot read the signing chain " + chain_pem);
    while (X509* c = PEM_read_X509(chain_file.get(), nullptr, nullptr, nullptr)) {
      sk_X509_push(keys->chain, c);
    }
    ERR_clear_error();  // the end of the file reads as an error
    if (sk_X509_num(keys->chain) == 0) return Bad(chain_pem + ": no PEM certificate in it");
  }
  ProfileSigner signer;
  signer.keys_ = std::move(keys);
  return signer;
}

Result<std::string> ProfileSigner::Sign(std::string_view data) const {
  std::unique_ptr<BIO, decltype(&BIO_free)> in(
      BIO_new_mem_buf(data.data(), static_cast<int>(data.size())), &BIO_free);
  std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms(
      CMS_sign(keys_->cert, keys_->key, keys_->chain, in.get(), CMS_BINARY), &CMS_ContentInfo_free);
  if (!cms)
    return Error::Make(ErrorKind::kProtocol, "signing the profile failed: " + OpenSslReason());
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
  if (i2d_CMS_bio(out.get(), cms.get()) != 1) {
    return Error::Make(ErrorKind::kProtocol,
                       "writing the signed profile failed: " + OpenSslReason());
  }
  char* bytes = nullptr;
  long size = BIO_get_mem_data(out.get(), &bytes);
  return std::string(bytes, static_cast<size_t>(size));
}

}  // namespace mailscout
