// The cross-sell jobs of `ltv basket` (see ltv/workspace/jobs_cross_sell.hpp).
#include "ltv/workspace/jobs_cross_sell.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "ltv/error.hpp"
#include "ltv/workspace/tables.hpp"

namespace ltv {

namespace {

/// The product column: `item` when given, else `product`.
std::string item_column(const Parameters& p) {
  const std::string item = p.text("item");
  return item.empty() ? p.text("product") : item;
}

/// The order column: `basket` (when the job has it and it is given), else `order`.
std::string order_column(const Parameters& p) {
  if (p.accepts("basket") && !p.text("basket").empty()) return p.text("basket");
  return p.text("order");
}

/// Checks that the item (or category) column of the level was given.
void require_item_column(const Parameters& p, ItemLevel level) {
  if (level == ItemLevel::category) {
    if (p.text("category").empty()) {
      parameter_error("level", "category", "--category COL naming the category column");
    }
  } else if (item_column(p).empty()) {
    parameter_error("item", "", "the item / product column (a header name or a number)");
  }
}

/// item -> group from a hierarchy table (first column = item; `level` = a column name, else
/// the second column).
std::unordered_map<std::string, std::string> hierarchy_mapping(const Table& t,
                                                               const std::string& level) {
  const auto& header = t.names;
  std::size_t column = 1;
  if (!level.empty()) {
    column = header.size();
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == level) column = i;
    if (column == header.size() || column == 0) {
      std::string names;
      for (std::size_t i = 1; i < header.size(); ++i) names += (i > 1 ? ", " : "") + header[i];
      parameter_error("hierarchy_level", level, "a column of " + t.source + ": " + names);
    }
  }
  if (header.size() < 2) {
    input_error({t.source, 1, ""}, std::to_string(header.size()) + " column(s)",
                "item,group[,...] with a header");
  }
  std::unordered_map<std::string, std::string> map;
  for (std::size_t r = 0; r < t.rows(); ++r) map[t.columns[0][r]] = t.columns[column][r];
  return map;
}

}  // namespace

TransactionSource cross_sell_source(const Parameters& p) {
  if (p.text("file").empty()) parameter_error("file", "", "a transaction file ('-' = stdin)");
  LoadOptions lo = load_options(p);
  lo.columns.product = item_column(p);
  lo.columns.order = order_column(p);
  // Baskets given by an order column need neither customers nor dates.
  const bool orders_only =
      p.accepts("sequence") && !p.flag("sequence") && !lo.columns.order.empty();
  lo.require_customer = !orders_only;
  lo.require_date = !orders_only;
  lo.keep_extra_columns = false;
  return TransactionSource::file(p.text("file"), std::move(lo));
}

// ---- basket

BasketJobOptions basket_job_options(const Parameters& p) {
  p.validate();
  BasketJobOptions o;
  o.level = parse_item_level(p.choice("level"));
  require_item_column(p, o.level);
  o.sequence = p.flag("sequence");
  if (o.sequence) {
    if (p.text("customer").empty() || p.text("date").empty()) {
      parameter_error("sequence", "no --customer/--date", "--customer COL and --date COL");
    }
  } else {
    if (!order_column(p).empty()) {
      o.key = BasketKey::order;
    } else if (!p.text("customer").empty() && !p.text("date").empty()) {
      o.key = BasketKey::customer_day;
    } else {
      parameter_error("basket", "nothing", "--basket COL, or --customer COL and --date COL");
    }
    o.itemsets.min_support = parse_ratio(p.text("min_support"), "min_support");
    o.rules.min_confidence = parse_ratio(p.text("min_confidence"), "min_confidence");
  }
  o.itemsets.min_count = static_cast<std::uint64_t>(p.integer("min_count"));
  o.itemsets.max_length = static_cast<std::size_t>(p.integer("max_length"));
  o.rules.min_antecedent = static_cast<std::size_t>(p.integer("min_antecedent"));
  o.hierarchy_level = p.text("hierarchy_level");
  o.after = p.list("after");
  o.follow_on.window_days = static_cast<std::int32_t>(p.integer("window"));
  o.follow_on.min_customers = static_cast<std::uint32_t>(p.integer("min_customers"));
  o.follow_on.max_per_item = static_cast<std::size_t>(p.integer("max_per_item"));
  return o;
}

BasketJobInputs read_basket_job_inputs(const Parameters& p) {
  BasketJobInputs in;
  if (const std::string path = p.text("hierarchy"); !path.empty()) in.hierarchy = read_table(path);
  return in;
}

BasketJobResult basket_job(Workspace& workspace, const BasketJobInputs& in,
                           const BasketJobOptions& o) {
  const TransactionLog& log = workspace.transactions();
  BasketJobResult out;
  if (o.sequence) {
    HistoryOptions ho;
    ho.level = o.level;
    const FollowOnTable table = follow_on(purchase_histories(log, ho), o.follow_on);
    std::vector<std::uint8_t> wanted(table.item_names.size(), o.after.empty() ? 1 : 0);
    for (const auto& name : o.after) {
      const auto it = std::find(table.item_names.begin(), table.item_names.end(), name);
      if (it == table.item_names.end()) parameter_error("after", name, "an item of the file");
      wanted[static_cast<std::size_t>(it - table.item_names.begin())] = 1;
    }
    out.follow_on = follow_on_table(table, wanted);
    return out;
  }
  BasketOptions bo;
  bo.level = o.level;
  bo.key = o.key;
  Baskets baskets = baskets_from_log(log, bo);
  if (in.hierarchy)
    baskets = map_items(baskets, hierarchy_mapping(*in.hierarchy, o.hierarchy_level));
  const FrequentItemsets itemsets = frequent_itemsets(baskets, o.itemsets);
  out.mined_rules = association_rules(itemsets, o.rules);
  const auto by_length = itemsets.count_by_length();
  std::string sizes;
  for (std::size_t k = 1; k < by_length.size(); ++k)
    sizes += fmt::format("{}{}: {}", k > 1 ? ", " : "", k, by_length[k]);
  out.notes.push_back(fmt::format(
      "{} baskets, {} items; support count >= {}; {} frequent itemsets (by size {}); {} rules",
      baskets.size(), baskets.item_count(), itemsets.min_count, itemsets.size(), sizes,
      out.mined_rules.size()));
  out.rules = rules_table(out.mined_rules);
  out.itemsets = itemsets_table(itemsets);
  return out;
}

}  // namespace ltv
