#include "ltv/segment/rule_expr.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace ltv {
namespace {

// Three rows: numeric x, text region, and a mixed "age" column (numbers + text).
struct Table {
  std::vector<double> x{1, 5, std::nan("")};
  std::vector<std::uint32_t> region_codes{0, 1, 2};
  std::vector<std::string> region_values{"Moscow", "Kazan", ""};
  std::vector<double> age{25, 34, std::nan("")};
  std::vector<std::uint32_t> age_codes{0, 1, 2};
  std::vector<std::string> age_values{"25", "34", "unknown"};
  std::map<std::string, FieldColumn, std::less<>> columns;
  Table() {
    columns["x"].numbers = x;
    columns["region"].codes = region_codes;
    columns["region"].values = region_values;
    columns["age"].numbers = age;
    columns["age"].codes = age_codes;
    columns["age"].values = age_values;
  }
  FieldResolver resolver() {
    return [this](std::string_view name) -> const FieldColumn* {
      auto it = columns.find(name);
      return it == columns.end() ? nullptr : &it->second;
    };
  }
  std::vector<bool> eval(const std::string& text) {
    BoundRule r = RuleExpr::parse(text).bind(resolver());
    return {r.evaluate(0), r.evaluate(1), r.evaluate(2)};
  }
};

using V = std::vector<bool>;

TEST(RuleExpr, ComparesNumbersWithEveryOperator) {
  Table t;
  EXPECT_EQ(t.eval("x = 5"), (V{false, true, false}));
  EXPECT_EQ(t.eval("x == 1"), (V{true, false, false}));
  EXPECT_EQ(t.eval("x != 1"), (V{false, true, false}));  // missing compares false
  EXPECT_EQ(t.eval("x <> 1"), (V{false, true, false}));
  EXPECT_EQ(t.eval("x < 5"), (V{true, false, false}));
  EXPECT_EQ(t.eval("x <= 5"), (V{true, true, false}));
  EXPECT_EQ(t.eval("x > 1"), (V{false, true, false}));
  EXPECT_EQ(t.eval("x >= 1"), (V{true, true, false}));
  EXPECT_EQ(t.eval("x >= 1.0e0"), (V{true, true, false}));
  EXPECT_EQ(t.eval("x > -2.5"), (V{true, true, false}));
}

TEST(RuleExpr, BetweenIsInclusiveAndInMatchesLists) {
  Table t;
  EXPECT_EQ(t.eval("x between 1 and 5"), (V{true, true, false}));
  EXPECT_EQ(t.eval("x between 2 and 5"), (V{false, true, false}));
  EXPECT_EQ(t.eval("x in [1, 7]"), (V{true, false, false}));
  EXPECT_EQ(t.eval("x not in (1, 7)"), (V{false, true, false}));
  EXPECT_EQ(t.eval("region in [Moscow, 'Kazan']"), (V{true, true, false}));
  EXPECT_EQ(t.eval("region not in [Moscow]"), (V{false, true, true}));
}

TEST(RuleExpr, TextComparesExactlyWithBareOrQuotedWords) {
  Table t;
  EXPECT_EQ(t.eval("region = Moscow"), (V{true, false, false}));
  EXPECT_EQ(t.eval("region = \"Moscow\""), (V{true, false, false}));
  EXPECT_EQ(t.eval("region = moscow"), (V{false, false, false}));
  EXPECT_EQ(t.eval("region != Moscow"), (V{false, true, true}));
  EXPECT_EQ(t.eval("region = ''"), (V{false, false, true}));
}

TEST(RuleExpr, MixedColumnsCompareByLiteralType) {
  Table t;
  EXPECT_EQ(t.eval("age between 25 and 34"), (V{true, true, false}));
  EXPECT_EQ(t.eval("age = unknown"), (V{false, false, true}));
}

TEST(RuleExpr, PrecedenceIsNotThenAndThenOr) {
  Table t;
  // and binds tighter than or: (x = 1) or (x = 5 and region = Moscow)
  EXPECT_EQ(t.eval("x = 1 or x = 5 and region = Moscow"), (V{true, false, false}));
  EXPECT_EQ(t.eval("(x = 1 or x = 5) and region = Kazan"), (V{false, true, false}));
  EXPECT_EQ(t.eval("not x = 1"), (V{false, true, true}));
  EXPECT_EQ(t.eval("NOT x = 1 AND region = Kazan"), (V{false, true, false}));
  EXPECT_EQ(t.eval("true"), (V{true, true, true}));
  EXPECT_EQ(t.eval("not true or false"), (V{false, false, false}));
}

TEST(RuleExpr, ListsFieldsInOrderOfUse) {
  auto e = RuleExpr::parse("region = Moscow and x > 1 or region = Kazan");
  EXPECT_EQ(e.fields(), (std::vector<std::string>{"region", "x"}));
}

TEST(RuleExpr, SyntaxErrorsNameFileLineTokenAndExpectation) {
  SourceLocation where{"segments.toml", 12, "custom[1].rule"};
  try {
    (void)RuleExpr::parse("x >= and y = 1", where);
    FAIL() << "no error";
  } catch (const InputError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("segments.toml:12"), std::string::npos) << m;
    EXPECT_NE(m.find("found 'and'"), std::string::npos) << m;
    EXPECT_NE(m.find("a value"), std::string::npos) << m;
    EXPECT_NE(m.find("character 6"), std::string::npos) << m;
  }
  EXPECT_THROW((void)RuleExpr::parse("(x = 1", where), InputError);
  EXPECT_THROW((void)RuleExpr::parse("x = 1 y = 2", where), InputError);
  EXPECT_THROW((void)RuleExpr::parse("x ! 1", where), InputError);
  EXPECT_THROW((void)RuleExpr::parse("region = 'Moscow", where), InputError);
  EXPECT_THROW((void)RuleExpr::parse("", where), InputError);
  EXPECT_THROW((void)RuleExpr::parse("x between 1 5", where), InputError);
  EXPECT_THROW((void)RuleExpr::parse("x in [1, 2", where), InputError);
  EXPECT_THROW((void)RuleExpr::parse("x = 25abc", where), InputError);
  EXPECT_THROW((void)RuleExpr::parse("x = 1 $ 2", where), InputError);
}

TEST(RuleExpr, BindErrorsForUnknownFieldsAndTypeMismatches) {
  Table t;
  std::vector<std::string> known{"age", "region", "x"};
  try {
    (void)RuleExpr::parse("regoin = Moscow", {"f.toml", 3, ""}).bind(t.resolver(), known);
    FAIL() << "no error";
  } catch (const InputError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("f.toml:3"), std::string::npos) << m;
    EXPECT_NE(m.find("'regoin'"), std::string::npos) << m;
    EXPECT_NE(m.find("known fields: age, region, x"), std::string::npos) << m;
  }
  EXPECT_THROW((void)RuleExpr::parse("x = Moscow").bind(t.resolver()), InputError);
  EXPECT_THROW((void)RuleExpr::parse("region = 5").bind(t.resolver()), InputError);
  EXPECT_THROW((void)RuleExpr::parse("region < Moscow").bind(t.resolver()), InputError);
  EXPECT_THROW((void)RuleExpr::parse("x in [1, a]").bind(t.resolver()), InputError);
  EXPECT_THROW((void)RuleExpr::parse("x between 5 and 1").bind(t.resolver()), InputError);
}

}  // namespace
}  // namespace ltv

namespace ltv {
namespace {

TEST(RuleExpr, BlockEvaluationAgreesWithRowEvaluation) {
  Table t;
  for (const char* text :
       {"x = 5", "x != 1", "x < 5", "x <= 5", "x > 1", "x >= 1", "x between 1 and 5", "x in [1, 7]",
        "x not in [1]", "region = Moscow", "region != Moscow", "not (x = 1 or region = Kazan)",
        "x >= 1 and region in [Moscow, Kazan]", "true", "false",
        "age between 25 and 34 or age = unknown"}) {
    BoundRule r = RuleExpr::parse(text).bind(t.resolver());
    std::uint8_t out[3] = {9, 9, 9};
    r.evaluate_block(0, 3, out);
    for (std::size_t i = 0; i < 3; ++i)
      EXPECT_EQ(out[i] != 0, r.evaluate(i)) << text << " row " << i;
    std::uint8_t tail[2] = {9, 9};
    r.evaluate_block(1, 2, tail);
    for (std::size_t i = 0; i < 2; ++i) EXPECT_EQ(tail[i] != 0, r.evaluate(i + 1)) << text;
  }
}

}  // namespace
}  // namespace ltv
