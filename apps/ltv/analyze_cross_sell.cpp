// The cross-sell and NPS step of `ltv analyze` (see analyze_cross_sell.hpp).
#include "analyze_cross_sell.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "cross_sell_tables.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/nps/nps.hpp"
#include "ltv/recommend/association.hpp"
#include "ltv/recommend/baskets.hpp"
#include "ltv/recommend/penetration.hpp"
#include "ltv/recommend/recommend.hpp"

namespace ltv::cli {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- baskets and recommendations

/// Association rules (as `ltv basket`), itemsets, next best offers (as `ltv recommend`) and the
/// category reach per RFM segment.
void basket_step(const TransactionLog& log, const CrossSellCliOptions& xs,
                 const AnalyzedCustomers& customers, const fs::path& dir, CrossSellReport& report) {
  const bool has_product = log.product.has_value();
  const bool has_category = log.category.has_value();
  if (!has_product && !has_category) return;  // nothing to mine: no note, the input has no items
  const ItemLevel level = has_product ? ItemLevel::item : ItemLevel::category;
  const std::string level_name = has_product ? "item" : "category";
  BasketOptions bo;
  bo.level = level;
  bo.key = log.order ? BasketKey::order : BasketKey::customer_day;
  ItemsetOptions io;
  io.min_support = parse_ratio(xs.min_support, "--basket-min-support");
  io.min_count = xs.min_count;
  RuleOptions ro;
  ro.min_confidence = parse_ratio(xs.min_confidence, "--basket-min-confidence");

  const fs::path out_dir = dir / "basket";
  fs::create_directories(out_dir);
  report.outputs.push_back("basket/");
  nlohmann::ordered_json j;
  j["level"] = level_name;
  j["basket_key"] = bo.key == BasketKey::order ? "order" : "customer_day";
  j["min_support"] = xs.min_support;
  j["min_confidence"] = xs.min_confidence;
  j["min_count"] = xs.min_count;

  const Baskets baskets = baskets_from_log(log, bo);
  j["baskets"] = baskets.size();
  j["items"] = baskets.item_count();
  if (baskets.size() < xs.min_baskets) {
    const std::string note =
        fmt::format("association rules skipped: {} baskets, fewer than --basket-min-baskets {}",
                    baskets.size(), xs.min_baskets);
    report.notes.push_back(note);
    j["note"] = note;
  } else {
    const FrequentItemsets itemsets = frequent_itemsets(baskets, io);
    const AssociationRules rules = association_rules(itemsets, ro);
    j["support_count_threshold"] = itemsets.min_count;
    j["frequent_itemsets"] = itemsets.size();
    j["rules"] = rules.size();
    {
      Output out((out_dir / "rules.csv").string());
      write_rules_csv(out.stream(), rules);
      out.close();
    }
    {
      Output out((out_dir / "itemsets.csv").string());
      write_itemsets_csv(out.stream(), itemsets);
      out.close();
    }
    if (rules.size() == 0) {
      report.notes.push_back(
          fmt::format("no association rule reaches support {} (count >= {}) and confidence {}",
                      xs.min_support, itemsets.min_count, xs.min_confidence));
    }
    report.lines.emplace_back("Rules",
                              fmt::format("{} rules ({} level) from {} baskets, {} frequent "
                                          "itemsets (support >= {}, count >= {}, "
                                          "confidence >= {})",
                                          rules.size(), level_name, baskets.size(), itemsets.size(),
                                          xs.min_support, itemsets.min_count, xs.min_confidence));
  }

  // Next best offers: needs customers and dates, which analyze always has.
  if (xs.recommend_top > 0) {
    HistoryOptions ho;
    ho.level = level;
    const PurchaseHistories histories = purchase_histories(log, ho);
    const FollowOnTable table = follow_on(histories, FollowOnOptions{});
    RecommendOptions rec;
    rec.top_n = xs.recommend_top;
    const Recommendations recs = recommend(histories, table, rec);
    Output out((out_dir / "recommendations.csv").string());
    const std::size_t explained = write_recommendations_csv(out.stream(), recs);
    out.close();
    j["recommendations"] = recs.size();
    j["recommendations_from_follow_on"] = explained;
    j["recommend_top"] = xs.recommend_top;
    report.lines.emplace_back(
        "Offers", fmt::format("{} offers (top {} per customer): {} from "
                              "follow-on purchases, {} popular fill-ins",
                              recs.size(), xs.recommend_top, explained, recs.size() - explained));
  }

  // Category reach within each RFM segment (who in the segment ever bought the category).
  if (has_category) {
    std::unordered_map<std::string_view, std::size_t> row_of;
    for (std::size_t i = 0; i < customers.ids.size(); ++i) row_of.emplace(customers.ids[i], i);
    std::vector<std::string> segment(log.customer_count());
    for (std::size_t c = 0; c < log.customer_count(); ++c) {
      auto it = row_of.find(log.customer_ids[c]);
      if (it != row_of.end()) segment[c] = customers.rfm_segment[it->second];
    }
    const ReachTable table = reach(log, ItemLevel::category, segment);
    Output out((out_dir / "category_penetration.csv").string());
    CsvWriter w(out.stream());
    w.row({"rfm_segment", "category", "segment_customers", "buyers", "share"});
    for (std::size_t r = 0; r < table.size(); ++r) {
      w.field(table.segment[r]).field(table.item[r]).field(table.segment_size[r]);
      w.field(table.buyers[r]).field(table.share[r]);
      w.end_row();
    }
    w.flush();
    out.close();
  }
  report.json["basket"] = j;
}

// ------------------------------------------------------------------------------------- NPS

void nps_step(const TransactionLog& log, const CrossSellCliOptions& xs,
              const NpsParseResult& parsed, const AnalyzedCustomers& customers, const fs::path& dir,
              CrossSellReport& report) {
  const NpsAnswers& answers = parsed.answers;
  const fs::path out_dir = dir / "nps";
  fs::create_directories(out_dir);
  report.outputs.push_back("nps/");
  nlohmann::ordered_json j;
  j["source"] = xs.nps_file;
  j["answers"] = answers.size();

  // Problems kept out of (duplicates) or flagged in (unknown customers) the tables.
  std::map<std::string, std::size_t> problem_count;
  for (const auto& p : parsed.problems) ++problem_count[p.kind];
  {
    Output out((out_dir / "problems.csv").string());
    write_nps_problems_csv(out.stream(), parsed.problems);
    out.close();
  }
  for (const auto& [kind, count] : problem_count) {
    report.notes.push_back(fmt::format("{}: {} {} row(s){} (nps/problems.csv)", xs.nps_file, count,
                                       kind, kind == "duplicate" ? " skipped" : " kept"));
    j["problems"][kind] = count;
  }

  // NPS tables: overall, by month, channel and analyze's segments.
  std::unordered_map<std::string_view, std::size_t> row_of;
  for (std::size_t i = 0; i < customers.ids.size(); ++i) row_of.emplace(customers.ids[i], i);
  // Respondents without a summary row: absent from the transactions, or in them only with lines
  // the summary leaves out (returns, purchases after --observation-end).
  const std::unordered_set<std::string_view> in_log(log.customer_ids.begin(),
                                                    log.customer_ids.end());
  auto labels_by = [&](const std::vector<std::string>& per_customer) {
    std::vector<std::string> labels(answers.size());
    for (std::size_t i = 0; i < answers.size(); ++i) {
      auto it = row_of.find(answers.customer[i]);
      labels[i] = it != row_of.end()                  ? per_customer[it->second]
                  : in_log.count(answers.customer[i]) ? "(no purchase in the summary)"
                                                      : "(not in transactions)";
    }
    return labels;
  };
  std::vector<NpsTableSection> sections;
  sections.push_back(
      {"all", nps_by_group(answers, std::vector<std::string>(answers.size(), "all"))});
  {
    std::vector<std::string> labels(answers.size());
    for (std::size_t i = 0; i < answers.size(); ++i)
      labels[i] = period_label(answers.day[i], NpsPeriod::month);
    sections.push_back({"period", nps_by_group(answers, labels)});
  }
  if (std::any_of(answers.channel.begin(), answers.channel.end(),
                  [](const std::string& c) { return !c.empty(); })) {
    sections.push_back({"channel", nps_by_group(answers, answers.channel)});
  }
  sections.push_back({"rfm_segment", nps_by_group(answers, labels_by(customers.rfm_segment))});
  sections.push_back({"abcdx", nps_by_group(answers, labels_by(customers.abcdx))});
  sections.push_back({"stage", nps_by_group(answers, labels_by(customers.stage))});
  {
    Output out((out_dir / "nps.csv").string());
    write_nps_tables_csv(out.stream(), sections);
    out.close();
  }
  const NpsEstimate overall =
      sections.front().table.size() ? sections.front().table.estimate[0] : estimate_nps(0, 0, 0);
  auto json_of = [](const std::optional<double>& v) {
    return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
  };
  j["nps"] = json_of(overall.nps);
  j["ci95"] = {json_of(overall.ci_low), json_of(overall.ci_high)};
  j["promoters"] = overall.promoters;
  j["passives"] = overall.passives;
  j["detractors"] = overall.detractors;
  if (overall.nps) {
    report.lines.emplace_back(
        "NPS", fmt::format("{:+.1f} (95% CI {:+.1f} .. {:+.1f}; {} answers: {} "
                           "promoters, {} passives, {} detractors)",
                           *overall.nps, *overall.ci_low, *overall.ci_high, overall.answers,
                           overall.promoters, overall.passives, overall.detractors));
  } else {
    report.notes.push_back(xs.nps_file + ": no valid answers");
  }

  // Follow-up items: detractors and every score below 10.
  const std::vector<FollowUp> items = follow_ups(answers, FollowUpOptions{});
  {
    Output out((out_dir / "follow_ups.csv").string());
    write_follow_ups_csv(out.stream(), items);
    out.close();
  }
  j["follow_ups"] = items.size();

  // Most frequent words and #tags of detractor comments.
  {
    Output out((out_dir / "detractor_terms.csv").string());
    write_detractor_terms_csv(out.stream(), answers, 20);
    out.close();
  }

  // Value link: retention and spend in the window after the answer (respondents whose window
  // lies inside the log), and analyze's P(alive), expected purchases and CLV of every
  // respondent by the class of their latest answer.
  {
    std::unordered_map<std::string, double> ltv;
    for (std::size_t i = 0; i < customers.ids.size(); ++i)
      if (std::isfinite(customers.clv[i])) ltv[customers.ids[i]] = customers.clv[i];
    NpsValueOptions vo;
    vo.horizon_days = xs.nps_horizon_days;
    const auto window = nps_value_link(answers, log, vo, ltv);
    const auto p_alive = nps_class_means(answers, customers.ids, customers.p_alive);
    const auto expected = nps_class_means(answers, customers.ids, customers.expected_purchases);
    const auto clv = nps_class_means(answers, customers.ids, customers.clv);
    Output out((out_dir / "value.csv").string());
    CsvWriter w(out.stream());
    w.row({"class", "customers", "retained", "retention", "value_before", "value_after", "mean_ltv",
           "respondents", "mean_p_alive", "mean_expected_purchases", "mean_clv", "horizon_days"});
    for (std::size_t k = 0; k < 3; ++k) {
      const auto& r = window[k];
      w.field(to_string(r.cls)).field(r.customers).field(r.retained);
      for (const auto& v : {r.retention, r.value_before, r.value_after, r.mean_ltv})
        write_optional(w, v);
      w.field(p_alive[k].customers);
      write_optional(w, p_alive[k].mean);
      write_optional(w, expected[k].mean);
      write_optional(w, clv[k].mean);
      w.field(xs.nps_horizon_days);
      w.end_row();
      nlohmann::ordered_json row;
      row["respondents"] = p_alive[k].customers;
      row["retention"] = json_of(r.retention);
      row["mean_p_alive"] = json_of(p_alive[k].mean);
      row["mean_clv"] = json_of(clv[k].mean);
      j["value"][std::string(to_string(r.cls))] = row;
    }
    w.flush();
    out.close();
  }
  report.json["nps"] = j;
}

}  // namespace

void add_cross_sell_options(CLI::App& cmd, CrossSellCliOptions& o) {
  const char* group = "Cross-sell and NPS";
  cmd.add_option("--basket-min-support", o.min_support,
                 "Association rules (with --product or --category): minimum support, share of "
                 "baskets (decimal, % or fraction), exact")
      ->capture_default_str()
      ->group(group);
  cmd.add_option("--basket-min-confidence", o.min_confidence,
                 "Minimum rule confidence count(X+Y)/count(X), exact")
      ->capture_default_str()
      ->group(group);
  cmd.add_option("--basket-min-count", o.min_count,
                 "Fewest baskets behind an itemset (the stricter of this and the support applies)")
      ->capture_default_str()
      ->group(group);
  cmd.add_option("--basket-min-baskets", o.min_baskets,
                 "With fewer baskets no rules are mined (a note in summary.json instead)")
      ->capture_default_str()
      ->group(group);
  cmd.add_option("--recommend-top", o.recommend_top,
                 "Next best offers per customer in basket/recommendations.csv (0 = none)")
      ->capture_default_str()
      ->group(group);
  cmd.add_option("--nps", o.nps_file,
                 "NPS answers FILE (customer_id,date,score[,comment,channel]): adds nps/ with NPS "
                 "by month, channel and segment, follow-ups, detractor terms, value link")
      ->group(group);
  cmd.add_option("--nps-horizon", o.nps_horizon_days,
                 "Days after an NPS answer in which a purchase counts as retained (nps/value.csv)")
      ->capture_default_str()
      ->group(group);
}

CrossSellInputs read_cross_sell_inputs(const TransactionLog& log,
                                       const CrossSellCliOptions& cross_sell) {
  parse_ratio(cross_sell.min_support, "--basket-min-support");
  parse_ratio(cross_sell.min_confidence, "--basket-min-confidence");
  if (cross_sell.nps_horizon_days < 1) {
    parameter_error("nps_horizon", std::to_string(cross_sell.nps_horizon_days),
                 "a positive number of days");
  }
  CrossSellInputs inputs;
  if (!cross_sell.nps_file.empty())
    inputs.nps = read_nps_file(cross_sell.nps_file, log.customer_ids);
  return inputs;
}

CrossSellReport run_analyze_cross_sell(const TransactionLog& log,
                                       const CrossSellCliOptions& cross_sell,
                                       const CrossSellInputs& inputs,
                                       const AnalyzedCustomers& customers, const fs::path& dir) {
  CrossSellReport report;
  try {
    basket_step(log, cross_sell, customers, dir, report);
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {  // the rest of analyze is still worth having
    report.notes.push_back(std::string("cross-sell step skipped: ") + e.what());
  }
  if (inputs.nps) nps_step(log, cross_sell, *inputs.nps, customers, dir, report);
  if (!report.notes.empty()) report.json["notes"] = report.notes;
  return report;
}

}  // namespace ltv::cli
