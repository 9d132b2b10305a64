// `ltv recommend`: next best offers per customer from follow-on purchases ("bought X; 31% of X
// buyers buy Y within 60 days"), or a time-split evaluation against a popularity baseline.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "command.hpp"
#include "cross_sell_options.hpp"
#include "cross_sell_tables.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/recommend/recommend.hpp"

namespace ltv::cli {
namespace {

struct RecommendArgs {
  TransactionCliOptions in;
  std::string level = "item";
  int window = 60;
  std::uint32_t min_customers = 3;
  std::size_t max_per_item = 50;
  std::size_t top = 10;
  std::string exclude_owned = "auto";
  std::vector<std::string> durable;
  std::string durable_file;
  std::string as_of;
  std::string evaluate;
  std::string evaluate_end;
  std::vector<std::size_t> ks{5, 10};
  std::vector<std::string> customers;
  bool no_fill = false;
};

void run_recommend(const RecommendArgs& a) {
  output_format(a.in);  // validates --format (after --config)
  const ItemLevel level = parse_item_level(a.level);
  require_item_column(a.in, level == ItemLevel::category);
  auto log = load_cross_sell(a.in, true);
  const auto& names = level == ItemLevel::item ? log.product->values : log.category->values;

  FollowOnOptions fo;
  fo.window_days = a.window;
  fo.min_customers = a.min_customers;
  fo.max_per_item = a.max_per_item;
  RecommendOptions ro;
  ro.top_n = a.top;
  ro.fill_with_popular = !a.no_fill;
  std::vector<std::string> durable = a.durable;
  if (!a.durable_file.empty()) {
    CsvReader reader(a.durable_file, CsvOptions{Delimiter::automatic, false, true});
    CsvRecord r;
    while (reader.next(r)) durable.emplace_back(r[0]);
  }
  // auto: with a durable list only durables are excluded, otherwise everything owned.
  if (a.exclude_owned == "auto") {
    ro.exclude = durable.empty() ? ExcludeOwned::all : ExcludeOwned::durable;
  } else {
    ro.exclude = parse_exclude_owned(a.exclude_owned);
  }
  if (!durable.empty()) {
    if (ro.exclude != ExcludeOwned::durable) {
      parameter_error("durable", durable.front(), "--exclude-owned durable to use a durable list");
    }
    std::unordered_set<std::string> set(durable.begin(), durable.end());
    ro.durable.assign(names.size(), 0);
    for (std::size_t i = 0; i < names.size(); ++i) ro.durable[i] = set.count(names[i]) ? 1 : 0;
  }

  Output out(a.in.output);
  if (!a.evaluate.empty()) {
    EvaluationOptions eo;
    eo.split_day = parse_date(a.evaluate, "--evaluate");
    if (!a.evaluate_end.empty()) eo.end_day = parse_date(a.evaluate_end, "--evaluate-end");
    eo.ks = a.ks;
    eo.level = level;
    eo.follow_on = fo;
    eo.recommend = ro;
    auto e = evaluate_recommendations(log, eo);
    fmt::print(stderr,
               "ltv recommend: split {}: {} customers with history, {} evaluated (bought a "
               "recommendable item after the split)\n",
               format_date(e.split_day), e.history_customers, e.evaluated_customers);
    if (a.in.format == "csv") {
      CsvWriter w(out.stream());
      w.row({"method", "k", "hit_rate", "precision", "recall", "customers"});
      for (const auto* set : {&e.model, &e.popularity}) {
        for (const auto& m : *set) {
          w.field(set == &e.model ? "follow_on" : "popularity").field(m.k).field(m.hit_rate);
          w.field(m.precision).field(m.recall).field(e.evaluated_customers);
          w.end_row();
        }
      }
      w.flush();
    } else {
      nlohmann::json doc = nlohmann::json::array();
      for (const auto* set : {&e.model, &e.popularity}) {
        for (const auto& m : *set) {
          doc.push_back({{"method", set == &e.model ? "follow_on" : "popularity"},
                         {"k", m.k},
                         {"hit_rate", m.hit_rate},
                         {"precision", m.precision},
                         {"recall", m.recall},
                         {"customers", e.evaluated_customers}});
        }
      }
      out.stream() << doc.dump(2) << '\n';
    }
    out.close();
    return;
  }

  HistoryOptions ho;
  ho.level = level;
  if (!a.as_of.empty()) ho.before_day = parse_date(a.as_of, "--as-of") + 1;
  auto histories = purchase_histories(log, ho);
  auto table = follow_on(histories, fo);
  std::vector<std::uint32_t> wanted;
  if (!a.customers.empty()) {
    std::unordered_map<std::string_view, std::uint32_t> index;
    for (std::uint32_t c = 0; c < log.customer_ids.size(); ++c) index[log.customer_ids[c]] = c;
    for (const auto& id : a.customers) {
      auto it = index.find(id);
      if (it == index.end()) parameter_error("for", id, "a customer id of the file");
      wanted.push_back(it->second);
    }
    std::sort(wanted.begin(), wanted.end());
  }
  auto recs = recommend(histories, table, ro, wanted);
  if (a.in.format == "csv") {
    write_recommendations_csv(out.stream(), recs);
  } else {
    nlohmann::json doc = nlohmann::json::array();
    for (std::size_t i = 0; i < recs.size(); ++i) {
      doc.push_back({{"customer_id", recs.customer_ids[recs.customer[i]]},
                     {"rank", recs.rank[i]},
                     {"item", recs.item_names[recs.item[i]]},
                     {"score", recs.score[i]},
                     {"because", recs.because[i] == Recommendations::kNoReason
                                     ? nlohmann::json(nullptr)
                                     : nlohmann::json(recs.item_names[recs.because[i]])},
                     {"reason", recs.explain(i)}});
    }
    out.stream() << doc.dump(2) << '\n';
  }
  out.close();
}

void setup_recommend(CLI::App& root) {
  auto args = std::make_shared<RecommendArgs>();
  auto* cmd = root.add_subcommand(
      "recommend",
      "Next best offer per customer from what buyers of their items bought next, with a reason; "
      "or --evaluate DATE against a popularity baseline");
  add_cross_sell_input(cmd, args->in, false);
  cmd->add_option("--level", args->level, "item, or category (needs --category)")
      ->capture_default_str();
  cmd->add_option("--window", args->window, "Days after buying X in which buying Y counts")
      ->capture_default_str();
  cmd->add_option("--min-customers", args->min_customers, "Fewest customers behind a pair")
      ->capture_default_str();
  cmd->add_option("--max-per-item", args->max_per_item, "Followers kept per item")
      ->capture_default_str();
  cmd->add_option("--top", args->top, "Recommendations per customer")->capture_default_str();
  cmd->add_option("--exclude-owned", args->exclude_owned,
                  "Owned items not offered again: all, durable (only --durable items), none; "
                  "auto = durable when a durable list is given, else all")
      ->capture_default_str();
  cmd->add_option("--durable", args->durable,
                  "Durable items (repeatable): only these are never offered again");
  cmd->add_option("--durable-file", args->durable_file,
                  "File whose first column lists durable items (no header)");
  cmd->add_flag("--no-fill", args->no_fill, "Do not top up short lists with popular items");
  cmd->add_option("--as-of", args->as_of, "Use purchases up to this date (inclusive)");
  cmd->add_option("--for", args->customers, "Only these customer ids (repeatable)");
  cmd->add_option("--evaluate", args->evaluate,
                  "Evaluate instead: history before DATE, check purchases from DATE on");
  cmd->add_option("--evaluate-end", args->evaluate_end, "Last test day of --evaluate");
  cmd->add_option("--k", args->ks, "Cut-offs of --evaluate")->capture_default_str();
  cmd->footer(
      "Examples:\n"
      "  ltv recommend sim/transactions.csv --customer customer_id --date date --item product \\\n"
      "      --top 5 -o offers.csv\n"
      "  ltv recommend online_retail.csv.gz --customer CustomerID --date InvoiceDate \\\n"
      "      --item StockCode --quantity Quantity --evaluate 2011-09-01");
  cmd->callback([args] { run_recommend(*args); });
}

}  // namespace

LTV_REGISTER_COMMAND(61, setup_recommend);

}  // namespace ltv::cli
