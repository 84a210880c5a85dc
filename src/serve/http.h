// HTTP/1.1 for `mailscout serve`: a bounded request parser, query strings,
// and responses.
//
// ParseRequest() is a pure function over the bytes received so far (no I/O;
// fuzzable, tests/fuzz/serve_request_fuzz.cc): the server calls it after
// every read and it says whether a whole request is there, how many bytes it
// took, or which error status to answer with. Limits are part of the
// parser, so a hostile client cannot make a connection's buffer grow past
// kMaxHeadBytes + kMaxBodyBytes.
#ifndef MAILSCOUT_SERVE_HTTP_H_
#define MAILSCOUT_SERVE_HTTP_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailscout {

inline constexpr size_t kMaxHeadBytes = 16 * 1024;  // request line + headers
inline constexpr size_t kMaxHeaders = 64;
inline constexpr size_t kMaxBodyBytes = 64 * 1024;

struct ServeRequest {
  std::string method;     // as sent: "GET", "POST", ...
  std::string target;     // "/mail/config-v1.1.xml?emailaddress=a%40b"
  std::string path;       // target up to '?', percent-decoded
  std::string query;      // after '?', still encoded
  int minor_version = 1;  // HTTP/1.minor
  // Header names lower-cased, values trimmed; in order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool keep_alive = true;  // what the client asked for

  // The first header with this (lower-case) name.
  std::optional<std::string_view> Header(std::string_view name) const;
};

enum class ParseStatus { kIncomplete, kComplete, kError };

struct ParseOutcome {
  ParseStatus status = ParseStatus::kIncomplete;
  size_t consumed = 0;   // kComplete: bytes of `data` the request used
  int error_status = 0;  // kError: 400, 413, 431, 501, 505
  std::string error;     // kError: why, for the log
};

// Looks for one request at the start of `data`. Accepts CRLF or bare LF line
// ends; a body only with Content-Length (Transfer-Encoding: 501).
ParseOutcome ParseRequest(std::string_view data, ServeRequest* request);

// Decodes %XX and (when plus_is_space) '+'. Invalid escapes stay as they are;
// NUL bytes are dropped.
std::string PercentDecode(std::string_view text, bool plus_is_space);
std::string PercentEncode(std::string_view text);

// The value of `name` in an application/x-www-form-urlencoded string (a
// query or a form body), decoded; the first one wins. Names compare
// case-insensitively (Outlook sends "Email" and "email").
std::optional<std::string> FormValue(std::string_view form, std::string_view name);

// Text for HTML element content and attribute values.
std::string HtmlEscape(std::string_view text);

// `text` as a JSON string literal, quotes included (control bytes and DEL as
// \u00XX), for the small JSON documents serve writes by hand.
std::string JsonQuote(std::string_view text);

struct ServeResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones
  // Set by the router: the endpoint's name for metrics and the access log.
  std::string endpoint;

  static ServeResponse Text(int status, std::string body);
};

std::string_view StatusText(int status);

// Status line, headers (Content-Length, Date-less; Connection as asked) and,
// unless head_only, the body.
std::string SerializeResponse(const ServeResponse& response, bool keep_alive, bool head_only);

}  // namespace mailscout

#endif  // MAILSCOUT_SERVE_HTTP_H_
