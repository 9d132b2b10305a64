// RFM scores and segments, ABCDX classes, life-cycle stages, custom segments, segment tables.
#include "ltv/segment/segment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "ltv/segment/cluster.hpp"

namespace ltv {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum StageCause : std::uint8_t { kRhythm, kPAlive, kLostDays, kNewWindow, kVip };

int stage_rank(LifecycleStage s) {  // larger = worse
  switch (s) {
    case LifecycleStage::vip:
      return 0;
    case LifecycleStage::active:
      return 1;
    case LifecycleStage::new_customer:
      return 2;
    case LifecycleStage::at_risk:
      return 3;
    case LifecycleStage::lapsing:
      return 4;
    case LifecycleStage::lost:
      return 5;
  }
  return 5;
}

double resolve_threshold(const Threshold& t, std::span<const double> values,
                         std::span<const std::uint8_t> in_reference) {
  if (!t.percentile) return t.value;
  std::vector<double> ref;
  ref.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    if ((in_reference.empty() || in_reference[i]) && std::isfinite(values[i]))
      ref.push_back(values[i]);
  if (ref.empty())  // nobody active: fall back to everyone
    for (double v : values)
      if (std::isfinite(v)) ref.push_back(v);
  return percentile(std::move(ref), t.value);
}

}  // namespace

std::string_view to_string(AbcdxClass c) noexcept {
  static constexpr std::string_view kNames[] = {"A", "B", "C", "D", "X"};
  return kNames[static_cast<int>(c)];
}

std::string_view to_string(LifecycleStage s) noexcept {
  static constexpr std::string_view kNames[] = {"new",     "active",  "vip",
                                                "at_risk", "lapsing", "lost"};
  return kNames[static_cast<int>(s)];
}

double percentile(std::vector<double> values, double pct) {
  values.erase(
      std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
      values.end());
  if (values.empty()) return kNaN;
  pct = std::clamp(pct, 0.0, 100.0);
  double h = (values.size() - 1) * pct / 100.0;
  auto lo = static_cast<std::size_t>(std::floor(h));
  std::nth_element(values.begin(), values.begin() + lo, values.end());
  double a = values[lo];
  if (lo + 1 >= values.size()) return a;
  double b = *std::min_element(values.begin() + lo + 1, values.end());
  return a + (h - lo) * (b - a);
}

std::vector<std::uint8_t> quantile_scores(std::span<const double> values, int bins,
                                          bool lower_is_better) {
  // score = 1 + floor(bins * worse / m), worse = customers with a strictly worse value, m = the
  // customers with a value. worse >= c holds exactly when the c-th worst value... is strictly
  // worse than v, so score = 1 + #{s = 2..bins : v strictly better than the order statistic at
  // c_s = ceil((s - 1) m / bins)}: bins - 1 selections, O(n) overall, ties always equal.
  const std::size_t n = values.size();
  std::vector<std::uint8_t> out(n, 1);
  std::vector<double> work;
  work.reserve(n);
  for (double v : values)
    if (!std::isnan(v)) work.push_back(v);
  const std::size_t m = work.size();
  if (m == 0) return out;
  std::vector<std::size_t> positions;  // c-th worst value: the c-th smallest, or c-th largest
  for (int s = 2; s <= bins; ++s) {
    const std::size_t c = (static_cast<std::size_t>(s - 1) * m + bins - 1) / bins;  // >= 1
    positions.push_back(lower_is_better ? m - c : c - 1);
  }
  // Select in ascending position order, each within what is right of the previous selection.
  std::vector<std::size_t> sorted_positions = positions;
  std::sort(sorted_positions.begin(), sorted_positions.end());
  auto from = work.begin();
  for (std::size_t pos : sorted_positions) {
    if (work.begin() + pos >= from) {
      std::nth_element(from, work.begin() + pos, work.end());
      from = work.begin() + pos + 1;
    }
  }
  std::vector<double> cut;
  for (std::size_t pos : positions) cut.push_back(work[pos]);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = values[i];
    if (std::isnan(v)) continue;
    int score = 1;
    if (lower_is_better) {
      for (double t : cut) score += v < t;
    } else {
      for (double t : cut) score += v > t;
    }
    out[i] = static_cast<std::uint8_t>(score);
  }
  return out;
}

std::vector<std::uint8_t> cut_scores(std::span<const double> values, std::span<const double> cuts,
                                     bool lower_is_better) {
  std::vector<std::uint8_t> out(values.size(), 1);
  for (std::size_t i = 0; i < values.size(); ++i) {
    double v = values[i];
    if (std::isnan(v)) continue;
    std::size_t reached = 0;
    if (lower_is_better) {  // days <= cut: within the cut
      reached = cuts.end() - std::lower_bound(cuts.begin(), cuts.end(), v);
    } else {  // value >= cut: reaches the cut
      reached = std::upper_bound(cuts.begin(), cuts.end(), v) - cuts.begin();
    }
    out[i] = static_cast<std::uint8_t>(1 + reached);
  }
  return out;
}

namespace {

std::vector<std::uint8_t> score_dimension(const RfmDimension& d, std::span<const double> v,
                                          bool lower_is_better) {
  return d.cuts.empty() ? quantile_scores(v, d.bins, lower_is_better)
                        : cut_scores(v, d.cuts, lower_is_better);
}

std::vector<double> copy_numbers(const FieldColumn* c) {
  return std::vector<double>(c->numbers.begin(), c->numbers.end());
}

void add_scores_as_fields(SegmentFields& fields, const std::string& name,
                          const std::vector<std::uint8_t>& s) {
  fields.add_numeric(name, std::vector<double>(s.begin(), s.end()));
}

}  // namespace

SegmentResult segment_customers(const CustomerSummary& summary, const CustomerScores* scores,
                                const Attributes* attributes, const SegmentConfig& config,
                                std::optional<std::int32_t> as_of_day, SegmentFields* fields_in) {
  const std::size_t n = summary.size();
  const std::int32_t as_of = as_of_day.value_or(summary.calibration_end);
  auto check_column = [&](const std::vector<double>& v, const char* what) {
    if (!v.empty() && v.size() != n)
      input_error(SourceLocation{"", 0, what}, fmt::format("{} values", v.size()),
                  fmt::format("one value per customer ({})", n));
  };
  if (scores) {
    check_column(scores->p_alive, "p_alive");
    check_column(scores->expected_purchases, "expected_purchases");
    check_column(scores->predicted_clv, "predicted_clv");
  }
  if (attributes)
    for (const auto& c : attributes->columns)
      if (c.codes.size() != n)
        input_error(SourceLocation{"", 0, c.name}, fmt::format("{} values", c.codes.size()),
                    fmt::format("one value per customer ({})", n));
  for (std::size_t i = 0; i < n; ++i)
    if (summary.last_purchase[i] > as_of) {
      input_error(SourceLocation{"", 0, "--as-of"}, fmt::format("day {}", as_of),
                  "a date on or after every customer's last purchase in the summary");
    }

  std::unique_ptr<SegmentFields> own_fields;
  if (!fields_in) {
    own_fields = std::make_unique<SegmentFields>(summary, scores, attributes, as_of,
                                                 config.birth_date_field);
    fields_in = own_fields.get();
  }
  SegmentFields& fields = *fields_in;
  auto known = [&] { return fields.names(); };

  SegmentResult res;
  res.as_of_day = as_of;
  res.recency_days = copy_numbers(fields.find("recency_days"));
  res.orders = copy_numbers(fields.find("orders"));
  res.average_check = copy_numbers(fields.find("average_check"));
  const std::vector<double> revenue = copy_numbers(fields.find("revenue"));

  // ---- life cycle -----------------------------------------------------------------------------
  // First, so that the RFM recency score can follow the stage (RfmConfig::recency_follows_stage)
  // and RFM rules can name it. The stage depends on rhythm, P(alive), tenure and value only.
  {
    const LifecycleConfig& c = config.lifecycle;
    const FieldColumn* mi = fields.find("mean_interval_days");
    res.default_interval_days = c.default_interval_days;
    if (res.default_interval_days <= 0) {
      res.default_interval_days =
          percentile(std::vector<double>(mi->numbers.begin(), mi->numbers.end()), 50);
      if (!std::isfinite(res.default_interval_days)) res.default_interval_days = 365;
    }
    res.expected_interval_days.resize(n);
    res.rhythm_ratio.resize(n);
    res.stage.resize(n);
    res.stage_cause.resize(n);
    const bool has_p = scores && !scores->p_alive.empty();
    const FieldColumn* tenure = fields.find("tenure_days");
    for (std::size_t i = 0; i < n; ++i) {
      double iv = std::isnan(mi->numbers[i]) ? res.default_interval_days : mi->numbers[i];
      iv = std::max(iv, 1.0);
      res.expected_interval_days[i] = iv;
      double ratio = res.recency_days[i] / iv;
      res.rhythm_ratio[i] = ratio;
      LifecycleStage s = LifecycleStage::active;
      std::uint8_t cause = kRhythm;
      if (res.recency_days[i] > c.lost_days) {
        s = LifecycleStage::lost;
        cause = kLostDays;
      } else if (ratio > c.lost_ratio) {
        s = LifecycleStage::lost;
      } else if (ratio > c.lapsing_ratio) {
        s = LifecycleStage::lapsing;
      } else if (ratio > c.at_risk_ratio) {
        s = LifecycleStage::at_risk;
      }
      if (has_p && std::isfinite(scores->p_alive[i])) {
        double p = scores->p_alive[i];
        LifecycleStage ps = p < c.p_alive_lost      ? LifecycleStage::lost
                            : p < c.p_alive_lapsing ? LifecycleStage::lapsing
                            : p < c.p_alive_at_risk ? LifecycleStage::at_risk
                                                    : LifecycleStage::active;
        if (stage_rank(ps) > stage_rank(s)) {
          s = ps;
          cause = kPAlive;
        }
      }
      if (tenure->numbers[i] <= c.new_days) {
        s = LifecycleStage::new_customer;
        cause = kNewWindow;
      }
      res.stage[i] = s;
      res.stage_cause[i] = cause;
    }
    // VIP: top vip_share of active customers by value.
    std::vector<double> value =
        (scores && !scores->predicted_clv.empty()) ? scores->predicted_clv : revenue;
    std::vector<double> active_values;
    for (std::size_t i = 0; i < n; ++i)
      if (res.stage[i] == LifecycleStage::active) active_values.push_back(value[i]);
    res.vip_value_threshold = percentile(active_values, 100.0 * (1.0 - c.vip_share));
    if (c.vip_share > 0 && std::isfinite(res.vip_value_threshold))
      for (std::size_t i = 0; i < n; ++i)
        if (res.stage[i] == LifecycleStage::active && value[i] > res.vip_value_threshold) {
          res.stage[i] = LifecycleStage::vip;
          res.stage_cause[i] = kVip;
        }
    fields.add_numeric("rhythm_ratio", res.rhythm_ratio);
    fields.add_numeric("expected_interval_days", res.expected_interval_days);
    static const std::vector<std::string> kStages = {"new",     "active",  "vip",
                                                     "at_risk", "lapsing", "lost"};
    std::vector<std::uint32_t> codes(n);
    for (std::size_t i = 0; i < n; ++i) codes[i] = static_cast<std::uint32_t>(res.stage[i]);
    fields.add_text("stage", std::move(codes), kStages);
  }

  // ---- RFM ------------------------------------------------------------------------------------
  res.frequency_value = copy_numbers(fields.find(config.rfm.frequency_measure));
  res.monetary_value = copy_numbers(fields.find(config.rfm.monetary_measure));
  res.r = score_dimension(config.rfm.recency, res.recency_days, true);
  if (config.rfm.recency_follows_stage) {
    // Caps: at_risk -> middle score, lapsing -> one below, lost -> 1 (docs/segments.md).
    const int scores = config.rfm.recency.cuts.empty()
                           ? config.rfm.recency.bins
                           : static_cast<int>(config.rfm.recency.cuts.size()) + 1;
    const int middle = (scores + 1) / 2;
    const auto cap_of = [middle](LifecycleStage s) {
      switch (s) {
        case LifecycleStage::at_risk:
          return middle;
        case LifecycleStage::lapsing:
          return std::max(1, middle - 1);
        case LifecycleStage::lost:
          return 1;
        default:
          return 255;
      }
    };
    for (std::size_t i = 0; i < n; ++i) {
      const int cap = cap_of(res.stage[i]);
      if (res.r[i] > cap) {
        res.r[i] = static_cast<std::uint8_t>(cap);
        ++res.recency_capped;
      }
    }
  }
  res.f = score_dimension(config.rfm.frequency, res.frequency_value, false);
  res.m = score_dimension(config.rfm.monetary, res.monetary_value, false);
  add_scores_as_fields(fields, "r", res.r);
  add_scores_as_fields(fields, "f", res.f);
  add_scores_as_fields(fields, "m", res.m);
  {
    std::vector<double> total(n), code(n);
    for (std::size_t i = 0; i < n; ++i) {
      total[i] = res.r[i] + res.f[i] + res.m[i];
      code[i] = res.r[i] * 100.0 + res.f[i] * 10.0 + res.m[i];
    }
    fields.add_numeric("rfm_score", std::move(total));
    fields.add_numeric("rfm", std::move(code));
  }
  {
    std::vector<std::string> names_known = known();
    std::vector<BoundRule> rules;
    for (const auto& seg : config.rfm.segments) {
      res.rfm_segment_names.push_back(seg.name);
      rules.push_back(seg.rule.bind(fields.resolver(), names_known));
    }
    res.rfm_segment_names.push_back("Other");
    const auto other = static_cast<std::uint16_t>(rules.size());
    res.rfm_segment.assign(n, other);
    // Rules are evaluated block-wise (tight loops per rule node); first match wins.
    constexpr std::size_t kBlock = BoundRule::kBlockSize;
    std::vector<std::uint8_t> hit(kBlock), done(kBlock);
    for (std::size_t begin = 0; begin < n; begin += kBlock) {
      const std::size_t count = std::min(kBlock, n - begin);
      std::fill(done.begin(), done.begin() + count, 0);
      std::size_t remaining = count;
      for (std::size_t k = 0; k < rules.size() && remaining > 0; ++k) {
        rules[k].evaluate_block(begin, count, hit.data());
        for (std::size_t j = 0; j < count; ++j)
          if (hit[j] && !done[j]) {
            done[j] = 1;
            res.rfm_segment[begin + j] = static_cast<std::uint16_t>(k);
            --remaining;
          }
      }
    }
    fields.add_text("rfm_segment",
                    std::vector<std::uint32_t>(res.rfm_segment.begin(), res.rfm_segment.end()),
                    res.rfm_segment_names);
  }

  // ---- ABCDX ----------------------------------------------------------------------------------
  {
    const AbcdxConfig& c = config.abcdx;
    std::vector<std::uint8_t> active(n);
    for (std::size_t i = 0; i < n; ++i) active[i] = res.recency_days[i] <= c.active_days;
    res.abcdx_frequency_threshold = resolve_threshold(c.frequency, res.orders, active);
    res.abcdx_check_threshold = resolve_threshold(c.check, res.average_check, active);
    res.abcdx.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      bool often = res.orders[i] > res.abcdx_frequency_threshold;
      bool high = res.average_check[i] > res.abcdx_check_threshold;  // false for NaN
      res.abcdx[i] =
          often ? (high ? AbcdxClass::A : AbcdxClass::C) : (high ? AbcdxClass::B : AbcdxClass::D);
    }
    res.potential_score.assign(n, kNaN);
    bool use_potential = !c.potential_field.empty();
    bool use_lookalike = !c.lookalike_features.empty();
    if (use_potential || use_lookalike) {
      double low_spend = resolve_threshold(c.low_spend, revenue, active);
      std::vector<std::uint8_t> high_potential(n, 0);
      if (use_potential) {
        const FieldColumn* p = fields.find(c.potential_field);
        if (!p || !p->has_numbers())
          input_error(SourceLocation{config.source, 0, "abcdx.potential_field"}, c.potential_field,
                      p ? "an attribute with numeric values (company size, estimated demand)"
                        : "the name of an attribute column given with --attributes");
        res.potential_score.assign(p->numbers.begin(), p->numbers.end());
        double thr = resolve_threshold(c.potential, res.potential_score, {});
        for (std::size_t i = 0; i < n; ++i) high_potential[i] = res.potential_score[i] > thr;
      } else {
        std::vector<std::uint8_t> seed(n);
        std::size_t seeds = 0;
        for (std::size_t i = 0; i < n; ++i) seeds += seed[i] = res.abcdx[i] == AbcdxClass::A;
        if (seeds > 0) {
          FeatureMatrix x = build_features(fields, c.lookalike_features);
          std::vector<double> all;
          lookalike(x, seed, 1, 10, &all);
          // Percentile rank of each non-seed customer's similarity.
          std::vector<double> others;
          for (std::size_t i = 0; i < n; ++i)
            if (!seed[i]) others.push_back(all[i]);
          std::sort(others.begin(), others.end());
          for (std::size_t i = 0; i < n; ++i) {
            if (seed[i]) continue;
            double rank =
                static_cast<double>(std::upper_bound(others.begin(), others.end(), all[i]) -
                                    others.begin()) /
                static_cast<double>(others.size());
            res.potential_score[i] = rank;
            high_potential[i] = rank >= c.lookalike_min_score;
          }
        }
      }
      for (std::size_t i = 0; i < n; ++i)
        if (high_potential[i] && revenue[i] <= low_spend) res.abcdx[i] = AbcdxClass::X;
    }
    static const std::vector<std::string> kClasses = {"A", "B", "C", "D", "X"};
    std::vector<std::uint32_t> codes(n);
    for (std::size_t i = 0; i < n; ++i) codes[i] = static_cast<std::uint32_t>(res.abcdx[i]);
    fields.add_text("abcdx", std::move(codes), kClasses);
  }

  // ---- custom segments ------------------------------------------------------------------------
  if (!config.custom.empty()) {
    std::vector<std::string> names_known = known();
    for (const auto& seg : config.custom) {
      BoundRule rule = seg.rule.bind(fields.resolver(), names_known);
      std::vector<std::uint8_t> member(n);
      for (std::size_t begin = 0; begin < n; begin += BoundRule::kBlockSize)
        rule.evaluate_block(begin, std::min(BoundRule::kBlockSize, n - begin),
                            member.data() + begin);
      res.custom_names.push_back(seg.name);
      res.custom_member.push_back(std::move(member));
    }
  }

  // ---- clusters -------------------------------------------------------------------------------
  if (config.clusters) {
    const ClusterConfig& c = *config.clusters;
    FeatureMatrix x = build_features(fields, c.features);
    KMeansOptions o;
    o.k = c.k;
    o.k_min = c.k_min;
    o.k_max = c.k_max;
    o.seed = c.seed;
    o.restarts = c.restarts;
    o.max_iterations = c.max_iterations;
    o.silhouette_sample = c.silhouette_sample;
    KMeansResult km = kmeans(x, o);
    res.cluster = km.labels;
    res.cluster_k = km.k;
    res.cluster_silhouette = km.silhouette;
    res.cluster_features = x.names;
    const std::size_t d = x.cols();
    res.cluster_profiles.assign(km.k * d, 0.0);
    for (int k = 0; k < km.k; ++k)
      for (std::size_t j = 0; j < d; ++j)
        res.cluster_profiles[k * d + j] = km.centers[k * d + j] * x.sd[j] + x.mean[j];
  }

  // ---- look-alike -----------------------------------------------------------------------------
  if (config.lookalike) {
    const LookalikeConfig& c = *config.lookalike;
    std::vector<std::uint8_t> seed(n, 0);
    if (!c.seed_segment.empty()) {
      bool found = false;
      auto mark = [&](auto label_of) {
        for (std::size_t i = 0; i < n; ++i)
          if (label_of(i) == c.seed_segment) seed[i] = 1, found = true;
      };
      mark([&](std::size_t i) { return std::string_view(rfm_segment_name(res, i)); });
      mark([&](std::size_t i) { return to_string(res.abcdx[i]); });
      mark([&](std::size_t i) { return to_string(res.stage[i]); });
      for (std::size_t k = 0; k < res.custom_names.size(); ++k)
        if (res.custom_names[k] == c.seed_segment)
          for (std::size_t i = 0; i < n; ++i)
            if (res.custom_member[k][i]) seed[i] = 1, found = true;
      if (!found)
        input_error(SourceLocation{config.source, 0, "lookalike.seed_segment"}, c.seed_segment,
                    "a segment with at least one customer (an RFM segment, A/B/C/D/X, a stage or "
                    "a custom segment)");
    } else {
      // seed ids are matched by the caller through fields "customer_id" when present
      const FieldColumn* ids = fields.find("customer_id");
      if (!ids || !ids->has_text())
        input_error(SourceLocation{config.source, 0, "lookalike.seed_ids"}, "seed_ids",
                    "customer ids available (the CLI provides them)");
      std::vector<std::uint8_t> wanted(ids->values.size(), 0);
      std::unordered_map<std::string_view, std::size_t> index;
      for (std::size_t k = 0; k < ids->values.size(); ++k) index.emplace(ids->values[k], k);
      for (const auto& id : c.seed_ids) {
        auto it = index.find(id);
        if (it == index.end())
          input_error(SourceLocation{config.source, 0, "lookalike.seed_ids"}, id,
                      "the id of a customer in the data");
        wanted[it->second] = 1;
      }
      for (std::size_t i = 0; i < n; ++i) seed[i] = wanted[ids->codes[i]];
    }
    FeatureMatrix x = build_features(fields, c.features);
    LookalikeResult lk = lookalike(x, seed, c.top_n, c.neighbors);
    res.lookalike_rows = std::move(lk.rows);
    res.lookalike_scores = std::move(lk.scores);
  }
  return res;
}

// ---- tables and reasons -----------------------------------------------------------------------

std::vector<SegmentStats> segment_table(const SegmentResult& res, const CustomerSummary& summary,
                                        const CustomerScores* scores, const SegmentConfig& config) {
  const std::size_t n = res.size();
  const bool has_clv = scores && !scores->predicted_clv.empty();
  double total_revenue = 0;
  for (std::size_t i = 0; i < n; ++i)
    total_revenue += summary.revenue.empty() ? 0 : summary.revenue[i];
  std::vector<SegmentStats> out;
  auto group = [&](const std::string& scheme, const std::vector<std::string>& names, auto label_of,
                   auto describe) {
    std::vector<SegmentStats> rows(names.size());
    std::vector<double> orders(names.size(), 0), clv(names.size(), 0);
    std::vector<std::size_t> clv_n(names.size(), 0);
    for (std::size_t k = 0; k < names.size(); ++k) {
      rows[k].scheme = scheme;
      rows[k].segment = names[k];
      describe(k, rows[k]);
    }
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t k = label_of(i);
      if (k >= names.size()) continue;
      rows[k].customers++;
      rows[k].revenue += summary.revenue.empty() ? 0 : summary.revenue[i];
      orders[k] += static_cast<double>(summary.orders[i]);
      if (has_clv && std::isfinite(scores->predicted_clv[i])) {
        clv[k] += scores->predicted_clv[i];
        clv_n[k]++;
      }
    }
    for (std::size_t k = 0; k < names.size(); ++k) {
      SegmentStats& s = rows[k];
      s.customer_share = n ? static_cast<double>(s.customers) / n : 0;
      s.revenue_share = total_revenue > 0 ? s.revenue / total_revenue : 0;
      s.average_check = orders[k] > 0 ? s.revenue / orders[k] : 0;
      s.frequency = s.customers ? orders[k] / s.customers : 0;
      if (has_clv) s.predicted_ltv = clv_n[k] ? clv[k] / clv_n[k] : 0;
      if (scheme == "rfm" && k == names.size() - 1 && s.customers == 0) continue;  // empty "Other"
      out.push_back(std::move(s));
    }
  };
  group(
      "rfm", res.rfm_segment_names, [&](std::size_t i) { return std::size_t{res.rfm_segment[i]}; },
      [&](std::size_t k, SegmentStats& s) {
        if (k < config.rfm.segments.size()) {
          s.purpose = config.rfm.segments[k].purpose;
          s.description = config.rfm.segments[k].description;
        } else {
          s.description = "Matched no RFM rule";
        }
      });
  static const char* const kAbcdxText[] = {
      "Buys often with a high average check", "High average check, few purchases",
      "Low average check, many purchases", "Low average check and few purchases",
      "Large potential not yet served (own spend still low)"};
  static const char* const kAbcdxPurpose[] = {"keep service level", "raise activity", "raise spend",
                                              "raise activity", "raise spend"};
  group(
      "abcdx", {"A", "B", "C", "D", "X"},
      [&](std::size_t i) { return static_cast<std::size_t>(res.abcdx[i]); },
      [&](std::size_t k, SegmentStats& s) {
        s.description = kAbcdxText[k];
        s.purpose = kAbcdxPurpose[k];
      });
  static const char* const kStageText[] = {"First purchase recently",
                                           "Buying in their usual rhythm",
                                           "Top customers by value, buying in their usual rhythm",
                                           "Later than their usual rhythm",
                                           "Far past their usual rhythm; the habit is breaking",
                                           "Silent far beyond their rhythm"};
  static const char* const kStagePurpose[] = {"raise activity",     "raise spend",
                                              "keep service level", "raise activity",
                                              "raise activity",     "raise activity"};
  group(
      "stage", {"new", "active", "vip", "at_risk", "lapsing", "lost"},
      [&](std::size_t i) { return static_cast<std::size_t>(res.stage[i]); },
      [&](std::size_t k, SegmentStats& s) {
        s.description = kStageText[k];
        s.purpose = kStagePurpose[k];
      });
  for (std::size_t c = 0; c < res.custom_names.size(); ++c) {
    group(
        "custom", {res.custom_names[c]},
        [&](std::size_t i) { return res.custom_member[c][i] ? std::size_t{0} : std::size_t{1}; },
        [&](std::size_t, SegmentStats& s) {
          s.description = config.custom[c].description;
          s.purpose = config.custom[c].purpose;
        });
  }
  if (!res.cluster.empty()) {
    std::vector<std::string> names;
    for (int k = 0; k < res.cluster_k; ++k) names.push_back(std::to_string(k));
    group(
        "cluster", names, [&](std::size_t i) { return static_cast<std::size_t>(res.cluster[i]); },
        [&](std::size_t k, SegmentStats& s) {
          std::string profile;
          const std::size_t d = res.cluster_features.size();
          for (std::size_t j = 0; j < d; ++j)
            profile += fmt::format("{}{} {:.4g}", j ? ", " : "", res.cluster_features[j],
                                   res.cluster_profiles[k * d + j]);
          s.description = profile;
        });
  }
  return out;
}

std::vector<std::size_t> custom_overlaps(const SegmentResult& res) {
  const std::size_t m = res.custom_names.size();
  std::vector<std::size_t> counts(m * m, 0);
  for (std::size_t a = 0; a < m; ++a)
    for (std::size_t b = a; b < m; ++b) {
      std::size_t c = 0;
      for (std::size_t i = 0; i < res.size(); ++i)
        c += res.custom_member[a][i] && res.custom_member[b][i];
      counts[a * m + b] = counts[b * m + a] = c;
    }
  return counts;
}

std::string stage_reason(const SegmentResult& res, std::size_t i, const CustomerScores* scores) {
  const double days = res.recency_days[i];
  const double iv = res.expected_interval_days[i];
  const bool own = res.orders.empty() || res.orders[i] > 1;
  std::string rhythm =
      own ? fmt::format("last purchase {:.0f} days ago, {:.1f}x their usual {:.0f}-day interval",
                        days, res.rhythm_ratio[i], iv)
          : fmt::format("one purchase {:.0f} days ago, {:.1f}x the typical {:.0f}-day interval",
                        days, res.rhythm_ratio[i], iv);
  switch (res.stage_cause[i]) {
    case kNewWindow:
      return fmt::format(
          "new customer (first purchase within the new-customer window); last purchase {:.0f} days "
          "ago",
          days);
    case kLostDays:
      return fmt::format("no purchase for {:.0f} days", days);
    case kPAlive:
      return fmt::format("P(alive) {:.2f}; {}",
                         scores && !scores->p_alive.empty() ? scores->p_alive[i] : kNaN, rhythm);
    case kVip:
      return fmt::format("top {} by value; {}", "customers", rhythm);
    default:
      return rhythm;
  }
}

// ---- inputs -------------------------------------------------------------------------------------

Attributes align_attributes(
    std::span<const std::string> row_ids, std::span<const std::string> keys,
    const std::vector<std::pair<std::string, std::vector<std::string>>>& columns,
    const std::string& file) {
  std::unordered_map<std::string_view, std::size_t> index;
  index.reserve(keys.size());
  for (std::size_t j = 0; j < keys.size(); ++j)
    if (!index.emplace(keys[j], j).second)
      input_error(SourceLocation{file, static_cast<std::int64_t>(j + 2), ""}, keys[j],
                  "each customer id at most once in the attributes table");
  std::vector<std::int64_t> row_of(row_ids.size(), -1);
  for (std::size_t i = 0; i < row_ids.size(); ++i)
    if (auto it = index.find(row_ids[i]); it != index.end())
      row_of[i] = static_cast<std::int64_t>(it->second);
  Attributes out;
  for (const auto& [name, values] : columns) {
    CategoricalColumn col;
    col.name = name;
    std::unordered_map<std::string_view, std::uint32_t> dict;
    col.values.push_back("");
    dict.emplace(std::string_view(), 0);
    std::vector<std::uint32_t> code_of_table_row(values.size());
    for (std::size_t j = 0; j < values.size(); ++j) {
      auto [it, inserted] = dict.emplace(values[j], static_cast<std::uint32_t>(col.values.size()));
      if (inserted) col.values.push_back(values[j]);
      code_of_table_row[j] = it->second;
    }
    col.codes.resize(row_ids.size());
    for (std::size_t i = 0; i < row_ids.size(); ++i)
      col.codes[i] = row_of[i] < 0 ? 0 : code_of_table_row[row_of[i]];
    out.columns.push_back(std::move(col));
  }
  return out;
}

std::vector<std::string> summary_customer_ids(const TransactionLog& log,
                                              const CustomerSummary& summary) {
  std::vector<std::string> ids(summary.size());
  for (std::size_t i = 0; i < summary.size(); ++i) ids[i] = log.customer_ids[summary.customer[i]];
  return ids;
}

CategoricalColumn preferred_category(const TransactionLog& log, const CustomerSummary& summary) {
  CategoricalColumn out;
  out.name = "preferred_category";
  out.values.push_back("");
  out.codes.assign(summary.size(), 0);
  if (!log.category) return out;
  const auto& cat = *log.category;
  for (const auto& v : cat.values) out.values.push_back(v);
  std::vector<std::int64_t> row_of_customer(log.customer_count(), -1);
  for (std::size_t i = 0; i < summary.size(); ++i)
    row_of_customer[summary.customer[i]] = static_cast<std::int64_t>(i);
  // spend[(row, category)] accumulated in a hash map keyed by row * ncat + cat
  const std::uint64_t ncat = cat.values.size();
  std::unordered_map<std::uint64_t, double> spend;
  for (std::size_t r = 0; r < log.size(); ++r) {
    std::int64_t row = row_of_customer[log.customer[r]];
    if (row < 0 || log.day[r] > summary.calibration_end) continue;
    double v = log.has_amount() ? log.amount[r] : 1.0;
    spend[static_cast<std::uint64_t>(row) * ncat + cat.codes[r]] += v;
  }
  std::vector<double> best(summary.size(), -std::numeric_limits<double>::infinity());
  std::vector<std::uint32_t> best_cat(summary.size(), std::numeric_limits<std::uint32_t>::max());
  for (const auto& [key, v] : spend) {
    std::size_t row = key / ncat;
    auto c = static_cast<std::uint32_t>(key % ncat);
    if (v > best[row] || (v == best[row] && c < best_cat[row])) {
      best[row] = v;
      best_cat[row] = c;
    }
  }
  for (std::size_t i = 0; i < summary.size(); ++i)
    if (best_cat[i] != std::numeric_limits<std::uint32_t>::max()) out.codes[i] = best_cat[i] + 1;
  return out;
}

}  // namespace ltv
