// mailscout: finds and proves the right mail settings for an email address.
// All logic lives in the core library; see cli/app.h.
#include "cli/app.h"

int main(int argc, char** argv) { return mailscout::RunMain(argc, argv); }
