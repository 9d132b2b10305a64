// TOML configurations under hostile input: deep tables, dotted keys and arrays, huge texts, files
// that are not regular files. Each is one clear InputError, never a stack overflow or a hang.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "io/toml_reader.hpp"
#include "ltv/cvm/actions.hpp"
#include "ltv/error.hpp"
#include "ltv/segment/segment.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

std::string message_of(const std::string& text) {
  try {
    (void)detail::parse_toml(text, "segments.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

void expect_too_deep(const std::string& m, const std::string& where) {
  EXPECT_EQ(m.rfind(where, 0), 0u) << m.substr(0, 300);
  EXPECT_NE(m.find("nested too deeply"), std::string::npos) << m.substr(0, 300);
  EXPECT_NE(m.find("at most 64 levels"), std::string::npos) << m.substr(0, 300);
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_LT(m.size(), 400u);
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(TomlLimits, DeepTableHeadersAreAClearError) {
  // 200,000 parts: toml++ builds (and later destroys, recursively) a table that deep.
  expect_too_deep(message_of("x = 1\n[a" + repeat(".a", 200000) + "]\ny = 2\n"),
                  "segments.toml:2:1: ");
  expect_too_deep(message_of("[[a" + repeat(".a", 64) + "]]\n"), "segments.toml:1:1: ");
}

TEST(TomlLimits, DeepDottedKeysAreAClearError) {
  expect_too_deep(message_of("[rfm]\n" + repeat("k.", 200000) + "k = 1\n"), "segments.toml:2:");
  // Table depth and key parts add up.
  expect_too_deep(message_of("[a" + repeat(".a", 40) + "]\n" + repeat("k.", 30) + "k = 1\n"),
                  "segments.toml:2:");
}

TEST(TomlLimits, DeepArraysAndInlineTablesAreAClearError) {
  expect_too_deep(message_of("x = " + repeat("[", 100000) + repeat("]", 100000) + "\n"),
                  "segments.toml:1:");
  expect_too_deep(message_of("x = " + repeat("{a = ", 100000) + "1" + repeat("}", 100000) + "\n"),
                  "segments.toml:1:");
  expect_too_deep(message_of("x = [" + repeat("{a = [", 40) + "1" + repeat("]}", 40) + "]\n"),
                  "segments.toml:1:");
}

TEST(TomlLimits, DotsInValuesStringsAndCommentsDoNotCount) {
  std::string text = "[a.b.c]\nfloats = [" + repeat("1.5, ", 5000) + "2.5]\n";
  text += "\"" + repeat("q.", 500) + "\" = 1\n";
  text += "s = '" + repeat("x.", 500) + "'\n";
  text += "m = \"\"\"\n" + repeat("[[[{{{...", 100) + "\n\"\"\"\n";
  text += "# " + repeat("[a.", 500) + "\n";
  text += "t = { " + repeat("k.", 20) + "k = 1.25, u = [1.0, 2.0] }\n";
  text += "nested = " + repeat("[", 60) + repeat("]", 60) + "\n";
  EXPECT_EQ(message_of(text), "");
}

TEST(TomlLimits, OversizedTextIsAClearError) {
  const std::string m = message_of("x = \"" + std::string(detail::kMaxTomlBytes, 'y') + "\"\n");
  EXPECT_NE(m.find("a TOML configuration of at most 1048576 bytes"), std::string::npos) << m;
}

TEST(TomlLimits, SyntaxErrorsNameLineAndPosition) {
  const std::string m = message_of("[rfm]\nbins = 5\nlabels = [1, 2\n");
  EXPECT_EQ(m.rfind("segments.toml:", 0), 0u) << m;
  EXPECT_NE(m.find("expected valid TOML"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
}

TEST(TomlLimits, ConfigFilesMustBeRegularFiles) {
  const auto dir = test::temp_dir("toml_limits_files");
  const auto fifo = dir / "fifo.toml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // A FIFO nobody writes to used to hang the reader for ever.
  for (const auto& path : {dir, fifo}) {
    try {
      (void)load_segment_config(path);
      FAIL() << path << " was read";
    } catch (const InputError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("expected a regular file"), std::string::npos) << m;
    }
    EXPECT_THROW((void)load_action_config(path), InputError);
  }
  try {
    (void)load_action_config("/dev/zero");
    FAIL() << "/dev/zero was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("found 'a character device'"), std::string::npos)
        << e.what();
  }
}

TEST(TomlLimits, DeepRulesInAPlaybookAreAClearError) {
  const std::string rule = repeat("(", 5000) + "p_alive > 0.5" + repeat(")", 5000);
  const std::string text =
      "[[rule]]\nid = \"deep\"\naction = \"call\"\nchannel = \"phone\"\n"
      "when = \"" +
      rule + "\"\n";
  try {
    (void)parse_action_config(text, "playbook.toml");
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("playbook.toml:5: column 'when': found '('", 0), 0u) << m;
    EXPECT_NE(m.find("nested too deeply"), std::string::npos) << m;
    EXPECT_LT(m.size(), 600u);
  }
}

}  // namespace
}  // namespace ltv
