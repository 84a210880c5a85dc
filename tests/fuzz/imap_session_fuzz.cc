// Fuzz target: a whole IMAP login dialog against a hostile server.
#include "mail_session_fuzz.inc"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  RunDialog(mailscout::Protocol::kImap, data, size);
  return 0;
}
