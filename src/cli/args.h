// A small command-line parser: long options (--name VALUE, --name=VALUE),
// optional one-letter aliases (-o VALUE), flags, repeatable options and
// positional arguments. Each subcommand declares its options as a table of
// OptionSpec, which also produces its --help text.
#ifndef MAILSCOUT_CLI_ARGS_H_
#define MAILSCOUT_CLI_ARGS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace mailscout {

struct OptionSpec {
  std::string name;        // long name without dashes: "format"
  char short_name = 0;     // 'o' for -o, or 0
  std::string value_name;  // "FILE"; empty for a flag
  std::string help;
  bool repeatable = false;
};

class ParsedArgs {
 public:
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The last value given for name, if any.
  std::optional<std::string> Get(const std::string& name) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  std::vector<std::string> GetAll(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  friend Result<ParsedArgs> ParseArgs(const std::vector<OptionSpec>&,
                                      const std::vector<std::string>&);
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
};

// Parses args (without the program and subcommand names). Errors are
// ErrorKind::kUsage with a one-line usage message ("unknown option --frmat", "--port needs a
// value").
// "--" ends options. A flag given a value (--flag=x) is an error.
Result<ParsedArgs> ParseArgs(const std::vector<OptionSpec>& specs,
                             const std::vector<std::string>& args);

// "  --format FORMAT   text or json" lines for --help.
std::string FormatOptionHelp(const std::vector<OptionSpec>& specs);

// Parses a decimal integer in [min, max]; nullopt otherwise.
std::optional<long> ParseInt(const std::string& text, long min, long max);

// Parses seconds ("5", "2.5") into milliseconds in (0, max_seconds]; nullopt otherwise.
std::optional<long> ParseSecondsToMs(const std::string& text, double max_seconds = 3600);

}  // namespace mailscout

#endif  // MAILSCOUT_CLI_ARGS_H_
