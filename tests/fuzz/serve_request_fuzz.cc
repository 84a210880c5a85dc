// Fuzz target: what `mailscout serve` does with a client's bytes: the HTTP
// request parser (any prefix of the input must be incomplete, complete or an
// error, never more than it was given), query strings, and every endpoint's
// answer (Outlook POX bodies included) for a fixed one-provider site.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "serve/answers.h"

namespace {

const mailscout::ServeContext& Context() {
  static const mailscout::ServeContext* context = [] {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("mailscout-fuzz-site-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "example.com.xml")
        << "<clientConfig><emailProvider id=\"e\"><domain>example.com</domain>"
           "<incomingServer type=\"imap\"><hostname>imap.example.com</hostname><port>993</port>"
           "<socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>"
           "<outgoingServer type=\"smtp\"><hostname>smtp.example.com</hostname><port>465</port>"
           "<socketType>SSL</socketType><username>%EMAILADDRESS%</username></outgoingServer>"
           "</emailProvider><emailProvider id=\"r\"><domain>old.example</domain>"
           "<redirectDomain>example.com</redirectDomain></emailProvider></clientConfig>";
    auto site = mailscout::Site::Load(dir.string());
    fs::remove_all(dir);
    if (!site.ok()) __builtin_trap();
    static mailscout::ServeOptions options;
    options.helpdesk = true;
    auto* c = new mailscout::ServeContext;
    c->site = site.value();
    c->options = &options;
    return c;
  }();
  return *context;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailscout;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  ServeRequest request;
  ParseOutcome outcome = ParseRequest(input, &request);
  if (outcome.status == ParseStatus::kComplete) {
    if (outcome.consumed == 0 || outcome.consumed > size) __builtin_trap();
    if (request.body.size() > kMaxBodyBytes) __builtin_trap();
    ServeResponse response = Answer(request, Context());
    if (response.status < 200 || response.status > 599 || response.endpoint.empty())
      __builtin_trap();
    (void)SerializeResponse(response, request.keep_alive, request.method == "HEAD");
    (void)RequestAddress(request);
  } else if (outcome.status == ParseStatus::kError) {
    if (outcome.error_status < 400) __builtin_trap();
  } else if (size > kMaxHeadBytes + kMaxBodyBytes + 16) {
    __builtin_trap();  // the server would buffer without bound
  }
  // The same bytes as a query string and as a POX body.
  (void)FormValue(input, "emailaddress");
  ServeRequest pox;
  pox.method = "POST";
  pox.path = "/autodiscover/autodiscover.xml";
  pox.body = std::string(input.substr(0, kMaxBodyBytes));
  ServeResponse r = Answer(pox, Context());
  if (r.status != 200 && r.status != 400 && r.status != 404) __builtin_trap();
  return 0;
}
