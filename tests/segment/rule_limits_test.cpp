// The rule language under hostile input: long chains, deep nesting, huge texts. Every such rule
// either works (chains of any length) or fails with one clear InputError (too deep, too long) —
// never a stack overflow.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ltv/segment/rule_expr.hpp"

namespace ltv {
namespace {

/// Rows 0..n-1 with x = row index and region cycling over three names.
struct Rows {
  std::vector<double> x;
  std::vector<std::uint32_t> codes;
  std::vector<std::string> names{"north", "south", "east"};
  FieldColumn x_column, region_column;
  explicit Rows(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      x.push_back(static_cast<double>(i));
      codes.push_back(static_cast<std::uint32_t>(i % 3));
    }
    x_column.numbers = x;
    region_column.codes = codes;
    region_column.values = names;
  }
  FieldResolver resolver() {
    return [this](std::string_view name) -> const FieldColumn* {
      if (name == "x") return &x_column;
      if (name == "region") return &region_column;
      return nullptr;
    };
  }
};

std::string message_of(const std::string& rule) {
  try {
    (void)RuleExpr::parse(rule, SourceLocation{"playbook.toml", 7, "trigger[1].rule"});
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

void expect_one_short_line(const std::string& m) {
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_LT(m.size(), 600u) << m.substr(0, 600);
}

TEST(RuleLimits, ThousandsOfAndTermsEvaluateWithoutRecursion) {
  // 6,000 terms (85 KB): the old tree evaluator recursed once per term with a 4 KiB buffer per
  // frame (24 MB of stack) and crashed.
  Rows rows(10);
  std::string rule = "x >= 0";
  for (int i = 0; i < 6000; ++i) rule += " and x != " + std::to_string(100 + i);
  rule += " and x < 5";
  const BoundRule r = RuleExpr::parse(rule).bind(rows.resolver());
  std::uint8_t out[10];
  r.evaluate_block(0, 10, out);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(out[i] != 0, i < 5) << i;
    EXPECT_EQ(r.evaluate(i), i < 5) << i;
  }
}

TEST(RuleLimits, ThousandsOfOrTermsEvaluateWithoutRecursion) {
  Rows rows(10);
  std::string rule = "x = 3";
  for (int i = 0; i < 3000; ++i) rule += " or region = nowhere" + std::to_string(i);
  rule += " or x = 8";
  const BoundRule r = RuleExpr::parse(rule).bind(rows.resolver());
  std::uint8_t out[10];
  r.evaluate_block(0, 10, out);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(out[i] != 0, i == 3 || i == 8) << i;
    EXPECT_EQ(r.evaluate(i), i == 3 || i == 8) << i;
  }
}

TEST(RuleLimits, NestingUpToTheLimitWorks) {
  Rows rows(6);
  // kMaxDepth parentheses, right-nested: the deepest value stack.
  std::string rule;
  for (std::size_t i = 0; i < RuleExpr::kMaxDepth; ++i)
    rule += "x != " + std::to_string(i) + " and (";
  rule += "true";
  rule += std::string(RuleExpr::kMaxDepth, ')');
  const BoundRule r = RuleExpr::parse(rule).bind(rows.resolver());
  std::uint8_t out[6];
  r.evaluate_block(0, 6, out);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(out[i], 0) << i;  // x is 0..5, each excluded
  // kMaxDepth 'not's: even count, so the rule is x = 2.
  std::string not_rule;
  for (std::size_t i = 0; i < RuleExpr::kMaxDepth; ++i) not_rule += "not ";
  const BoundRule nots = RuleExpr::parse(not_rule + "x = 2").bind(rows.resolver());
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(nots.evaluate(i), i == 2) << i;
}

TEST(RuleLimits, DeepParenthesesAreAClearErrorNotACrash) {
  for (std::size_t depth : {RuleExpr::kMaxDepth + 1, std::size_t{40000}}) {
    const std::string rule = std::string(depth, '(') + "x = 1" + std::string(depth, ')');
    const std::string m = message_of(rule);
    ASSERT_FALSE(m.empty()) << depth;
    EXPECT_NE(m.find("playbook.toml:7"), std::string::npos) << m;
    EXPECT_NE(m.find("nested too deeply"), std::string::npos) << m;
    EXPECT_NE(m.find("at most 100 nested"), std::string::npos) << m;
    EXPECT_NE(m.find("at character 101 "), std::string::npos) << m;
    expect_one_short_line(m);
  }
}

TEST(RuleLimits, DeepNotChainsAreAClearErrorNotACrash) {
  std::string rule;
  for (int i = 0; i < 20000; ++i) rule += "not ";
  rule += "x = 1";
  const std::string m = message_of(rule);
  EXPECT_NE(m.find("nested too deeply"), std::string::npos) << m;
  EXPECT_NE(m.find("found 'not'"), std::string::npos) << m;
  expect_one_short_line(m);
}

TEST(RuleLimits, OverlongRulesAreAClearError) {
  std::string rule = "x = 1";
  while (rule.size() <= RuleExpr::kMaxLength) rule += " or x = 1";
  const std::string m = message_of(rule);
  EXPECT_NE(m.find("too long"), std::string::npos) << m;
  EXPECT_NE(m.find(fmt::format("a rule of {} characters", rule.size())), std::string::npos) << m;
  expect_one_short_line(m);
}

TEST(RuleLimits, ErrorsInLongRulesShowOnlyThePartAroundTheToken) {
  std::string rule = "x = 1";
  for (int i = 0; i < 2000; ++i) rule += " and x = 1";
  rule += " and x = = 2";
  const std::string m = message_of(rule);
  EXPECT_NE(m.find("found '='"), std::string::npos) << m;
  EXPECT_NE(m.find("of rule \"..."), std::string::npos) << m;
  EXPECT_NE(m.find("x = 1 and x = = 2\""), std::string::npos) << m;
  expect_one_short_line(m);
}

/// A random rule over x and region, with the truth of each row computed by the test itself.
struct Expr {
  enum Kind { kAnd, kOr, kNot, kLess, kRegion, kIn } kind;
  std::unique_ptr<Expr> a, b;
  int value = 0;
  std::string text() const {
    switch (kind) {
      case kAnd:
        return "(" + a->text() + " and " + b->text() + ")";
      case kOr:
        return "(" + a->text() + " or " + b->text() + ")";
      case kNot:
        return "not " + a->text();
      case kLess:
        return "x < " + std::to_string(value);
      case kRegion:
        return std::string("region = ") + (value == 0 ? "north" : value == 1 ? "south" : "east");
      case kIn:
        return "x in [" + std::to_string(value) + ", " + std::to_string(value + 3) + "]";
    }
    return "";
  }
  bool holds(std::size_t row) const {
    switch (kind) {
      case kAnd:
        return a->holds(row) && b->holds(row);
      case kOr:
        return a->holds(row) || b->holds(row);
      case kNot:
        return !a->holds(row);
      case kLess:
        return static_cast<int>(row) < value;
      case kRegion:
        return static_cast<int>(row % 3) == value;
      case kIn:
        return static_cast<int>(row) == value || static_cast<int>(row) == value + 3;
    }
    return false;
  }
};

std::unique_ptr<Expr> random_expr(std::mt19937& rng, int depth) {
  auto e = std::make_unique<Expr>();
  const int pick = static_cast<int>(rng() % (depth > 0 ? 6 : 3));
  if (pick < 3) {
    e->kind = pick == 0 ? Expr::kLess : pick == 1 ? Expr::kRegion : Expr::kIn;
    e->value = static_cast<int>(rng() % (pick == 1 ? 3 : 40));
    return e;
  }
  e->kind = pick == 3 ? Expr::kAnd : pick == 4 ? Expr::kOr : Expr::kNot;
  e->a = random_expr(rng, depth - 1);
  if (e->kind != Expr::kNot) e->b = random_expr(rng, depth - 1);
  return e;
}

TEST(RuleLimits, StackMachineAgreesWithTheRuleOnRandomRules) {
  Rows rows(37);
  std::mt19937 rng(20240611);
  for (int trial = 0; trial < 300; ++trial) {
    const auto expr = random_expr(rng, 1 + trial % 12);
    const std::string text = expr->text();
    const BoundRule r = RuleExpr::parse(text).bind(rows.resolver());
    std::uint8_t out[37];
    r.evaluate_block(0, 37, out);
    std::uint8_t tail[30];
    r.evaluate_block(7, 30, tail);
    for (std::size_t i = 0; i < 37; ++i) {
      ASSERT_EQ(out[i] != 0, expr->holds(i)) << text << " row " << i;
      ASSERT_EQ(r.evaluate(i), expr->holds(i)) << text << " row " << i;
      if (i >= 7) {
        ASSERT_EQ(tail[i - 7] != 0, expr->holds(i)) << text << " row " << i;
      }
    }
  }
}

TEST(RuleLimits, CopiesAndMovesOfDeepRulesAreSafe) {
  Rows rows(4);
  std::string rule = "x = 0";
  for (int i = 0; i < 10000; ++i) rule += " or x = 2";
  RuleExpr parsed = RuleExpr::parse(rule);
  RuleExpr copy = parsed;
  RuleExpr moved = std::move(parsed);
  BoundRule bound = copy.bind(rows.resolver());
  BoundRule bound_copy = bound;
  EXPECT_TRUE(bound_copy.evaluate(2));
  EXPECT_FALSE(bound_copy.evaluate(1));
  EXPECT_EQ(moved.fields(), std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace ltv
