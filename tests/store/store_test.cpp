// The workspace store against real databases: a SQLite file, and a PostgreSQL 15 server that
// this test program starts on 127.0.0.1 (scripts/pg_test_server.sh) and stops by its PID. The
// same suite runs on both. Input: the CDNOW sample (../shared/data/cdnow/CDNOW_sample.txt,
// 6,919 purchases of 2,357 customers), written as CSV batches by the tests.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ltv/error.hpp"
#include "ltv/store/ingest.hpp"
#include "ltv/store/run.hpp"
#include "ltv/store/store.hpp"
#include "ltv/workspace/analysis.hpp"
#include "ltv/workspace/workspace.hpp"
#include "store/database.hpp"  // src/store: the connection, to create databases
#include "store/schema.hpp"    // src/store: an older schema, for the upgrade test
#include "test_data.hpp"

namespace fs = std::filesystem;
using namespace ltv;

namespace {

// ---- the PostgreSQL server of this test program --------------------------------------------

struct PostgresServer {
  bool tried = false;
  std::string url;  // empty: not started
  std::string why_not;
  std::string dir;
  std::string pid;
};

std::string server_script() {
  return std::string(LTV_TEST_SOURCE_DIR) + "/../scripts/pg_test_server.sh";
}

/// The server of this test program, started by the first test that needs it (ctest runs each
/// test in its own process: the SQLite tests start no server) and stopped by the environment.
PostgresServer g_server;

PostgresServer& postgres() {
  PostgresServer& s = g_server;
  if (s.tried) return s;
  s.tried = true;
  if (!fs::exists("/usr/lib/postgresql/15/bin/initdb")) {
    s.why_not =
        "PostgreSQL 15 server binaries are not installed (/usr/lib/postgresql/15/bin/"
        "initdb): install postgresql-15 (scripts/deps.sh)";
    std::fprintf(stderr,
                 "\n**********************************************************************\n"
                 "** SKIPPING the PostgreSQL store tests: %s\n"
                 "**********************************************************************\n\n",
                 s.why_not.c_str());
    return s;
  }
  // A port from the process id; two more tries if it is taken.
  test::CommandResult r;
  int port = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port = 20000 + static_cast<int>((::getpid() + 7919 * attempt) % 20000);
    s.dir = "/tmp/ltv_store_pg_" + std::to_string(::getpid()) + "_" + std::to_string(attempt);
    fs::remove_all(s.dir);
    r = test::run(server_script() + " start " + s.dir + " " + std::to_string(port));
    if (r.exit_code == 0) break;
    fs::remove_all(s.dir);
  }
  if (r.exit_code != 0) {
    // Installed but not starting is a failure, not a skip.
    s.why_not = "the PostgreSQL test server did not start: " + r.err;
    return s;
  }
  s.pid = r.out.substr(0, r.out.find('\n'));
  s.url = "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/ltv_test";
  return s;
}

class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    PostgresServer& s = g_server;  // never starts one here
    if (s.pid.empty()) return;
    test::run(server_script() + " stop " + s.dir + " " + s.pid);
    if (std::getenv("LTV_KEEP_TEST_FILES") == nullptr) fs::remove_all(s.dir);
  }
};

const auto* const kPostgresEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

// ---- test data ------------------------------------------------------------------------------

struct Purchase {
  std::string customer, date, quantity, amount;
};

/// The CDNOW sample (customer, date yyyymmdd, CDs, dollars), in file order.
const std::vector<Purchase>& cdnow() {
  static const std::vector<Purchase> rows = [] {
    std::vector<Purchase> out;
    std::ifstream in(test::shared_data("cdnow/CDNOW_sample.txt"));
    std::string master, customer, date, quantity, amount;
    while (in >> master >> customer >> date >> quantity >> amount) {
      out.push_back({customer, date, quantity, amount});
    }
    return out;
  }();
  return rows;
}

/// Writes purchases as CSV with a header; `bad_at` (0 = none) replaces that data row's date.
void write_csv_file(const fs::path& path, const std::vector<Purchase>& rows,
                    std::size_t bad_at = 0) {
  std::ofstream out(path);
  out << "customer_id,date,quantity,amount\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Purchase& p = rows[i];
    out << p.customer << ',' << (i + 1 == bad_at ? std::string("1997-13-45") : p.date) << ','
        << p.quantity << ',' << p.amount << '\n';
  }
}

LoadOptions csv_mapping() {
  LoadOptions o;
  o.columns.customer = "customer_id";
  o.columns.date = "date";
  o.columns.quantity = "quantity";
  o.columns.amount = "amount";
  return o;
}

store::IngestOptions transactions_ingest() {
  store::IngestOptions o;
  o.kind = store::InputKind::transactions;
  o.load = csv_mapping();
  return o;
}

store::IngestReport ingest_file(store::WorkspaceStore& ws, const fs::path& file) {
  return store::ingest(ws, TransactionSource::file(file.string(), csv_mapping()),
                       transactions_ingest());
}

/// Every table of an analysis as CSV text, by key.
std::map<std::string, std::string> tables_csv(const Analysis& a) {
  std::map<std::string, std::string> out;
  for (const auto& [key, table] : a.tables) out[key] = to_csv(table);
  return out;
}

std::int64_t stored_transactions(store::WorkspaceStore& ws) {
  LoadReport report;
  try {
    return static_cast<std::int64_t>(ws.read_transactions(0, report).size());
  } catch (const InputError&) {
    return 0;  // no transactions stored
  }
}

// ---- the suite, once per database -----------------------------------------------------------

class Store : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql" && postgres().url.empty()) {
      const std::string& why = postgres().why_not;
      if (why.rfind("PostgreSQL 15 server binaries", 0) == 0) GTEST_SKIP() << "LOUD SKIP: " << why;
      GTEST_FAIL() << why;
    }
    dir_ = test::temp_dir("store_" + GetParam() + "_" +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    // The split point: purchases up to 1997-06-30 form the first batch, the rest the second.
    for (const Purchase& p : cdnow()) (p.date <= "19970630" ? early_ : late_).push_back(p);
    all_ = early_;
    all_.insert(all_.end(), late_.begin(), late_.end());
    write_csv_file(dir_ / "early.csv", early_);
    write_csv_file(dir_ / "late.csv", late_);
    write_csv_file(dir_ / "all.csv", all_);
  }

  /// A new, empty workspace on this test's database.
  std::string new_workspace(const std::string& name) {
    if (GetParam() == "sqlite") return (dir_ / (name + ".db")).string();
    const PostgresServer& s = postgres();
    // One database per workspace: created from the server's ltv_test database.
    const std::string db = "ws_" + name;
    auto admin = store::WorkspaceStore::create(s.url);  // connects; ltv_test holds a workspace
    admin.database().execute("DROP DATABASE IF EXISTS " + db);
    admin.database().execute("CREATE DATABASE " + db);
    return s.url.substr(0, s.url.rfind('/') + 1) + db;
  }

  fs::path dir_;
  std::vector<Purchase> early_, late_, all_;
};

TEST_P(Store, CreateRecordsSchemaVersionAndReopens) {
  const std::string where = new_workspace("schema");
  bool created = false;
  {
    auto ws = store::WorkspaceStore::create(where, &created);
    EXPECT_TRUE(created);
    EXPECT_EQ(ws.schema_version(), store::kSchemaVersion);
  }
  auto again = store::WorkspaceStore::create(where, &created);
  EXPECT_FALSE(created);  // opened, not created twice
  EXPECT_EQ(again.schema_version(), store::kSchemaVersion);
  EXPECT_TRUE(again.batches().empty());
  EXPECT_TRUE(again.runs().empty());
}

TEST_P(Store, IngestStoresEveryRowWithBatchAndLine) {
  const std::string where = new_workspace("ingest");
  auto ws = store::WorkspaceStore::create(where);
  const store::IngestReport r = ingest_file(ws, dir_ / "all.csv");
  EXPECT_EQ(r.batch, 1);
  EXPECT_EQ(r.rows_loaded, 6919);  // every purchase of the CDNOW sample
  EXPECT_EQ(r.customers, 2357);    // its customers (the published sample size)
  EXPECT_EQ(r.rows_rejected, 0);
  // The stored rows read back equal a load of the same file, row by row.
  LoadReport file_report, stored_report;
  const TransactionLog file_log =
      load_transactions((dir_ / "all.csv").string(), csv_mapping(), file_report);
  const TransactionLog stored = ws.read_transactions(0, stored_report);
  ASSERT_EQ(stored.size(), file_log.size());
  for (std::size_t i = 0; i < stored.size(); ++i) {
    ASSERT_EQ(stored.customer_ids[stored.customer[i]], file_log.customer_ids[file_log.customer[i]])
        << "row " << i;
    ASSERT_EQ(stored.day[i], file_log.day[i]) << "row " << i;
    ASSERT_DOUBLE_EQ(stored.amount[i], file_log.amount[i]) << "row " << i;
  }
  // Each row keeps its source line: data rows start at line 2 (line 1 is the header).
  ASSERT_EQ(stored.line.size(), stored.size());
  EXPECT_EQ(stored.line.front(), 2);
  EXPECT_EQ(stored.line.back(), 6920);
  const auto batches = ws.batches();
  ASSERT_EQ(batches.size(), 1U);
  EXPECT_EQ(batches[0].file, (dir_ / "all.csv").string());
  EXPECT_EQ(batches[0].content_hash.size(), 64U);  // SHA-256 in hex
}

TEST_P(Store, SameFileIngestedTwiceIsRecognised) {
  const std::string where = new_workspace("twice");
  auto ws = store::WorkspaceStore::create(where);
  const store::IngestReport first = ingest_file(ws, dir_ / "early.csv");
  // The same content under another name is the same batch.
  fs::copy_file(dir_ / "early.csv", dir_ / "early_copy.csv");
  const store::IngestReport second = ingest_file(ws, dir_ / "early_copy.csv");
  EXPECT_EQ(second.batch, 0);
  EXPECT_EQ(second.already, first.batch);
  EXPECT_EQ(ws.batches().size(), 1U);
  EXPECT_EQ(stored_transactions(ws), static_cast<std::int64_t>(early_.size()));
}

TEST_P(Store, FailedIngestLeavesTheWorkspaceUnchanged) {
  const std::string where = new_workspace("failed");
  auto ws = store::WorkspaceStore::create(where);
  ingest_file(ws, dir_ / "early.csv");
  // A bad date on the last data row of the second file: --on-error fail ingests nothing.
  write_csv_file(dir_ / "late_bad.csv", late_, late_.size());
  try {
    ingest_file(ws, dir_ / "late_bad.csv");
    FAIL() << "a file with a bad row was ingested";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("late_bad.csv"), std::string::npos) << what;
    EXPECT_NE(what.find(std::to_string(late_.size() + 1)), std::string::npos) << what;  // line
  }
  EXPECT_EQ(ws.batches().size(), 1U);
  EXPECT_EQ(stored_transactions(ws), static_cast<std::int64_t>(early_.size()));
  EXPECT_EQ(ws.workspace_table("rejected_rows").rows(), 0U);
  // The good file still goes in afterwards.
  EXPECT_EQ(ingest_file(ws, dir_ / "late.csv").batch, 2);
  EXPECT_EQ(stored_transactions(ws), static_cast<std::int64_t>(all_.size()));
}

TEST_P(Store, SkippedRowsGoToRejectedRows) {
  const std::string where = new_workspace("rejected");
  auto ws = store::WorkspaceStore::create(where);
  write_csv_file(dir_ / "bad3.csv", early_, 3);
  store::IngestOptions o = transactions_ingest();
  o.load.on_error = ErrorPolicy::skip;
  LoadOptions lo = csv_mapping();
  lo.on_error = ErrorPolicy::skip;
  const store::IngestReport r =
      store::ingest(ws, TransactionSource::file((dir_ / "bad3.csv").string(), lo), o);
  EXPECT_EQ(r.rows_rejected, 1);
  EXPECT_EQ(r.rows_loaded, static_cast<std::int64_t>(early_.size()) - 1);
  const ResultTable rejected = ws.workspace_table("rejected_rows");
  ASSERT_EQ(rejected.rows(), 1U);
  const std::string csv = to_csv(rejected);
  EXPECT_NE(csv.find("1997-13-45"), std::string::npos) << csv;  // the text found
  EXPECT_NE(csv.find(",4,"), std::string::npos) << csv;         // data row 3 is line 4
}

TEST_P(Store, RunEqualsAnalyzeOnTheSameFile) {
  const std::string where = new_workspace("run");
  auto ws = store::WorkspaceStore::create(where);
  ingest_file(ws, dir_ / "all.csv");
  store::RunOptions o;
  const store::RunOutcome out = store::run_workspace(ws, o);
  EXPECT_EQ(out.run.id, 1);
  EXPECT_EQ(out.run.kind, "full");
  EXPECT_EQ(out.run.watermark, 1);

  Workspace file(TransactionSource::file((dir_ / "all.csv").string(), csv_mapping()));
  const Analysis expected = file.analyze(o.analyze, SideInputs{});
  EXPECT_EQ(out.analysis.customers, 2357U);
  EXPECT_EQ(out.analysis.model_name, expected.model_name);
  EXPECT_DOUBLE_EQ(out.analysis.model.log_likelihood, expected.model.log_likelihood);
  const auto want = tables_csv(expected);
  ASSERT_FALSE(want.empty());
  // Every table read back from the database equals the file analysis' table.
  for (const auto& [key, csv] : want) {
    std::int64_t run = 0;
    const ResultTable stored = ws.read_result(key, 0, &run);
    EXPECT_EQ(run, 1) << key;
    EXPECT_EQ(to_csv(stored), csv) << "table " << key;
  }
  const auto summary = ws.read_run_file("summary.json", 1);
  ASSERT_TRUE(summary.has_value());
  EXPECT_NE(summary->find("\"customers\": 2357"), std::string::npos);
}

TEST_P(Store, IncrementalIngestEqualsOneShotIngest) {
  const std::string one_shot = new_workspace("oneshot");
  const std::string two_batches = new_workspace("twobatches");
  auto a = store::WorkspaceStore::create(one_shot);
  auto b = store::WorkspaceStore::create(two_batches);
  ingest_file(a, dir_ / "all.csv");
  ingest_file(b, dir_ / "early.csv");
  ingest_file(b, dir_ / "late.csv");
  store::RunOptions o;
  const Analysis ra = store::run_workspace(a, o).analysis;
  const Analysis rb = store::run_workspace(b, o).analysis;
  EXPECT_EQ(ra.customers, rb.customers);
  EXPECT_EQ(ra.transactions, rb.transactions);
  const auto ta = tables_csv(ra), tb = tables_csv(rb);
  ASSERT_EQ(ta.size(), tb.size());
  for (const auto& [key, csv] : ta) EXPECT_EQ(tb.at(key), csv) << "table " << key;
}

TEST_P(Store, RunHistoryKeepsEveryRun) {
  const std::string where = new_workspace("history");
  auto ws = store::WorkspaceStore::create(where);
  ingest_file(ws, dir_ / "early.csv");
  store::RunOptions o;
  const store::RunOutcome first = store::run_workspace(ws, o);
  ingest_file(ws, dir_ / "late.csv");
  const store::RunOutcome second = store::run_workspace(ws, o);
  const auto runs = ws.runs();
  ASSERT_EQ(runs.size(), 2U);
  EXPECT_EQ(runs[0].id, 1);
  EXPECT_EQ(runs[0].watermark, 1);  // the first run saw batch 1 only
  EXPECT_EQ(runs[1].id, 2);
  EXPECT_EQ(runs[1].watermark, 2);
  EXPECT_EQ(runs[0].customers, static_cast<std::int64_t>(first.analysis.customers));
  EXPECT_EQ(runs[1].customers, static_cast<std::int64_t>(second.analysis.customers));
  EXPECT_LT(runs[0].transactions, runs[1].transactions);
  EXPECT_LE(runs[0].finished_at, runs[1].started_at);
  EXPECT_GT(runs[1].seconds, 0.0);
  // Run 1's tables are still there and still its own.
  EXPECT_EQ(to_csv(ws.read_result("customers", 1)), to_csv(first.analysis.tables.at("customers")));
  EXPECT_EQ(to_csv(ws.read_result("customers", 0)), to_csv(second.analysis.tables.at("customers")));
  EXPECT_EQ(ws.workspace_table("runs").rows(), 2U);
  // --if-stale: the newest run is seconds old, so a run within a day is skipped.
  store::RunOptions stale = o;
  stale.if_stale_seconds = 86400;
  const store::RunOutcome skipped = store::run_workspace(ws, stale);
  EXPECT_TRUE(skipped.skipped);
  EXPECT_EQ(ws.runs().size(), 2U);
}

TEST_P(Store, IncrementalRunEqualsFullRun) {
  const std::string where = new_workspace("incremental");
  auto ws = store::WorkspaceStore::create(where);
  ingest_file(ws, dir_ / "early.csv");
  store::RunOptions full;
  full.analyze.model = "bgnbd";  // the same model in both runs (auto chooses on a holdout)
  store::run_workspace(ws, full);
  ingest_file(ws, dir_ / "late.csv");
  store::RunOptions inc = full;
  inc.incremental = true;
  const store::RunOutcome incremental = store::run_workspace(ws, inc);
  EXPECT_EQ(incremental.run.kind, "incremental");
  EXPECT_GT(incremental.touched_customers, 0U);
  EXPECT_LT(incremental.touched_customers, 2357U);  // only the customers of the new batch
  const store::RunOutcome recalculated = store::run_workspace(ws, full);
  for (const char* key : {"customers", "segments"}) {
    EXPECT_EQ(to_csv(incremental.analysis.tables.at(key)),
              to_csv(recalculated.analysis.tables.at(key)))
        << "table " << key;
  }
  EXPECT_NEAR(incremental.analysis.model.log_likelihood, recalculated.analysis.model.log_likelihood,
              1e-9);
}

// ---- faults: SIGKILL at several points, concurrent writers, schema versions ------------------

/// Starts `command` through /bin/sh (which execs it) in a process group of its own, its output
/// discarded; returns the process id.
pid_t spawn(const std::string& command) {
  const std::string line = "exec " + command + " >/dev/null 2>&1";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

/// Waits for `pid`; its exit code, or 128 + the signal that ended it.
int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string quoted(const std::string& text) {
  return "'" + text + "'";
}

/// A simulated retailer (about 100k purchases) written once per test program: long enough an
/// ingest and a run to be killed in the middle of.
fs::path simulated_transactions() {
  static const fs::path file = [] {
    const fs::path dir = test::temp_dir("store_simulated");
    const auto r = test::run(test::cli() + " simulate --customers 20000 --seed 11 -o " +
                             quoted(dir.string()) + " -q");
    if (r.exit_code != 0) throw std::runtime_error("ltv simulate failed: " + r.err);
    return dir / "transactions.csv";
  }();
  return file;
}

std::string simulated_columns() {
  return " --customer customer_id --date date --amount amount --order order_id --product product";
}

/// What a reader may see: every batch complete (its stored rows = its rows_loaded), no row of a
/// batch that is not listed, every listed run committed with all its tables' rows, no rows of a
/// run that is not listed. Returns the number of batches and runs seen.
std::pair<std::size_t, std::size_t> expect_consistent(store::WorkspaceStore& ws,
                                                      const std::string& when) {
  store::Database& db = ws.database();
  std::map<std::int64_t, std::int64_t> listed, stored;
  db.scan("SELECT batch_id, rows_loaded FROM batches WHERE kind = 'transactions'", {},
          [&](const store::SqlRow& r) { listed[r.integer(0)] = r.integer(1); });
  db.scan("SELECT batch_id, COUNT(*) FROM transactions GROUP BY batch_id", {},
          [&](const store::SqlRow& r) { stored[r.integer(0)] = r.integer(1); });
  EXPECT_EQ(stored, listed) << when << ": stored rows per batch vs the batches table";
  std::map<std::int64_t, std::string> runs;
  db.scan("SELECT run_id, status FROM runs", {},
          [&](const store::SqlRow& r) { runs[r.integer(0)] = std::string(r.text(1)); });
  for (const auto& [run, status] : runs) EXPECT_EQ(status, "committed") << when << " run " << run;
  std::vector<std::tuple<std::int64_t, std::string, std::int64_t>> tables;
  db.scan("SELECT run_id, sql_table, row_count FROM run_tables", {}, [&](const store::SqlRow& r) {
    tables.emplace_back(r.integer(0), std::string(r.text(1)), r.integer(2));
  });
  for (const auto& [run, table, rows] : tables) {
    EXPECT_TRUE(runs.count(run)) << when << ": tables of run " << run << " that is not listed";
    std::int64_t count = -1;
    const store::SqlValue p[] = {run};
    db.scan("SELECT COUNT(*) FROM " + table + " WHERE run_id = $1", p,
            [&](const store::SqlRow& r) { count = r.integer(0); });
    EXPECT_EQ(count, rows) << when << ": run " << run << " table " << table;
  }
  if (db.has_table("r_customers")) {
    db.scan("SELECT DISTINCT run_id FROM r_customers", {}, [&](const store::SqlRow& r) {
      EXPECT_TRUE(runs.count(r.integer(0)))
          << when << ": customers of unlisted run " << r.integer(0);
    });
  }
  return {listed.size(), runs.size()};
}

TEST_P(Store, KilledIngestAndRunLeaveOnlyWholeBatchesAndRuns) {
  const std::string where = new_workspace("killed");
  store::WorkspaceStore::create(where);
  const std::string ingest = test::cli() + " ingest " + quoted(where) + " " +
                             quoted(simulated_transactions().string()) + simulated_columns() +
                             " -q";
  // Ingest killed with SIGKILL after these delays: while reading, writing and committing (the
  // last ones usually finish first; either way nothing partial may be seen).
  int killed = 0;
  for (const int ms : {40, 120, 250, 450, 800, 1500}) {
    const pid_t pid = spawn(ingest);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    ::kill(-pid, SIGKILL);
    if (wait_for(pid) == 128 + SIGKILL) ++killed;
    auto ws = store::WorkspaceStore::open(where);
    const auto [batches, runs] =
        expect_consistent(ws, "ingest killed at " + std::to_string(ms) + " ms");
    EXPECT_LE(batches, 1U);
    EXPECT_EQ(runs, 0U);
  }
  EXPECT_GT(killed, 0) << "no ingest was killed before it finished: the test proves nothing";
  // The next ingest completes (or finds the batch already there), and a run succeeds.
  auto r = test::run(ingest);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string run = test::cli() + " run " + quoted(where) + " --model bgnbd -q";
  r = test::run(run);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Runs killed at several points: run 1 stays, whole; no half run appears.
  killed = 0;
  for (const int ms : {100, 400, 900, 1600}) {
    const pid_t pid = spawn(run);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    ::kill(-pid, SIGKILL);
    if (wait_for(pid) == 128 + SIGKILL) ++killed;
    auto ws = store::WorkspaceStore::open(where);
    const auto [batches, runs] =
        expect_consistent(ws, "run killed at " + std::to_string(ms) + " ms");
    EXPECT_EQ(batches, 1U);
    EXPECT_GE(runs, 1U);
  }
  EXPECT_GT(killed, 0) << "no run was killed before it finished: the test proves nothing";
  r = test::run(run);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto ws = store::WorkspaceStore::open(where);
  expect_consistent(ws, "after the last run");
}

TEST_P(Store, ConcurrentIngestsBothLand) {
  const std::string where = new_workspace("concurrent");
  store::WorkspaceStore::create(where);
  // A long ingest (the simulated retailer) and a short one started while it runs: the second
  // waits for the first writer (SQLite busy wait, PostgreSQL advisory lock), then lands. (The
  // batches of a workspace map the same column roles.)
  const pid_t a = spawn(test::cli() + " ingest " + quoted(where) + " " +
                        quoted(simulated_transactions().string()) +
                        " --customer customer_id --date date --amount amount -q");
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const pid_t b =
      spawn(test::cli() + " ingest " + quoted(where) + " " + quoted((dir_ / "all.csv").string()) +
            " --customer customer_id --date date --amount amount -q");
  EXPECT_EQ(wait_for(a), 0);
  EXPECT_EQ(wait_for(b), 0);
  std::int64_t simulated_rows = -1;  // data lines of the simulated file
  {
    std::ifstream in(simulated_transactions());
    for (std::string line; std::getline(in, line);) ++simulated_rows;
  }
  auto ws = store::WorkspaceStore::open(where);
  const auto [batches, runs] = expect_consistent(ws, "after two concurrent ingests");
  EXPECT_EQ(batches, 2U);
  EXPECT_EQ(runs, 0U);
  EXPECT_EQ(stored_transactions(ws), simulated_rows + static_cast<std::int64_t>(all_.size()));
}

TEST_P(Store, OlderSchemaIsUpgradedAndNewerRefused) {
  const std::string old_where = new_workspace("schema_v1");
  {
    // A workspace as version 1 created it.
    auto ws = store::WorkspaceStore::create(old_where);
    store::Database& db = ws.database();
    for (const std::string_view table : store::schema_tables()) {
      db.execute("DROP TABLE IF EXISTS " + std::string(table));
    }
    store::Transaction tx(db, store::Transaction::Kind::write);
    store::create_schema(db, 1);
    tx.commit();
    EXPECT_FALSE(db.has_table("products"));
  }
  {
    auto ws = store::WorkspaceStore::open(old_where);  // upgraded in one transaction
    EXPECT_EQ(ws.schema_version(), store::kSchemaVersion);
    EXPECT_TRUE(ws.database().has_table("products"));
    const store::IngestReport r = ingest_file(ws, dir_ / "early.csv");
    EXPECT_EQ(r.rows_loaded, static_cast<std::int64_t>(early_.size()));
  }
  const std::string new_where = new_workspace("schema_v99");
  {
    auto ws = store::WorkspaceStore::create(new_where);
    ws.database().execute("UPDATE ltv_meta SET value = '99' WHERE name = 'schema_version'");
  }
  try {
    store::WorkspaceStore::open(new_where);
    ADD_FAILURE() << "a workspace of schema version 99 was opened";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("schema version 99 is newer"), std::string::npos) << what;
    EXPECT_NE(what.find("(version " + std::to_string(store::kSchemaVersion) + ")"),
              std::string::npos)
        << what;
  }
}

TEST_P(Store, AFailingQueryIsOneClearLine) {
  const std::string where = new_workspace("query");
  {
    auto ws = store::WorkspaceStore::create(where);
    ingest_file(ws, dir_ / "early.csv");
  }
  const auto r = test::run(test::cli() + " summary --source " + quoted(where) +
                           " --query 'select no_such_column from transactions' --customer c "
                           "--date d -q");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("no_such_column"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.rfind("ltv: error: ", 0), 0U) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Databases, Store, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
