// One error shape: the found text escaped and capped, every message exactly one line.
#include <gtest/gtest.h>

#include <string>

#include "ltv/error.hpp"

namespace ltv {
namespace {

TEST(ErrorMessage, ControlBytesNulAndInvalidUtf8AreEscaped) {
  EXPECT_EQ(escape_for_message(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(escape_for_message("tab\there\r\nnext"), "tab\\there\\r\\nnext");
  EXPECT_EQ(escape_for_message("\x1b[31mred\x7f"), "\\x1B[31mred\\x7F");
  EXPECT_EQ(escape_for_message("\xff\xfe"
                               "a"),
            "\\xFF\\xFEa");  // a UTF-16 BOM
  EXPECT_EQ(escape_for_message("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");  // kept
  EXPECT_EQ(escape_for_message("\xc3"), "\\xC3");                    // truncated sequence
  EXPECT_EQ(escape_for_message("\xc0\xaf"), "\\xC0\\xAF");           // overlong '/'
  EXPECT_EQ(escape_for_message("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // a UTF-16 surrogate
  EXPECT_EQ(escape_for_message("\xc2\x85"), "\\xC2\\x85");           // C1 NEL (a line break)
  EXPECT_EQ(escape_for_message("back\\slash"), "back\\slash");
}

TEST(ErrorMessage, TheFoundTextIsCappedAt80Characters) {
  EXPECT_EQ(escape_for_message(std::string(100, 'x'), 80), std::string(80, 'x') + "...");
  // Characters, not bytes: 80 two-byte letters are kept whole.
  std::string cyrillic;
  for (int i = 0; i < 90; ++i) cyrillic += "\xd0\x96";
  const std::string shown = escape_for_message(cyrillic, 80);
  EXPECT_EQ(shown.size(), 160u + 3u);
  EXPECT_EQ(shown.substr(160), "...");
}

TEST(ErrorMessage, EveryMessageIsOneLine) {
  const std::string m = format_input_message(SourceLocation{"we\nird.csv", 7, "col\r\n", 0},
                                             std::string(5000, '\n'), "a value\nreally");
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_EQ(m.find('\r'), std::string::npos) << m;
  EXPECT_LT(m.size(), 600u);
  EXPECT_EQ(m.rfind("we\\nird.csv:7: column 'col\\r\\n': found '\\n\\n", 0), 0u) << m;
  EXPECT_NE(m.find("...', expected a value\\nreally"), std::string::npos) << m;
}

TEST(ErrorMessage, PositionsAndOptionsHaveTheirShape) {
  EXPECT_EQ(format_input_message(SourceLocation{"m.json", 3, "", 16}, "tru", "valid JSON"),
            "m.json:3:16: found 'tru', expected valid JSON");
  EXPECT_EQ(format_input_message(SourceLocation{"", 0, "-o"}, "x", "y"),
            "option -o: found 'x', expected y");
  EXPECT_EQ(format_input_message(SourceLocation{"", 0, "--period"}, "x", "y"),
            "option --period: found 'x', expected y");
  EXPECT_EQ(format_input_message(SourceLocation{"f.csv", 2, "-amount"}, "x", "y"),
            "f.csv:2: column '-amount': found 'x', expected y");
}

}  // namespace
}  // namespace ltv
