#include "net/transcript.h"

#include <openssl/crypto.h>

#include <cctype>

namespace mailscout {

Transcript::~Transcript() {
  for (std::string& s : secrets_) OPENSSL_cleanse(s.data(), s.size());
}

void Transcript::AddSecret(std::string_view secret) {
  if (secret.empty()) return;
  for (const std::string& s : secrets_) {
    if (s == secret) return;
  }
  secrets_.emplace_back(secret);
}

namespace {

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// True when secret at out[pos] is not glued to letters or digits.
bool StandsAlone(const std::string& out, size_t pos, size_t length) {
  const bool before = pos > 0 && IsWordChar(out[pos - 1]);
  const bool after = pos + length < out.size() && IsWordChar(out[pos + length]);
  return !before && !after;
}

}  // namespace

std::string Transcript::Scrub(std::string_view text) const {
  std::string out(text);
  for (const std::string& secret : secrets_) {
    const bool short_secret = secret.size() < kShortSecret;
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      if (short_secret && !StandsAlone(out, pos, secret.size())) {
        ++pos;
        continue;
      }
      out.replace(pos, secret.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return out;
}

void Transcript::Add(std::string_view prefix, std::string_view line) {
  if (!enabled_) return;
  if (lines_.size() >= kMaxTranscriptLines) {
    if (!truncated_) {
      lines_.push_back("-- (transcript truncated)");
      truncated_ = true;
    }
    return;
  }
  std::string shown = Scrub(line);
  // Control characters would garble a terminal; show them escaped.
  std::string clean;
  for (char c : shown) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      clean += "\\x";
      clean += kHex[u >> 4];
      clean += kHex[u & 15];
    } else {
      clean += c;
    }
    if (clean.size() > kMaxShownLine) {
      clean += "...";
      break;
    }
  }
  // Escaping can itself spell a secret ("f\x0fuzz..." shows "\x0fuzz", which
  // contains "fuzz"), so scrub what is shown, not only what was received.
  lines_.push_back(std::string(prefix) + Scrub(clean));
}

std::vector<std::string> Transcript::Take() {
  std::vector<std::string> out;
  out.swap(lines_);
  truncated_ = false;
  return out;
}

std::optional<std::string> RedactPayload(std::string_view line, std::string_view prefix) {
  if (prefix.empty() || line.substr(0, prefix.size()) != prefix) return std::nullopt;
  if (line.size() == prefix.size()) return std::string(line);
  if (line[prefix.size()] != ' ') return std::nullopt;
  if (line.size() == prefix.size() + 1) return std::string(line);
  return std::string(prefix) + " " + std::string(kRedacted);
}

}  // namespace mailscout
