// Rule evaluation on constructed customers: each default rule type, priorities, N actions per
// customer, frequency caps, suppression, sort order and deterministic control groups.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "ltv/cvm/actions.hpp"
#include "ltv/io/dates.hpp"

namespace ltv {
namespace {

/// n customers "c0".."c{n-1}", each buying on `days` (day numbers); summary as of `as_of`.
struct Fixture {
  TransactionLog log;
  CustomerSummary summary;
  std::vector<std::string> ids;
  std::unique_ptr<SegmentFields> fields;

  Fixture(std::size_t n, const std::vector<std::int32_t>& days, std::int32_t as_of) {
    for (std::size_t c = 0; c < n; ++c) {
      log.customer_ids.push_back(std::string("c").append(std::to_string(c)));
      for (std::int32_t d : days) {
        log.customer.push_back(static_cast<std::uint32_t>(c));
        log.day.push_back(d);
        log.amount.push_back(10.0);
      }
    }
    SummaryOptions o;
    o.time_unit = TimeUnit::day;
    o.calibration_end = as_of;
    o.observation_end = as_of;
    summary = summarize(log, o);
    ids = summary_customer_ids(log, summary);
    fields = std::make_unique<SegmentFields>(summary, nullptr, nullptr, as_of);
    CvmFieldInputs in;
    in.summary = &summary;
    in.log = &log;
    in.as_of_day = as_of;
    add_cvm_fields(*fields, in);
  }
  void text(const std::string& name, const std::vector<std::string>& per_row) {
    std::vector<std::string> values;
    std::vector<std::uint32_t> codes;
    for (const auto& v : per_row) {
      auto it = std::find(values.begin(), values.end(), v);
      codes.push_back(static_cast<std::uint32_t>(it - values.begin()));
      if (it == values.end()) values.push_back(v);
    }
    fields->add_text(name, std::move(codes), std::move(values));
  }
  void number(const std::string& name, std::vector<double> per_row) {
    fields->add_numeric(name, std::move(per_row));
  }
};

std::map<std::string, std::string> rule_by_customer(const ActionConfig& c, const ActionList& l,
                                                    const std::vector<std::string>& ids) {
  std::map<std::string, std::string> out;
  for (std::size_t k = 0; k < l.size(); ++k)
    out[ids[l.row[k]]].append(c.rules[l.rule[k]].id).append(" ");
  return out;
}

TEST(CvmPlan, EachDefaultRuleFiresOnItsCustomer) {
  Fixture f(8, {100, 130, 160}, 200);
  const double nan = std::nan("");
  // c0 detractor, c1 vip, c2 lapsing, c3 overdue periodic buyer, c4 loyal, c5 birthday,
  // c6 lost with a birthday (nothing), c7 active and unremarkable (nothing).
  f.text("stage", {"active", "vip", "lapsing", "active", "active", "new", "lost", "active"});
  f.text("rfm_segment", {"Other", "Other", "Other", "Other", "Loyal", "Other", "Other", "Other"});
  f.number("nps", {3, nan, nan, nan, 10, nan, nan, 8});
  f.number("overdue_ratio", {0.5, 0.5, 3, 1.5, 0.5, 0.5, 0.5, 0.5});
  f.number("orders", {3, 30, 3, 4, 3, 1, 1, 3});
  f.number("days_to_birthday", {100, 100, 100, 100, 100, 3, 3, 100});
  f.number("p_alive", std::vector<double>(8, 0.41));
  f.number("p_purchase_30", std::vector<double>(8, 0.2));
  const ActionConfig config = default_action_config();
  const ActionList list = plan_actions(config, *f.fields, f.ids, PlanOptions{});
  auto got = rule_by_customer(config, list, f.ids);
  EXPECT_EQ(got["c0"], "detractor_call ");
  EXPECT_EQ(got["c1"], "vip_offer ");
  EXPECT_EQ(got["c2"], "winback ");
  EXPECT_EQ(got["c3"], "service_reminder ");
  EXPECT_EQ(got["c4"], "loyal_early_access ");
  EXPECT_EQ(got["c5"], "birthday ");
  EXPECT_EQ(got.count("c6"), 0u);
  EXPECT_EQ(got.count("c7"), 0u);
  // Reasons fill in the customer's figures.
  for (std::size_t k = 0; k < list.size(); ++k) {
    if (f.ids[list.row[k]] == "c2") {
      EXPECT_EQ(list.reason[k], "no purchase for 40 days, usually buys every 30; P(alive) 0.41");
    }
    if (f.ids[list.row[k]] == "c3") {
      EXPECT_NE(list.reason[k].find("expected back on " + format_date(190)), std::string::npos)
          << list.reason[k];
    }
  }
}

const char* kTwoChannels = R"(
[[cap]]
channel = "email"
max_contacts = 1
window_days = 30

[[rule]]
id = "a"
action = "first"
channel = "email"
priority = 1
control_share = 0
when = "x > 0"

[[rule]]
id = "b"
action = "second"
channel = "sms"
priority = 2
control_share = 0
when = "x > 0"

[[rule]]
id = "c"
action = "third"
channel = "email"
priority = 3
control_share = 0
when = "x > 0"
)";

TEST(CvmPlan, PriorityCapsSuppressionAndOrder) {
  Fixture f(4, {100, 150}, 200);
  f.number("x", {1, 1, 1, 0});
  const ActionConfig config = parse_action_config(kTwoChannels, "two.toml");

  // One action per customer: the most important rule.
  ActionList l = plan_actions(config, *f.fields, f.ids, PlanOptions{});
  auto got = rule_by_customer(config, l, f.ids);
  EXPECT_EQ(got["c0"], "a ");
  EXPECT_EQ(got.count("c3"), 0u);
  // Sorted by priority, then customer id.
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(f.ids[l.row[0]], "c0");
  EXPECT_EQ(f.ids[l.row[2]], "c2");

  // Three per customer: the e-mail cap (1 in 30 days) drops rule c after rule a.
  PlanOptions three;
  three.max_actions_per_customer = 3;
  l = plan_actions(config, *f.fields, f.ids, three);
  got = rule_by_customer(config, l, f.ids);
  EXPECT_EQ(got["c0"], "a b ");
  EXPECT_EQ(l.capped, 3u);
  // Order: all of priority 1 first, then priority 2.
  EXPECT_EQ(config.rules[l.rule[0]].id, "a");
  EXPECT_EQ(config.rules[l.rule[3]].id, "b");

  // Contact history: c0 had an e-mail 10 days ago (capped), c1 one 40 days ago (outside).
  ContactHistory h;
  h.row = {0, 1};
  h.day = {190, 160};
  h.channel = {"email", "email"};
  PlanOptions capped;
  capped.contacts = &h;
  capped.as_of_day = 200;
  l = plan_actions(config, *f.fields, f.ids, capped);
  got = rule_by_customer(config, l, f.ids);
  EXPECT_EQ(got["c0"], "b ");
  EXPECT_EQ(got["c1"], "a ");

  // Suppression list.
  std::vector<std::uint8_t> suppressed{0, 0, 1, 1};
  PlanOptions s;
  s.suppressed = suppressed;
  l = plan_actions(config, *f.fields, f.ids, s);
  got = rule_by_customer(config, l, f.ids);
  EXPECT_EQ(got.count("c2"), 0u);
  EXPECT_EQ(l.suppressed, 1u);  // c3 matched nothing
}

TEST(CvmPlan, UnknownFieldIsReportedWithThePlaybookLine) {
  Fixture f(2, {100, 150}, 200);
  const ActionConfig config = parse_action_config(
      "[[rule]]\nid = \"a\"\naction = \"x\"\nchannel = \"e\"\nwhen = \"no_such_field > 1\"\n",
      "bad.toml");
  try {
    plan_actions(config, *f.fields, f.ids, PlanOptions{});
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.toml:5"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no_such_field"), std::string::npos) << e.what();
  }
  const ActionConfig bad_reason = parse_action_config(
      "[[rule]]\nid = \"a\"\naction = \"x\"\nchannel = \"e\"\nwhen = \"true\"\n"
      "reason = \"{nothing_here}\"\n",
      "bad.toml");
  try {
    plan_actions(bad_reason, *f.fields, f.ids, PlanOptions{});
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.toml:1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nothing_here"), std::string::npos) << e.what();
  }
}

TEST(CvmControl, AssignmentIsDeterministicAndHasTheShare) {
  std::size_t in = 0, same = 0, differs = 0;
  const std::size_t n = 100000;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string id = std::string("C").append(std::to_string(i));
    const bool a = in_control_group(id, "winback", 0.1);
    same += a == in_control_group(id, "winback", 0.1);
    differs += a != in_control_group(id, "birthday", 0.1);
    in += a;
  }
  EXPECT_EQ(same, n);
  EXPECT_NEAR(static_cast<double>(in) / n, 0.1, 0.005);
  // Another campaign draws an independent group: P(differ) = 2 * 0.1 * 0.9 = 0.18.
  EXPECT_NEAR(static_cast<double>(differs) / n, 0.18, 0.01);
  EXPECT_FALSE(in_control_group("C1", "x", 0.0));
  EXPECT_TRUE(in_control_group("C1", "x", 1.0));
}

TEST(CvmControl, PlanMarksTheSameControlsOnEveryRun) {
  Fixture f(5000, {100, 150}, 200);
  f.number("x", std::vector<double>(5000, 1));
  const ActionConfig config = parse_action_config(
      "[[rule]]\nid = \"a\"\naction = \"x\"\nchannel = \"e\"\nwhen = \"x > 0\"\n"
      "control_share = 0.2\ncampaign = \"spring\"\n",
      "c.toml");
  const ActionList one = plan_actions(config, *f.fields, f.ids, PlanOptions{});
  const ActionList two = plan_actions(config, *f.fields, f.ids, PlanOptions{});
  ASSERT_EQ(one.size(), 5000u);
  EXPECT_EQ(one.row, two.row);
  EXPECT_EQ(one.control, two.control);
  std::size_t controls = 0;
  for (std::size_t k = 0; k < one.size(); ++k) {
    EXPECT_EQ(one.control[k] != 0, in_control_group(f.ids[one.row[k]], "spring", 0.2));
    controls += one.control[k];
  }
  EXPECT_NEAR(controls / 5000.0, 0.2, 0.03);
  const auto summary = summarize_actions(config, one);
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0].customers, 5000u);
  EXPECT_EQ(summary[0].control, controls);
  EXPECT_EQ(summary[0].treated + summary[0].control, 5000u);
}

TEST(CvmRegime, OverdueCustomersGoToManagersByRoleAndCapacity) {
  Fixture f(4, {100, 150}, 200);
  // tenure_days: first purchase day 100, as of 200 -> 100 days for all; make c3 a hunter's.
  f.number("tenure_days", {100, 100, 100, 30});
  f.text("stage", {"vip", "vip", "active", "new"});
  f.number("days_since_last_contact", {45, 10, std::nan(""), std::nan("")});
  const ActionConfig config = default_action_config();  // vip 30, active 60, new 21 days
  std::vector<Manager> managers{{"m1", "farmer", 1, {}}, {"m2", "hunter", 5, {}}};
  const DueContacts due = due_contacts(config, *f.fields, f.ids, managers);
  // c0: vip contacted 45 days ago (15 overdue); c1: 10 days ago, not due; c2: active never
  // contacted, tenure 100 (40 overdue); c3: new, never contacted, tenure 30 (9 overdue).
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(f.ids[due.row[0]], "c2");
  EXPECT_DOUBLE_EQ(due.days_overdue[0], 40);
  EXPECT_EQ(due.manager[0], "m1");
  EXPECT_EQ(f.ids[due.row[1]], "c0");
  EXPECT_EQ(due.manager[1], "");  // farmer capacity used up
  EXPECT_EQ(f.ids[due.row[2]], "c3");
  EXPECT_EQ(due.role[2], "hunter");
  EXPECT_EQ(due.manager[2], "m2");
}

}  // namespace
}  // namespace ltv
