// Entry point of the mailscout binary: global options, the command table,
// dispatch. main.cc calls RunMain and nothing else.
#ifndef MAILSCOUT_CLI_APP_H_
#define MAILSCOUT_CLI_APP_H_

namespace mailscout {

// Returns the process exit status (cli/exit_status.h). Never throws.
int RunMain(int argc, char** argv);

}  // namespace mailscout

#endif  // MAILSCOUT_CLI_APP_H_
