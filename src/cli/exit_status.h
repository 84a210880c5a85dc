// Exit statuses of the mailscout binary, in one place so --help and the
// commands cannot drift apart (STYLE.md habit 13).
#ifndef MAILSCOUT_CLI_EXIT_STATUS_H_
#define MAILSCOUT_CLI_EXIT_STATUS_H_

namespace mailscout {

enum ExitStatus : int {
  kExitOk = 0,      // every requested check passed / something was found
  kExitFailed = 1,  // a check failed / nothing usable was found
  kExitUsage = 2,   // bad usage or bad input (address, file, option)
};

}  // namespace mailscout

#endif  // MAILSCOUT_CLI_EXIT_STATUS_H_
