#pragma once
// Options shared by the cross-sell commands (basket, recommend, penetration): which columns hold
// the basket, customer, date, item and category, and how the file is loaded.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "ltv/error.hpp"
#include "ltv/io/load.hpp"

namespace ltv::cli {

struct CrossSellInput {
  std::string file;
  std::string basket;    ///< order / invoice id column
  std::string customer;  ///< customer id column
  std::string date;      ///< date column
  std::string item = "product";
  std::string category;
  std::string quantity;
  std::string amount;
  std::string delimiter = "auto";
  std::string returns = "drop";
  std::string on_error = "fail";
  bool quiet = false;
};

/// Adds FILE and the column / loading options. `needs_customer_date` changes the help text.
inline void add_cross_sell_input(CLI::App* cmd, CrossSellInput& in, bool needs_customer_date) {
  cmd->add_option("file", in.file, "Transactions or line items (CSV/TSV, gzip, - for stdin)")
      ->required();
  cmd->add_option("--customer", in.customer,
                  needs_customer_date ? "Customer id column (required)"
                                      : "Customer id column (baskets = customer + day without "
                                        "--basket)");
  cmd->add_option("--date", in.date,
                  needs_customer_date ? "Purchase date column (required)" : "Purchase date column");
  cmd->add_option("--item", in.item, "Item / product column")->capture_default_str();
  cmd->add_option("--category", in.category, "Category column (for --level category)");
  cmd->add_option("--quantity", in.quantity, "Quantity column (lines with quantity <= 0 ignored)");
  cmd->add_option("--amount", in.amount, "Line amount column");
  cmd->add_option("--delimiter", in.delimiter, "Field delimiter: auto , ; tab | whitespace")
      ->capture_default_str();
  cmd->add_option("--returns", in.returns,
                  "Return / cancellation lines: drop (not purchases) or net")
      ->capture_default_str();
  cmd->add_option("--on-error", in.on_error, "Rows with bad fields: fail or skip (and report)")
      ->capture_default_str();
  cmd->add_flag("--quiet", in.quiet, "Do not print the load report on stderr");
}

/// Loads the file with the given roles. Prints the load report to stderr unless quiet.
inline TransactionLog load_cross_sell(const CrossSellInput& in, bool require_customer_date) {
  LoadOptions o;
  o.columns.order = in.basket;
  o.columns.customer = in.customer;
  o.columns.date = in.date;
  o.columns.product = in.item;
  o.columns.category = in.category;
  o.columns.quantity = in.quantity;
  o.columns.amount = in.amount;
  o.csv.delimiter = parse_delimiter(in.delimiter);
  o.returns = parse_returns_policy(in.returns);
  o.on_error = parse_error_policy(in.on_error);
  o.require_customer = require_customer_date;
  o.require_date = require_customer_date;
  o.keep_extra_columns = false;
  LoadReport report;
  auto log = load_transactions(in.file, o, report);
  if (!in.quiet) std::fputs(report.to_text().c_str(), stderr);
  return log;
}

}  // namespace ltv::cli
