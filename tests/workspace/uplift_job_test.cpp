// The uplift job as a function (ltv/workspace/uplift.hpp): a simulated campaign measured with the
// campaign log in memory, checked against a direct count from the simulator's files; bad
// parameters and a bad campaign log are refused naming the key or the line.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "ltv/ltv.hpp"
#include "ltv/sim/simulate.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

namespace fs = std::filesystem;

/// A simulated retailer with a campaign on 2025-06-01 (2,000 customers, seed 3).
const fs::path& campaign_retailer() {
  static const fs::path dir = [] {
    const fs::path d = test::temp_dir("uplift_job_retailer");
    sim::SimulationOptions o;
    o.customers = 2000;
    o.seed = 3;
    o.campaign_day = parse_date("2025-06-01", "campaign_date");
    o.campaign_uplift = 1.5;
    sim::simulate_retailer(o, d);
    return d;
  }();
  return dir;
}

Parameters uplift_parameters() {
  Parameters p({"uplift", "source", "periods", "output", "format"});
  p.set("campaigns", (campaign_retailer() / "campaigns.csv").string());
  p.set("file", (campaign_retailer() / "transactions.csv").string());
  p.set("customer", "customer_id");
  p.set("date", "date");
  p.set("amount", "amount");
  p.set("order", "order_id");
  return p;
}

template <class F>
std::string error_key(F&& f) {
  try {
    f();
  } catch (const ParameterError& e) {
    return e.key();
  }
  return "";
}

TEST(UpliftJob, ResponseRatesEqualADirectCountOfBuyersInTheWindow) {
  Parameters p = uplift_parameters();
  p.set("window", "60");
  const UpliftJobOptions options = uplift_options(p);
  const UpliftInputs inputs = read_uplift_inputs(p);
  Workspace workspace(uplift_source(p));
  const ResultTable t = run_uplift(workspace, options, inputs);
  EXPECT_EQ(t.name(), "uplift");
  ASSERT_EQ(t.rows(), 1u);
  // Directly from the files: who is treated / control, and who bought within 60 days from the
  // campaign day (2025-06-01 .. 2025-07-30).
  const Table campaigns = read_table((campaign_retailer() / "campaigns.csv").string());
  std::map<std::string, bool> treated;
  for (std::size_t i = 0; i < campaigns.rows(); ++i) {
    treated[campaigns.column("customer_id")[i]] = campaigns.column("group")[i] == "treated";
  }
  const Table tx = read_table((campaign_retailer() / "transactions.csv").string());
  std::set<std::string> buyers;
  for (std::size_t i = 0; i < tx.rows(); ++i) {
    const std::string& day = tx.column("date")[i];
    if (day >= "2025-06-01" && day <= "2025-07-30") buyers.insert(tx.column("customer_id")[i]);
  }
  double n[2] = {0, 0}, bought[2] = {0, 0};  // [control, treated]
  for (const auto& [id, is_treated] : treated) {
    n[is_treated] += 1;
    bought[is_treated] += buyers.count(id);
  }
  const auto value = [&](std::string_view column) { return t.real(t.spec().index(column), 0); };
  EXPECT_EQ(t.integer(t.spec().index("treated"), 0), static_cast<std::int64_t>(n[1]));
  EXPECT_EQ(t.integer(t.spec().index("control"), 0), static_cast<std::int64_t>(n[0]));
  EXPECT_NEAR(value("response_treated"), bought[1] / n[1], 1e-6);  // 6 significant digits
  EXPECT_NEAR(value("response_control"), bought[0] / n[0], 1e-6);
  EXPECT_EQ(t.integer(t.spec().index("window_days"), 0), 60);
  EXPECT_EQ(t.cell_text(t.spec().index("first_date"), 0), "2025-06-01");
}

TEST(UpliftJob, BadParametersAndABadCampaignLogAreRefused) {
  Parameters p = uplift_parameters();
  p.set("window", "0");
  EXPECT_EQ(error_key([&] { uplift_options(p); }), "window");
  p.unset("window");
  p.set("margin_share", "2");
  EXPECT_EQ(error_key([&] { uplift_options(p); }), "margin_share");
  p.unset("margin_share");
  p.set("confidence", "1");
  EXPECT_EQ(error_key([&] { uplift_options(p); }), "confidence");
  p.unset("confidence");
  // Typed options are checked by the job too.
  UpliftJobOptions direct = uplift_options(p);
  direct.uplift.power = 1.5;
  Workspace workspace(uplift_source(p));
  EXPECT_EQ(error_key([&] { run_uplift(workspace, direct, read_uplift_inputs(p)); }), "power");
  // A campaign log line with an unknown group names the file, line and column.
  const Table bad = read_table_text(
      "customer_id,campaign,date,group\na,c1,2025-06-01,treated\nb,c1,2025-06-01,maybe\n", {},
      "log.csv");
  try {
    campaigns_from_table(bad, "group");
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("log.csv:3: column 'group': found 'maybe'"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ltv
