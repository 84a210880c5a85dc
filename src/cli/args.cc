#include "cli/args.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace mailscout {
namespace {

Error Usage(std::string message) { return Error::Make(ErrorKind::kUsage, std::move(message)); }

const OptionSpec* FindLong(const std::vector<OptionSpec>& specs, const std::string& name) {
  for (const auto& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const OptionSpec* FindShort(const std::vector<OptionSpec>& specs, char c) {
  for (const auto& spec : specs) {
    if (spec.short_name != 0 && spec.short_name == c) return &spec;
  }
  return nullptr;
}

}  // namespace

std::optional<std::string> ParsedArgs::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string ParsedArgs::GetOr(const std::string& name, const std::string& fallback) const {
  return Get(name).value_or(fallback);
}

std::vector<std::string> ParsedArgs::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

Result<ParsedArgs> ParseArgs(const std::vector<OptionSpec>& specs,
                             const std::vector<std::string>& args) {
  ParsedArgs parsed;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      parsed.positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    const OptionSpec* spec = nullptr;
    std::optional<std::string> inline_value;
    std::string shown;
    if (arg[1] == '-') {
      std::string name = arg.substr(2);
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
      }
      spec = FindLong(specs, name);
      shown = "--" + name;
    } else if (arg.size() == 2) {
      spec = FindShort(specs, arg[1]);
      shown = arg;
    }
    if (spec == nullptr) return Usage("unknown option " + (shown.empty() ? arg : shown));
    std::vector<std::string>& slot = parsed.values_[spec->name];
    if (!spec->repeatable && !slot.empty()) {
      return Usage(shown + " was given more than once");
    }
    if (spec->value_name.empty()) {
      if (inline_value) return Usage(shown + " does not take a value");
      slot.push_back("");
      continue;
    }
    if (inline_value) {
      slot.push_back(*inline_value);
    } else if (i + 1 < args.size()) {
      slot.push_back(args[++i]);
    } else {
      return Usage(shown + " needs a value (" + spec->value_name + ")");
    }
  }
  return parsed;
}

std::string FormatOptionHelp(const std::vector<OptionSpec>& specs) {
  std::ostringstream out;
  for (const auto& spec : specs) {
    std::string left = "  ";
    if (spec.short_name != 0) left += std::string("-") + spec.short_name + ", ";
    left += "--" + spec.name;
    if (!spec.value_name.empty()) left += " " + spec.value_name;
    out << left;
    if (left.size() < 30) {
      out << std::string(30 - left.size(), ' ');
    } else {
      out << "\n" << std::string(30, ' ');
    }
    out << spec.help << "\n";
  }
  return out.str();
}

std::optional<long> ParseInt(const std::string& text, long min, long max) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  long value = std::strtol(text.c_str(), nullptr, 10);
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::optional<long> ParseSecondsToMs(const std::string& text, double max_seconds) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double seconds = std::strtod(text.c_str(), &end);
  if (errno != 0 || end == text.c_str() || *end != '\0' || !std::isfinite(seconds)) {
    return std::nullopt;
  }
  if (seconds <= 0 || seconds > max_seconds) return std::nullopt;
  return static_cast<long>(std::lround(seconds * 1000));
}

}  // namespace mailscout
