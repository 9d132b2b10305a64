// `ltv summary` writes the same bytes whatever the row order of its input: the real data sets
// (CDNOW, Online Retail) and simulated retailers (with a holdout, returns and same-day purchases)
// rewritten by customer, by date and shuffled, and read from stdin (the TransactionLog path).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/table.hpp"
#include "test_data.hpp"

namespace {

using ltv::test::cli;
using ltv::test::run;

std::string q(const std::filesystem::path& p) {
  return fmt::format("'{}'", p.string());
}

/// A data row: its line (with its line break) and the two fields it is ordered by.
struct Row {
  std::string line;
  std::string customer;
  std::string date;
};

/// Writes `header` and the rows in one of the three orders: by customer (ids in output order,
/// each customer's rows as they came), by date (stable), or shuffled.
std::filesystem::path write_in_order(const std::filesystem::path& dir, const std::string& name,
                                     const std::string& header, std::vector<Row> rows,
                                     const std::string& order) {
  if (order == "customer") {
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return ltv::id_before(a.customer, b.customer);
    });
  } else if (order == "date") {
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row& a, const Row& b) { return a.date < b.date; });
  } else {
    std::mt19937_64 rng(2024);
    std::shuffle(rows.begin(), rows.end(), rng);
  }
  const auto path = dir / (name + "-" + order + ".csv");
  std::ofstream out(path, std::ios::binary);
  out << header;
  for (const Row& r : rows) out << r.line;
  return path;
}

/// Rows of a delimited text file with a header line (fields split on `delimiter`, or on runs of
/// spaces when it is ' '); `customer` and `date` are field positions.
std::vector<Row> read_rows(const std::filesystem::path& path, char delimiter, int customer,
                           int date, std::string& header, bool has_header = true) {
  std::ifstream in(path, std::ios::binary);
  std::vector<Row> rows;
  std::string line;
  bool first = has_header;
  while (std::getline(in, line)) {
    if (first) {
      header = line + "\n";
      first = false;
      continue;
    }
    std::vector<std::string> fields;
    std::istringstream split(line);
    std::string f;
    if (delimiter == ' ') {
      while (split >> f) fields.push_back(f);
    } else {
      while (std::getline(split, f, delimiter)) fields.push_back(f);
    }
    rows.push_back(Row{line + "\n", fields.at(static_cast<std::size_t>(customer)),
                       fields.at(static_cast<std::size_t>(date))});
  }
  return rows;
}

/// Runs `ltv summary` with `options` on the three orders of `rows` and on the first one through
/// stdin; all four outputs must be the same bytes. Returns that output.
std::string same_summary_in_every_order(const std::filesystem::path& dir, const std::string& name,
                                        const std::string& header, const std::vector<Row>& rows,
                                        const std::string& options) {
  std::string first;
  for (const std::string order : {"customer", "date", "shuffled"}) {
    SCOPED_TRACE(order);
    const auto path = write_in_order(dir, name, header, rows, order);
    const auto r = run(cli() + " summary " + q(path) + " " + options + " -q");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(r.out.empty());
    if (order == "customer") {
      first = r.out;
      // stdin cannot be read twice: the TransactionLog path.
      const auto piped = run("cat " + q(path) + " | " + cli() + " summary - " + options + " -q");
      EXPECT_EQ(piped.exit_code, 0) << piped.err;
      EXPECT_TRUE(piped.out == first) << "stdin differs";
    } else {
      EXPECT_TRUE(r.out == first) << order << " differs from customer order";
    }
  }
  return first;
}

TEST(CliSummaryOrders, CdnowInEveryOrderGivesTheSameBytes) {
  const auto dir = ltv::test::temp_dir("cli_summary_orders_cdnow");
  std::string header;
  const auto master =
      read_rows(ltv::test::shared_data("cdnow/CDNOW_master.txt"), ' ', 0, 1, header);
  ASSERT_EQ(master.size(), 69659u);  // README: 69,659 rows
  const std::string out = same_summary_in_every_order(
      dir, "master", header, master,
      "--customer customer_id --date date --amount dollar_value --quantity number_of_cds "
      "--calibration-end 1997-09-30 --observation-end 1998-06-30");
  EXPECT_EQ(ltv::read_table_text(out).rows(), 23570u);  // README: every customer bought in Q1 1997
  // The sample, without a header (sample id, date, dollars in columns 2, 3 and 5).
  const auto sample =
      read_rows(ltv::test::shared_data("cdnow/CDNOW_sample.txt"), ' ', 1, 2, header, false);
  ASSERT_EQ(sample.size(), 6919u);
  const std::string s = same_summary_in_every_order(
      dir, "sample", "", sample, "--no-header --customer 2 --date 3 --amount 5 --time-unit day");
  EXPECT_EQ(ltv::read_table_text(s).rows(), 2357u);
}

TEST(CliSummaryOrders, SlowOnlineRetailInEveryOrderGivesTheSameBytes) {
  // Quantity x price, cancellations netted (--returns net) and orders counted by InvoiceNo.
  const auto dir = ltv::test::temp_dir("cli_summary_orders_retail");
  ltv::CsvReader reader(ltv::test::shared_data("online_retail/online_retail.csv.gz").string());
  const std::vector<std::string>& names = reader.header();
  auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  const std::size_t customer = column("CustomerID"), date = column("InvoiceDate");
  ASSERT_LT(customer, names.size());
  ASSERT_LT(date, names.size());
  auto csv_field = [](std::string_view f) {
    if (f.find_first_of(",\"\n") == std::string_view::npos) return std::string(f);
    std::string quoted = "\"";
    for (char c : f) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  };
  std::string header;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) header += ',';
    header += csv_field(names[i]);
  }
  header += "\n";
  std::vector<Row> rows;
  std::set<std::string> buyers;  // customers with a purchase line (not a return)
  const std::size_t quantity = column("Quantity"), price = column("UnitPrice");
  ltv::CsvRecord record;
  while (reader.next(record)) {
    std::string line;
    for (std::size_t i = 0; i < record.size(); ++i) {
      if (i > 0) line += ',';
      line += csv_field(record[i]);
    }
    rows.push_back(Row{line + "\n", std::string(record[customer]), std::string(record[date])});
    const double qty = std::stod(std::string(record[quantity]));
    if (!record[customer].empty() && qty >= 0 && qty * std::stod(std::string(record[price])) >= 0) {
      buyers.insert(std::string(record[customer]));
    }
  }
  ASSERT_EQ(rows.size(), 541909u);  // README: 541,909 rows
  const std::string options =
      "--customer CustomerID --date InvoiceDate --order InvoiceNo --quantity Quantity "
      "--price UnitPrice";
  const std::string out = same_summary_in_every_order(dir, "retail", header, rows, options);
  EXPECT_EQ(ltv::read_table_text(out).rows(), buyers.size());
  same_summary_in_every_order(dir, "retail_holdout", header, rows,
                              options + " --calibration-end 2011-08-31 --returns drop");
}

TEST(CliSummaryOrders, SimulatedRetailerWithReturnsAndHoldout) {
  const auto dir = ltv::test::temp_dir("cli_summary_orders_sim");
  // The simulator's three orders hold the same rows, so they give the same summary.
  std::string by_simulator;
  for (const std::string order : {"customer", "date", "shuffled"}) {
    const auto sim =
        run(cli() + " simulate --customers 3000 --seed 8 --transactions-only -q --order " + order +
            " -o " + q(dir / order));
    ASSERT_EQ(sim.exit_code, 0) << sim.err;
    const auto r = run(cli() + " summary " + q(dir / order / "transactions.csv") +
                       " --customer customer_id --date date --amount amount -q");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    if (order == "customer") {
      by_simulator = r.out;
    } else {
      EXPECT_TRUE(r.out == by_simulator) << order;
    }
  }
  // Returns added to the customer-ordered file: every 5th line returned in part on its own day
  // (before or after its purchase in the file), every 7th a week later; several lines per order
  // and repeat purchases on one day come from the simulator.
  std::string header;
  std::vector<Row> rows = read_rows(dir / "customer" / "transactions.csv", ',', 0, 1, header);
  ASSERT_GT(rows.size(), 10000u);
  const std::size_t n = rows.size();
  for (std::size_t i = 0; i < n; i += 5) {
    std::vector<std::string> f;
    std::istringstream split(rows[i].line.substr(0, rows[i].line.size() - 1));
    for (std::string x; std::getline(split, x, ',');) f.push_back(x);
    std::string date = f[1];
    if (i % 7 == 0) {
      const std::int32_t later = ltv::parse_date(date, "date") + 7;
      date = ltv::format_date(later);
    }
    const double amount = std::stod(f[2]) / 2;
    const std::string line = fmt::format("{},{},{:.2f},{},{},{},-1,{},{}\n", f[0], date, -amount,
                                         f[3], f[4], f[5], f[7], f[8]);
    rows.push_back(Row{line, f[0], date});
  }
  const std::string out = same_summary_in_every_order(
      dir, "returns", header, rows,
      "--customer customer_id --date date --amount amount --quantity quantity "
      "--calibration-end 2025-03-31 --observation-end 2025-12-31 --time-unit day");
  EXPECT_GT(ltv::read_table_text(out).rows(), 2000u);
}

TEST(CliSummaryOrders, ValuesBeyondExactSumsGiveTheSameBytes) {
  // Amounts an exact 128-bit sum cannot hold (1e-30, finer than its 2^-72 resolution) take the
  // TransactionLog with wide exact sums: still the same bytes in every order. Large amounts are
  // bounded by the loader (at most 1e15 in magnitude, LoadOptions::max_abs_value): the largest
  // allowed is used.
  const auto dir = ltv::test::temp_dir("cli_summary_orders_wide");
  std::vector<Row> rows;
  for (int c = 0; c < 50; ++c) {
    for (int k = 0; k < 6; ++k) {
      const std::string id = fmt::format("k{}", c * 37 % 50);
      const std::string date = fmt::format("2022-0{}-1{}", 1 + k % 5, c % 10);
      const double amount = k == 2 ? 1e-30 : (k == 3 ? 1e15 / (c + 1) : 0.1 * (c + k));
      rows.push_back(Row{fmt::format("{},{},{}\n", id, date, amount), id, date});
    }
  }
  same_summary_in_every_order(dir, "wide", "customer,date,amount\n", rows,
                              "--customer customer --date date --amount amount");
}

}  // namespace
