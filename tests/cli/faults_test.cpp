// Fault injection and resource bounds, end to end through the CLI: writes that fail (a full
// device, a read-only folder, an output path that is a directory), a process killed with SIGKILL
// in the middle of a large write, and inputs crafted to blow memory run under `ulimit -v`.
// Each ends with a non-zero exit and one line naming the reason, the previous output untouched,
// or a correct result; never a half-written file or an out-of-memory kill.
//
// The tests named *Slow* (larger generated inputs, `ulimit -v`) are left out of the sanitizer run
// (AddressSanitizer reserves terabytes of address space, so `ulimit -v` cannot apply to it).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ltv/io/dates.hpp"
#include "ltv/io/table.hpp"
#include "test_data.hpp"

namespace {

namespace fs = std::filesystem;
using ltv::test::cli;
using ltv::test::run;

std::string q(const fs::path& p) {
  return fmt::format("'{}'", p.string());
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// A run's summary.json without its step timings (which differ from run to run): what tells one
/// run's results from another's. The text as it is when it is not whole JSON.
std::string results_of(const fs::path& summary) {
  const std::string text = slurp(summary);
  auto j = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return text;
  j.erase("timings");
  return j.dump();
}

/// `customers` customers with two purchases each, in customer order.
fs::path orders(const fs::path& dir, int customers, const std::string& name = "orders.csv") {
  const fs::path path = dir / name;
  std::ofstream out(path);
  out << "customer,date,amount\n";
  for (int c = 0; c < customers; ++c) {
    out << fmt::format("c{:07},2020-01-{:02},{}.5\nc{:07},2020-03-{:02},{}\n", c, 1 + c % 28,
                       c % 97, c, 1 + c % 30, c % 13);
  }
  return path;
}

std::string summary_of(const fs::path& input) {
  return cli() + " summary " + q(input) + " --customer customer --date date --amount amount -q";
}

/// Runs `command` with a limit on address space (KB) in a shell.
ltv::test::CommandResult run_limited(const std::string& command, long kilobytes) {
  return run(fmt::format("ulimit -v {} && {}", kilobytes, command));
}

TEST(Faults, AFullDeviceIsASystemErrorWithItsReason) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no writable /dev/full";
  const auto dir = ltv::test::temp_dir("faults_full");
  const auto r = run(summary_of(orders(dir, 50000)) + " -o /dev/full");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "ltv: error: could not write output to '/dev/full' (No space left on device)\n");
}

TEST(Faults, AReadOnlyFolderLeavesThePreviousFile) {
  const auto dir = ltv::test::temp_dir("faults_readonly");
  const auto input = orders(dir, 100);
  const auto folder = dir / "out";
  fs::create_directories(folder);
  std::ofstream(folder / "summary.csv") << "previous\n";
  ::chmod(dir.c_str(), 0755);
  ::chmod(input.c_str(), 0644);
  ::chmod((folder / "summary.csv").c_str(), 0644);
  ::chmod(folder.c_str(), 0555);
  // Root ignores folder permissions: run the command as nobody then (tests never need root).
  const std::string as_user =
      ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  const auto r = run(as_user + summary_of(input) + " -o " + q(folder / "summary.csv"));
  ::chmod(folder.c_str(), 0755);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err, "ltv: error: option --output: found '" + (folder / "summary.csv").string() +
                       "', expected a file that can be created for writing (Permission denied)\n");
  EXPECT_EQ(slurp(folder / "summary.csv"), "previous\n");
}

TEST(Faults, AnOutputPathThatIsADirectoryIsRefused) {
  const auto dir = ltv::test::temp_dir("faults_directory");
  fs::create_directories(dir / "summary.csv");
  const auto r = run(summary_of(orders(dir, 10)) + " -o " + q(dir / "summary.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ltv: error: option --output: found '" + (dir / "summary.csv").string() +
                       "', expected an output file name (this is a directory)\n");
  EXPECT_TRUE(fs::is_directory(dir / "summary.csv"));
}

TEST(Faults, OptionParserErrorsHaveTheErrorShapeAndExitCode1) {
  for (const char* args : {"summary --no-such-option x.csv", "summary", "no-such-command"}) {
    const auto r = run(cli() + " " + args);
    EXPECT_EQ(r.exit_code, 1) << args;
    EXPECT_EQ(r.err.rfind("ltv: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("(see 'ltv --help')"), std::string::npos) << r.err;
  }
  // An option the command would ignore is refused, naming it, before the file is opened.
  {
    const auto r = run(cli() + " kpis x.csv --customer c --date d --time-unit month");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err.rfind("ltv: error: option --time-unit: found 'month', expected no value", 0),
              0u)
        << r.err;
  }
  // Values the parameter table refuses, before any work (x.csv does not exist: never opened).
  for (const char* args : {"--horizon abc", "--horizon inf", "--discount-rate -1",
                           "--discount-rate nan", "--discount-rate inf", "--time-unit fortnight",
                           "--calibration-end 2021-01-01 --observation-end 2020-01-01"}) {
    const auto r = run(cli() + " analyze x.csv --customer c --date d -o out " + args);
    EXPECT_EQ(r.exit_code, 1) << args;
    const std::string_view a = args;
    const std::string named = a.find("observation") != std::string_view::npos
                                  ? std::string("option --observation-end: found '2020-01-01'")
                                  : fmt::format("option {}: found '", a.substr(0, a.find(' ')));
    EXPECT_EQ(r.err.rfind(fmt::format("ltv: error: {}", named), 0), 0u) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // The same for a command on the shared transaction options.
  const auto late = run(cli() +
                        " summary x.csv --customer c --date d --calibration-end "
                        "2021-01-01 --observation-end 2020-01-01");
  EXPECT_EQ(late.exit_code, 1);
  EXPECT_EQ(late.err.rfind("ltv: error: option --observation-end: found '2020-01-01', expected a "
                           "day on or after the calibration end 2021-01-01",
                           0),
            0u)
      << late.err;
  const auto help = run(cli() + " summary --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--date-window"), std::string::npos);
}

TEST(Faults, SummaryKilledWhileWritingLeavesThePreviousOutputIntact) {
  const auto dir = ltv::test::temp_dir("faults_kill");
  // 400,000 customers: about 30 MB of summary, written in 8 MiB blocks.
  const auto input = orders(dir, 400000);
  const auto output = dir / "summary.csv";
  std::ofstream(output) << "the previous run's summary\n";
  const std::string command = "exec " + summary_of(input) + " -o " + q(output);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until the hidden temporary file has its first block, then kill mid-write.
  bool caught = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!caught && std::chrono::steady_clock::now() < deadline) {
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string name = e.path().filename().string();
      std::error_code ec;
      if (name.rfind(".summary.csv.ltv-tmp-", 0) == 0 && fs::file_size(e.path(), ec) > 0) {
        caught = true;
      }
    }
    int status = 0;
    if (!caught && ::waitpid(pid, &status, WNOHANG) == pid) break;  // finished too early
    if (!caught) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(caught) << "the write was not observed before the command ended";
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(slurp(output), "the previous run's summary\n");
  // The next run replaces it whole.
  const auto r = run(summary_of(input) + " -o " + q(output));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string text = slurp(output);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 400001);
}

TEST(Faults, SlowFarDatesUnderAMemoryLimitAreClearErrors) {
  const auto dir = ltv::test::temp_dir("faults_far_dates");
  const auto input = orders(dir, 2000);
  { std::ofstream(input, std::ios::app) << "sentinel,0000-01-01,1\n"; }
  const long kLimit = 2L << 20;  // 2 GB of address space, in KB
  const auto summary = run_limited(summary_of(input), kLimit);
  EXPECT_EQ(summary.exit_code, 1);
  EXPECT_EQ(summary.err, "ltv: error: " + input.string() +
                             ":4002: column 'date': found '0000-01-01', expected a date from "
                             "1900-01-01 to 2100-12-31 (--date-window)\n");
  // With the window opened by the user, the daily cohort table over 2,020 years is refused by
  // its size, not attempted.
  const auto cohorts = run_limited(cli() + " cohorts " + q(input) +
                                       " --customer customer --date date --amount amount -q "
                                       "--date-window 0000-01-01..2100-12-31 --period day",
                                   kLimit);
  EXPECT_EQ(cohorts.exit_code, 1) << cohorts.err;
  EXPECT_NE(cohorts.err.find("option --period: found 'day', expected a period long enough for a "
                             "cohort table of at most 256 MiB"),
            std::string::npos)
      << cohorts.err;
  const auto analyze = run_limited(cli() + " analyze " + q(input) +
                                       " --customer customer --date date --amount amount -q "
                                       "--no-report -o " +
                                       q(dir / "analysis"),
                                   kLimit);
  EXPECT_EQ(analyze.exit_code, 1) << analyze.err;
  EXPECT_NE(analyze.err.find("found '0000-01-01'"), std::string::npos) << analyze.err;
}

TEST(Faults, SlowHugeLinesUnderAMemoryLimitAreClearErrors) {
  const auto dir = ltv::test::temp_dir("faults_huge_line");
  const auto input = dir / "one_line.csv";
  {
    std::ofstream out(input);
    out << "customer,date,amount\nc1,2020-01-01,";
    const std::string block(1 << 20, '7');
    for (int i = 0; i < 40; ++i) out << block;  // a 40 MB amount, no line break
  }
  const auto r = run_limited(summary_of(input), 2L << 20);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ltv: error: " + input.string() +
                       ":2: found 'a record of more than 16777216 bytes', expected records (lines) "
                       "of at most 16777216 bytes: line breaks between records, and a closing "
                       "quote for every quoted field\n");
  const auto zero = run_limited(
      "head -c 100000000 /dev/zero | " + cli() + " summary - --customer customer --date date",
      2L << 20);
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_EQ(zero.err.rfind("ltv: error: -:1: found 'a NUL byte (binary data, not text)'", 0), 0u)
      << zero.err;
  const auto device = run_limited(cli() + " summary /dev/zero --customer c --date d", 2L << 20);
  EXPECT_EQ(device.exit_code, 1);
  EXPECT_EQ(device.err,
            "ltv: error: /dev/zero: found 'a character device', expected a regular "
            "file (use '-' to read standard input from a pipe)\n");
}

TEST(Faults, SlowOneCustomerWithAMillionPurchasesUnderAMemoryLimit) {
  const auto dir = ltv::test::temp_dir("faults_million");
  const auto input = dir / "million.csv";
  double revenue = 0;  // quarters: every partial sum is exact
  {
    std::ofstream out(input);
    out << "customer,date,amount,order,product\n";
    // 1,000,000 lines (about 40 MB) of one customer on 1,000 days, 10 products, 100,000 orders.
    const std::int32_t first = ltv::days_from_civil(2018, 1, 1);
    for (int i = 0; i < 1000000; ++i) {
      const double amount = 1 + i % 7 + 0.25;
      revenue += amount;
      out << "whale," << ltv::format_date(first + i / 1000) << ',' << amount << ",o" << i / 10
          << ",p" << i % 10 << '\n';
    }
  }
  const long kLimit = 2L << 20;
  const auto summary = run_limited(summary_of(input) + " --order order --time-unit day", kLimit);
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  const ltv::Table t = ltv::read_table_text(summary.out);
  ASSERT_EQ(t.rows(), 1u);
  EXPECT_EQ(t.column("frequency")[0], "999");  // 1,000 purchase days
  EXPECT_EQ(t.column("recency")[0], "999");
  EXPECT_EQ(t.column("orders")[0], "100000");
  EXPECT_EQ(t.column("revenue")[0], fmt::format("{}", revenue));
  // The whole job: a result or one clear error, never a kill or an out-of-memory exit.
  const auto analyze = run_limited(cli() + " analyze " + q(input) +
                                       " --customer customer --date date --amount amount --order "
                                       "order --product product -q --no-report -o " +
                                       q(dir / "analysis"),
                                   kLimit);
  EXPECT_NE(analyze.exit_code, -1) << "killed by a signal: " << analyze.err;
  EXPECT_NE(analyze.exit_code, 3) << analyze.err;
  if (analyze.exit_code != 0) {
    EXPECT_EQ(analyze.err.rfind("ltv: error: ", 0), 0u) << analyze.err;
    EXPECT_EQ(std::count(analyze.err.begin(), analyze.err.end(), '\n'), 1) << analyze.err;
  }
}

}  // namespace

namespace {

/// Runs `command` in a shell of its own process; the caller waits for it.
pid_t spawn(const std::string& command) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

/// The hidden stage folder of `target` being built by a running analyze (empty when none).
fs::path stage_of(const fs::path& target) {
  const std::string prefix = fmt::format(".{}.ltv-stage-", target.filename().string());
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(target.parent_path(), ec)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) return e.path();
  }
  return {};
}

}  // namespace

// `ltv analyze` killed with SIGKILL at several points (loading, the stage folder just created,
// tables being written into it, its manifest written): the output folder is, every time, the
// previous complete run or the new complete one (its manifest matches its files, and its
// summary.json is one of the two runs'), never a mix; `ltv report` renders it; a folder edited
// after the run (a file cut short) is refused by `ltv report`.
TEST(Faults, SlowAnalyzeKilledAtSeveralPointsLeavesThePreviousOrTheNewFolder) {
  const auto dir = ltv::test::temp_dir("faults_kill_analyze");
  const auto simulate = [&](int customers, int seed, const std::string& name) {
    const auto r = run(fmt::format("{} simulate --customers {} --seed {} -o {}", cli(), customers,
                                   seed, q(dir / name)));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return dir / name / "transactions.csv";
  };
  const auto small = simulate(2000, 1, "sim_a");
  const auto large = simulate(20000, 2, "sim_b");
  const auto target = dir / "results";
  const auto analyze = [&](const fs::path& input) {
    return cli() + " analyze " + q(input) +
           " --customer customer_id --date date --amount amount -q -o " + q(target);
  };
  const auto previous = run(analyze(small));
  ASSERT_EQ(previous.exit_code, 0) << previous.err;
  const std::string previous_summary = results_of(target / "summary.json");
  ASSERT_FALSE(previous_summary.empty());

  // The new run, once, to know its summary.json (the same results every run).
  const auto new_dir = dir / "new_results";
  ASSERT_EQ(run(cli() + " analyze " + q(large) +
                " --customer customer_id --date date --amount amount -q -o " + q(new_dir))
                .exit_code,
            0);
  const std::string new_summary = results_of(new_dir / "summary.json");
  ASSERT_NE(new_summary, previous_summary);

  struct Point {
    const char* name;
    std::function<bool()> reached;
  };
  const auto started = std::make_shared<std::chrono::steady_clock::time_point>();
  const std::vector<Point> points = {
      {"loading (50 ms after the start)",
       [&] { return std::chrono::steady_clock::now() - *started > std::chrono::milliseconds(50); }},
      {"stage folder created", [&] { return !stage_of(target).empty(); }},
      {"customers.csv in the stage",
       [&] {
         const fs::path s = stage_of(target);
         std::error_code ec;
         return !s.empty() && fs::exists(s / "customers.csv", ec);
       }},
      {"manifest.json in the stage",
       [&] {
         const fs::path s = stage_of(target);
         std::error_code ec;
         return !s.empty() && fs::exists(s / "manifest.json", ec);
       }},
  };
  int caught = 0;
  for (const Point& point : points) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      *started = std::chrono::steady_clock::now();
      const pid_t pid = spawn(analyze(large));
      ASSERT_GT(pid, 0);
      bool hit = false;
      int status = 0;
      bool ended = false;
      while (!hit && !ended) {
        hit = point.reached();
        if (!hit) {
          ended = ::waitpid(pid, &status, WNOHANG) == pid;
          std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
      }
      if (hit) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
      }
      // Whatever happened, the folder is one complete run.
      const std::string now = results_of(target / "summary.json");
      EXPECT_TRUE(now == previous_summary || now == new_summary)
          << point.name << ": summary.json of neither run";
      const auto check = run(cli() + " report " + q(target) + " -q");
      EXPECT_EQ(check.exit_code, 0) << point.name << ": " << check.err;
      if (hit && WIFSIGNALED(status)) {
        ++caught;
        // Back to the previous run for the next point when the killed one had already swapped.
        if (now != previous_summary) {
          ASSERT_EQ(run(analyze(small)).exit_code, 0);
        }
        break;
      }
      ASSERT_EQ(run(analyze(small)).exit_code, 0);  // ended before the point: again
    }
  }
  // The first two points are always reached (the load and the writing take far longer than the
  // polling interval); the later ones depend on the machine's speed.
  std::printf("ltv analyze killed at %d of %zu points\n", caught, points.size());
  EXPECT_GE(caught, 2);
  // No stage folder is left behind once a run completes (the killed ones' are removed by it).
  ASSERT_EQ(run(analyze(large)).exit_code, 0);
  EXPECT_TRUE(stage_of(target).empty());
  EXPECT_EQ(results_of(target / "summary.json"), new_summary);
  // A folder changed after the run is refused by ltv report, naming the file.
  fs::resize_file(target / "customers.csv", fs::file_size(target / "customers.csv") / 2);
  const auto damaged = run(cli() + " report " + q(target) + " -q");
  EXPECT_EQ(damaged.exit_code, 1);
  EXPECT_NE(damaged.err.find("customers.csv"), std::string::npos) << damaged.err;
  EXPECT_NE(damaged.err.find("manifest.json"), std::string::npos) << damaged.err;
}

// `ltv analyze -o DIR` where DIR holds one of its inputs (the transactions, or a side file such
// as --customers): refused before anything is read or written, the input untouched.
TEST(Faults, AnalyzeRefusesAnOutputFolderHoldingAnInput) {
  const auto dir = ltv::test::temp_dir("faults_analyze_input");
  fs::create_directories(dir / "in");
  const auto input = orders(dir / "in", 50);
  const std::string before = slurp(input);
  const auto into_input =
      run(cli() + " analyze " + q(input) +
          " --customer customer --date date --amount amount -q -o " + q(dir / "in"));
  EXPECT_EQ(into_input.exit_code, 1);
  EXPECT_EQ(into_input.err.rfind("ltv: error: option --output: found '", 0), 0u) << into_input.err;
  EXPECT_EQ(std::count(into_input.err.begin(), into_input.err.end(), '\n'), 1) << into_input.err;
  const auto side = dir / "side";
  fs::create_directories(side);
  std::ofstream(side / "customers.csv") << "customer_id,segment\nc0000000,a\n";
  const auto into_side = run(cli() + " analyze " + q(input) +
                             " --customer customer --date date --amount amount -q --customers " +
                             q(side / "customers.csv") + " -o " + q(side));
  EXPECT_EQ(into_side.exit_code, 1);
  EXPECT_NE(into_side.err.find("customers.csv"), std::string::npos) << into_side.err;
  EXPECT_EQ(slurp(input), before);
  EXPECT_EQ(slurp(side / "customers.csv"), "customer_id,segment\nc0000000,a\n");
}
