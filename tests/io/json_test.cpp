// parse_json: bounded nesting and one-line errors naming file, line and position.
#include "ltv/io/json.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "ltv/error.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

std::string message_of(const std::string& text, std::size_t depth = kDefaultJsonDepth) {
  try {
    (void)parse_json(text, "model.json", depth);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

void expect_one_short_line(const std::string& m) {
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_LT(m.size(), 400u) << m.substr(0, 400);
}

TEST(ParseJson, ParsesOrdinaryDocuments) {
  const auto j = parse_json(
      R"({"model": "bgnbd", "params": {"r": 0.24, "a": [1, 2, {"b": null}]}})", "model.json");
  EXPECT_EQ(j["model"], "bgnbd");
  EXPECT_DOUBLE_EQ(j["params"]["r"].get<double>(), 0.24);
  EXPECT_TRUE(j["params"]["a"][2]["b"].is_null());
  const auto o = parse_ordered_json(R"({"z": 1, "a": 2})", "x.json");
  EXPECT_EQ(o.begin().key(), "z");  // key order kept
}

TEST(ParseJson, NestingUpToTheLimitIsAccepted) {
  const std::string text = std::string(10, '[') + "1" + std::string(10, ']');
  EXPECT_NO_THROW((void)parse_json(text, "x.json", 10));
  // Brackets inside strings do not count.
  EXPECT_NO_THROW((void)parse_json(R"({"a": "[[[[[[[[[[[[[[[[[[[[[[[[\"[[[[["})", "x.json", 1));
}

TEST(ParseJson, DeepNestingIsAClearErrorNotACrash) {
  // 100,000 levels crashed `ltv predict` (the recursive dump() in its error message).
  for (const char* open : {"[", "{\"a\":"}) {
    std::string text;
    for (int i = 0; i < 100000; ++i) text += open;
    const std::string m = message_of(text);
    expect_one_short_line(m);
    EXPECT_NE(m.find("nested too deeply"), std::string::npos) << m;
    EXPECT_NE(m.find("at most 64 levels"), std::string::npos) << m;
    EXPECT_NE(m.find("opening level 65"), std::string::npos) << m;
    // The 65th bracket is on line 1 at byte 65 (arrays) or 5*64+1 (objects).
    EXPECT_EQ(m.rfind(std::string(open) == "[" ? "model.json:1:65: " : "model.json:1:321: ", 0), 0u)
        << m;
  }
}

TEST(ParseJson, SyntaxErrorsNameLinePositionTokenAndExpectation) {
  const std::string m = message_of("{\n  \"model\": \"bgnbd\",\n  \"params\": tru\n}");
  expect_one_short_line(m);
  EXPECT_EQ(m.rfind("model.json:3:", 0), 0u) << m;
  EXPECT_NE(m.find("tru"), std::string::npos) << m;
  EXPECT_NE(m.find("expected valid JSON: syntax error while parsing value"), std::string::npos)
      << m;
  const std::string end = message_of("{\"a\": [1, 2");
  expect_one_short_line(end);
  EXPECT_EQ(end.rfind("model.json:1:", 0), 0u) << end;
}

TEST(ParseJson, AHugeBadTokenIsCappedAndControlBytesEscaped) {
  // An unterminated 1 MB string: nlohmann's message repeats the whole token read so far.
  const std::string m = message_of("{\"a\": \"" + std::string(1 << 20, 'x'));
  expect_one_short_line(m);
  EXPECT_NE(m.find("found '\"xxxxxxxx"), std::string::npos) << m;
  EXPECT_NE(m.find("...'"), std::string::npos) << m;
  // A NUL byte and a line feed inside a string: named, never printed raw.
  std::string text = "{\"a\": \"ab\ncd\"}";
  const std::string lf = message_of(text);
  expect_one_short_line(lf);
  text[9] = '\0';
  const std::string nul = message_of(text);
  expect_one_short_line(nul);
  EXPECT_EQ(nul.find('\0'), std::string::npos);
  EXPECT_NE(nul.find("U+0000"), std::string::npos) << nul;
}

TEST(ParseJson, ReadsFilesAndRefusesDirectoriesAndOversizedFiles) {
  const auto dir = test::temp_dir("parse_json_files");
  const auto path = dir / "m.json";
  std::ofstream(path) << R"({"model": "bgnbd"})";
  EXPECT_EQ(read_json_file(path.string())["model"], "bgnbd");
  try {
    (void)read_json_file(dir.string());
    FAIL() << "a directory was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("found 'a directory', expected a regular file"),
              std::string::npos)
        << e.what();
  }
  try {
    (void)read_json_file(path.string(), kDefaultJsonDepth, 10);
    FAIL() << "an oversized file was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("a file of at most 10 bytes"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ltv
