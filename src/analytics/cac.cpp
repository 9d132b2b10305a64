#include "ltv/analytics/cac.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "analytics/common.hpp"
#include "ltv/analytics/ltv.hpp"
#include "ltv/error.hpp"

namespace ltv {

namespace {

struct Line {
  double spend = 0;
  bool has_spend = false;
  std::int64_t new_customers = 0;
  double revenue = 0;
  double margin = 0;
  double predicted_sum = 0;
  std::int64_t predicted_count = 0;
  std::vector<double> margin_by_age;  // margin of this line's customers per age
};

}  // namespace

CacReport compute_cac(const TransactionLog& log, const SpendTable& spend,
                      const CacOptions& options) {
  if (options.margin && !(*options.margin > 0 && *options.margin <= 1))
    parameter_error("margin", std::to_string(*options.margin), "a fraction of revenue in (0, 1]");
  if (!options.predicted_ltv.empty() && options.predicted_ltv.size() != log.customer_count())
    throw Error("compute_cac: predicted LTV must have one entry per customer of the log");
  for (std::size_t i = 0; i < spend.size(); ++i) {
    if (!(spend.spend[i] >= 0) || !std::isfinite(spend.spend[i]))
      input_error(SourceLocation{"spend", static_cast<std::int64_t>(i + 2), "spend"},
                  std::to_string(spend.spend[i]), "a finite amount >= 0");
  }
  // Every sum of the (non-negative) spend below is at most this total: finite if it is.
  double total_spend = 0;
  for (std::size_t i = 0; i < spend.size(); ++i) {
    total_spend += spend.spend[i];
    if (!std::isfinite(total_spend)) {
      input_error(SourceLocation{"spend", static_cast<std::int64_t>(i + 2), "spend"},
                  fmt::format("{:g}", spend.spend[i]),
                  "spend amounts whose total is a finite number (the sum overflows here)");
    }
  }
  CacReport report;
  report.period = spend.period;
  const bool use_profit = !options.margin && log.has_profit();
  report.margin_source = options.margin ? "margin option"
                         : use_profit   ? "profit"
                                        : "revenue (no margin given)";
  const double margin_rate = options.margin.value_or(1.0);

  const CustomerGroups groups =
      options.acquisition_channel
          ? *options.acquisition_channel
          : groups_from_first_purchase(log, options.channel_column, "--channel-column");
  if (groups.code.size() != log.customer_count())
    throw Error("compute_cac: acquisition channels do not match the log's customers");

  // Channels: labels of the groups plus spend channels, unknown last.
  std::vector<std::string> channels = groups.labels;
  std::unordered_map<std::string, std::size_t> channel_index;
  for (std::size_t i = 0; i < channels.size(); ++i) channel_index.emplace(channels[i], i);
  auto channel_of = [&](const std::string& name) {
    auto [it, inserted] = channel_index.emplace(name, channels.size());
    if (inserted) channels.push_back(name);
    return it->second;
  };
  const std::size_t unknown = channel_of(std::string(kUnknownLabel));

  std::map<std::pair<std::size_t, std::int32_t>, Line> lines;  // (channel, period key)
  for (std::size_t i = 0; i < spend.size(); ++i) {
    Line& l = lines[{channel_of(spend.channel[i]), spend.period_index[i]}];
    l.spend += spend.spend[i];
    l.has_spend = true;
  }

  const HistoricalLtv h = historical_ltv(log, options.observation_end);
  if (h.size() == 0) return report;
  const std::int32_t obs_end = h.observation_end;
  const std::int32_t last_period = period_index(obs_end, spend.period);
  std::vector<std::size_t> customer_channel(log.customer_count(), unknown);
  std::vector<std::int32_t> customer_period(log.customer_count(), 0);
  for (std::size_t i = 0; i < h.size(); ++i) {
    const std::uint32_t c = h.customer[i];
    customer_channel[c] = groups.code[c] == kNoGroup ? unknown : groups.code[c];
    customer_period[c] = period_index(h.first_purchase[i], spend.period);
    Line& l = lines[{customer_channel[c], customer_period[c]}];
    l.new_customers += 1;
    l.revenue += h.revenue[i];
    l.margin += use_profit ? h.profit[i] : h.revenue[i] * margin_rate;
    if (!options.predicted_ltv.empty() && std::isfinite(options.predicted_ltv[c])) {
      l.predicted_sum += options.predicted_ltv[c];
      l.predicted_count += 1;
    }
  }
  // Margin by age since acquisition, for payback.
  std::size_t ages = 0;
  for (const auto& [key, l] : lines) {
    if (l.new_customers > 0)
      ages += static_cast<std::size_t>(std::max(0, last_period - key.second + 1));
  }
  detail::check_period_table(
      ages, sizeof(double), detail::PeriodGrid(spend.period, detail::day_range(log).first, obs_end),
      "payback table (margin by channel, acquisition period and age)");
  for (auto& [key, l] : lines) {
    if (l.new_customers > 0)
      l.margin_by_age.assign(static_cast<std::size_t>(std::max(0, last_period - key.second + 1)),
                             0.0);
  }
  {
    const detail::DayRange range = detail::day_range(log);
    const detail::PeriodGrid grid(spend.period, range.first, obs_end);
    std::vector<Line*> line_of(log.customer_count(), nullptr);
    for (std::size_t i = 0; i < h.size(); ++i) {
      const std::uint32_t c = h.customer[i];
      line_of[c] = &lines[{customer_channel[c], customer_period[c]}];
    }
    for (std::size_t row = 0; row < log.size(); ++row) {
      if (log.day[row] > obs_end) continue;
      const std::uint32_t c = log.customer[row];
      const double m =
          use_profit ? log.profit[row] : (log.has_amount() ? log.amount[row] : 0.0) * margin_rate;
      const std::int32_t age = grid.key(grid(log.day[row])) - customer_period[c];
      line_of[c]->margin_by_age[static_cast<std::size_t>(age)] += m;
    }
  }

  auto finish = [&](CacRow& r, const std::vector<double>& cumulative_per_customer) {
    if (r.new_customers > 0)
      r.historical_ltv = r.margin_attributable / static_cast<double>(r.new_customers);
    if (r.new_customers > 0 && r.spend > 0) r.cac = r.spend / static_cast<double>(r.new_customers);
    if (r.cac) {
      r.ltv_cac_historical = r.historical_ltv / *r.cac;
      if (r.predicted_ltv) r.ltv_cac_predicted = *r.predicted_ltv / *r.cac;
      for (std::size_t k = 0; k < cumulative_per_customer.size(); ++k) {
        if (cumulative_per_customer[k] >= *r.cac) {
          r.payback_periods = static_cast<std::int32_t>(k + 1);
          break;
        }
      }
    }
    if (r.spend > 0) r.romi = (r.margin_attributable - r.spend) / r.spend;
    if (r.channel == kUnknownLabel && r.new_customers > 0) {
      r.note = "customers with an unknown channel";
    } else if (r.spend > 0 && r.new_customers == 0) {
      r.note = "spend but no new customers";
    } else if (r.new_customers > 0 && r.spend == 0) {
      r.note = "new customers but no spend recorded";
    }
  };

  struct Pool {
    double spend = 0, revenue = 0, margin = 0, predicted_sum = 0;
    std::int64_t new_customers = 0, predicted_count = 0;
    std::vector<double> margin_at_age, size_at_age;  // pooled over cohorts observed at that age
  };
  auto pool_add = [](Pool& p, const Line& l, std::int32_t age_limit) {
    p.spend += l.spend;
    p.revenue += l.revenue;
    p.margin += l.margin;
    p.predicted_sum += l.predicted_sum;
    p.new_customers += l.new_customers;
    p.predicted_count += l.predicted_count;
    if (p.margin_at_age.size() < static_cast<std::size_t>(age_limit)) {
      p.margin_at_age.resize(static_cast<std::size_t>(age_limit), 0.0);
      p.size_at_age.resize(static_cast<std::size_t>(age_limit), 0.0);
    }
    double cumulative = 0;
    for (std::size_t k = 0; k < l.margin_by_age.size(); ++k) {
      cumulative += l.margin_by_age[k];
      p.margin_at_age[k] += cumulative;
      p.size_at_age[k] += static_cast<double>(l.new_customers);
    }
  };
  auto pool_row = [&](const Pool& p, std::string channel) {
    CacRow r;
    r.channel = std::move(channel);
    r.period = "all";
    r.spend = p.spend;
    r.new_customers = p.new_customers;
    r.revenue = p.revenue;
    r.margin_attributable = p.margin;
    if (p.predicted_count > 0)
      r.predicted_ltv = p.predicted_sum / static_cast<double>(p.predicted_count);
    std::vector<double> curve;
    for (std::size_t k = 0; k < p.margin_at_age.size() && p.size_at_age[k] > 0; ++k)
      curve.push_back(p.margin_at_age[k] / p.size_at_age[k]);
    finish(r, curve);
    return r;
  };

  const std::int32_t age_limit =
      last_period - period_index(detail::day_range(log).first, spend.period) + 1;
  Pool grand;
  for (std::size_t ch = 0; ch < channels.size(); ++ch) {
    Pool channel_pool;
    bool any = false;
    for (auto it = lines.lower_bound({ch, std::numeric_limits<std::int32_t>::min()});
         it != lines.end() && it->first.first == ch; ++it) {
      const Line& l = it->second;
      any = true;
      CacRow r;
      r.channel = channels[ch];
      r.period = format_period(it->first.second, spend.period);
      r.spend = l.spend;
      r.new_customers = l.new_customers;
      r.revenue = l.revenue;
      r.margin_attributable = l.margin;
      if (l.predicted_count > 0)
        r.predicted_ltv = l.predicted_sum / static_cast<double>(l.predicted_count);
      std::vector<double> curve;
      double cumulative = 0;
      for (double m : l.margin_by_age) {
        cumulative += m;
        curve.push_back(cumulative / static_cast<double>(l.new_customers));
      }
      finish(r, curve);
      report.rows.push_back(std::move(r));
      pool_add(channel_pool, l, std::max(age_limit, 1));
      pool_add(grand, l, std::max(age_limit, 1));
    }
    if (any) report.rows.push_back(pool_row(channel_pool, channels[ch]));
  }
  report.rows.push_back(pool_row(grand, "all"));
  report.rows.back().note.clear();
  return report;
}

}  // namespace ltv
