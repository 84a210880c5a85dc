// Registrable domains ("eTLD+1") from the public suffix list, via libpsl.
//
// The list is loaded once per process (psl_latest: the system's
// /usr/share/publicsuffix/public_suffix_list.dafsa, else libpsl's built-in
// copy) and shared read-only, so every function here is thread-safe.
// Unknown TLDs such as .example follow the default "*" rule.
#ifndef MAILSCOUT_DISCOVER_PSL_H_
#define MAILSCOUT_DISCOVER_PSL_H_

#include <string>
#include <string_view>

namespace mailscout {

// "mx2.mail.bigprovider.example" -> "bigprovider.example",
// "aspmx.l.google.com" -> "google.com", "foo.co.uk" -> "foo.co.uk".
// Returns "" when host is itself a public suffix ("co.uk") or empty.
// host must be ASCII (A-labels); case and a trailing dot are ignored.
std::string RegistrableDomain(std::string_view host);

// The name with its first label removed ("l.google.com" for
// "aspmx.l.google.com"); "" when host has a single label.
std::string ParentDomain(std::string_view host);

// True when host is domain or a name below it ("imap.example.com" is within
// "example.com"; "badexample.com" is not).
bool IsWithin(std::string_view host, std::string_view domain);

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_PSL_H_
