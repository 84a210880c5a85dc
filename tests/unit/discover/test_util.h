// Helpers for discovery's unit tests: reading corpus files.
#ifndef MAILSCOUT_TESTS_UNIT_DISCOVER_TEST_UTIL_H_
#define MAILSCOUT_TESTS_UNIT_DISCOVER_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/email_address.h"

namespace mailscout {

inline std::string CorpusPath(const std::string& name) {
  return std::string(MAILSCOUT_SOURCE_DIR) + "/tests/unit/discover/corpus/" + name;
}

inline std::string ReadCorpus(const std::string& name) {
  std::ifstream in(CorpusPath(name), std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing corpus file " << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline EmailAddress Address(const std::string& text) {
  Result<EmailAddress> a = EmailAddress::Parse(text);
  EXPECT_TRUE(a.ok()) << text;
  return a.value();
}

}  // namespace mailscout

#endif  // MAILSCOUT_TESTS_UNIT_DISCOVER_TEST_UTIL_H_
