// ClickHouse as a transaction source, against a real 2-shard ClickHouse 18.16 cluster that this
// test program starts on 127.0.0.1 (scripts/clickhouse_test_cluster.sh) and stops by PID. The
// CDNOW sample (../shared/data/cdnow/CDNOW_sample.txt: 6,919 purchases of 2,357 customers) is
// loaded into a MergeTree table on each shard through a Distributed table sharded by customer
// (insert_distributed_sync=1); the pushed-down results are compared with the local path on the
// file itself.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/models/registry.hpp"
#include "ltv/store/clickhouse.hpp"
#include "ltv/store/store.hpp"
#include "ltv/workspace/model_input.hpp"
#include "ltv/workspace/workspace.hpp"
#include "test_data.hpp"

namespace fs = std::filesystem;
using namespace ltv;

namespace {

// ---- the cluster of this test program -------------------------------------------------------

struct Cluster {
  bool tried = false;
  bool up = false;
  std::string why_not;
  std::string dir;
  int base = 0;  // shard k: HTTP base + 2k, TCP base + 2k + 1
  std::vector<int> pids;
  std::string url(int shard = 0) const {
    return "clickhouse://127.0.0.1:" + std::to_string(base + 2 * shard);
  }
};

std::string cluster_script() {
  return std::string(LTV_TEST_SOURCE_DIR) + "/../scripts/clickhouse_test_cluster.sh";
}

Cluster g_cluster;

/// The CDNOW sample as tab-separated rows: customer id, date (YYYY-MM-DD), amount.
std::string cdnow_tsv() {
  std::ifstream in(test::shared_data("cdnow/CDNOW_sample.txt"));
  std::string master, customer, date, quantity, amount, out;
  while (in >> master >> customer >> date >> quantity >> amount) {
    out += customer + '\t' + date.substr(0, 4) + '-' + date.substr(4, 2) + '-' + date.substr(6, 2) +
           '\t' + amount + '\n';
  }
  return out;
}

void load_cdnow(const Cluster& c) {
  for (int shard = 0; shard < 2; ++shard) {
    const store::ClickHouseClient client(store::parse_clickhouse_url(c.url(shard)));
    client.query(
        "CREATE TABLE default.tx_local (customer_id String, date Date, amount Float64) "
        "ENGINE = MergeTree ORDER BY (customer_id, date)");
    client.query(
        "CREATE TABLE default.tx AS default.tx_local "
        "ENGINE = Distributed(ltv_test, default, tx_local, cityHash64(customer_id))");
    // The same shards under a sharding key that says nothing about customers.
    client.query(
        "CREATE TABLE default.tx_rand AS default.tx_local "
        "ENGINE = Distributed(ltv_test, default, tx_local, rand())");
  }
  const store::ClickHouseClient client(store::parse_clickhouse_url(c.url(0)));
  client.insert("INSERT INTO default.tx FORMAT TabSeparated", cdnow_tsv(),
                {{"insert_distributed_sync", "1"}});
}

void stop(Cluster& c) {
  if (!c.dir.empty()) test::run(cluster_script() + " stop " + c.dir);
  if (!c.dir.empty() && std::getenv("LTV_KEEP_TEST_FILES") == nullptr) fs::remove_all(c.dir);
  c = Cluster{};
}

/// The cluster, started and loaded by the first test that needs it (ctest runs each test in
/// its own process) and stopped by the environment.
Cluster& cluster() {
  Cluster& c = g_cluster;
  if (c.tried) return c;
  c.tried = true;
  if (!fs::exists("/usr/sbin/clickhouse-server")) {
    c.why_not =
        "clickhouse-server is not installed: install clickhouse-server clickhouse-client "
        "(scripts/deps.sh)";
    return c;
  }
  test::CommandResult r;
  for (int attempt = 0; attempt < 3; ++attempt) {
    c.base = 30000 + static_cast<int>(((::getpid() + 7919 * attempt) % 5000) * 4);
    c.dir = "/tmp/ltv_clickhouse_" + std::to_string(::getpid()) + "_" + std::to_string(attempt);
    fs::remove_all(c.dir);
    r = test::run(cluster_script() + " start " + c.dir + " " + std::to_string(c.base));
    if (r.exit_code == 0) break;
    fs::remove_all(c.dir);
  }
  if (r.exit_code != 0) {
    c.why_not = "the ClickHouse test cluster did not start: " + r.err;
    return c;
  }
  std::istringstream lines(r.out);
  int pid = 0, http = 0, tcp = 0;
  while (lines >> pid >> http >> tcp) c.pids.push_back(pid);
  load_cdnow(c);
  c.up = true;
  return c;
}

class ClusterEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!g_cluster.dir.empty()) stop(g_cluster);
  }
};

const auto* const kClusterEnvironment = ::testing::AddGlobalTestEnvironment(new ClusterEnvironment);

/// Installed but not starting is a failure; not installed fails too (the test command runs
/// these tests: scripts/deps.sh installs the server).
#define REQUIRE_CLUSTER()         \
  Cluster& c = cluster();         \
  ASSERT_TRUE(c.up) << c.why_not; \
  (void)c

// ---- the local path on the file --------------------------------------------------------------

LoadOptions cdnow_options() {
  LoadOptions lo;
  lo.csv.has_header = false;
  lo.csv.delimiter = Delimiter::whitespace;
  lo.columns.customer = "2";
  lo.columns.date = "3";
  lo.columns.amount = "5";
  lo.keep_extra_columns = false;
  return lo;
}

SummaryOptions cdnow_periods() {
  SummaryOptions so;
  so.time_unit = TimeUnit::week;
  so.calibration_end = days_from_civil(1997, 9, 30);
  so.observation_end = days_from_civil(1998, 6, 30);
  return so;
}

ModelInput local_input(const SummaryOptions& so) {
  Workspace ws(TransactionSource::file(test::shared_data("cdnow/CDNOW_sample.txt").string(),
                                       cdnow_options()));
  return model_input(ws, so);
}

store::ClickHouseSource distributed_source(const Cluster& c, const std::string& table = "tx") {
  ColumnMapping m;
  m.customer = "customer_id";
  m.date = "date";
  m.amount = "amount";
  return store::clickhouse_source(c.url() + "/default." + table, "", "", m);
}

bool relatively_equal(double a, double b, double tolerance) {
  return std::abs(a - b) <= tolerance * std::max(std::abs(a), std::abs(b));
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- tests ------------------------------------------------------------------------------------

TEST(ClickHouseUrl, ParsesAndMasksThePassword) {
  const auto loc = store::parse_clickhouse_url("clickhouse://ana:p%40ss@db.example:9123/sales.tx");
  EXPECT_EQ(loc.host, "db.example");
  EXPECT_EQ(loc.port, 9123);
  EXPECT_EQ(loc.user, "ana");
  EXPECT_EQ(loc.password, "p@ss");
  EXPECT_EQ(loc.database, "sales");
  EXPECT_EQ(loc.table, "tx");
  EXPECT_EQ(loc.display.find("p%40ss"), std::string::npos) << loc.display;
  EXPECT_NE(loc.display.find("***"), std::string::npos) << loc.display;
  const auto bare = store::parse_clickhouse_url("clickhouse://127.0.0.1");
  EXPECT_EQ(bare.port, 8123);
  EXPECT_EQ(bare.database, "default");
  EXPECT_TRUE(bare.table.empty());
  EXPECT_THROW(store::parse_clickhouse_url("clickhouse://h:99999/db"), InputError);
  EXPECT_THROW(store::parse_clickhouse_url("clickhouse://h:/db"), InputError);
  EXPECT_THROW(store::parse_clickhouse_url("clickhouse://:8123/db"), InputError);
  EXPECT_THROW(store::parse_clickhouse_url("clickhouse://h/db?user=x"), InputError);
  const auto v6 = store::parse_clickhouse_url("clickhouse://[::1]:9124/db");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 9124);
  EXPECT_TRUE(store::is_database("clickhouse://h/db.t"));
  EXPECT_EQ(store::parse_location("clickhouse://h/db.t").kind,
            store::DatabaseLocation::Kind::clickhouse);
  // Never a workspace.
  EXPECT_THROW(store::WorkspaceStore::open("clickhouse://127.0.0.1:1/db"), store::DatabaseError);
}

TEST(ClickHouse, RowsTravelAsCsvAndLoadLikeAFile) {
  REQUIRE_CLUSTER();
  LoadOptions lo;
  lo.columns.customer = "customer_id";
  lo.columns.date = "date";
  lo.columns.amount = "amount";
  LoadReport report;
  const TransactionLog log =
      load_source(TransactionSource::detect(c.url() + "/default.tx", lo), report);
  EXPECT_EQ(report.rows_loaded, 6919);
  EXPECT_EQ(report.customers, 2357u);
  LoadReport file_report;
  const TransactionLog file_log = load_transactions(
      test::shared_data("cdnow/CDNOW_sample.txt").string(), cdnow_options(), file_report);
  EXPECT_NEAR(report.total_amount, file_report.total_amount, 1e-6);
}

TEST(ClickHouse, PushedDownPatternsEqualTheLocalCompression) {
  REQUIRE_CLUSTER();
  SummaryOptions so = cdnow_periods();
  so.observation_end.reset();
  const store::PushedDownPatterns pushed = store::clickhouse_patterns(distributed_source(c), so);
  // Published for the CDNOW sample with calibration end 1997-09-30 (stack-facts: 1,016
  // patterns of 2,357 customers).
  EXPECT_EQ(pushed.patterns.size(), 1016u);
  EXPECT_EQ(pushed.patterns.customers(), 2357.0);
  const RfmPatterns local = model_patterns(local_input(so));
  ASSERT_EQ(local.size(), pushed.patterns.size());
  EXPECT_EQ(local.x, pushed.patterns.x);
  EXPECT_EQ(local.t_x, pushed.patterns.t_x);
  EXPECT_EQ(local.T, pushed.patterns.T);
  EXPECT_EQ(local.weight, pushed.patterns.weight);
  EXPECT_EQ(pushed.scan.rows, 6919);
  EXPECT_EQ(pushed.scan.calibration_end, days_from_civil(1997, 9, 30));
  // Sharded by cityHash64(customer_id): each shard computed its customers to the end.
  EXPECT_TRUE(pushed.scan.sharded_by_customer);
}

TEST(ClickHouse, AQueryWithColumnsByPositionGivesTheTablesPatterns) {
  REQUIRE_CLUSTER();
  const SummaryOptions so = cdnow_periods();
  const auto table = store::clickhouse_patterns(distributed_source(c), so);
  ColumnMapping m;
  m.customer = "#1";
  m.date = "2";
  m.amount = "AMT";  // case-insensitive, as in a file's header
  const auto query = store::clickhouse_patterns(
      store::clickhouse_source(c.url() + "/default",
                               "SELECT customer_id AS cust, date AS day, amount AS amt "
                               "FROM default.tx WHERE customer_id != '0001';",
                               "", m),
      so);
  // Customer 0001 (four purchase days, the first on 1997-01-01) is left out by the query.
  EXPECT_EQ(query.patterns.customers(), table.patterns.customers() - 1);
  EXPECT_EQ(query.scan.rows, 6919 - 4);
  EXPECT_EQ(query.scan.source.find("(query)") != std::string::npos, true) << query.scan.source;
  EXPECT_EQ(query.spend.customers(), table.spend.customers() - 1);
  EXPECT_FALSE(query.scan.sharded_by_customer);  // a query: the two-step recipe
}

TEST(ClickHouse, EachShardsPatternCountsAddUpToTheDistributedResult) {
  REQUIRE_CLUSTER();
  const SummaryOptions so = cdnow_periods();
  const auto all = store::clickhouse_patterns(distributed_source(c), so);
  std::map<std::tuple<double, double, double>, double> summed;
  double shard_customers[2] = {0, 0};
  for (int shard = 0; shard < 2; ++shard) {
    ColumnMapping m;
    m.customer = "customer_id";
    m.date = "date";
    m.amount = "amount";
    const auto part = store::clickhouse_patterns(
        store::clickhouse_source(c.url(shard) + "/default.tx_local", "", "", m), so);
    shard_customers[shard] = part.patterns.customers();
    EXPECT_FALSE(part.scan.sharded_by_customer);  // a MergeTree table: the two-step recipe
    for (std::size_t i = 0; i < part.patterns.size(); ++i) {
      summed[{part.patterns.x[i], part.patterns.t_x[i], part.patterns.T[i]}] +=
          part.patterns.weight[i];
    }
  }
  // A Distributed table not sharded by customer takes the two-step recipe, same patterns.
  const auto unsharded = store::clickhouse_patterns(distributed_source(c, "tx_rand"), so);
  EXPECT_FALSE(unsharded.scan.sharded_by_customer);
  EXPECT_TRUE(all.scan.sharded_by_customer);
  EXPECT_EQ(unsharded.patterns.x, all.patterns.x);
  EXPECT_EQ(unsharded.patterns.t_x, all.patterns.t_x);
  EXPECT_EQ(unsharded.patterns.T, all.patterns.T);
  EXPECT_EQ(unsharded.patterns.weight, all.patterns.weight);
  // Both shards hold customers (the table is really split), and their counts add up.
  EXPECT_GT(shard_customers[0], 0);
  EXPECT_GT(shard_customers[1], 0);
  ASSERT_EQ(summed.size(), all.patterns.size());
  std::size_t i = 0;
  for (const auto& [key, weight] : summed) {
    EXPECT_EQ(std::get<0>(key), all.patterns.x[i]);
    EXPECT_EQ(std::get<1>(key), all.patterns.t_x[i]);
    EXPECT_EQ(std::get<2>(key), all.patterns.T[i]);
    EXPECT_EQ(weight, all.patterns.weight[i]);
    ++i;
  }
}

TEST(ClickHouse, FitsOnPushedDownPatternsEqualTheLocalFits) {
  REQUIRE_CLUSTER();
  SummaryOptions so = cdnow_periods();
  so.observation_end.reset();
  const auto pushed = store::clickhouse_patterns(distributed_source(c), so);
  const ModelInput local = local_input(so);
  const FitOptions options;
  for (const char* model : {"bgnbd", "pnbd", "mbgnbd", "gg"}) {
    const FitResult a = fit_model(model, local, options);
    const FitResult b = fit_model(model, pushed, options);
    ASSERT_EQ(a.estimates.size(), b.estimates.size()) << model;
    for (std::size_t k = 0; k < a.estimates.size(); ++k) {
      EXPECT_TRUE(relatively_equal(a.estimates[k], b.estimates[k], 1e-9))
          << model << " " << a.names[k] << ": " << a.estimates[k] << " vs " << b.estimates[k];
    }
    EXPECT_TRUE(relatively_equal(a.log_likelihood, b.log_likelihood, 1e-9))
        << model << ": " << a.log_likelihood << " vs " << b.log_likelihood;
    EXPECT_TRUE(b.converged) << model;
  }
}

TEST(ClickHouse, SummaryIsIdenticalToTheLocalSummary) {
  REQUIRE_CLUSTER();
  const fs::path dir = test::temp_dir("clickhouse_summary");
  const std::string file = test::shared_data("cdnow/CDNOW_sample.txt").string();
  struct Variant {
    std::string amount_local, amount_pushed, options;
  };
  const std::string money_local = " --amount 5", money_pushed = " --amount amount";
  const std::vector<Variant> variants = {
      {money_local, money_pushed, ""},
      {money_local, money_pushed, " --calibration-end 1997-09-30 --observation-end 1998-06-30"},
      {money_local, money_pushed, " --time-unit month --calibration-end 1997-06-30"},
      {"", "", " --time-unit day --calibration-end 1997-09-30"},  // count-only
  };
  for (const Variant& v : variants) {
    const auto local =
        test::run(test::cli() + " summary " + file + " --no-header --customer 2 --date 3 -q" +
                  v.amount_local + v.options + " -o " + (dir / "local.csv").string());
    ASSERT_EQ(local.exit_code, 0) << local.err;
    const std::string a = read_file(dir / "local.csv");
    EXPECT_GT(std::count(a.begin(), a.end(), '\n'), 2000);  // header + one row per customer
    // Sharded by customer (one GROUP BY per shard) and not (per customer-day first).
    for (const std::string table : {"tx", "tx_rand"}) {
      const auto pushed = test::run(test::cli() + " summary " + c.url() + "/default." + table +
                                    " --customer customer_id --date date" + v.amount_pushed +
                                    v.options + " -o " + (dir / "pushed.csv").string());
      ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
      EXPECT_EQ(a, read_file(dir / "pushed.csv")) << table << ", options:" << v.options;
    }
  }
}

TEST(ClickHouse, FitCommandPushesDown) {
  REQUIRE_CLUSTER();
  const std::string file = test::shared_data("cdnow/CDNOW_sample.txt").string();
  const auto local =
      test::run(test::cli() + " fit " + file +
                " --no-header --customer 2 --date 3 --amount 5 -q --calibration-end 1997-09-30 "
                "--model bgnbd --format csv");
  ASSERT_EQ(local.exit_code, 0) << local.err;
  const auto pushed = test::run(test::cli() + " fit " + c.url() +
                                "/default.tx --customer customer_id --date date --amount amount "
                                "--calibration-end 1997-09-30 --model bgnbd --format csv");
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  // The report names the source and its rows; the patterns are those of the local path.
  EXPECT_NE(pushed.err.find("6919"), std::string::npos) << pushed.err;
  const auto column = [](const std::string& csv, int index) {
    std::vector<std::string> out;
    std::istringstream lines(csv);
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string f;
      for (int k = 0; k <= index; ++k) std::getline(fields, f, ',');
      out.push_back(f);
    }
    return out;
  };
  EXPECT_EQ(column(local.out, 8), column(pushed.out, 8));          // patterns
  EXPECT_EQ(column(local.out, 7), column(pushed.out, 7));          // customers
  const auto a = column(local.out, 2), b = column(pushed.out, 2);  // estimates
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_TRUE(relatively_equal(std::stod(a[k]), std::stod(b[k]), 1e-9)) << a[k] << " " << b[k];
  }
  // A model the patterns cannot fit is refused with a reason.
  const auto bgbb = test::run(test::cli() + " fit " + c.url() +
                              "/default.tx --customer customer_id --date date --model bgbb");
  EXPECT_NE(bgbb.exit_code, 0);
  EXPECT_NE(bgbb.err.find("bgbb"), std::string::npos) << bgbb.err;
}

TEST(ClickHouse, ABadQueryShowsClickHousesCode) {
  REQUIRE_CLUSTER();
  ColumnMapping m;
  m.customer = "customer_id";
  m.date = "date";
  try {
    store::clickhouse_patterns(
        store::clickhouse_source(c.url(), "SELECT * FROM default.no_such_table", "", m),
        SummaryOptions{});
    FAIL() << "no error";
  } catch (const store::DatabaseError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Code: 60"), std::string::npos) << what;
    EXPECT_NE(what.find("no_such_table"), std::string::npos) << what;
  }
  // Through the command line: a failing exit and the code on stderr.
  const auto r = test::run(test::cli() + " summary --source " + c.url() +
                           " --query 'SELECT nonsense(' --customer customer_id --date date");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Code: 62"), std::string::npos) << r.err;  // syntax error
  // A column that is not there names the columns that are.
  m.customer = "client";
  try {
    store::clickhouse_patterns(store::clickhouse_source(c.url() + "/default.tx", "", "", m),
                               SummaryOptions{});
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("client"), std::string::npos) << what;
    EXPECT_NE(what.find("customer_id"), std::string::npos) << what;
  }
}

TEST(ClickHouse, PasswordIsNeverShown) {
  REQUIRE_CLUSTER();
  const std::string secret = "s3cret-pass";
  // Right password: it works.
  const store::ClickHouseClient ok(store::parse_clickhouse_url(
      "clickhouse://ltv_secret:" + secret + "@127.0.0.1:" + std::to_string(c.base) + "/default"));
  EXPECT_EQ(ok.query("SELECT count() FROM default.tx FORMAT TabSeparated"), "6919\n");
  EXPECT_EQ(ok.name().find(secret), std::string::npos);
  // From the environment: the user is sent (a wrong password is refused for that user, and
  // the message does not hold it), and the right password works.
  ::setenv("LTV_CLICKHOUSE_USER", "ltv_secret", 1);
  ::setenv("LTV_CLICKHOUSE_PASSWORD", "env-wrong-password", 1);
  try {
    store::ClickHouseClient(store::parse_clickhouse_url(c.url())).query("SELECT 1");
    ADD_FAILURE() << "a wrong password from the environment was accepted";
  } catch (const store::DatabaseError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("ltv_secret"), std::string::npos) << what;
    EXPECT_EQ(what.find("env-wrong-password"), std::string::npos) << what;
  }
  ::setenv("LTV_CLICKHOUSE_PASSWORD", secret.c_str(), 1);
  const store::ClickHouseClient from_env(store::parse_clickhouse_url(c.url()));
  EXPECT_EQ(from_env.query("SELECT count() FROM default.tx FORMAT TabSeparated"), "6919\n");
  ::unsetenv("LTV_CLICKHOUSE_USER");
  ::unsetenv("LTV_CLICKHOUSE_PASSWORD");
  // Wrong password, an unreachable server, a bad query: no message holds the password.
  const std::string wrong = "wr0ng-" + secret;
  const std::vector<std::string> urls = {
      "clickhouse://ltv_secret:" + wrong + "@127.0.0.1:" + std::to_string(c.base) + "/default",
      "clickhouse://ltv_secret:" + secret + "@127.0.0.1:1/default",
      "clickhouse://ltv_secret:" + secret + "@127.0.0.1:" + std::to_string(c.base) + "/default",
  };
  for (const std::string& url : urls) {
    try {
      store::ClickHouseClient(store::parse_clickhouse_url(url)).query("SELECT nonsense(");
      FAIL() << "no error";
    } catch (const store::DatabaseError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.find(secret), std::string::npos) << what;
      EXPECT_NE(what.find("127.0.0.1:"), std::string::npos) << what;
    }
    // Through the command line, with a column that is not there (the right password gets as
    // far as the message listing the columns, which names the source).
    const auto r =
        test::run(test::cli() + " summary '" + url + ".tx' --customer no_such_column --date date");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
  }
  // The unreachable one names host and port.
  try {
    store::ClickHouseClient(store::parse_clickhouse_url(urls[1])).query("SELECT 1");
  } catch (const store::DatabaseError& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:1 "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
  }
}

// ---- scores joined back and written to ClickHouse ---------------------------------------------

/// A CSV (header, then rows; no quoted commas) by its first column.
std::map<std::string, std::vector<std::string>> csv_by_id(const std::string& csv,
                                                          std::vector<std::string>* header) {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream lines(csv);
  std::string line;
  bool first = true;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> fields;
    std::istringstream s(line);
    std::string f;
    const char delimiter = line.find('\t') != std::string::npos ? '\t' : ',';
    while (std::getline(s, f, delimiter)) {
      fields.push_back(f);
    }
    if (first) {
      if (header != nullptr) *header = fields;
      first = false;
      continue;
    }
    const std::string id = fields.at(0);
    fields.erase(fields.begin());
    out[id] = fields;
  }
  return out;
}

/// `ltv predict` on the CDNOW file, as CSV.
std::string local_predict(const std::string& options) {
  const auto r =
      test::run(test::cli() + " predict " + test::shared_data("cdnow/CDNOW_sample.txt").string() +
                " --no-header --customer 2 --date 3 --amount 5 -q " + options);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

/// Compares the rows of a pushed-down prediction (`columns` of each customer) with the local
/// CSV's same columns: same customers, values within 1e-9 relative.
void expect_same_predictions(const std::string& local_csv, const std::string& pushed,
                             const std::vector<std::string>& columns) {
  std::vector<std::string> header;
  const auto local = csv_by_id(local_csv, &header);
  std::vector<std::string> pushed_header;
  const auto remote = csv_by_id(pushed, &pushed_header);
  ASSERT_EQ(local.size(), 2357u);
  ASSERT_EQ(remote.size(), local.size());
  std::vector<std::size_t> in_local, in_remote;
  for (const std::string& name : columns) {
    const auto a = std::find(header.begin(), header.end(), name);
    const auto b = std::find(pushed_header.begin(), pushed_header.end(), name);
    ASSERT_NE(a, header.end()) << name;
    ASSERT_NE(b, pushed_header.end()) << name;
    in_local.push_back(static_cast<std::size_t>(a - header.begin()) - 1);
    in_remote.push_back(static_cast<std::size_t>(b - pushed_header.begin()) - 1);
  }
  int differences = 0;
  for (const auto& [id, row] : local) {
    const auto it = remote.find(id);
    ASSERT_NE(it, remote.end()) << "customer " << id << " missing";
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const double a = std::stod(row.at(in_local[k]));
      const double b = std::stod(it->second.at(in_remote[k]));
      if (!relatively_equal(a, b, 1e-9) && differences++ < 10) {
        ADD_FAILURE() << "customer " << id << " " << columns[k] << ": " << a << " vs " << b;
      }
    }
  }
  EXPECT_EQ(differences, 0);
}

std::string table_tsv(const Cluster& c, const std::string& table, const std::string& columns) {
  const store::ClickHouseClient client(store::parse_clickhouse_url(c.url()));
  return client.query("SELECT " + columns + " FROM " + table +
                      " ORDER BY customer_id FORMAT TSVWithNames");
}

std::vector<std::string> leftover_tables(const Cluster& c) {
  const store::ClickHouseClient client(store::parse_clickhouse_url(c.url()));
  const std::string body = client.query(
      "SELECT name FROM system.tables WHERE database = 'default' AND (name LIKE '%\\_\\_run\\_%' "
      "OR name LIKE '%\\_\\_old\\_%' OR name LIKE 'ltv\\_tmp\\_%') FORMAT TabSeparated");
  std::vector<std::string> out;
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) out.push_back(line);
  return out;
}

TEST(ClickHouseWriteBack, ScoresWrittenToClickHouseEqualTheLocalPredict) {
  REQUIRE_CLUSTER();
  const std::string periods = " --calibration-end 1997-09-30 --model bgnbd --clv --horizon 39";
  const std::string local = local_predict(periods + " --format csv");
  const std::string source =
      c.url() + "/default.tx --customer customer_id --date date --amount amount";
  const auto r = test::run(test::cli() + " predict " + source + periods + " -o " + c.url() +
                           "/default.scores");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out.substr(0, 200);
  EXPECT_NE(r.err.find("wrote 2357 customers"), std::string::npos) << r.err;
  // 1,016 patterns (stack-facts), each scored once.
  EXPECT_NE(r.err.find("scored 1016 patterns"), std::string::npos) << r.err;
  const std::vector<std::string> columns = {
      "frequency",      "recency",        "T",  "p_alive", "expected_purchases",
      "monetary_value", "expected_spend", "clv"};
  expect_same_predictions(
      local,
      table_tsv(c, "default.scores",
                "customer_id, frequency, recency, T, p_alive, expected_purchases, "
                "monetary_value, expected_spend, clv"),
      columns);
  EXPECT_TRUE(leftover_tables(c).empty());
  // The table has the local CSV's columns, in its order.
  const auto first_line = [](const std::string& text, char delimiter) {
    std::string line = text.substr(0, text.find('\n'));
    std::replace(line.begin(), line.end(), delimiter, ',');
    return line;
  };
  EXPECT_EQ(first_line(table_tsv(c, "default.scores", "*"), '\t'), first_line(local, ','));
  // The same joined rows streamed back to a file instead: the local CSV's customers and values.
  const auto back = test::run(test::cli() + " predict " + source + periods + " --format csv");
  ASSERT_EQ(back.exit_code, 0) << back.err;
  expect_same_predictions(local, back.out, columns);
  // In the local order (ids), row for row.
  std::vector<std::string> a, b;
  for (const auto* csv : {&local, &back.out}) {
    std::istringstream lines(*csv);
    auto& ids = csv == &local ? a : b;
    for (std::string line; std::getline(lines, line);)
      ids.push_back(line.substr(0, line.find(',')));
  }
  EXPECT_EQ(a, b);
  EXPECT_EQ(first_line(back.out, ','), first_line(local, ','));
  EXPECT_TRUE(leftover_tables(c).empty());
  // With a holdout period: frequency_holdout joined too, the default horizon its length.
  const std::string holdout =
      " --calibration-end 1997-09-30 --observation-end 1998-06-30 --model pnbd";
  const std::string local_holdout = local_predict(holdout + " --format csv");
  const auto h = test::run(test::cli() + " predict " + source + holdout + " --format csv");
  ASSERT_EQ(h.exit_code, 0) << h.err;
  expect_same_predictions(local_holdout, h.out,
                          {"p_alive", "expected_purchases", "frequency_holdout"});
}

TEST(ClickHouseWriteBack, OnlyPatternsTravel) {
  REQUIRE_CLUSTER();
  SummaryOptions so = cdnow_periods();
  so.observation_end.reset();
  // With spend columns (a saved Gamma-Gamma model: no (x, m) groups needed for a fit).
  store::ClickHouseScoringRun run(distributed_source(c), so, true, c.url() + "/default.travel");
  // Received: one row per pattern, never one per customer.
  EXPECT_EQ(run.pattern_x().size(), 1016u);
  EXPECT_EQ(run.customers(), 2357);
  EXPECT_EQ(run.rows_received(), run.pattern_x().size());
  EXPECT_TRUE(run.spend_x().empty());
  // The patterns are those of the local compression.
  const RfmPatterns local = model_patterns(local_input(so));
  EXPECT_EQ(local.x, run.input().patterns.x);
  EXPECT_EQ(local.t_x, run.input().patterns.t_x);
  EXPECT_EQ(local.T, run.input().patterns.T);
  EXPECT_EQ(local.weight, run.input().patterns.weight);
  const std::size_t n = run.pattern_x().size();
  store::ClickHouseScoringRun::Scores s;
  s.p_alive.assign(n, 0.5);
  s.expected_purchases.assign(n, 1.0);
  s.discounted_purchases.assign(n, 2.0);
  s.spend_a.assign(n, 3.0);  // expected spend 3 + 0 * m
  s.spend_b.assign(n, 0.0);
  s.margin = 0.5;
  const auto w = run.write(c.url() + "/default.travel", s);
  EXPECT_EQ(w.customers, 2357);
  // Sent: one row per pattern.
  EXPECT_EQ(run.rows_sent(), n);
  const store::ClickHouseClient client(store::parse_clickhouse_url(c.url()));
  // Every customer got its pattern's scores: sums over 2,357 customers; clv = 0.5 * 3 * 2.
  EXPECT_EQ(client.query("SELECT count(), sum(p_alive), sum(expected_purchases), "
                         "sum(expected_spend), sum(clv) FROM default.travel FORMAT TabSeparated"),
            "2357\t1178.5\t2357\t7071\t7071\n");
  // The frequencies joined are the customers' own: their sum is that of the local summary.
  double local_x = 0;
  for (std::size_t i = 0; i < local.size(); ++i) local_x += local.x[i] * local.weight[i];
  EXPECT_EQ(client.query("SELECT sum(frequency) FROM default.travel FORMAT TabSeparated"),
            fmt::format("{}\n", local_x));
  // Fitting Gamma-Gamma needs the (x, m) groups: they travel only when asked for.
  store::ClickHouseScoringRun fit_run(distributed_source(c), so, true, {}, true);
  EXPECT_GT(fit_run.spend_x().size(), 0u);
  EXPECT_LT(fit_run.spend_x().size(), 2357u);
  EXPECT_EQ(fit_run.rows_received(), fit_run.pattern_x().size() + fit_run.spend_x().size());
}

TEST(ClickHouseWriteBack, AFailedRunLeavesThePreviousTableInPlace) {
  REQUIRE_CLUSTER();
  const std::string source = c.url() +
                             "/default.tx --customer customer_id --date date --amount amount "
                             "--calibration-end 1997-09-30 --model bgnbd";
  const std::string target = c.url() + "/default.atomic";
  const std::string columns = "customer_id, p_alive, expected_purchases";
  auto r = test::run(test::cli() + " predict " + source + " --horizon 52 -q -o " + target);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string first = table_tsv(c, "default.atomic", columns);
  EXPECT_EQ(std::count(first.begin(), first.end(), '\n'), 2358);
  // A second run replaces it whole (another horizon: other expected purchases).
  r = test::run(test::cli() + " predict " + source + " --horizon 10 -o " + target);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("previous table replaced"), std::string::npos) << r.err;
  const std::string second = table_tsv(c, "default.atomic", columns);
  EXPECT_NE(second, first);
  EXPECT_EQ(std::count(second.begin(), second.end(), '\n'), 2358);
  EXPECT_TRUE(leftover_tables(c).empty());

  // A query failing in the middle of the write (its customers' staging table gone before the
  // join): the error is reported, the previous table is untouched, the run's tables dropped.
  {
    SummaryOptions so = cdnow_periods();
    so.observation_end.reset();
    store::ClickHouseScoringRun run(distributed_source(c), so, false, target);
    store::ClickHouseScoringRun::Scores s;
    s.p_alive.assign(run.pattern_x().size(), 0.25);
    s.expected_purchases.assign(run.pattern_x().size(), 0.0);
    const store::ClickHouseClient client(store::parse_clickhouse_url(c.url()));
    const std::vector<std::string> staging = leftover_tables(c);
    ASSERT_EQ(staging.size(), 1u);  // the customers' staging table
    client.query("DROP TABLE default.`" + staging[0] + "`");
    EXPECT_THROW(run.write(target, s), store::DatabaseError);
    EXPECT_EQ(table_tsv(c, "default.atomic", columns), second);
  }
  EXPECT_TRUE(leftover_tables(c).empty());

  // A shard down: the run fails naming it, and the previous result is still there.
  ASSERT_EQ(c.pids.size(), 2u);
  ASSERT_EQ(::kill(c.pids[1], SIGTERM), 0);
  for (int i = 0; i < 200 && ::kill(c.pids[1], 0) == 0; ++i) ::usleep(50000);
  r = test::run(test::cli() + " predict " + source + " --horizon 20 -o " + target);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(c.base + 3)), std::string::npos) << r.err;
  EXPECT_EQ(table_tsv(c, "default.atomic", columns), second);
  EXPECT_TRUE(leftover_tables(c).empty());
  stop(g_cluster);
}

TEST(ClickHouseWriteBack, PasswordIsNeverShown) {
  REQUIRE_CLUSTER();
  const std::string secret = "s3cret-pass";
  const std::string server =
      "clickhouse://ltv_secret:" + secret + "@127.0.0.1:" + std::to_string(c.base);
  const std::string source = " '" + server +
                             "/default.tx' --customer customer_id --date date --amount amount "
                             "--calibration-end 1997-09-30 --model bgnbd --clv";
  auto r = test::run(test::cli() + " predict" + source + " -o '" + server + "/default.secret'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("wrote 2357 customers to clickhouse://ltv_secret:***@"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
  // Refused: a target on another server, and a ClickHouse target for a file source.
  r = test::run(test::cli() + " predict" + source + " -o 'clickhouse://ltv_secret:" + secret +
                "@127.0.0.1:1/default.x'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("source's ClickHouse server"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
  r = test::run(test::cli() + " predict " + test::shared_data("cdnow/CDNOW_sample.txt").string() +
                " --no-header --customer 2 --date 3 --model bgnbd -o '" + server + "/default.y'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("needs a ClickHouse source"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
  EXPECT_TRUE(leftover_tables(c).empty());
}

TEST(ClickHouse, AShardThatIsDownFailsTheRunNamingIt) {
  REQUIRE_CLUSTER();
  ASSERT_EQ(c.pids.size(), 2u);
  // Stop shard 1 (by its PID) and wait for it to exit.
  ASSERT_EQ(::kill(c.pids[1], SIGTERM), 0);
  for (int i = 0; i < 200 && ::kill(c.pids[1], 0) == 0; ++i) ::usleep(50000);
  const std::string shard1 = "127.0.0.1:" + std::to_string(c.base + 3);  // its TCP port
  try {
    store::clickhouse_patterns(distributed_source(c), cdnow_periods());
    FAIL() << "a partial result instead of an error";
  } catch (const store::DatabaseError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(shard1), std::string::npos) << what;
    EXPECT_NE(what.find("Code: 279"), std::string::npos) << what;
  }
  const auto r = test::run(test::cli() + " summary " + c.url() +
                           "/default.tx --customer customer_id --date date --amount amount");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(r.out.empty()) << "partial output: " << r.out.substr(0, 200);
  EXPECT_NE(r.err.find(shard1), std::string::npos) << r.err;
  // Later tests of this process get a fresh cluster.
  stop(g_cluster);
}

}  // namespace
