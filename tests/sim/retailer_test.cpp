// The retailer simulation: determinism, consistency of the files with truth.json, and the
// purchase, spend, loyalty and campaign processes against their closed forms. The statistical
// retailer tests take under a second in release but 10-20 s under the sanitizers: named Slow.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include "closed_forms.hpp"
#include "csv.hpp"

#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/sim/simulate.hpp"
#include "test_data.hpp"

namespace {

namespace fs = std::filesystem;

using ltv::test::Csv;
using ltv::test::read_csv;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json read_truth(const fs::path& dir) {
  std::ifstream in(dir / "truth.json");
  return nlohmann::json::parse(in);
}

struct Moments {
  double mean = 0;
  double variance = 0;  // of one observation
  double n = 0;
  double standard_error() const { return std::sqrt(variance / n); }
};

Moments moments(const std::vector<double>& values) {
  Moments m;
  m.n = static_cast<double>(values.size());
  for (double v : values) m.mean += v;
  m.mean /= m.n;
  for (double v : values) m.variance += (v - m.mean) * (v - m.mean);
  m.variance /= m.n - 1;
  return m;
}

ltv::sim::SimulationOptions small_options(std::uint64_t customers) {
  ltv::sim::SimulationOptions o;
  o.customers = customers;
  o.seed = 5;
  return o;
}

TEST(SimRetailer, SameSeedGivesIdenticalFilesWhateverTheThreads) {
  auto o = small_options(9000);  // more than one block of customers
  o.campaign_day = o.start_day + 200;
  o.write_latent = true;
  const fs::path a = ltv::test::temp_dir("sim_det_a");
  const fs::path b = ltv::test::temp_dir("sim_det_b");
  const fs::path c = ltv::test::temp_dir("sim_det_c");
  o.threads = 2;
  ltv::sim::simulate_retailer(o, a);
  o.threads = 1;
  ltv::sim::simulate_retailer(o, b);
  for (const char* file : {"transactions.csv", "customers.csv", "spend.csv", "nps.csv",
                           "contacts.csv", "campaigns.csv", "latent.csv", "truth.json"}) {
    const std::string bytes = read_bytes(a / file);
    EXPECT_FALSE(bytes.empty()) << file;
    EXPECT_TRUE(bytes == read_bytes(b / file)) << file << " differs between 2 threads and 1";
  }
  o.seed = 6;
  ltv::sim::simulate_retailer(o, c);
  EXPECT_FALSE(read_bytes(a / "transactions.csv") == read_bytes(c / "transactions.csv"));
  EXPECT_FALSE(read_bytes(a / "customers.csv") == read_bytes(c / "customers.csv"));
  fs::remove_all(a);
  fs::remove_all(b);
  fs::remove_all(c);
}

TEST(SimRetailer, FilesAreConsistentWithTruth) {
  auto o = small_options(3000);
  o.campaign_day = o.start_day + 120;
  const fs::path dir = ltv::test::temp_dir("sim_consistent");
  const auto counts = ltv::sim::simulate_retailer(o, dir);
  const auto truth = read_truth(dir);
  const auto& tc = truth["counts"];

  const Csv tx = read_csv(dir / "transactions.csv");
  EXPECT_EQ(tx.header, "customer_id,date,amount,order_id,product,category,quantity,channel,region");
  EXPECT_EQ(tx.rows.size(), tc["transaction_rows"].get<std::uint64_t>());
  EXPECT_EQ(tx.rows.size(), counts.transaction_rows);
  std::set<std::string> orders, buyers, products;
  const std::string start = truth["start"], end = truth["end"];
  double revenue = 0;
  for (const auto& row : tx.rows) {
    ASSERT_EQ(row.size(), 9u);
    orders.insert(row[3]);
    buyers.insert(row[0]);
    products.insert(row[4]);
    EXPECT_GE(row[1], start);
    EXPECT_LE(row[1], end);
    const double amount = std::stod(row[2]);
    EXPECT_GT(amount, 0.0);
    revenue += amount;
    EXPECT_GE(std::stoi(row[6]), 1);
  }
  EXPECT_EQ(orders.size(), tc["orders"].get<std::uint64_t>());
  EXPECT_EQ(buyers.size(), o.customers);  // everyone makes a first purchase
  EXPECT_NEAR(revenue, tc["revenue"].get<double>(), 0.01 * static_cast<double>(tx.rows.size()));
  EXPECT_GT(products.size(), 100u);
  EXPECT_EQ(tc["orders"].get<std::uint64_t>(),
            o.customers + tc["repeat_purchases"].get<std::uint64_t>());

  const Csv customers = read_csv(dir / "customers.csv");
  EXPECT_EQ(customers.header,
            "customer_id,signup_date,birth_date,gender,region,acquisition_channel,loyalty_member,"
            "potential");
  EXPECT_EQ(customers.rows.size(), o.customers);
  std::map<std::string, std::uint64_t> per_channel;
  std::map<std::string, std::string> signup;
  for (const auto& row : customers.rows) {
    ASSERT_EQ(row.size(), 8u);
    per_channel[row[5]]++;
    signup[row[0]] = row[1];
    EXPECT_TRUE(row[6] == "0" || row[6] == "1");
    EXPECT_LT(row[2], start);
  }
  // Signup is on or before the first purchase (transactions are in date order per customer).
  std::set<std::string> seen;
  for (const auto& row : tx.rows) {
    if (seen.insert(row[0]).second) {
      EXPECT_LE(signup[row[0]], row[1]) << row[0];
    }
  }

  // Marketing spend = CAC x acquisitions per channel.
  const Csv spend = read_csv(dir / "spend.csv");
  EXPECT_EQ(spend.header, "channel,period,spend");
  EXPECT_EQ(spend.rows.size(), tc["spend_rows"].get<std::uint64_t>());
  std::map<std::string, double> spend_per_channel;
  for (const auto& row : spend.rows) spend_per_channel[row[0]] += std::stod(row[2]);
  for (const auto& channel : truth["acquisition_channels"]) {
    const std::string name = channel["channel"];
    EXPECT_EQ(channel["customers"].get<std::uint64_t>(), per_channel[name]) << name;
    EXPECT_NEAR(spend_per_channel[name],
                channel["cac"].get<double>() * static_cast<double>(per_channel[name]), 1e-6)
        << name;
  }

  const Csv nps = read_csv(dir / "nps.csv");
  EXPECT_EQ(nps.header, "customer_id,date,score,comment,channel");
  EXPECT_EQ(nps.rows.size(), tc["nps_rows"].get<std::uint64_t>());
  for (const auto& row : nps.rows) {
    ASSERT_EQ(row.size(), 5u);
    const int score = std::stoi(row[2]);
    EXPECT_GE(score, 0);
    EXPECT_LE(score, 10);
  }
  const Csv contacts = read_csv(dir / "contacts.csv");
  EXPECT_EQ(contacts.header, "customer_id,date,channel,type");
  EXPECT_EQ(contacts.rows.size(), tc["contact_rows"].get<std::uint64_t>());
  const Csv campaigns = read_csv(dir / "campaigns.csv");
  EXPECT_EQ(campaigns.header, "customer_id,campaign,date,group");
  EXPECT_EQ(campaigns.rows.size(), tc["campaign_rows"].get<std::uint64_t>());
  EXPECT_GT(campaigns.rows.size(), 0u);
  fs::remove_all(dir);
}

TEST(SimRetailer, SlowPurchasesFollowBgNbdAndDaysMergeAsCounted) {
  auto o = small_options(40000);
  o.transactions_only = true;
  o.write_latent = true;
  const fs::path dir = ltv::test::temp_dir("sim_bgnbd");
  const auto counts = ltv::sim::simulate_retailer(o, dir);
  const Csv latent = read_csv(dir / "latent.csv");
  ASSERT_EQ(latent.rows.size(), o.customers);
  // Mean of x - E[X(T_i)] over customers with their own T_i is 0 in expectation.
  std::vector<double> residual;
  double repeats = 0;
  for (const auto& row : latent.rows) {
    const double T = std::stod(row[2]);
    const double x = std::stod(row[3]);
    repeats += x;
    residual.push_back(x - ltv::test::bgnbd_expected_transactions(o.bg_nbd, T));
    EXPECT_LE(std::stod(row[4]), T);
  }
  const Moments m = moments(residual);
  EXPECT_NEAR(m.mean, 0.0, 4 * m.standard_error());
  EXPECT_EQ(static_cast<std::uint64_t>(repeats), counts.repeat_purchases);

  // Distinct purchase days - 1 per customer = repeat purchases - same-day repeats.
  const Csv tx = read_csv(dir / "transactions.csv");
  std::set<std::pair<std::string, std::string>> days;
  for (const auto& row : tx.rows) days.emplace(row[0], row[1]);
  EXPECT_EQ(days.size() - o.customers, counts.repeat_purchases - counts.same_day_repeats);
  fs::remove_all(dir);
}

TEST(SimRetailer, SlowFirstOrderValueFollowsGammaGammaAndLoyaltyFactor) {
  auto o = small_options(40000);
  o.loyalty_factor = 1.5;
  const fs::path dir = ltv::test::temp_dir("sim_spend");
  ltv::sim::simulate_retailer(o, dir);
  std::map<std::string, bool> member;
  for (const auto& row : read_csv(dir / "customers.csv").rows) member[row[0]] = row[6] == "1";
  // First order of each customer: one independent Gamma-Gamma draw per customer.
  std::map<std::string, std::pair<std::string, double>> first_order;  // customer -> (order, value)
  for (const auto& row : read_csv(dir / "transactions.csv").rows) {
    auto [it, inserted] = first_order.try_emplace(row[0], row[3], 0.0);
    if (it->second.first == row[3]) it->second.second += std::stod(row[2]);
  }
  std::vector<double> members, others;
  for (const auto& [customer, order] : first_order) {
    (member[customer] ? members : others).push_back(order.second);
  }
  const double mean = o.spend.p * o.spend.gamma / (o.spend.q - 1.0);
  const Moments mo = moments(others);
  const Moments mm = moments(members);
  EXPECT_NEAR(mo.mean, mean, 4 * mo.standard_error());
  EXPECT_NEAR(mm.mean, mean * o.loyalty_factor, 4 * mm.standard_error());
  // Ratio of group means, delta-method standard error.
  const double ratio = mm.mean / mo.mean;
  const double se = ratio * std::sqrt(mm.variance / (mm.n * mm.mean * mm.mean) +
                                      mo.variance / (mo.n * mo.mean * mo.mean));
  EXPECT_NEAR(ratio, o.loyalty_factor, 4 * se);
  EXPECT_NEAR(static_cast<double>(members.size()) / static_cast<double>(first_order.size()),
              o.loyalty_share, 4 * std::sqrt(o.loyalty_share * (1 - o.loyalty_share) / 40000.0));
  fs::remove_all(dir);
}

TEST(SimRetailer, SlowCampaignRaisesParetoNbdPurchaseRateByTheUplift) {
  // Under Pareto/NBD the lifetime does not depend on lambda, so purchases after the campaign of
  // treated customers are uplift x those of control customers in expectation.
  auto o = small_options(60000);
  o.model = ltv::sim::PurchaseModel::pareto_nbd;
  o.campaign_day = o.start_day + 200;
  o.acquisition_days = 150;
  o.campaign_share = 1.0;
  o.campaign_uplift = 1.5;
  o.nps_rate = 0;
  o.contact_rate = 0;
  const fs::path dir = ltv::test::temp_dir("sim_campaign");
  ltv::sim::simulate_retailer(o, dir);
  const std::string campaign_date = ltv::sim::format_day(*o.campaign_day);
  std::map<std::string, std::string> group;
  for (const auto& row : read_csv(dir / "campaigns.csv").rows) group[row[0]] = row[3];
  EXPECT_EQ(group.size(), o.customers);  // all acquired before the campaign, share 1
  std::map<std::string, std::set<std::string>> orders_after;
  for (const auto& row : read_csv(dir / "transactions.csv").rows) {
    if (row[1] >= campaign_date) orders_after[row[0]].insert(row[3]);
  }
  std::vector<double> treated, control;
  for (const auto& [customer, g] : group) {
    const double n = static_cast<double>(orders_after[customer].size());
    (g == "treated" ? treated : control).push_back(n);
  }
  const Moments mt = moments(treated);
  const Moments mc = moments(control);
  const double ratio = mt.mean / mc.mean;
  const double se = ratio * std::sqrt(mt.variance / (mt.n * mt.mean * mt.mean) +
                                      mc.variance / (mc.n * mc.mean * mc.mean));
  // The campaign starts at the beginning of its day, so every order dated on or after it counts.
  EXPECT_NEAR(ratio, o.campaign_uplift, 4 * se);
  fs::remove_all(dir);
}

// ---- CLI end to end ----------------------------------------------------------------------------

std::size_t count_rows(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) ++n;
  return n == 0 ? 0 : n - 1;
}

TEST(SimCli, WritesAllFilesWithDocumentedHeaders) {
  const fs::path dir = ltv::test::temp_dir("sim_cli");
  const auto result = ltv::test::run(ltv::test::cli() + " simulate --customers 1000 --seed 1 -o " +
                                     dir.string() + " --campaign-date 2024-06-01");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto truth = read_truth(dir);
  EXPECT_EQ(truth["seed"], 1);
  EXPECT_EQ(truth["model"], "bgnbd");
  EXPECT_DOUBLE_EQ(truth["params"]["r"].get<double>(), 0.243);
  const std::map<std::string, std::pair<std::string, std::string>> files{
      {"transactions.csv",
       {"customer_id,date,amount,order_id,product,category,quantity,channel,region",
        "transaction_rows"}},
      {"customers.csv",
       {"customer_id,signup_date,birth_date,gender,region,acquisition_channel,loyalty_member,"
        "potential",
        "customer_rows"}},
      {"spend.csv", {"channel,period,spend", "spend_rows"}},
      {"nps.csv", {"customer_id,date,score,comment,channel", "nps_rows"}},
      {"contacts.csv", {"customer_id,date,channel,type", "contact_rows"}},
      {"campaigns.csv", {"customer_id,campaign,date,group", "campaign_rows"}},
  };
  for (const auto& [file, spec] : files) {
    std::ifstream in(dir / file);
    std::string header;
    std::getline(in, header);
    EXPECT_EQ(header, spec.first) << file;
    EXPECT_EQ(count_rows(dir / file), truth["counts"][spec.second].get<std::size_t>()) << file;
  }
  EXPECT_EQ(count_rows(dir / "customers.csv"), 1000u);
  fs::remove_all(dir);
}

TEST(SimCli, ProductsFileHoldsEveryProductWithBrandAndFirstSale) {
  const fs::path dir = ltv::test::temp_dir("sim_products");
  const auto result = ltv::test::run(ltv::test::cli() +
                                     " simulate --customers 1500 --seed 4 -q -o " + dir.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Csv products = read_csv(dir / "products.csv");
  EXPECT_EQ(products.header, "product,category,brand,launch_date");
  // The catalog: 12 categories x 6 items x 3 variants.
  ASSERT_EQ(products.rows.size(), 216u);
  // The first day each product was sold and its category, from transactions.csv.
  const Csv transactions = read_csv(dir / "transactions.csv");
  std::map<std::string, std::string> first_sale, category_of;
  for (const auto& row : transactions.rows) {
    const std::string& product = row[4];
    auto [it, added] = first_sale.emplace(product, row[1]);
    if (!added && row[1] < it->second) it->second = row[1];  // ISO dates order as text
    category_of[product] = row[5];
  }
  std::map<std::string, std::set<std::string>> categories_of_brand;
  std::set<std::string> seen;
  for (const auto& row : products.rows) {
    ASSERT_EQ(row.size(), 4u);
    EXPECT_TRUE(seen.insert(row[0]).second) << "product listed twice: " << row[0];
    EXPECT_FALSE(row[2].empty()) << row[0];
    categories_of_brand[row[2]].insert(row[1]);
    const auto sold = first_sale.find(row[0]);
    if (sold == first_sale.end()) {
      EXPECT_EQ(row[3], "") << row[0] << " was never sold";
    } else {
      EXPECT_EQ(row[3], sold->second) << row[0];
      EXPECT_EQ(row[1], category_of[row[0]]) << row[0];
    }
  }
  // Every product sold is in the file; brands span several categories (partner scopes overlap
  // categories but not products).
  for (const auto& [product, day] : first_sale) EXPECT_TRUE(seen.count(product)) << product;
  EXPECT_EQ(categories_of_brand.size(), 8u);
  for (const auto& [brand, categories] : categories_of_brand) {
    EXPECT_GE(categories.size(), 2u) << brand;
  }
  fs::remove_all(dir);
}

TEST(SimCli, SameSeedSameBytesDifferentSeedDifferent) {
  const fs::path a = ltv::test::temp_dir("sim_cli_a");
  const fs::path b = ltv::test::temp_dir("sim_cli_b");
  const fs::path c = ltv::test::temp_dir("sim_cli_c");
  const std::string base = ltv::test::cli() + " simulate -q --customers 500 --model pnbd -o ";
  ASSERT_EQ(ltv::test::run(base + a.string() + " --seed 3").exit_code, 0);
  ASSERT_EQ(ltv::test::run(base + b.string() + " --seed 3 --threads 1").exit_code, 0);
  ASSERT_EQ(ltv::test::run(base + c.string() + " --seed 4").exit_code, 0);
  for (const char* file : {"transactions.csv", "customers.csv", "spend.csv", "nps.csv",
                           "contacts.csv", "truth.json"}) {
    EXPECT_TRUE(read_bytes(a / file) == read_bytes(b / file)) << file;
  }
  EXPECT_FALSE(read_bytes(a / "transactions.csv") == read_bytes(c / "transactions.csv"));
  fs::remove_all(a);
  fs::remove_all(b);
  fs::remove_all(c);
}

TEST(SimCli, BadOptionsGiveAClearError) {
  const fs::path dir = ltv::test::temp_dir("sim_cli_bad");
  const std::string base = ltv::test::cli() + " simulate -o " + dir.string() + " ";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"--customers=-5", "option --customers: found '-5'"},
      {"--customers 0", "option --customers: found '0'"},
      {"--params r=abc", "option --params: found 'r=abc'"},
      {"--params r=1,alpha=2,s=3", "option --params: found 's=3'"},
      {"--model pnbd --params a=1", "option --params: found 'a=1'"},
      {"--spend-params q=-2", "option --spend-params: found 'q=-2'"},
      {"--model gamma", "option --model: found 'gamma'"},
      {"--start 2024-02-30", "option --start: found '2024-02-30'"},
      {"--end 2023-01-01", "option --end"},
      {"--nps-rate 2", "option --nps-rate"},
      {"--acquisition sometimes", "option --acquisition: found 'sometimes'"},
      {"--format json", "option --format: found 'json'"},
      {"--order time", "option --order: found 'time', expected one of date, customer, shuffled"},
  };
  for (const auto& [args, message] : cases) {
    const auto result = ltv::test::run(base + args);
    EXPECT_EQ(result.exit_code, 1) << args;
    EXPECT_NE(result.err.find("ltv: error: " + message), std::string::npos)
        << args << " -> " << result.err;
  }
  fs::remove_all(dir);
}

}  // namespace

namespace {

TEST(SimTransactionLog, MatchesTransactionsCsvAndSummarizes) {
  auto o = small_options(5000);
  o.transactions_only = true;
  const fs::path dir = ltv::test::temp_dir("sim_log");
  const auto counts = ltv::sim::simulate_retailer(o, dir);
  const ltv::TransactionLog log = ltv::sim::simulate_transaction_log(o);
  const Csv tx = read_csv(dir / "transactions.csv");
  ASSERT_EQ(log.size(), tx.rows.size());
  ASSERT_EQ(log.customer_count(), o.customers);
  for (std::size_t i = 0; i < log.size(); ++i) {
    const auto& row = tx.rows[i];
    ASSERT_EQ(log.customer_ids[log.customer[i]], row[0]) << i;
    ASSERT_EQ(ltv::sim::format_day(log.day[i]), row[1]) << i;
    ASSERT_EQ(fmt::format("{:.2f}", log.amount[i]), row[2]) << i;
    ASSERT_EQ(log.order->values[log.order->codes[i]], row[3]) << i;
    ASSERT_EQ(log.product->values[log.product->codes[i]], row[4]) << i;
    ASSERT_EQ(log.category->values[log.category->codes[i]], row[5]) << i;
    ASSERT_EQ(fmt::format("{}", log.quantity[i]), row[6]) << i;
    ASSERT_EQ(log.channel->values[log.channel->codes[i]], row[7]) << i;
    ASSERT_EQ(log.region->values[log.region->codes[i]], row[8]) << i;
  }
  // Day-level summaries: repeat purchase days = repeat purchases - same-day repeats.
  ltv::SummaryOptions so;
  so.observation_end = o.end_day;
  const ltv::CustomerSummary summary = ltv::summarize(log, so);
  ASSERT_EQ(summary.size(), o.customers);
  double frequency = 0;
  for (double f : summary.frequency) frequency += f;
  EXPECT_EQ(static_cast<std::uint64_t>(frequency),
            counts.repeat_purchases - counts.same_day_repeats);
  fs::remove_all(dir);
}

TEST(SimTransactionLog, OrdersHoldTheSameRowsAndMatchTheirFiles) {
  auto o = small_options(6000);
  o.transactions_only = true;
  o.reorder_bucket_bytes = 64 << 10;  // dozens of temporary files
  const fs::path dir = ltv::test::temp_dir("sim_orders");
  std::vector<std::string> sorted_rows;  // of the customer order
  for (ltv::sim::RowOrder order :
       {ltv::sim::RowOrder::customer, ltv::sim::RowOrder::date, ltv::sim::RowOrder::shuffled}) {
    SCOPED_TRACE(std::string(ltv::sim::to_string(order)));
    o.order = order;
    const fs::path sub = dir / std::string(ltv::sim::to_string(order));
    ltv::sim::simulate_retailer(o, sub);
    EXPECT_EQ(std::distance(fs::directory_iterator(sub), fs::directory_iterator()), 2)
        << "temporary files left behind";
    const ltv::TransactionLog log = ltv::sim::simulate_transaction_log(o);
    const Csv tx = read_csv(sub / "transactions.csv");
    ASSERT_EQ(log.size(), tx.rows.size());
    std::vector<std::string> rows;
    bool by_date = true, orders_together = true;
    for (std::size_t i = 0; i < log.size(); ++i) {
      const auto& row = tx.rows[i];
      ASSERT_EQ(log.customer_ids[log.customer[i]], row[0]) << i;
      ASSERT_EQ(ltv::sim::format_day(log.day[i]), row[1]) << i;
      ASSERT_EQ(log.order->values[log.order->codes[i]], row[3]) << i;
      rows.push_back(fmt::format("{}", fmt::join(row, ",")));
      if (i > 0) {
        by_date = by_date && log.day[i - 1] <= log.day[i];
        // An order's lines follow each other: a new order id never seen before starts.
        if (log.order->codes[i] != log.order->codes[i - 1] &&
            log.order->codes[i] < log.order->codes[i - 1]) {
          orders_together = false;
        }
      }
    }
    if (order == ltv::sim::RowOrder::date) {
      EXPECT_TRUE(by_date);
      EXPECT_TRUE(orders_together);
    }
    if (order == ltv::sim::RowOrder::shuffled) {
      EXPECT_FALSE(by_date);
      EXPECT_FALSE(orders_together);
    }
    // Customers first appear in another order than by id (except by customer).
    EXPECT_EQ(log.customer_ids.front() == "C0000001", order == ltv::sim::RowOrder::customer);
    std::sort(rows.begin(), rows.end());
    if (order == ltv::sim::RowOrder::customer) {
      sorted_rows = rows;
    } else {
      EXPECT_TRUE(rows == sorted_rows) << "not the same rows";
    }
  }
  fs::remove_all(dir);
}

}  // namespace
