#include "serve/http.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace mailscout {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c)) != 0) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

ParseOutcome Fail(int status, std::string why) {
  ParseOutcome out;
  out.status = ParseStatus::kError;
  out.error_status = status;
  out.error = std::move(why);
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits `head` (no final empty line) into lines ending in LF or CRLF.
std::vector<std::string_view> Lines(std::string_view head) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= head.size()) {
    size_t end = head.find('\n', start);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == head.size()) break;
    start = end + 1;
  }
  return lines;
}

}  // namespace

std::optional<std::string_view> ServeRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

ParseOutcome ParseRequest(std::string_view data, ServeRequest* request) {
  // Leading empty lines before a request line are allowed (RFC 9112 2.2).
  size_t skip = 0;
  while (skip < data.size() && (data[skip] == '\r' || data[skip] == '\n') && skip < 8) ++skip;
  std::string_view rest = data.substr(skip);
  size_t head_end = std::string_view::npos;
  size_t body_start = 0;
  for (size_t i = rest.find('\n'); i != std::string_view::npos; i = rest.find('\n', i + 1)) {
    if (i + 1 < rest.size() && rest[i + 1] == '\n') {
      head_end = i;
      body_start = i + 2;
      break;
    }
    if (i + 2 < rest.size() && rest[i + 1] == '\r' && rest[i + 2] == '\n') {
      head_end = i;
      body_start = i + 3;
      break;
    }
    if (i > kMaxHeadBytes) break;
  }
  if (head_end == std::string_view::npos) {
    if (rest.size() > kMaxHeadBytes) return Fail(431, "request head larger than 16 KiB");
    return {};
  }
  if (head_end > kMaxHeadBytes) return Fail(431, "request head larger than 16 KiB");

  std::vector<std::string_view> lines = Lines(rest.substr(0, head_end));
  if (lines.size() > kMaxHeaders + 1) return Fail(431, "more than 64 header fields");
  std::string_view line = lines.front();
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(400, "malformed request line");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (method.empty() || method.size() > 16 ||
      !std::all_of(method.begin(), method.end(), IsTokenChar)) {
    return Fail(400, "malformed method");
  }
  // absolute-form ("GET https://host/path HTTP/1.1"), which a server must
  // accept (RFC 9112 3.2.2) and some clients send: keep the path; the
  // authority replaces the Host header (RFC 9112 3.2.2 too).
  std::string_view authority;
  std::string rooted;
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (target.size() > scheme.size() && EqualsNoCase(target.substr(0, scheme.size()), scheme)) {
      std::string_view rest = target.substr(scheme.size());
      size_t slash = rest.find_first_of("/?");
      authority = rest.substr(0, slash);
      target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
      break;
    }
  }
  if (!authority.empty() && !target.empty() && target.front() == '?') {
    rooted = "/" + std::string(target);
    target = rooted;
  }
  if (target.empty() || target.front() != '/') return Fail(400, "request target is not a path");
  // A control byte or an encoded NUL names no resource; decoding would drop
  // the NUL and answer for another path ("/healthz%00.html" as "/healthz.html").
  if (std::any_of(target.begin(), target.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }) ||
      target.substr(0, target.find('?')).find("%00") != std::string_view::npos) {
    return Fail(400, "control character or NUL in the request target");
  }
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || version[7] < '0' ||
      version[7] > '9') {
    return Fail(version.substr(0, 5) == "HTTP/" ? 505 : 400, "unsupported HTTP version");
  }
  ServeRequest req;
  req.method = std::string(method);
  req.target = std::string(target);
  req.minor_version = version[7] - '0';
  size_t q = target.find('?');
  req.path = PercentDecode(target.substr(0, q), /*plus_is_space=*/false);
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view field = lines[i];
    if (!field.empty() && (field.front() == ' ' || field.front() == '\t')) {
      return Fail(400, "obsolete header line folding");
    }
    size_t colon = field.find(':');
    if (colon == 0 || colon == std::string_view::npos) return Fail(400, "malformed header field");
    std::string_view name = field.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), IsTokenChar)) {
      return Fail(400, "malformed header name");
    }
    std::string key(name);
    std::transform(key.begin(), key.end(), key.begin(), Lower);
    req.headers.emplace_back(std::move(key), std::string(Trim(field.substr(colon + 1))));
  }
  if (!authority.empty()) {
    std::erase_if(req.headers, [](const auto& h) { return h.first == "host"; });
    req.headers.emplace_back("host", std::string(authority));
  }
  if (req.Header("transfer-encoding")) return Fail(501, "Transfer-Encoding is not supported");
  size_t length = 0;
  bool seen_length = false;
  for (const auto& [key, value] : req.headers) {
    if (key != "content-length") continue;
    if (value.empty() || value.size() > 9 ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Fail(400, "malformed Content-Length");
    }
    size_t n = std::stoul(value);
    if (seen_length && n != length) return Fail(400, "conflicting Content-Length fields");
    seen_length = true;
    length = n;
  }
  if (length > kMaxBodyBytes) return Fail(413, "request body larger than 64 KiB");
  size_t total = skip + body_start + length;
  if (data.size() < total) return {};
  req.body = std::string(data.substr(skip + body_start, length));

  std::optional<std::string_view> connection = req.Header("connection");
  if (req.minor_version == 0) {
    req.keep_alive = connection && EqualsNoCase(Trim(*connection), "keep-alive");
  } else {
    req.keep_alive = !(connection && EqualsNoCase(Trim(*connection), "close"));
  }
  *request = std::move(req);
  ParseOutcome out;
  out.status = ParseStatus::kComplete;
  out.consumed = total;
  return out;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        char decoded = static_cast<char>(hi * 16 + lo);
        if (decoded != '\0') out.push_back(decoded);
        i += 2;
        continue;
      }
    }
    if (c == '+' && plus_is_space) c = ' ';
    if (c != '\0') out.push_back(c);
  }
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~' || c == '@') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::optional<std::string> FormValue(std::string_view form, std::string_view name) {
  size_t start = 0;
  while (start <= form.size()) {
    size_t end = form.find('&', start);
    if (end == std::string_view::npos) end = form.size();
    std::string_view pair = form.substr(start, end - start);
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    if (EqualsNoCase(key, name)) {
      return eq == std::string_view::npos ? std::string()
                                          : PercentDecode(pair.substr(eq + 1), true);
    }
    if (end == form.size()) break;
    start = end + 1;
  }
  return std::nullopt;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string JsonQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

ServeResponse ServeResponse::Text(int status, std::string body) {
  ServeResponse r;
  r.status = status;
  r.body = std::move(body);
  if (!r.body.empty() && r.body.back() != '\n') r.body.push_back('\n');
  return r;
}

std::string_view StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Status";
  }
}

std::string SerializeResponse(const ServeResponse& response, bool keep_alive, bool head_only) {
  std::string out;
  out.reserve(256 + (head_only ? 0 : response.body.size()));
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += StatusText(response.status);
  out += "\r\nServer: mailscout\r\nContent-Type: ";
  out += response.content_type;
  out += "\r\nContent-Length: ";
  out += std::to_string(response.body.size());
  out += "\r\nX-Content-Type-Options: nosniff\r\n";
  for (const auto& [name, value] : response.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head_only) out += response.body;
  return out;
}

}  // namespace mailscout
