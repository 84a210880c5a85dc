// The site `mailscout serve` answers from: a folder of ISPDB clientConfig
// files (the format `discover --providers` reads), one per provider, each
// naming its <domain>s.
//
// Load() is strict, unlike the provider database: a file that is not
// well-formed, has no usable incoming and outgoing server, or names a domain
// another file already names makes the whole load fail with
// "PATH:LINE: reason", so a typo never reaches clients. A Site is immutable;
// the server swaps whole Sites (shared_ptr) on SIGHUP, so a reload is atomic
// and a failed one keeps the old Site.
//
// mailscout's extension for Outlook's redirectAddr: an <emailProvider> may
// hold <redirectDomain>other.example</redirectDomain> instead of servers;
// addresses of its domains are then redirected to the same local part at
// other.example (which the site should serve).
#ifndef MAILSCOUT_SERVE_SITE_H_
#define MAILSCOUT_SERVE_SITE_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/email_address.h"
#include "core/model.h"
#include "core/result.h"
#include "discover/client_config.h"

namespace mailscout {

struct SiteProvider {
  ProviderConfig config;
  std::string path;             // the file it came from
  std::string xml;              // a clientConfig document holding only this provider
  std::string redirect_domain;  // non-empty: Outlook redirectAddr target domain
};

class Site {
 public:
  // Errors (kUsage, exit status 2): the folder cannot be read, or any file
  // is wrong ("site/example.com.xml:12: <port> 99999 is not a port number").
  static Result<std::shared_ptr<const Site>> Load(const std::string& dir);

  // Parses one file's text (tests; Load() uses it). `path` is for messages.
  static Result<std::vector<SiteProvider>> ParseFile(const std::string& path, std::string_view xml);

  // The provider serving an ASCII lower-case domain; nullptr when none.
  const SiteProvider* Find(std::string_view domain) const;

  const std::string& dir() const { return dir_; }
  size_t file_count() const { return file_count_; }
  // Every served domain, sorted.
  std::vector<std::string> Domains() const;

 private:
  std::string dir_;
  size_t file_count_ = 0;
  std::vector<std::shared_ptr<const SiteProvider>> providers_;
  std::map<std::string, std::shared_ptr<const SiteProvider>, std::less<>> by_domain_;
};

// The settings a provider gives one address, as exports take them: incoming
// servers first (IMAP before POP3 in file order), then outgoing; placeholders
// replaced; an empty username becomes the address.
struct SiteSettings {
  std::vector<Setting> incoming;
  std::vector<Setting> outgoing;
};
SiteSettings SettingsFor(const SiteProvider& provider, const EmailAddress& address);

}  // namespace mailscout

#endif  // MAILSCOUT_SERVE_SITE_H_
