// The simulator job as a function (ltv/workspace/simulate.hpp): options from parameters reach the
// simulator (the period of --weeks bounds the written transactions, the counts returned are the
// rows written), and bad parameters are refused naming the key.
#include <gtest/gtest.h>

#include <algorithm>

#include "ltv/ltv.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

template <class F>
std::string error_key(F&& f) {
  try {
    f();
  } catch (const ParameterError& e) {
    return e.key();
  }
  return "";
}

TEST(SimulateJob, WritesThePeriodAndCustomersItWasAskedFor) {
  const auto dir = test::temp_dir("simulate_job");
  Parameters p({"simulate"});
  p.set("customers", "400");
  p.set("seed", "11");
  p.set("start", "2024-03-01");
  p.set("weeks", "10");
  p.set("output", dir.string());
  const SimulateJobOptions options = simulate_options(p);
  EXPECT_EQ(options.simulation.order, sim::RowOrder::date);  // the command's default
  const sim::SimulationCounts counts = run_simulate(options);
  const Table customers = read_table((dir / "customers.csv").string());
  EXPECT_EQ(customers.rows(), 400u);
  EXPECT_EQ(counts.customers, 400u);
  const Table tx = read_table((dir / "transactions.csv").string());
  EXPECT_EQ(counts.transaction_rows, tx.rows());
  const std::vector<std::int32_t> days = tx.dates("date");
  ASSERT_FALSE(days.empty());
  // 10 weeks from 2024-03-01: 2024-03-01 .. 2024-05-09.
  EXPECT_GE(*std::min_element(days.begin(), days.end()), parse_date("2024-03-01", "start"));
  EXPECT_LE(*std::max_element(days.begin(), days.end()), parse_date("2024-05-09", "end"));
  // The file is in date order, as --order date promises.
  EXPECT_TRUE(std::is_sorted(days.begin(), days.end()));
}

TEST(SimulateJob, BadParametersNameTheirKey) {
  auto key_of = [](const char* key, const char* value) {
    Parameters p({"simulate"});
    p.set("output", "unused");
    p.set(key, value);
    return error_key([&] { simulate_options(p); });
  };
  EXPECT_EQ(key_of("customers", "0"), "customers");
  EXPECT_EQ(key_of("seed", "-1"), "seed");
  EXPECT_EQ(key_of("model", "x"), "model");
  EXPECT_EQ(key_of("params", "r=x"), "params");
  EXPECT_EQ(key_of("spend_params", "p=-1"), "spend_params");
  EXPECT_EQ(key_of("start", "2024/01/01"), "start");
  EXPECT_EQ(key_of("end", "2023-01-01"), "end");  // before the start
  EXPECT_EQ(key_of("weeks", "6000"), "weeks");
  EXPECT_EQ(key_of("acquisition_days", "800"), "acquisition_days");
  EXPECT_EQ(key_of("loyalty_share", "2"), "loyalty_share");
  EXPECT_EQ(key_of("order", "x"), "order");
  EXPECT_EQ(key_of("format", "json"), "format");
  EXPECT_EQ(key_of("campaign_date", "2030-01-01"), "campaign_date");
  EXPECT_EQ(key_of("output", ""), "output");
}

}  // namespace
}  // namespace ltv
