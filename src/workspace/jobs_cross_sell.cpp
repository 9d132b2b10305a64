// The cross-sell jobs of `ltv basket`, `ltv recommend` and `ltv penetration` (see
// ltv/workspace/jobs_cross_sell.hpp).
#include "ltv/workspace/jobs_cross_sell.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/numbers.hpp"
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

/// With a durable list, only `exclude_owned` durable (or auto) makes sense.
void check_durable(const RecommendJobOptions& o, const std::vector<std::string>& durable) {
  if (!durable.empty() && !o.exclude_auto && o.recommend.exclude != ExcludeOwned::durable) {
    parameter_error("durable", durable.front(), "--exclude-owned durable to use a durable list");
  }
}

/// customer id -> segment from a table customer_id,segment (a later row wins).
std::unordered_map<std::string, std::string> segment_mapping(const Table& t) {
  std::unordered_map<std::string, std::string> map;
  for (std::size_t r = 0; r < t.rows(); ++r) map[t.columns[0][r]] = t.columns[1][r];
  return map;
}

}  // namespace

TransactionSource cross_sell_source(const Parameters& p) {
  // A file, a workspace or a database (--source URL with --query / --source-table).
  TransactionSource source = TransactionSource::from_parameters(p);
  LoadOptions& lo = source.options;
  lo.columns.product = item_column(p);
  lo.columns.order = order_column(p);
  // Baskets given by an order column need neither customers nor dates.
  const bool orders_only =
      p.accepts("sequence") && !p.flag("sequence") && !lo.columns.order.empty();
  lo.require_customer = !orders_only;
  lo.require_date = !orders_only;
  lo.keep_extra_columns = false;
  return source;
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

// ---- recommend

RecommendJobOptions recommend_job_options(const Parameters& p) {
  p.validate();
  RecommendJobOptions o;
  o.level = parse_item_level(p.choice("level"));
  require_item_column(p, o.level);
  o.follow_on.window_days = static_cast<std::int32_t>(p.integer("window"));
  o.follow_on.min_customers = static_cast<std::uint32_t>(p.integer("min_customers"));
  o.follow_on.max_per_item = static_cast<std::size_t>(p.integer("max_per_item"));
  o.recommend.top_n = static_cast<std::size_t>(p.integer("top"));
  o.recommend.fill_with_popular = !p.flag("no_fill");
  const std::string exclude = p.choice("exclude_owned");
  o.exclude_auto = exclude == "auto";
  if (!o.exclude_auto) o.recommend.exclude = parse_exclude_owned(exclude);
  o.durable = p.list("durable");
  check_durable(o, o.durable);
  o.as_of = p.date("as_of");
  o.customers = p.list("for");
  o.evaluate = p.date("evaluate");
  o.evaluate_end = p.date("evaluate_end");
  for (const std::string& k : p.list("k"))  // each checked: a whole number >= 1
    o.ks.push_back(static_cast<std::size_t>(*parse_number(k)));
  return o;
}

RecommendJobInputs read_recommend_job_inputs(const Parameters& p) {
  RecommendJobInputs in;
  if (const std::string path = p.text("durable_file"); !path.empty()) {
    const Table t = read_table(path, CsvOptions{Delimiter::automatic, false, true});
    if (!t.columns.empty()) in.durable = t.columns[0];
  }
  return in;
}

RecommendJobResult recommend_job(Workspace& workspace, const RecommendJobInputs& in,
                                 const RecommendJobOptions& o) {
  const TransactionLog& log = workspace.transactions();
  const auto& names = o.level == ItemLevel::item ? log.product->values : log.category->values;
  std::vector<std::string> durable = o.durable;
  durable.insert(durable.end(), in.durable.begin(), in.durable.end());
  check_durable(o, durable);
  RecommendOptions ro = o.recommend;
  // auto: with a durable list only durables are excluded, otherwise everything owned.
  if (o.exclude_auto) ro.exclude = durable.empty() ? ExcludeOwned::all : ExcludeOwned::durable;
  if (!durable.empty()) {
    const std::unordered_set<std::string> set(durable.begin(), durable.end());
    ro.durable.assign(names.size(), 0);
    for (std::size_t i = 0; i < names.size(); ++i) ro.durable[i] = set.count(names[i]) ? 1 : 0;
  }
  RecommendJobResult out;
  if (o.evaluate) {
    EvaluationOptions eo;
    eo.split_day = *o.evaluate;
    eo.end_day = o.evaluate_end;
    eo.ks = o.ks;
    eo.level = o.level;
    eo.follow_on = o.follow_on;
    eo.recommend = ro;
    const RecommendEvaluation e = evaluate_recommendations(log, eo);
    out.notes.push_back(fmt::format(
        "split {}: {} customers with history, {} evaluated (bought a recommendable item after "
        "the split)",
        format_date(e.split_day), e.history_customers, e.evaluated_customers));
    out.evaluation = recommend_evaluation_table(e);
    return out;
  }
  HistoryOptions ho;
  ho.level = o.level;
  if (o.as_of) ho.before_day = *o.as_of + 1;
  const PurchaseHistories histories = purchase_histories(log, ho);
  const FollowOnTable table = follow_on(histories, o.follow_on);
  std::vector<std::uint32_t> wanted;
  if (!o.customers.empty()) {
    std::unordered_map<std::string_view, std::uint32_t> index;
    for (std::uint32_t c = 0; c < log.customer_ids.size(); ++c) index[log.customer_ids[c]] = c;
    for (const auto& id : o.customers) {
      const auto it = index.find(id);
      if (it == index.end()) parameter_error("for", id, "a customer id of the file");
      wanted.push_back(it->second);
    }
    std::sort(wanted.begin(), wanted.end());
  }
  out.recommendations = recommendations_table(recommend(histories, table, ro, wanted));
  return out;
}

// ---- penetration

PenetrationJobOptions penetration_job_options(const Parameters& p) {
  p.validate();
  PenetrationJobOptions o;
  o.level = parse_item_level(p.choice("level"));
  require_item_column(p, o.level);
  o.reach = p.flag("reach");
  const bool segments = !p.text("segments").empty();
  if (o.reach) {
    if (!segments) parameter_error("reach", "no --segments", "--segments FILE");
    o.min_buyers = static_cast<std::uint64_t>(p.integer("min_buyers"));
    o.from = p.date("from");
    o.until = p.date("until");
    return o;
  }
  o.launched = p.list("launched");
  if (o.launched.empty())
    parameter_error("launched", "nothing", "the product (or category) launched");
  const auto launch = p.date("launch");
  if (!launch) parameter_error("launch", "nothing", "the launch date");
  o.launch = *launch;
  o.end = p.date("end");
  o.target_buyers_of = p.list("target_buyers_of");
  o.target_level = parse_item_level(p.choice("target_level"));
  if (!o.target_buyers_of.empty() && o.target_level == ItemLevel::category &&
      p.text("category").empty()) {
    parameter_error("target_level", "category", "--category COL naming the category column");
  }
  o.target_segments = p.list("target_segment");
  if (!o.target_segments.empty() && !segments)
    parameter_error("target_segment", o.target_segments.front(), "--segments FILE");
  return o;
}

PenetrationJobInputs read_penetration_job_inputs(const Parameters& p) {
  PenetrationJobInputs in;
  if (const std::string path = p.text("segments"); !path.empty()) {
    in.segments = read_table(path);
    if (in.segments->names.size() < 2) {
      input_error({path, 1, ""}, std::to_string(in.segments->names.size()) + " column(s)",
                  "customer_id,segment with a header");
    }
  }
  return in;
}

PenetrationJobResult penetration_job(Workspace& workspace, const PenetrationJobInputs& in,
                                     const PenetrationJobOptions& o) {
  if (o.reach && !in.segments) parameter_error("reach", "no --segments", "--segments FILE");
  if (!o.target_segments.empty() && !in.segments)
    parameter_error("target_segment", o.target_segments.front(), "--segments FILE");
  const TransactionLog& log = workspace.transactions();
  std::unordered_map<std::string, std::string> segments;
  if (in.segments) segments = segment_mapping(*in.segments);
  PenetrationJobResult out;
  if (o.reach) {
    std::vector<std::string> label(log.customer_count());
    for (std::size_t c = 0; c < log.customer_count(); ++c) {
      const auto it = segments.find(log.customer_ids[c]);
      if (it != segments.end()) label[c] = it->second;
    }
    std::optional<std::int32_t> before;
    if (o.until) before = *o.until + 1;
    out.reach = reach_table(reach(log, o.level, label, o.min_buyers, o.from, before), "reach");
    return out;
  }
  PenetrationOptions po;
  po.level = o.level;
  po.products = o.launched;
  po.launch_day = o.launch;
  po.end_day = o.end;
  // Target group: buyers of something before launch, and/or members of segments.
  if (!o.target_buyers_of.empty())
    po.target = buyers_of(log, o.target_level, o.target_buyers_of, {}, po.launch_day);
  if (!o.target_segments.empty()) {
    std::vector<std::uint8_t> in_segment(log.customer_count(), 0);
    for (std::size_t c = 0; c < log.customer_count(); ++c) {
      const auto it = segments.find(log.customer_ids[c]);
      if (it == segments.end()) continue;
      for (const auto& s : o.target_segments) in_segment[c] |= it->second == s ? 1 : 0;
    }
    if (po.target.empty()) {
      po.target = std::move(in_segment);
    } else {
      for (std::size_t c = 0; c < po.target.size(); ++c) po.target[c] &= in_segment[c];
    }
  }
  out.curve = penetration_table(penetration(log, po));
  return out;
}

}  // namespace ltv
