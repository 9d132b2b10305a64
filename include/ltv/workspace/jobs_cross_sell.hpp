#pragma once
/// The cross-sell jobs: association rules and follow-on sequences (`ltv basket`), next best
/// offers and their evaluation (`ltv recommend`), launch penetration and segment reach (`ltv
/// penetration`). Options come
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
#include "ltv/recommend/penetration.hpp"
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

// ---- recommend: next best offers per customer, or an evaluation on a time split

/// Typed options of the recommend job.
struct RecommendJobOptions {
  ItemLevel level = ItemLevel::item;
  FollowOnOptions follow_on;  ///< window, min_customers, max_per_item
  /// top_n and fill_with_popular; `exclude` as given (auto resolved by the job: durable when a
  /// durable list is given, else all).
  RecommendOptions recommend;
  bool exclude_auto = true;
  std::vector<std::string> durable;      ///< durable items named by the parameters
  std::optional<std::int32_t> as_of;     ///< purchases up to this day (inclusive)
  std::vector<std::string> customers;    ///< only these customer ids (empty: all)
  std::optional<std::int32_t> evaluate;  ///< evaluate instead: the split day
  std::optional<std::int32_t> evaluate_end;
  std::vector<std::size_t> ks;  ///< cut-offs of the evaluation
};

/// The options from parameters of the groups "source", "cross_sell" and "recommend", checked
/// before any work: ParameterError naming the key for a missing item (or category) column, bad
/// dates, cut-offs or exclusion policy, or a durable list without `exclude_owned` durable.
RecommendJobOptions recommend_job_options(const Parameters& parameters);

/// Side data of the recommend job.
struct RecommendJobInputs {
  std::vector<std::string> durable;  ///< more durable items (first column of durable_file)
};

/// Reads the file named by durable_file (no header). InputError for an unreadable file.
RecommendJobInputs read_recommend_job_inputs(const Parameters& parameters);

/// What the recommend job computed.
struct RecommendJobResult {
  std::optional<ResultTable> recommendations;  ///< "basket/recommendations" (not with evaluate)
  std::optional<ResultTable> evaluation;       ///< "recommend_evaluation" (with evaluate)
  /// With evaluate: the split and how many customers were evaluated.
  std::vector<std::string> notes;
};

/// Recommends (or evaluates). ParameterError (`for`, `durable`, `evaluate`) for a customer not
/// in the data, a durable list with another exclusion policy, a split without history or test
/// purchases.
RecommendJobResult recommend_job(Workspace& workspace, const RecommendJobInputs& inputs,
                                 const RecommendJobOptions& options);

// ---- penetration: a launch's week-by-week penetration, or the reach of items in segments

/// Typed options of the penetration job.
struct PenetrationJobOptions {
  ItemLevel level = ItemLevel::item;
  bool reach = false;                         ///< reach of every item in every segment instead
  std::vector<std::string> launched;          ///< the launched product(s) at `level`
  std::int32_t launch = 0;                    ///< launch day (week 1 starts on it)
  std::optional<std::int32_t> end;            ///< last day counted
  std::vector<std::string> target_buyers_of;  ///< target: buyers of these before the launch
  ItemLevel target_level = ItemLevel::category;
  std::vector<std::string> target_segments;  ///< target: members of these segments
  std::uint64_t min_buyers = 1;              ///< reach: smaller rows left out
  std::optional<std::int32_t> from;          ///< reach: first purchase day counted
  std::optional<std::int32_t> until;         ///< reach: last purchase day counted
};

/// The options from parameters of the groups "source", "cross_sell" and "penetration", checked
/// before any work: ParameterError naming the key for a missing item or category column, no
/// launched product or launch date, reach or target segments without a segments file.
PenetrationJobOptions penetration_job_options(const Parameters& parameters);

/// Side data of the penetration job.
struct PenetrationJobInputs {
  std::optional<Table> segments;  ///< customer_id,segment with a header
};

/// Reads the file named by segments. InputError for a malformed file (fewer than two columns).
PenetrationJobInputs read_penetration_job_inputs(const Parameters& parameters);

/// What the penetration job computed: "penetration" or (with reach) "reach".
struct PenetrationJobResult {
  std::optional<ResultTable> curve;
  std::optional<ResultTable> reach;
};

/// The curve (or the reach table). ParameterError for reach or target segments without
/// segments; InputError for a product name not in the data.
PenetrationJobResult penetration_job(Workspace& workspace, const PenetrationJobInputs& inputs,
                                     const PenetrationJobOptions& options);

}  // namespace ltv
