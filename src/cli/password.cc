#include "cli/password.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace mailscout {
namespace {

constexpr size_t kMaxPassword = 4096;

void StripLineEnd(std::string& s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
}

// Reads one line from the terminal with echo off.
std::optional<std::string> PromptNoEcho(const std::string& prompt) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  termios old_mode{};
  bool have_mode = ::tcgetattr(fd, &old_mode) == 0;
  if (have_mode) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  std::string line;
  char c;
  while (line.size() < kMaxPassword && ::read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  if (have_mode) ::tcsetattr(fd, TCSAFLUSH, &old_mode);
  ::close(fd);
  StripLineEnd(line);
  return line;
}

}  // namespace

std::vector<OptionSpec> PasswordOptions() {
  return {
      {"password-file", 0, "FILE", "read the password from the first line of FILE"},
      {"password-stdin", 0, "", "read the password from the first line of standard input"},
      {"no-prompt", 0, "", "never prompt for a password on the terminal"},
  };
}

Result<std::optional<std::string>> ReadPassword(const ParsedArgs& args,
                                                const std::string& prompt_for) {
  if (auto file = args.Get("password-file")) {
    std::ifstream in(*file);
    if (!in) {
      return Error::Make(ErrorKind::kProtocol, "cannot read the password file " + *file);
    }
    std::string line;
    std::getline(in, line);
    StripLineEnd(line);
    if (line.size() > kMaxPassword) {
      return Error::Make(ErrorKind::kProtocol, "the password in " + *file + " is too long");
    }
    return std::optional<std::string>(line);
  }
  if (args.Has("password-stdin")) {
    std::string line;
    std::getline(std::cin, line);
    StripLineEnd(line);
    if (line.size() > kMaxPassword) {
      return Error::Make(ErrorKind::kProtocol, "the password on standard input is too long");
    }
    return std::optional<std::string>(line);
  }
  if (const char* env = std::getenv("MAILSCOUT_PASSWORD")) {
    std::string value = env;
    ::unsetenv("MAILSCOUT_PASSWORD");  // keep it out of child processes and /proc
    return std::optional<std::string>(value);
  }
  if (!args.Has("no-prompt") && ::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO)) {
    std::optional<std::string> typed =
        PromptNoEcho("Password for " + prompt_for + " (empty to skip login): ");
    if (typed && typed->empty()) typed.reset();
    return typed;
  }
  return std::optional<std::string>();
}

void ProtectSecrets() {
  rlimit none{0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

}  // namespace mailscout
