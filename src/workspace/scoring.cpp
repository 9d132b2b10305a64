// The per-customer part of the main job (see ltv/workspace/scoring.hpp): moved out of
// Workspace::analyze unchanged, so that incremental runs of the store compute the same tables.
#include "ltv/workspace/scoring.hpp"

#include <fmt/format.h>

#include <limits>

#include "ltv/error.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/workspace/tables.hpp"

namespace ltv {

namespace {

/// The spend model of an earlier fit applied to these summaries (an incremental run that keeps
/// the fit): the groups and expected spend as gamma_gamma::fit_spend_model gives them.
gamma_gamma::SpendModel kept_spend_model(const FitResult& fit, std::span<const double> x,
                                         std::span<const double> m_x) {
  gamma_gamma::SpendModel out;
  out.customers = x.size();
  const auto add = [](gamma_gamma::CustomerGroup& g, std::size_t i) {
    if (g.first.size() < 5) g.first.push_back(i);
    ++g.count;
  };
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] >= 1) {
      add(out.repeat, i);
      if (m_x[i] > 0) {
        add(out.used, i);
      } else if (m_x[i] == 0) {
        add(out.zero_spend, i);
      } else {
        add(out.negative_spend, i);
      }
    } else {
      add(out.no_repeat, i);
    }
  }
  out.fit = fit;
  out.params = gamma_gamma::params(fit);
  const GammaGammaParams& gg = *out.params;
  if (!(gg.q > 1)) {
    out.status = gamma_gamma::SpendModelStatus::no_finite_mean;
    out.note = fmt::format(
        "Gamma-Gamma kept from an earlier run, but q = {:.3g} <= 1: no "
        "expected spend or CLV is given",
        gg.q);
    return out;
  }
  out.status = gamma_gamma::SpendModelStatus::fitted;
  const double mean = gamma_gamma::expected_average_spend(gg);
  out.population_mean = mean;
  out.expected_spend.assign(out.customers, mean);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] >= 1 && m_x[i] > 0) {
      out.expected_spend[i] = gg.p * (gg.gamma + x[i] * m_x[i]) / (gg.p * x[i] + gg.q - 1);
    }
  }
  out.note = fmt::format(
      "Gamma-Gamma kept from an earlier run ({} of {} repeat customers with a "
      "positive mean spend now); the others get the population mean spend "
      "{:.2f}",
      out.used.count, out.repeat.count, mean);
  return out;
}

}  // namespace

nlohmann::ordered_json spend_customers_json(const CustomerScoring& s,
                                            std::span<const std::string> ids) {
  if (!s.spend_fit) return nlohmann::ordered_json::object();
  const gamma_gamma::SpendModel& sm = *s.spend_fit;
  auto group = [&](const gamma_gamma::CustomerGroup& g) {
    std::vector<std::string> first;
    for (std::size_t i : g.first) first.push_back(ids[i]);
    return nlohmann::ordered_json{{"count", g.count}, {"first", first}};
  };
  return {{"repeat", group(sm.repeat)},
          {"used", group(sm.used)},
          {"zero_spend", group(sm.zero_spend)},
          {"negative_spend", group(sm.negative_spend)},
          {"no_repeat", group(sm.no_repeat)}};
}

CustomerScoring score_summary(const CustomerSummary& summary, const FittedCountModel& model,
                              const AnalyzeOptions& o, const FitResult* spend_fit) {
  CustomerScoring s;
  const std::size_t n = summary.size();
  const double unit_days = days_per_unit(summary.time_unit);
  const double month = 365.25 / 12.0 / unit_days;  // one month in model time units
  const double horizon = o.horizon_months * month;
  s.spend.assign(n, std::numeric_limits<double>::quiet_NaN());
  s.clv.assign(n, std::numeric_limits<double>::quiet_NaN());
  if (summary.has_amount) {
    // Gamma-Gamma on the repeat customers with a positive mean spend (the reference libraries'
    // practice); everyone else gets the population mean spend, and the counts are said.
    if (spend_fit != nullptr) {
      s.spend_fit = kept_spend_model(*spend_fit, summary.frequency, summary.monetary_value);
    } else {
      s.spend_fit = gamma_gamma::fit_spend_model(summary.frequency, summary.monetary_value);
    }
    s.spend_model_note = s.spend_fit->note;
    if (s.spend_fit->status == gamma_gamma::SpendModelStatus::fitted) {
      s.spend_model = s.spend_fit->fit;
      s.spend = s.spend_fit->expected_spend;
    }
  } else {
    s.spend_model_note = "the transactions have no amounts: counts only, no spend model and no CLV";
  }
  ClvOptions clv_opts;
  clv_opts.horizon = o.horizon_months;
  clv_opts.step = month;
  clv_opts.discount_rate = o.discount_rate;
  clv_opts.margin = o.profit_margin;
  const bool with_spend = s.spend_model.has_value();
  s.count_scores = score_customers(model, summary.frequency, summary.recency, summary.T, horizon,
                                   with_spend ? &clv_opts : nullptr);
  if (with_spend) {
    for (std::size_t i = 0; i < n; ++i) {
      s.clv[i] = s.count_scores.discounted_purchases[i] * s.spend[i] * clv_opts.margin;
    }
  }
  s.scores.p_alive = s.count_scores.p_alive;
  s.scores.expected_purchases = s.count_scores.expected_purchases;
  if (with_spend) s.scores.predicted_clv = s.clv;
  return s;
}

void segment_summary(const CustomerSummary& summary, CustomerScoring& s) {
  s.segment_config = default_segment_config();
  s.segments =
      segment_customers(summary, &s.scores, nullptr, s.segment_config, summary.calibration_end);
}

CustomerScoring score_and_segment(const CustomerSummary& summary, const FittedCountModel& model,
                                  const AnalyzeOptions& o, const FitResult* spend_fit) {
  CustomerScoring s = score_summary(summary, model, o, spend_fit);
  segment_summary(summary, s);
  return s;
}

ResultTable segments_result_table(const CustomerSummary& summary, const CustomerScoring& s) {
  return segments_table(segment_table(s.segments, summary, &s.scores, s.segment_config));
}

ResultTable customers_result_table(const CustomerSummary& summary, std::span<const std::string> ids,
                                   const CustomerScoring& s) {
  const std::size_t n = summary.size();
  ResultTable t(table_spec("customers"));
  const TableSpec& spec = t.spec();
  t.set_texts(spec.index("customer_id"), ids);
  t.set_reals(spec.index("frequency"), summary.frequency);
  t.set_reals(spec.index("recency"), summary.recency);
  t.set_reals(spec.index("T"), summary.T);
  t.set_reals(spec.index("monetary_value"), summary.monetary_value);
  t.set_dates(spec.index("first_purchase"), summary.first_purchase);
  t.set_dates(spec.index("last_purchase"), summary.last_purchase);
  t.set_integers(spec.index("orders"), summary.orders);
  t.set_reals(spec.index("revenue"), summary.revenue);
  t.set_reals(spec.index("p_alive"), s.count_scores.p_alive);
  t.set_reals(spec.index("expected_purchases"), s.count_scores.expected_purchases);
  t.set_reals(spec.index("expected_spend"), s.spend);
  t.set_reals(spec.index("clv"), s.clv);
  std::vector<std::string_view> rfm(n), abcdx(n), stage(n);
  for (std::size_t i = 0; i < n; ++i) {
    rfm[i] = rfm_segment_name(s.segments, i);
    abcdx[i] = to_string(s.segments.abcdx[i]);
    stage[i] = to_string(s.segments.stage[i]);
  }
  t.set_texts(spec.index("rfm_segment"), rfm);
  t.set_texts(spec.index("abcdx"), abcdx);
  t.set_texts(spec.index("stage"), stage);
  return t;
}

void fill_headline(Analysis& a, const CustomerSummary& summary, const CustomerScoring& s) {
  const std::size_t n = summary.size();
  const bool with_spend = s.spend_model.has_value();
  const std::vector<double>& p_alive = s.count_scores.p_alive;
  const std::vector<double>& expected = s.count_scores.expected_purchases;
  double revenue = 0, repeaters = 0, orders = 0, active = 0, predicted_revenue = 0, clv_total = 0,
         expected_total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    revenue += summary.revenue[i];
    orders += static_cast<double>(summary.orders[i]);
    repeaters += summary.frequency[i] > 0;
    active += p_alive[i] >= 0.5;
    expected_total += expected[i];
    if (with_spend) predicted_revenue += expected[i] * s.spend[i], clv_total += s.clv[i];
  }
  a.customers = n;
  a.orders = orders;
  a.time_unit = std::string(to_string(summary.time_unit));
  a.has_amount = summary.has_amount;
  a.repeat_rate = n ? repeaters / static_cast<double>(n) : 0.0;
  a.revenue = revenue;
  a.average_check = orders > 0 ? revenue / orders : 0.0;
  a.likely_active = active;
  a.expected_purchases = expected_total;
  a.spend_model = s.spend_model;
  a.spend_model_note = s.spend_model_note;
  if (with_spend) {
    a.predicted_revenue = predicted_revenue;
    a.clv_total = clv_total;
  }
}

}  // namespace ltv
