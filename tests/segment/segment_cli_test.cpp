// End-to-end tests of `ltv segment` on hand-made files and the real CDNOW and Online Retail data.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "ltv/io/table.hpp"
#include "ltv/segment/segment.hpp"
#include "test_data.hpp"

namespace {

using ltv::test::cli;
using ltv::test::run;

std::string q(const std::filesystem::path& p) {
  std::string quoted(1, '\'');
  quoted.append(p.string()).push_back('\'');
  return quoted;
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

const std::set<std::string> kRfmNames{"Champions",
                                      "Loyal",
                                      "Can't lose them",
                                      "At risk",
                                      "New",
                                      "Promising",
                                      "Potential loyalist",
                                      "Need attention",
                                      "About to sleep",
                                      "Lost/Hibernating"};

// Checks that hold for every per-segment table: each scheme covers everyone once and its
// revenue shares add up to one.
void check_segment_table(const ltv::Table& t, std::size_t customers) {
  std::map<std::string, double> count, share;
  auto scheme = t.column("scheme");
  auto n = t.numbers("customers");
  auto rs = t.numbers("revenue_share");
  for (std::size_t i = 0; i < t.rows(); ++i) {
    count[scheme[i]] += n[i];
    share[scheme[i]] += rs[i];
  }
  for (const char* s : {"rfm", "abcdx", "stage"}) {
    EXPECT_EQ(count[s], static_cast<double>(customers)) << s;
    EXPECT_NEAR(share[s], 1.0, 1e-4) << s;
  }
}

TEST(CliSegment, CdnowMasterEveryCustomerLabelledWithScoresBehind) {
  auto dir = ltv::test::temp_dir("cli_segment_cdnow");
  auto data = ltv::test::shared_data("cdnow/CDNOW_master.txt");
  auto r = run(cli() + " segment " + q(data) + " --customer 1 --date 2 --amount 4 --segments-out " +
               q(dir / "segments.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto t = ltv::read_table_text(r.out);
  ASSERT_EQ(t.rows(), 23570u);  // README: 23,570 customers
  // README: $2,500,315.63 in total.
  EXPECT_NEAR(sum(t.numbers("revenue")), 2500315.63, 0.01);
  auto seg = t.column("rfm_segment");
  auto stage = t.column("stage");
  auto orders = t.numbers("orders");
  auto f = t.integers("f");
  std::size_t one_purchase = 0;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    EXPECT_TRUE(kRfmNames.count(seg[i])) << seg[i];
    // Everyone first bought in Q1 1997; as of 1998-06-30 nobody is new.
    EXPECT_NE(stage[i], "new");
    one_purchase += orders[i] == 1;
    // More than a fifth of customers bought once: exactly those get F = 1 (tie rule).
    EXPECT_EQ(f[i] == 1, orders[i] == 1) << i;
  }
  EXPECT_GT(one_purchase, t.rows() / 5);
  for (const char* c : {"r", "f", "m"})
    for (auto v : t.integers(c)) ASSERT_TRUE(v >= 1 && v <= 5);

  auto s = ltv::read_table((dir / "segments.csv").string());
  check_segment_table(s, 23570);
  // ABCDX: A buys more often and with a higher check than D by construction.
  std::map<std::string, std::pair<double, double>> abcdx;
  auto scheme = s.column("scheme");
  auto name = s.column("segment");
  auto check = s.numbers("average_check");
  auto freq = s.numbers("frequency");
  for (std::size_t i = 0; i < s.rows(); ++i)
    if (scheme[i] == "abcdx") abcdx[name[i]] = {check[i], freq[i]};
  EXPECT_GT(abcdx["A"].first, abcdx["D"].first);
  EXPECT_GT(abcdx["A"].second, abcdx["D"].second);
  EXPECT_GT(abcdx["B"].first, abcdx["C"].first);
  EXPECT_GT(abcdx["C"].second, abcdx["B"].second);
}

TEST(CliSegment, OnlineRetailWithHistoryAndJson) {
  auto dir = ltv::test::temp_dir("cli_segment_retail");
  auto data = ltv::test::shared_data("online_retail/online_retail.csv.gz");
  auto r = run(cli() + " segment " + q(data) +
               " --customer CustomerID --date InvoiceDate --order InvoiceNo --quantity Quantity"
               " --price UnitPrice --returns drop --quiet --segments-out " +
               q(dir / "segments.csv") + " --snapshots 2011-06-30,2011-09-30 --transitions-out " +
               q(dir / "moves.csv") + " --drops-out " + q(dir / "drops.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto t = ltv::read_table_text(r.out);
  ASSERT_EQ(t.rows(), 4339u);  // customers with a purchase once returns are dropped
  auto s = ltv::read_table((dir / "segments.csv").string());
  check_segment_table(s, 4339);
  // Champions spend more per customer than Lost/Hibernating.
  std::map<std::string, double> revenue_per_customer;
  auto scheme = s.column("scheme");
  auto name = s.column("segment");
  auto revenue = s.numbers("revenue");
  auto customers = s.numbers("customers");
  for (std::size_t i = 0; i < s.rows(); ++i)
    if (scheme[i] == "rfm") revenue_per_customer[name[i]] = revenue[i] / customers[i];
  EXPECT_GT(revenue_per_customer["Champions"], 3 * revenue_per_customer["Lost/Hibernating"]);

  // Transitions: customers at the second snapshot, counted once per scheme.
  auto m = ltv::read_table((dir / "moves.csv").string());
  std::map<std::string, double> per_scheme;
  auto ms = m.column("scheme");
  auto mc = m.numbers("customers");
  for (std::size_t i = 0; i < m.rows(); ++i) per_scheme[ms[i]] += mc[i];
  EXPECT_EQ(per_scheme["rfm"], per_scheme["abcdx"]);
  EXPECT_EQ(per_scheme["rfm"], per_scheme["stage"]);
  EXPECT_GT(per_scheme["rfm"], 3000);
  auto d = ltv::read_table((dir / "drops.csv").string());
  EXPECT_GT(d.rows(), 0u);
  auto from = d.column("from_segment");
  auto to = d.column("to_segment");
  auto dscheme = d.column("scheme");
  for (std::size_t i = 0; i < d.rows(); ++i)
    if (dscheme[i] == "abcdx") {
      EXPECT_NE(from[i], "D");  // nothing is below D
    }

  auto j = run(cli() + " segment " + q(data) +
               " --customer CustomerID --date InvoiceDate --order InvoiceNo --quantity Quantity"
               " --price UnitPrice --returns drop --quiet --format json --as-of 2011-06-30");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(j.out.front(), '[');
  EXPECT_NE(j.out.find("\"rfm_segment\":"), std::string::npos);
}

std::filesystem::path small_log(const std::filesystem::path& dir) {
  auto path = dir / "tx.csv";
  std::ofstream out(path);
  out << "customer,date,amount,category\n"
         "ann,2021-01-05,10,coffee\nann,2021-02-05,20,coffee\nann,2021-03-05,30,tea\n"
         "ann,2021-04-05,40,coffee\nbob,2021-01-10,500,tea\nbob,2021-03-20,700,tea\n"
         "cat,2021-04-01,15,coffee\ndan,2020-06-01,5,tea\n";
  return path;
}

TEST(CliSegment, ScoresAttributesCustomRulesAndOverlaps) {
  auto dir = ltv::test::temp_dir("cli_segment_custom");
  auto log = small_log(dir);
  {
    std::ofstream a(dir / "customers.csv");
    a << "id,region,birth_date,potential\nann,Moscow,1990-06-01,1\nbob,Kazan,1980-01-01,2\n"
         "cat,Moscow,1999-01-01,900\n";
    std::ofstream s(dir / "scores.csv");
    s << "customer_id,p_alive,predicted_clv\nann,0.9,100\nbob,0.05,900\ncat,0.8,30\ndan,0.5,\n";
    std::ofstream c(dir / "segments.toml");
    c << "[abcdx]\npotential_field = \"potential\"\npotential = { value = 100 }\n"
         "[[custom]]\nname = \"Moscow coffee\"\n"
         "rule = \"region = Moscow and preferred_category = coffee\"\n"
         "[[custom]]\nname = \"Under 35\"\nrule = \"age < 35\"\n";
  }
  auto r = run(cli() + " segment " + q(log) +
               " --customer customer --date date --amount amount --category category --quiet"
               " --as-of 2021-04-30 --attributes " +
               q(dir / "customers.csv") + " --attributes-key id --scores " + q(dir / "scores.csv") +
               " --segment-config " + q(dir / "segments.toml") + " --segments-out " +
               q(dir / "seg.csv") + " --overlaps-out " + q(dir / "overlaps.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto t = ltv::read_table_text(r.out);
  ASSERT_EQ(t.rows(), 4u);
  EXPECT_EQ(t.column("customer_id"), (std::vector<std::string>{"ann", "bob", "cat", "dan"}));
  EXPECT_EQ(t.column("custom_segments"),
            (std::vector<std::string>{"Moscow coffee;Under 35", "", "Moscow coffee;Under 35", ""}));
  // bob: P(alive) 0.05 makes him lost whatever his rhythm.
  EXPECT_EQ(t.column("stage")[1], "lost");
  EXPECT_NE(t.column("stage_reason")[1].find("P(alive) 0.05"), std::string::npos);
  // cat: potential 900 > 100 and revenue 15 is low -> X.
  EXPECT_EQ(t.column("abcdx")[2], "X");
  EXPECT_EQ(t.column("potential_score")[2], "900");
  auto s = ltv::read_table((dir / "seg.csv").string());
  EXPECT_TRUE(s.find("predicted_ltv").has_value());
  auto o = ltv::read_table((dir / "overlaps.csv").string());
  ASSERT_EQ(o.rows(), 4u);
  EXPECT_EQ(o.column("customers"), (std::vector<std::string>{"2", "2", "2", "2"}));
}

TEST(CliSegment, BadConfigAndOptionErrorsAreOneClearLine) {
  auto dir = ltv::test::temp_dir("cli_segment_errors");
  auto log = small_log(dir);
  {
    std::ofstream c(dir / "bad.toml");
    c << "[[custom]]\nname = \"x\"\nrule = \"region = \"\n";
  }
  const std::string base =
      cli() + " segment " + q(log) + " --customer customer --date date --amount amount --quiet";
  auto r = run(base + " --segment-config " + q(dir / "bad.toml"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("bad.toml:3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("expected a value"), std::string::npos) << r.err;

  r = run(base + " --snapshots 2021-02-01");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--transitions-out"), std::string::npos) << r.err;
  r = run(base + " --attributes " + q(dir / "missing.csv"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  r = run(base + " --as-of 2021-13-01");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--as-of"), std::string::npos) << r.err;

  auto p = run(cli() + " segment --print-default-config");
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.out, std::string(ltv::default_segment_config_text()));
}

}  // namespace

namespace {

TEST(CliSegment, CutPointsWithBandLabels) {
  auto dir = ltv::test::temp_dir("cli_segment_bands");
  auto log = small_log(dir);
  {
    std::ofstream c(dir / "bands.toml");
    c << "[rfm]\nrecency_cuts = [30, 182]\nrecency_labels = [\"lapsed\", \"half-year\", "
         "\"month\"]\n"
         "monetary_measure = \"average_check\"\nmonetary_cuts = [20, 100]\n"
         "monetary_labels = [\"small\", \"medium\", \"large\"]\n";
  }
  auto r = run(cli() + " segment " + q(log) +
               " --customer customer --date date --amount amount --quiet --as-of 2021-04-30"
               " --segment-config " +
               q(dir / "bands.toml"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto t = ltv::read_table_text(r.out);
  ASSERT_EQ(t.rows(), 4u);
  EXPECT_FALSE(t.find("f_label").has_value());
  // ann: last 2021-04-05 (25 days), check 25; bob: 41 days, check 600; cat: 29 days, check 15;
  // dan: 333 days, check 5.
  EXPECT_EQ(t.column("r_label"),
            (std::vector<std::string>{"month", "half-year", "month", "lapsed"}));
  EXPECT_EQ(t.column("m_label"), (std::vector<std::string>{"medium", "large", "small", "small"}));
  EXPECT_EQ(t.column("r"), (std::vector<std::string>{"3", "2", "3", "1"}));
}

}  // namespace
