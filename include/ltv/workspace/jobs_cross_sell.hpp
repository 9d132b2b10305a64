#pragma once
/// The cross-sell jobs: association rules and follow-on sequences (`ltv basket`). Options come
/// from the parameter groups "cross_sell" (the item column; returns are dropped by default: a
/// return is not a purchase) and the job's own group; side data (a hierarchy) is read by a
/// read_*_job_inputs function or handed over by a face as tables.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ltv/io/table.hpp"
#include "ltv/recommend/association.hpp"
#include "ltv/recommend/baskets.hpp"
#include "ltv/recommend/recommend.hpp"
#include "ltv/workspace/parameters.hpp"
#include "ltv/workspace/result_table.hpp"
#include "ltv/workspace/workspace.hpp"

namespace ltv {

/// The transaction source of a cross-sell job: the "source" parameters with `item` (when
/// given) as the product column and, for `ltv basket`, `basket` as the order column. Customers
/// and dates may be absent when baskets are orders (`ltv basket` without `sequence`, e.g. the
/// Groceries baskets). Unmapped columns are not kept. ParameterError for a bad value.
TransactionSource cross_sell_source(const Parameters& parameters);

// ---- basket: association rules and follow-on sequences

/// Typed options of the basket job.
struct BasketJobOptions {
  ItemLevel level = ItemLevel::item;
  BasketKey key = BasketKey::order;  ///< orders, or a customer's purchases on one day
  ItemsetOptions itemsets;           ///< min_support, min_count, max_length
  RuleOptions rules;                 ///< min_confidence, min_antecedent
  std::string hierarchy_level;       ///< column of the hierarchy table (empty: the second)
  bool sequence = false;             ///< follow-on sequences instead of rules
  std::vector<std::string> after;    ///< sequences: only these antecedents (empty: all)
  FollowOnOptions follow_on;         ///< window, min_customers, max_per_item
};

/// The options from parameters of the groups "source", "cross_sell" and "basket", checked
/// before any work: ParameterError naming the key for a missing item (or category) column, a
/// sequence without customers and dates, baskets without an order column or customers and
/// dates, a support or confidence that is not a share.
BasketJobOptions basket_job_options(const Parameters& parameters);

/// Side data of the basket job.
struct BasketJobInputs {
  /// item -> group mapping (first column: the item; hierarchy_level or the second column: the
  /// group), applied before mining.
  std::optional<Table> hierarchy;
};

/// Reads the file named by the hierarchy parameter. InputError for a malformed file.
BasketJobInputs read_basket_job_inputs(const Parameters& parameters);

/// What the basket job computed.
struct BasketJobResult {
  std::optional<ResultTable> rules;      ///< "basket/rules" (not with sequence)
  std::optional<ResultTable> itemsets;   ///< "basket/itemsets" (not with sequence)
  std::optional<ResultTable> follow_on;  ///< "follow_on" (with sequence)
  AssociationRules mined_rules;          ///< the rules, typed (for rules_json)
  /// What was mined, e.g. "9835 baskets, 169 items; support count >= 10; 13492 frequent
  /// itemsets (by size 1: 157, ...); 410 rules".
  std::vector<std::string> notes;
};

/// Mines the baskets of `workspace` (or counts follow-on sequences). ParameterError (`after`,
/// `hierarchy_level`) for an antecedent not in the data or a hierarchy column that does not
/// exist; InputError for a malformed hierarchy.
BasketJobResult basket_job(Workspace& workspace, const BasketJobInputs& inputs,
                           const BasketJobOptions& options);

}  // namespace ltv
