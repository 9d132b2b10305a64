#pragma once
// Options shared by the cross-sell commands (basket, recommend, penetration): the shared
// transaction command shape (transaction_options.hpp) plus `--item` (= --product) and
// `--basket` (= --order), and returns dropped by default (a return is not a purchase).

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "ltv/error.hpp"
#include "ltv/io/load.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {

/// Adds FILE, the shared transaction options, `--item` and, when `with_basket`, `--basket`.
inline void add_cross_sell_input(CLI::App* cmd, TransactionCliOptions& o, bool with_basket) {
  o.returns = "drop";  // shown as the default of --returns
  add_transaction_options(*cmd, o);
  const char* cols = "Columns (header name or 1-based number)";
  cmd->add_option("--item", o.columns.product, "Item column (the same as --product)")->group(cols);
  if (with_basket) {
    cmd->add_option("--basket", o.columns.order, "Basket column: order / invoice id (= --order)")
        ->group(cols);
  }
}

/// Loads the file; customers and dates are required only when `require_customer_date`.
/// Prints the load report on stderr unless --quiet. Throws InputError for an empty result.
inline TransactionLog load_cross_sell(const TransactionCliOptions& o, bool require_customer_date) {
  LoadOptions lo = load_options(o);
  lo.require_customer = require_customer_date;
  lo.require_date = require_customer_date;
  lo.keep_extra_columns = false;
  LoadReport report;
  auto log = load_transactions(o.file, lo, report);
  if (!o.quiet) std::fputs(report.to_text().c_str(), stderr);
  if (log.size() == 0) input_error({o.file, 0, ""}, "no rows", "at least one purchase line");
  return log;
}

/// Checks that the item (or category) column of `level` was given.
inline void require_item_column(const TransactionCliOptions& o, bool category_level) {
  if (category_level) {
    if (o.columns.category.empty()) {
      parameter_error("level", "category", "--category COL naming the category column");
    }
  } else if (o.columns.product.empty()) {
    parameter_error("item", "", "the item / product column (a header name or a number)");
  }
}

}  // namespace ltv::cli
