// Campaign uplift: treated vs control over a window after the campaign day.
#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "ltv/cvm/uplift.hpp"
#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"

namespace ltv {
namespace {

struct Moments {
  double n = 0, sum = 0, sum2 = 0;
  void add(double v) {
    n += 1;
    sum += v;
    sum2 += v * v;
  }
  double mean() const { return n > 0 ? sum / n : 0.0; }
  double variance() const {  // sample variance
    if (n < 2) return 0.0;
    return std::max(0.0, (sum2 - sum * sum / n) / (n - 1));
  }
};

Difference difference(const Moments& t, const Moments& c, double z, double z_power) {
  Difference d;
  d.treated = t.mean();
  d.control = c.mean();
  d.diff = d.treated - d.control;
  const double se = std::sqrt(t.variance() / t.n + c.variance() / c.n);
  d.lower = d.diff - z * se;
  d.upper = d.diff + z * se;
  d.mde = (z + z_power) * se;
  return d;
}

}  // namespace

std::vector<UpliftResult> measure_uplift(const CampaignLog& campaigns, const TransactionLog& log,
                                         const UpliftOptions& options) {
  if (!(options.window_days > 0))
    parameter_error("window", std::to_string(options.window_days), "a positive number of days");
  if (!(options.confidence > 0 && options.confidence < 1))
    parameter_error("confidence", fmt::format("{}", options.confidence), "a level in (0, 1)");
  if (!(options.power > 0 && options.power < 1))
    parameter_error("power", fmt::format("{}", options.power), "a power in (0, 1)");
  const boost::math::normal normal;
  const double z = boost::math::quantile(normal, 0.5 + options.confidence / 2);
  const double z_power = boost::math::quantile(normal, options.power);

  // Log rows grouped by customer.
  std::vector<std::uint32_t> start(log.customer_count() + 1, 0);
  for (std::uint32_t c : log.customer) ++start[c + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::uint32_t> rows(log.size());
  {
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (std::size_t k = 0; k < log.size(); ++k)
      rows[fill[log.customer[k]]++] = static_cast<std::uint32_t>(k);
  }
  std::unordered_map<std::string_view, std::uint32_t> index;
  index.reserve(log.customer_count());
  for (std::size_t c = 0; c < log.customer_count(); ++c)
    index.emplace(log.customer_ids[c], static_cast<std::uint32_t>(c));

  struct Acc {
    Moments response[2], revenue[2], margin[2];
    std::int32_t first = std::numeric_limits<std::int32_t>::max();
    std::int32_t last = std::numeric_limits<std::int32_t>::min();
  };
  std::vector<std::string> names;
  std::unordered_map<std::string, std::size_t> by_name;
  std::vector<Acc> acc;
  for (std::size_t i = 0; i < campaigns.size(); ++i) {
    auto [it, fresh] = by_name.emplace(campaigns.campaign[i], names.size());
    if (fresh) {
      names.push_back(campaigns.campaign[i]);
      acc.emplace_back();
    }
    Acc& a = acc[it->second];
    const std::int32_t d0 = campaigns.day[i], d1 = d0 + options.window_days;
    a.first = std::min(a.first, d0);
    a.last = std::max(a.last, d0);
    double revenue = 0, margin = 0;
    bool bought = false;
    if (auto c = index.find(campaigns.customer_id[i]); c != index.end()) {
      for (std::uint32_t k = start[c->second]; k < start[c->second + 1]; ++k) {
        const std::uint32_t row = rows[k];
        if (log.day[row] < d0 || log.day[row] >= d1) continue;
        bought = true;
        if (log.has_amount()) {
          revenue += log.amount[row];
          margin += log.has_profit() ? log.profit[row] : log.amount[row] * options.margin;
        }
      }
    }
    const int g = campaigns.treated[i] ? 1 : 0;
    a.response[g].add(bought ? 1.0 : 0.0);
    a.revenue[g].add(revenue);
    a.margin[g].add(margin);
  }

  std::vector<UpliftResult> out;
  for (std::size_t k = 0; k < names.size(); ++k) {
    const Acc& a = acc[k];
    UpliftResult r;
    r.campaign = names[k];
    r.first_day = a.first;
    r.last_day = a.last;
    r.treated = static_cast<std::size_t>(a.response[1].n);
    r.control = static_cast<std::size_t>(a.response[0].n);
    if (r.treated == 0 || r.control == 0)
      input_error(SourceLocation{"", 0, "group"},
                  fmt::format("campaign '{}' with {} treated and {} control customers", r.campaign,
                              r.treated, r.control),
                  "both treated and control customers in every campaign");
    r.response = difference(a.response[1], a.response[0], z, z_power);
    r.revenue = difference(a.revenue[1], a.revenue[0], z, z_power);
    r.margin = difference(a.margin[1], a.margin[0], z, z_power);
    r.incremental_revenue = r.revenue.diff * static_cast<double>(r.treated);
    r.incremental_margin = r.margin.diff * static_cast<double>(r.treated);
    r.cost = options.cost_per_treated * static_cast<double>(r.treated);
    for (std::size_t c = 0; c < options.cost_campaigns.size() && c < options.cost_values.size();
         ++c)
      if (options.cost_campaigns[c] == r.campaign) r.cost = options.cost_values[c];
    r.romi = r.cost > 0 ? (r.incremental_margin - r.cost) / r.cost
                        : std::numeric_limits<double>::quiet_NaN();
    if (log.has_amount()) {
      r.significant = r.revenue.lower > 0 || r.revenue.upper < 0;
      r.large_enough = std::fabs(r.revenue.diff) >= r.revenue.mde && r.revenue.mde > 0;
      if (r.significant) {
        r.verdict = fmt::format(
            "treated customers spent {:.2f} {} per customer in {} days ({:.0f}% interval {:.2f} "
            ".. {:.2f}); the difference is significant",
            std::fabs(r.revenue.diff), r.revenue.diff >= 0 ? "more" : "less", options.window_days,
            100 * options.confidence, r.revenue.lower, r.revenue.upper);
      } else {
        r.verdict = fmt::format(
            "no significant difference ({:.2f} per customer, interval {:.2f} .. {:.2f}); with "
            "{} treated and {} control the test could only detect differences above {:.2f} per "
            "customer ({:.0f}% power)",
            r.revenue.diff, r.revenue.lower, r.revenue.upper, r.treated, r.control, r.revenue.mde,
            100 * options.power);
      }
    } else {
      // Count-only data: the response rate is the outcome (money figures are unknown).
      r.significant = r.response.lower > 0 || r.response.upper < 0;
      r.large_enough = std::fabs(r.response.diff) >= r.response.mde && r.response.mde > 0;
      if (r.significant) {
        r.verdict = fmt::format(
            "{:.1f}% of treated and {:.1f}% of control customers bought within {} days "
            "(difference {:+.1f} points, {:.0f}% interval {:+.1f} .. {:+.1f}); significant; no "
            "amounts, so no revenue or ROMI",
            100 * r.response.treated, 100 * r.response.control, options.window_days,
            100 * r.response.diff, 100 * options.confidence, 100 * r.response.lower,
            100 * r.response.upper);
      } else {
        r.verdict = fmt::format(
            "no significant difference in response ({:+.1f} points, interval {:+.1f} .. "
            "{:+.1f}); with {} treated and {} control the test could only detect differences "
            "above {:.1f} points ({:.0f}% power); no amounts, so no revenue or ROMI",
            100 * r.response.diff, 100 * r.response.lower, 100 * r.response.upper, r.treated,
            r.control, 100 * r.response.mde, 100 * options.power);
      }
    }
    if (!log.day.empty()) {
      const std::int32_t last = *std::max_element(log.day.begin(), log.day.end());
      if (r.last_day + options.window_days - 1 > last)
        r.verdict += fmt::format(
            "; note: the {}-day window runs past the last transaction day {}, so part of it is "
            "unobserved",
            options.window_days, format_date(last));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ltv
