// The main job: Workspace::analyze (see ltv/workspace/workspace.hpp). Each step reads the
// results of the steps before and adds its tables to the Analysis; nothing here writes files.
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "i18n/trf.hpp"
#include "ltv/analytics/cac.hpp"
#include "ltv/analytics/compare.hpp"
#include "ltv/analytics/groups.hpp"
#include "ltv/analytics/standard.hpp"
#include "ltv/data/regularity.hpp"
#include "ltv/data/summary_accounting.hpp"
#include "ltv/error.hpp"
#include "ltv/models/clv.hpp"
#include "ltv/models/diagnostics.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/model_file.hpp"
#include "ltv/models/selection.hpp"
#include "ltv/models/validation.hpp"
#include "ltv/nps/nps.hpp"
#include "ltv/recommend/association.hpp"
#include "ltv/recommend/baskets.hpp"
#include "ltv/recommend/penetration.hpp"
#include "ltv/recommend/recommend.hpp"
#include "ltv/recommend/rule_search.hpp"
#include "ltv/segment/segment.hpp"
#include "ltv/workspace/actions.hpp"
#include "ltv/workspace/scoring.hpp"
#include "ltv/workspace/side_tables.hpp"
#include "ltv/workspace/tables.hpp"
#include "ltv/workspace/workspace.hpp"

namespace ltv {

namespace {

/// Calibration end for model selection: the user's calibration end, else the last `share` of
/// the observed days held out (at least one time unit).
std::optional<std::int32_t> selection_split(const TransactionLog& log, const AnalyzeOptions& o,
                                            TimeUnit unit) {
  if (o.calibration_end) return o.calibration_end;
  const auto [lo, hi] = std::minmax_element(log.day.begin(), log.day.end());
  const std::int32_t span = *hi - *lo;
  const auto holdout = static_cast<std::int32_t>(std::lround(span * o.holdout_share));
  if (holdout < days_per_unit(unit) || span - holdout < 2 * days_per_unit(unit)) {
    return std::nullopt;
  }
  return *hi - holdout;
}

/// Peak resident memory of the process so far (bytes), 0 when unknown.
std::int64_t peak_rss_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
}

/// Records step timings and tells the face about each step.
class Steps {
 public:
  Steps(int count, const Progress& progress, std::vector<StepTiming>& timings)
      : count_(count), progress_(progress), timings_(timings) {}
  void begin(const std::string& what) {
    end();
    ++done_;
    if (progress_) progress_(done_, count_, what);
    current_ = what;
    start_ = std::chrono::steady_clock::now();
  }
  void end() {
    if (current_.empty()) return;
    const std::chrono::duration<double> d = std::chrono::steady_clock::now() - start_;
    timings_.push_back({current_, seconds_ ? *seconds_ : d.count(), peak_rss_bytes()});
    current_.clear();
    seconds_.reset();
  }
  /// The current step took `seconds` (work done before it was reported).
  void set_seconds(double seconds) { seconds_ = seconds; }

 private:
  int count_;
  int done_ = 0;
  const Progress& progress_;
  std::vector<StepTiming>& timings_;
  std::string current_;
  std::chrono::steady_clock::time_point start_;
  std::optional<double> seconds_;
};

/// Analyze's per-customer results, one entry per summarised customer (summary order).
struct AnalyzedCustomers {
  std::span<const std::string> ids;
  std::span<const double> p_alive;
  std::span<const double> expected_purchases;
  std::span<const double> clv;  ///< NaN when there is no spend model
  std::vector<std::string> rfm_segment;
  std::vector<std::string> abcdx;
  std::vector<std::string> stage;
};

void add_table(Analysis& a, ResultTable table, std::string_view folder = {}) {
  std::string key = folder.empty() ? table.name() : std::string(folder) + "/" + table.name();
  a.tables.insert_or_assign(std::move(key), std::move(table));
}

// ---------------------------------------------------------------- baskets and recommendations

/// Association rules, itemsets, next best offers and the category reach per RFM segment.
void basket_step(const TransactionLog& log, const AnalyzeOptions& o, const Table* products,
                 const AnalyzedCustomers& customers, Analysis& a) {
  const bool has_product = log.product.has_value();
  const bool has_category = log.category.has_value();
  if (!has_product && !has_category) return;  // nothing to mine: no note, the input has no items
  const ItemLevel level = has_product ? ItemLevel::item : ItemLevel::category;
  const std::string level_name = has_product ? "item" : "category";
  BasketOptions bo;
  bo.level = level;
  bo.key = log.order ? BasketKey::order : BasketKey::customer_day;
  ItemsetOptions io;
  io.min_support = parse_ratio(o.basket_min_support, "basket_min_support");
  io.min_count = o.basket_min_count;
  RuleOptions ro;
  ro.min_confidence = parse_ratio(o.basket_min_confidence, "basket_min_confidence");

  nlohmann::ordered_json j;
  j["level"] = level_name;
  j["basket_key"] = bo.key == BasketKey::order ? "order" : "customer_day";
  j["min_support"] = o.basket_min_support;
  j["min_confidence"] = o.basket_min_confidence;
  j["min_count"] = o.basket_min_count;

  const Baskets baskets = baskets_from_log(log, bo);
  j["baskets"] = baskets.size();
  j["items"] = baskets.item_count();
  if (baskets.size() < o.basket_min_baskets) {
    const std::string note =
        fmt::format("association rules skipped: {} baskets, fewer than --basket-min-baskets {}",
                    baskets.size(), o.basket_min_baskets);
    a.notes.push_back(note);
    j["note"] = note;
  } else if (o.basket_thresholds_given) {
    const FrequentItemsets itemsets = frequent_itemsets(baskets, io);
    const AssociationRules rules = association_rules(itemsets, ro);
    j["support_count_threshold"] = itemsets.min_count;
    j["frequent_itemsets"] = itemsets.size();
    j["rules"] = rules.size();
    add_table(a, rules_table(rules), "basket");
    add_table(a, itemsets_table(itemsets), "basket");
    if (rules.size() == 0) {
      a.notes.push_back(
          fmt::format("no association rule reaches support {} (count >= {}) and confidence {}",
                      o.basket_min_support, itemsets.min_count, o.basket_min_confidence));
    }
    a.lines.emplace_back(
        "Rules", fmt::format("{} rules ({} level) from {} baskets, {} frequent "
                             "itemsets (support >= {}, count >= {}, "
                             "confidence >= {})",
                             rules.size(), level_name, baskets.size(), itemsets.size(),
                             o.basket_min_support, itemsets.min_count, o.basket_min_confidence));
  } else {
    // Bounded defaults: the support is raised from its floor until at most a target number of
    // rules pass, itemsets are capped, and sparse items fall back to coarser levels
    // (docs/association-rules.md, "Adaptive defaults").
    std::vector<Baskets> coarser_baskets;
    std::vector<std::string> coarser_names;
    if (has_product && has_category) {
      BasketOptions by_category = bo;
      by_category.level = ItemLevel::category;
      coarser_baskets.push_back(baskets_from_log(log, by_category));
      coarser_names.emplace_back("category");
    }
    if (products != nullptr && has_product) {
      // The products' key: the transactions' product column name, else product / product_id,
      // else the first column; coarser levels in this order when present.
      std::size_t key = 0;
      for (const std::string& name :
           {log.product->name, std::string("product"), std::string("product_id")}) {
        if (const auto k = products->find(name)) {
          key = *k;
          break;
        }
      }
      for (const char* level : {"category", "product_category", "department", "brand"}) {
        if (!products->find(level) || (std::string(level) == "category" && has_category)) continue;
        std::unordered_map<std::string, std::string> mapping;
        const auto& groups = products->column(level);
        for (std::size_t r = 0; r < products->rows(); ++r) {
          mapping.emplace(products->columns[key][r], groups[r]);
        }
        MappedBaskets mapped = map_items_partial(baskets, mapping);
        if (mapped.unmapped_items > 0) {
          a.notes.push_back(fmt::format(
              "{}: {} products of the transactions are not in it ({} "
              "basket lines), left out of the {} level",
              products->source, mapped.unmapped_items, mapped.unmapped_occurrences, level));
        }
        coarser_baskets.push_back(std::move(mapped.baskets));
        coarser_names.emplace_back(level);
      }
    }
    std::vector<RuleLevel> levels;
    for (std::size_t k = 0; k < coarser_baskets.size(); ++k) {
      levels.push_back(RuleLevel{coarser_names[k], &coarser_baskets[k]});
    }
    RuleSearchOptions rso;
    rso.min_confidence = ro.min_confidence;
    rso.min_count = io.min_count;
    rso.min_support = io.min_support;
    const RuleSearchResult found = search_association_rules(baskets, levels, rso);
    j["level"] = found.level;
    j["search"] = "bounded";
    j["target_rules"] = rso.target_rules;
    j["max_itemset_length"] = found.max_length;
    j["support_count_floor"] = found.floor_count;
    j["support_count_threshold"] = found.min_count;
    j["min_support_used"] = found.min_support;
    j["raised"] = found.raised;
    j["frequent_itemsets"] = found.itemsets.size();
    j["rules"] = found.rules.size();
    j["note"] = found.note;
    add_table(a, rules_table(found.rules), "basket");
    add_table(a, itemsets_table(found.itemsets), "basket");
    a.lines.emplace_back("Rules", found.note);
  }

  // Next best offers: needs customers and dates, which the main job always has.
  if (o.recommend_top > 0) {
    HistoryOptions ho;
    ho.level = level;
    const PurchaseHistories histories = purchase_histories(log, ho);
    const FollowOnTable table = follow_on(histories, FollowOnOptions{});
    RecommendOptions rec;
    rec.top_n = o.recommend_top;
    const Recommendations recs = recommend(histories, table, rec);
    std::size_t explained = 0;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      explained += recs.because[i] != Recommendations::kNoReason;
    }
    add_table(a, recommendations_table(recs), "basket");
    j["recommendations"] = recs.size();
    j["recommendations_from_follow_on"] = explained;
    j["recommend_top"] = o.recommend_top;
    a.lines.emplace_back(
        "Offers", fmt::format("{} offers (top {} per customer): {} from "
                              "follow-on purchases, {} popular fill-ins",
                              recs.size(), o.recommend_top, explained, recs.size() - explained));
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
    add_table(a,
              reach_table(reach(log, ItemLevel::category, segment), "basket/category_penetration"),
              "basket");
  }
  a.extras["basket"] = j;
}

// ------------------------------------------------------------------------------------- NPS

void nps_step(const TransactionLog& log, const AnalyzeOptions& o, const std::string& source,
              const NpsParseResult& parsed, const AnalyzedCustomers& customers, Analysis& a) {
  const NpsAnswers& answers = parsed.answers;
  nlohmann::ordered_json j;
  j["source"] = source;
  j["answers"] = answers.size();

  // Problems kept out of (duplicates) or flagged in (unknown customers) the tables.
  std::map<std::string, std::size_t> problem_count;
  for (const auto& p : parsed.problems) ++problem_count[p.kind];
  add_table(a, nps_problems_table(parsed.problems), "nps");
  for (const auto& [kind, count] : problem_count) {
    a.notes.push_back(fmt::format("{}: {} {} row(s){} (nps/problems.csv)", source, count, kind,
                                  kind == "duplicate" ? " skipped" : " kept"));
    j["problems"][kind] = count;
  }

  // NPS tables: overall, by month, channel and the main job's segments.
  std::unordered_map<std::string_view, std::size_t> row_of;
  for (std::size_t i = 0; i < customers.ids.size(); ++i) row_of.emplace(customers.ids[i], i);
  // Respondents without a summary row: absent from the transactions, or in them only with lines
  // the summary leaves out (returns, purchases after the observation end).
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
  add_table(a, nps_table(sections), "nps");
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
    a.lines.emplace_back(
        "NPS", fmt::format("{:+.1f} (95% CI {:+.1f} .. {:+.1f}; {} answers: {} "
                           "promoters, {} passives, {} detractors)",
                           *overall.nps, *overall.ci_low, *overall.ci_high, overall.answers,
                           overall.promoters, overall.passives, overall.detractors));
  } else {
    a.notes.push_back(source + ": no valid answers");
  }

  // Follow-up items: detractors and every score below 10.
  const std::vector<FollowUp> items = follow_ups(answers, FollowUpOptions{});
  add_table(a, follow_ups_table(items), "nps");
  j["follow_ups"] = items.size();
  // Most frequent words and #tags of detractor comments.
  add_table(a, detractor_terms_table(answers, 20), "nps");

  // Value link: retention and spend in the window after the answer (respondents whose window
  // lies inside the log), and the main job's P(alive), expected purchases and CLV of every
  // respondent by the class of their latest answer.
  std::unordered_map<std::string, double> ltv;
  for (std::size_t i = 0; i < customers.ids.size(); ++i)
    if (std::isfinite(customers.clv[i])) ltv[customers.ids[i]] = customers.clv[i];
  NpsValueOptions vo;
  vo.horizon_days = o.nps_horizon_days;
  const auto window = nps_value_link(answers, log, vo, ltv);
  const auto p_alive = nps_class_means(answers, customers.ids, customers.p_alive);
  const auto expected = nps_class_means(answers, customers.ids, customers.expected_purchases);
  const auto clv = nps_class_means(answers, customers.ids, customers.clv);
  ResultTable value(table_spec("nps/value"));
  auto opt = [](const std::optional<double>& v) { return v ? Cell{*v} : Cell{}; };
  for (std::size_t k = 0; k < 3; ++k) {
    const auto& r = window[k];
    value.append_row({std::string(to_string(r.cls)), static_cast<std::int64_t>(r.customers),
                      static_cast<std::int64_t>(r.retained), opt(r.retention), opt(r.value_before),
                      opt(r.value_after), opt(r.mean_ltv),
                      static_cast<std::int64_t>(p_alive[k].customers), opt(p_alive[k].mean),
                      opt(expected[k].mean), opt(clv[k].mean), std::int64_t{o.nps_horizon_days}});
    nlohmann::ordered_json row;
    row["respondents"] = p_alive[k].customers;
    row["retention"] = json_of(r.retention);
    row["mean_p_alive"] = json_of(p_alive[k].mean);
    row["mean_clv"] = json_of(clv[k].mean);
    j["value"][std::string(to_string(r.cls))] = row;
  }
  add_table(a, std::move(value), "nps");
  a.extras["nps"] = j;
}

}  // namespace

Analysis Workspace::analyze(const AnalyzeOptions& o, const SideInputs& side,
                            const Progress& progress) {
  const i18n::LocaleScope locale(o.locale);  // action reasons in the job's language
  Analysis a;
  a.options = o;
  a.source = source_.path;
  Steps steps(kAnalyzeSteps, progress, a.timings);
  const bool loaded_before = log_ != nullptr;
  const ActionConfig playbook = side.playbook ? *side.playbook : default_action_config();
  precheck_playbook(playbook, side.customers ? &*side.customers : nullptr, true);
  if (!o.compare_column.empty() && !side.customers) {
    parameter_error("compare", o.compare_column, "customer attributes holding that column");
  }
  parse_ratio(o.basket_min_support, "basket_min_support");
  parse_ratio(o.basket_min_confidence, "basket_min_confidence");

  steps.begin("loading " + source_.path);
  const TransactionLog& log = transactions();
  a.load = report_;
  // Suspicious but valid data (returns exceeding purchases, a customer holding an implausible
  // share of the rows): in the run's notes as well as in the load report on stderr.
  for (const DataWarning& w : report_.data_warnings) {
    std::string note = w.message;
    for (std::size_t i = 0; i < w.examples.size(); ++i) {
      note += (i == 0 ? ", e.g. " : "; ") + w.examples[i];
    }
    a.notes.push_back(std::move(note));
  }
  if (loaded_before) steps.set_seconds(load_seconds_);  // the face loaded first
  if (log.size() == 0) input_error({source_.path, 0, ""}, "no rows", "at least one transaction");
  std::optional<NpsParseResult> nps;
  if (side.nps) nps = validate_nps_rows(*side.nps, side.nps_source, log.customer_ids);
  SummaryOptions summary_opts;
  summary_opts.time_unit = parse_time_unit(o.time_unit);
  summary_opts.observation_end = o.observation_end;  // predictions use all data up to it

  steps.begin("summarising customers");
  CustomerSummary summary = summarize(log, summary_opts);
  const std::vector<std::string> ids = summary_customer_ids(log, summary);
  const std::size_t n = summary.size();
  {
    // Every loaded customer is in the summary or counted under the reason it is not.
    const SummaryAccounting accounting = account_summary(log, summary);
    auto group = [](const UnsummarisedCustomers& g) {
      return nlohmann::ordered_json{{"count", g.count}, {"first", g.examples}};
    };
    a.customer_accounting = {
        {"loaded", accounting.customers_loaded},
        {"summarised", accounting.customers_summarised},
        {"only_returns", group(accounting.only_returns)},
        {"no_purchase_by_calibration_end", group(accounting.no_purchase_by_calibration_end)}};
    if (accounting.not_summarised() > 0) {
      std::string why;
      if (accounting.only_returns.count > 0) {
        why = fmt::format("{} with only returns or cancellations", accounting.only_returns.count);
      }
      if (accounting.no_purchase_by_calibration_end.count > 0) {
        why += fmt::format("{}{} with no purchase by the end of the data", why.empty() ? "" : ", ",
                           accounting.no_purchase_by_calibration_end.count);
      }
      a.notes.push_back(fmt::format("{} of {} loaded customers are not analysed: {}",
                                    accounting.not_summarised(), accounting.customers_loaded, why));
    }
  }

  // Model selection on a calibration / holdout split: the candidates ranked by holdout error,
  // then the first whose fit on all data identifies P(alive) (else a penalised fit, validated on
  // the holdout; docs/models.md, "Identification").
  steps.begin("comparing models on a holdout");
  std::vector<std::string> candidates;
  if (o.model == "auto") {
    candidates = default_model_candidates();
  } else {
    model_definition(o.model, ModelKind::count);  // ParameterError for an unknown model
    candidates.push_back(o.model);
  }
  nlohmann::ordered_json selection;
  selection["candidates"] = candidates;
  std::vector<std::string> preference = candidates;
  std::optional<CustomerSummary> calibration;
  if (const auto split = selection_split(log, o, summary_opts.time_unit)) {
    SummaryOptions cal_opts = summary_opts;
    cal_opts.calibration_end = *split;
    calibration = summarize(log, cal_opts);
    if (needs_regularity(candidates)) add_regularity(log, *calibration);
    const auto scores = compare_on_holdout(*calibration, candidates);
    selection["calibration_end"] = format_date(*split);
    selection["observation_end"] = format_date(calibration->observation_end);
    add_table(a, models_table(scores));
    const ValidationReport validation = validation_from_scores(log, *calibration, scores);
    add_table(a, tracking_table(validation, false), "validation");
    add_table(a, conditional_table(validation), "validation");
    const std::size_t best = best_by_holdout(scores);
    preference = holdout_preference(scores);
    selection["chosen_by"] = best < scores.size() ? "lowest holdout MAE" : "first candidate";
  } else {
    selection["chosen_by"] = "first candidate (history too short for a holdout)";
  }

  steps.begin("fitting the chosen model on all data and predicting");
  if (needs_regularity(preference)) add_regularity(log, summary);
  const RfmPatterns patterns = summary_patterns(summary);
  const ModelChoice choice = choose_identified_model(preference, patterns, ModelChoiceOptions{},
                                                     calibration ? &*calibration : nullptr);
  const std::string& chosen = choice.model;
  if (choice.regularised) {
    selection["chosen_by"] = selection["chosen_by"].get<std::string>() +
                             "; refitted with an L2 penalty: the data alone do not identify "
                             "dropout";
  } else if (chosen != preference.front()) {
    selection["chosen_by"] = selection["chosen_by"].get<std::string>() +
                             ", the first whose P(alive) is identified by the data";
  }
  selection["chosen"] = chosen;
  selection["identification"] = std::string(to_string(choice.diagnosis.verdict));
  selection["regularised"] = choice.regularised;
  selection["l2_penalty"] = choice.l2_penalty;
  selection["p_alive_measured"] = choice.p_alive_measured();
  selection["headline"] = choice.headline;
  selection["reason"] = choice.reason;
  a.model_selection = selection;
  a.model_name = chosen;
  a.model_choice_headline = choice.headline;
  a.model_choice_reason = choice.reason;
  a.identification = std::string(to_string(choice.diagnosis.verdict));
  a.l2_penalty = choice.l2_penalty;
  a.p_alive_measured = choice.p_alive_measured();
  const FittedCountModel model(choice.fit);
  a.model = model.result();
  // The spend model, every customer's scores and segments (shared with the store's incremental
  // runs, ltv/workspace/scoring.hpp).
  CustomerScoring scoring = score_summary(summary, model, o);
  a.spend_customers = spend_customers_json(scoring, ids);

  steps.begin("segmenting customers");
  segment_summary(summary, scoring);
  a.spend_model = scoring.spend_model;
  a.spend_model_note = scoring.spend_model_note;
  const bool with_spend = scoring.spend_model.has_value();
  const std::vector<double>& clv = scoring.clv;
  const std::vector<double>& p_alive = scoring.count_scores.p_alive;
  const std::vector<double>& expected = scoring.count_scores.expected_purchases;
  const CustomerScores& scores = scoring.scores;
  const SegmentConfig& segment_config = scoring.segment_config;
  const SegmentResult& segments = scoring.segments;
  add_table(a, segments_result_table(summary, scoring));

  // Segment movement: segments from the history up to `transitions_days` before the end and up
  // to the end (RFM, ABCDX, stage), as `ltv segment --snapshots`; the end snapshot with the model
  // scores, so that it equals the customers table (R follows the stage, which uses P(alive)).
  if (o.transitions_days > 0) {
    const std::int32_t to = summary.calibration_end;
    const std::int32_t from = to - o.transitions_days;
    if (from > *report_.first_day) {
      const std::int32_t days[] = {from, to};
      const SegmentHistory history =
          segment_history(log, days, segment_config, nullptr, summary.time_unit, &scores);
      add_table(a, transitions_table(history));
      std::size_t rfm_drops = 0, stage_drops = 0;
      for (const auto& t : history.transitions) {
        if (t.scheme == "rfm") rfm_drops = t.dropped_ids.size();
        if (t.scheme == "stage") stage_drops = t.dropped_ids.size();
      }
      a.transitions_line = i18n::trf(
          "since {}: {} customers fell to a lower RFM segment, {} to a later life-cycle stage",
          i18n::format_day(from), rfm_drops, stage_drops);
    } else {
      a.transitions_line = i18n::trf(
          "no transitions: the history starts less than {} days "
          "before its end",
          o.transitions_days);
    }
  }

  // Per-customer table.
  add_table(a, customers_result_table(summary, ids, scoring));

  // CVM actions.
  {
    ActionInputs in;
    in.customers = side.customers ? &*side.customers : nullptr;
    in.nps = nps ? &nps->answers : nullptr;
    in.contacts = side.contacts ? &*side.contacts : nullptr;
    in.suppress = side.suppress ? &*side.suppress : nullptr;
    const ActionRun run = run_actions(playbook, in, log, summary, model, scores);
    add_table(a, action_list_table(run));
    add_table(a, action_summary_table(run));
    for (const auto& note : run.notes) a.notes.push_back(note);
    std::size_t control = 0;
    for (auto c : run.list.control) control += c;
    a.actions_line =
        i18n::trf("{} actions ({} treated, {} control) from {} rules of {}", run.list.size(),
                  run.list.size() - control, control, playbook.rules.size(), playbook.source);
  }

  steps.begin("business analytics");
  StandardAnalyticsOptions analytics_opts;
  try {
    const AnalyticsReport analytics = run_standard_analytics(log, analytics_opts);
    add_table(a, kpi_table(analytics.kpis), "analytics");
    add_table(a, top_items_table(analytics.top_items), "analytics");
    add_table(a,
              formula_ltv_table(analytics.ltv_formula, analytics.lifespan_method,
                                analytics.retention_period),
              "analytics");
    add_table(a, distribution_table(analytics.ltv_distribution), "analytics");
    add_table(a, cohort_table(analytics.cohorts), "analytics");
    add_table(a, cohort_matrix(analytics.cohorts, "retention", "cohort_retention"), "analytics");
    if (analytics.forecast) {
      add_table(a, forecast_table(*analytics.forecast), "analytics");
      add_table(a, backtest_table(*analytics.forecast), "analytics");
      add_table(a, seasonality_table(*analytics.forecast), "analytics");
    }
    a.analytics_notes = analytics.notes;
    if (side.spend) {
      CacOptions cac;
      if (side.customers) {
        cac.acquisition_channel =
            groups_from_table(log, *side.customers, "customer_id", o.customers_channel, &a.notes);
      }
      if (with_spend) {
        cac.predicted_ltv.assign(log.customer_count(), std::numeric_limits<double>::quiet_NaN());
        for (std::size_t i = 0; i < n; ++i) cac.predicted_ltv[summary.customer[i]] = clv[i];
      }
      const SpendTable spend_table =
          spend_from_table(*side.spend, "channel", "period", "spend", PeriodUnit::month);
      add_table(a, cac_table(compute_cac(log, spend_table, cac)), "analytics");
    }
    if (!o.compare_column.empty()) {
      CustomerGroups groups =
          groups_from_table(log, *side.customers, "customer_id", o.compare_column, &a.notes);
      // Sentences name the column: "loyalty_member = 1 have 28% more spend ...".
      const auto named = [&](const std::string& v) { return o.compare_column + " = " + v; };
      for (auto& label : groups.labels) {
        if (label == o.compare_a || label == o.compare_b) label = named(label);
      }
      const CompareReport report =
          compare_groups(log, groups, named(o.compare_a), named(o.compare_b), CompareOptions{});
      add_table(a, compare_table(report), "analytics");
      for (const auto& w : report.warnings) a.analytics_notes.push_back(w);
      for (const auto& m : report.metrics) a.group_comparison.push_back(m.sentence);
    }
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    a.analytics_notes.push_back(e.what());
  }

  // Cross-sell (with a product / category column) and NPS (with answers).
  {
    AnalyzedCustomers analyzed{ids, p_alive, expected, clv, {}, {}, {}};
    for (std::size_t i = 0; i < n; ++i) {
      analyzed.rfm_segment.push_back(rfm_segment_name(segments, i));
      analyzed.abcdx.emplace_back(to_string(segments.abcdx[i]));
      analyzed.stage.emplace_back(to_string(segments.stage[i]));
    }
    basket_step(log, o, side.products ? &*side.products : nullptr, analyzed, a);
    if (nps) nps_step(log, o, side.nps_source, *nps, analyzed, a);
  }

  // Headline.
  fill_headline(a, summary, scoring);
  a.transactions = log.size();
  a.first_day = *report_.first_day;
  a.last_day = *report_.last_day;
  steps.end();
  return a;
}

}  // namespace ltv
