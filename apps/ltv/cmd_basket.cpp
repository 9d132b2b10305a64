// `ltv basket`: frequent itemsets and association rules from baskets (orders, or customer +
// day), and follow-on sequences (what customers buy after a product within a window).
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "command.hpp"
#include "cross_sell_options.hpp"
#include "cross_sell_tables.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/recommend/association.hpp"
#include "ltv/recommend/recommend.hpp"

namespace ltv::cli {
namespace {

struct BasketArgs {
  TransactionCliOptions in;
  std::string min_support = "0.01";
  std::string min_confidence = "0.5";
  std::uint64_t min_count = 0;
  std::size_t max_length = 0;
  std::size_t min_antecedent = 1;
  std::string level = "item";
  std::string hierarchy;
  std::string hierarchy_level;
  std::string itemsets_file;
  bool sequence = false;
  std::vector<std::string> after;
  int window = 60;
  std::uint32_t min_customers = 3;
  std::size_t max_per_item = 50;
};

/// item -> group from a hierarchy file (first column = item, `level` = a column name).
std::unordered_map<std::string, std::string> read_hierarchy(const std::string& path,
                                                            const std::string& level) {
  CsvReader reader(path);
  const auto& header = reader.header();
  std::size_t column = 1;
  if (!level.empty()) {
    column = header.size();
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == level) column = i;
    if (column == header.size() || column == 0) {
      std::string names;
      for (std::size_t i = 1; i < header.size(); ++i) names += (i > 1 ? ", " : "") + header[i];
      parameter_error("hierarchy_level", level, "a column of " + path + ": " + names);
    }
  }
  if (header.size() < 2) {
    input_error({path, 1, ""}, std::to_string(header.size()) + " column(s)",
                "item,group[,...] with a header");
  }
  std::unordered_map<std::string, std::string> map;
  CsvRecord r;
  while (reader.next(r)) map[std::string(r[0])] = std::string(r[column]);
  return map;
}

void write_rules(const AssociationRules& rules, const std::string& format, Output& out) {
  if (format == "csv") {
    write_rules_csv(out.stream(), rules);
  } else {
    nlohmann::json doc = nlohmann::json::array();
    for (std::size_t r = 0; r < rules.size(); ++r) {
      std::vector<std::string> ante;
      for (auto i : rules.antecedent(r)) ante.push_back(rules.item_names[i]);
      std::sort(ante.begin(), ante.end());
      doc.push_back({{"antecedent", ante},
                     {"consequent", rules.item_names[rules.consequent[r]]},
                     {"support", rules.support(r)},
                     {"confidence", rules.confidence(r)},
                     {"lift", rules.lift(r)},
                     {"count", rules.count[r]},
                     {"antecedent_count", rules.antecedent_count[r]}});
    }
    out.stream() << doc.dump(2) << '\n';
  }
}

void run_sequences(const BasketArgs& a, const TransactionLog& log, ItemLevel level) {
  HistoryOptions ho;
  ho.level = level;
  auto histories = purchase_histories(log, ho);
  FollowOnOptions fo;
  fo.window_days = a.window;
  fo.min_customers = a.min_customers;
  fo.max_per_item = a.max_per_item;
  auto table = follow_on(histories, fo);
  std::vector<std::uint8_t> wanted(table.item_names.size(), a.after.empty() ? 1 : 0);
  for (const auto& name : a.after) {
    auto it = std::find(table.item_names.begin(), table.item_names.end(), name);
    if (it == table.item_names.end()) parameter_error("after", name, "an item of the file");
    wanted[static_cast<std::size_t>(it - table.item_names.begin())] = 1;
  }
  Output out(a.in.output);
  const double customers = static_cast<double>(table.customer_count);
  auto lift = [&](std::uint32_t x, std::size_t k) {
    return table.share(x, k) / (static_cast<double>(table.buyers[table.next[k]]) / customers);
  };
  if (a.in.format == "csv") {
    CsvWriter w(out.stream());
    w.row({"antecedent", "consequent", "customers", "antecedent_buyers", "share", "lift",
           "window_days"});
    for (std::uint32_t x = 0; x < table.item_names.size(); ++x) {
      if (!wanted[x]) continue;
      for (auto k = table.offsets[x]; k < table.offsets[x + 1]; ++k) {
        w.field(table.item_names[x]).field(table.item_names[table.next[k]]);
        w.field(table.customers[k]).field(table.buyers[x]).field(table.share(x, k));
        w.field(lift(x, k)).field(a.window);
        w.end_row();
      }
    }
    w.flush();
  } else {
    nlohmann::json doc = nlohmann::json::array();
    for (std::uint32_t x = 0; x < table.item_names.size(); ++x) {
      if (!wanted[x]) continue;
      for (auto k = table.offsets[x]; k < table.offsets[x + 1]; ++k) {
        doc.push_back({{"antecedent", table.item_names[x]},
                       {"consequent", table.item_names[table.next[k]]},
                       {"customers", table.customers[k]},
                       {"antecedent_buyers", table.buyers[x]},
                       {"share", table.share(x, k)},
                       {"lift", lift(x, k)},
                       {"window_days", a.window}});
      }
    }
    out.stream() << doc.dump(2) << '\n';
  }
  out.close();
}

void run_basket(const BasketArgs& a) {
  output_format(a.in);  // validates --format (after --config)
  const ItemLevel level = parse_item_level(a.level);
  require_item_column(a.in, level == ItemLevel::category);
  if (a.sequence) {
    if (a.in.columns.customer.empty() || a.in.columns.date.empty()) {
      parameter_error("sequence", "no --customer/--date", "--customer COL and --date COL");
    }
    auto log = load_cross_sell(a.in, true);
    run_sequences(a, log, level);
    return;
  }
  BasketOptions bo;
  bo.level = level;
  if (!a.in.columns.order.empty()) {
    bo.key = BasketKey::order;
  } else if (!a.in.columns.customer.empty() && !a.in.columns.date.empty()) {
    bo.key = BasketKey::customer_day;
  } else {
    parameter_error("basket", "nothing", "--basket COL, or --customer COL and --date COL");
  }
  const bool need_customer_date = bo.key == BasketKey::customer_day;
  auto log = load_cross_sell(a.in, need_customer_date);
  auto baskets = baskets_from_log(log, bo);
  if (!a.hierarchy.empty())
    baskets = map_items(baskets, read_hierarchy(a.hierarchy, a.hierarchy_level));
  ItemsetOptions io;
  io.min_support = parse_ratio(a.min_support, "--min-support");
  io.min_count = a.min_count;
  io.max_length = a.max_length;
  auto itemsets = frequent_itemsets(baskets, io);
  RuleOptions ro;
  ro.min_confidence = parse_ratio(a.min_confidence, "--min-confidence");
  ro.min_antecedent = a.min_antecedent;
  auto rules = association_rules(itemsets, ro);
  if (!a.in.quiet) {
    auto by_length = itemsets.count_by_length();
    std::string sizes;
    for (std::size_t k = 1; k < by_length.size(); ++k)
      sizes += fmt::format("{}{}: {}", k > 1 ? ", " : "", k, by_length[k]);
    fmt::print(stderr,
               "ltv basket: {} baskets, {} items; support count >= {}; {} frequent itemsets "
               "(by size {}); {} rules\n",
               baskets.size(), baskets.item_count(), itemsets.min_count, itemsets.size(), sizes,
               rules.size());
  }
  if (!a.itemsets_file.empty()) {
    Output f(a.itemsets_file);
    write_itemsets_csv(f.stream(), itemsets);
    f.close();
  }
  Output out(a.in.output);
  write_rules(rules, a.in.format, out);
  out.close();
}

void setup_basket(CLI::App& root) {
  auto args = std::make_shared<BasketArgs>();
  auto* cmd = root.add_subcommand(
      "basket",
      "Frequent itemsets and association rules (support, confidence, lift) from baskets, or "
      "follow-on sequences with --sequence");
  add_cross_sell_input(cmd, args->in, true);
  cmd->add_option("--min-support", args->min_support,
                  "Minimum support (share of baskets; decimal, % or fraction), exact")
      ->capture_default_str();
  cmd->add_option("--min-confidence", args->min_confidence,
                  "Minimum confidence count(X+Y)/count(X), compared exactly")
      ->capture_default_str();
  cmd->add_option("--min-count", args->min_count,
                  "Minimum support count (the stricter of this and --min-support applies)")
      ->capture_default_str();
  cmd->add_option("--max-length", args->max_length,
                  "Longest itemset (0 = no limit; arules' default is 10)")
      ->capture_default_str();
  cmd->add_option("--min-antecedent", args->min_antecedent,
                  "Fewest items on the left (0 also gives {} => Y rules, like arules minlen=1)")
      ->capture_default_str();
  cmd->add_option("--level", args->level, "item, or category (needs --category or --hierarchy)")
      ->capture_default_str();
  cmd->add_option("--hierarchy", args->hierarchy,
                  "CSV item,group[,...] mapping items to a higher level before mining");
  cmd->add_option("--hierarchy-level", args->hierarchy_level,
                  "Column of --hierarchy to use (default: the second)");
  cmd->add_option("--itemsets", args->itemsets_file, "Also write the frequent itemsets to FILE");
  cmd->add_flag("--sequence", args->sequence,
                "Follow-on sequences instead of rules: who buys Y within --window days of "
                "first buying X (needs --customer and --date)");
  cmd->add_option("--after", args->after, "With --sequence: only these antecedent items");
  cmd->add_option("--window", args->window, "With --sequence: window in days")
      ->capture_default_str();
  cmd->add_option("--min-customers", args->min_customers,
                  "With --sequence: fewest customers per pair")
      ->capture_default_str();
  cmd->add_option("--max-per-item", args->max_per_item,
                  "With --sequence: strongest followers kept per item")
      ->capture_default_str();
  cmd->footer(
      "Examples:\n"
      "  ltv basket groceries_long.csv --basket transaction_id --item item \\\n"
      "      --min-support 0.001 --min-confidence 0.8 -o rules.csv\n"
      "  ltv basket sim/transactions.csv --customer customer_id --date date --item product \\\n"
      "      --sequence --window 60 --after 'bike'");
  cmd->callback([args] { run_basket(*args); });
}

}  // namespace

LTV_REGISTER_COMMAND(60, setup_basket);

}  // namespace ltv::cli
