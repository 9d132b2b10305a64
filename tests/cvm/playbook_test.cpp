// Playbook parsing: the shipped default, and malformed files reported with file, line and what
// was expected.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ltv/cvm/actions.hpp"

namespace ltv {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_action_config(text, "rules.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Playbook, DefaultIsTheShippedExampleFile) {
  std::ifstream in(std::string(LTV_TEST_SOURCE_DIR) + "/../examples/actions.toml");
  ASSERT_TRUE(in) << "examples/actions.toml missing";
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), std::string(default_action_config_text()))
      << "run scripts/embed_configs.py";
}

TEST(Playbook, DefaultHasTheStandardCvmRules) {
  const ActionConfig c = default_action_config();
  std::vector<std::string> actions;
  for (const auto& r : c.rules) actions.push_back(r.action);
  for (const char* want : {"winback_discount", "early_access", "vip_personal_offer",
                           "service_reminder", "manager_call", "birthday_greeting"})
    EXPECT_NE(std::find(actions.begin(), actions.end(), want), actions.end()) << want;
  EXPECT_EQ(c.max_actions_per_customer, 1u);
  EXPECT_FALSE(c.caps.empty());
  EXPECT_FALSE(c.cadences.empty());
}

TEST(Playbook, ParsesEveryKey) {
  const ActionConfig c = parse_action_config(R"(
[settings]
max_actions_per_customer = 2
hunter_tenure_days = 60
min_intervals = 4

[[cap]]
channel = "email"
max_contacts = 3
window_days = 7

[[rule]]
id = "a"
action = "winback_discount"
channel = "email"
priority = 5
campaign = "spring"
control_share = 0.25
when = "recency_days > 90"
reason = "silent {recency_days} days"
params = { discount_percent = 15, code = "BACK" }
)",
                                             "x.toml");
  EXPECT_EQ(c.max_actions_per_customer, 2u);
  EXPECT_EQ(c.hunter_tenure_days, 60);
  EXPECT_EQ(c.min_intervals, 4);
  ASSERT_EQ(c.caps.size(), 1u);
  EXPECT_EQ(c.caps[0].channel, "email");
  EXPECT_EQ(c.caps[0].max_contacts, 3);
  EXPECT_EQ(c.caps[0].window_days, 7);
  ASSERT_EQ(c.rules.size(), 1u);
  const ActionRule& r = c.rules[0];
  EXPECT_EQ(r.priority, 5);
  EXPECT_EQ(r.campaign, "spring");
  EXPECT_DOUBLE_EQ(r.control_share, 0.25);
  EXPECT_EQ(format_params(r), "code=BACK;discount_percent=15");  // key order
  EXPECT_EQ(r.line, 12);
}

TEST(Playbook, MalformedFilesNameLineAndExpectation) {
  // Unknown key in a rule, on line 5.
  std::string e =
      error_of("[[rule]]\nid = \"a\"\naction = \"x\"\nchannel = \"email\"\nwhen_ = 1\n");
  EXPECT_NE(e.find("rules.toml:5"), std::string::npos) << e;
  EXPECT_NE(e.find("a known key in [[rule]]"), std::string::npos) << e;
  // Bad operator in a rule condition, on line 4.
  e = error_of(
      "[[rule]]\nid = \"a\"\naction = \"x\"\nwhen = \"recency_days >> 3\"\nchannel = \"e\"\n");
  EXPECT_NE(e.find("rules.toml:4"), std::string::npos) << e;
  // Type mismatch: priority must be a whole number, on line 3.
  e = error_of("[[rule]]\nid = \"a\"\naction = \"x\"\nchannel = \"e\"\npriority = \"high\"\n");
  EXPECT_NE(e.find("rules.toml:5"), std::string::npos) << e;
  EXPECT_NE(e.find("a whole number"), std::string::npos) << e;
  // Missing action names the rule's line and an example.
  e = error_of("\n[[rule]]\nid = \"a\"\nchannel = \"e\"\nwhen = \"true\"\n");
  EXPECT_NE(e.find("rules.toml:2"), std::string::npos) << e;
  EXPECT_NE(e.find("action = "), std::string::npos) << e;
  // TOML syntax error.
  e = error_of("[[rule]\nid = 1\n");
  EXPECT_NE(e.find("rules.toml:1"), std::string::npos) << e;
  EXPECT_NE(e.find("valid TOML"), std::string::npos) << e;
  // Duplicate rule ids.
  e = error_of(
      "[[rule]]\nid = \"a\"\naction = \"x\"\nchannel = \"e\"\nwhen = \"true\"\n"
      "[[rule]]\nid = \"a\"\naction = \"x\"\nchannel = \"e\"\nwhen = \"true\"\n");
  EXPECT_NE(e.find("rules.toml:7"), std::string::npos) << e;
  // Control share out of range.
  e = error_of("[[rule]]\nid = \"a\"\naction = \"x\"\nchannel = \"e\"\ncontrol_share = 1.5\n");
  EXPECT_NE(e.find("rules.toml:5"), std::string::npos) << e;
  EXPECT_NE(e.find("[0, 1]"), std::string::npos) << e;
}

}  // namespace
}  // namespace ltv
