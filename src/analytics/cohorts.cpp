#include "ltv/analytics/cohorts.hpp"

#include <omp.h>

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "analytics/common.hpp"
#include "ltv/error.hpp"
#include "math/parallel.hpp"

namespace ltv {

namespace {

struct Acc {
  std::int64_t size = 0;  // used at age 0 only
  std::int64_t active = 0;
  std::int64_t orders = 0;
  double revenue = 0;
  double profit = 0;
};

struct Purchase {
  std::int32_t day;
  std::uint32_t order;
  std::uint32_t row;
};

}  // namespace

CohortReport build_cohorts(const TransactionLog& log, const CohortOptions& options) {
  CohortReport report;
  report.period = options.period;
  report.has_profit = log.has_profit();
  if (log.size() == 0) return report;
  const detail::DayRange range = detail::day_range(log);
  const std::int32_t obs_end = options.observation_end.value_or(range.last);
  if (obs_end < range.first)
    parameter_error("observation_end", format_day(obs_end),
                    "a day on or after the first purchase " + format_day(range.first));
  report.observation_end = obs_end;
  const detail::PeriodGrid grid(options.period, range.first, obs_end);
  const std::int32_t P = grid.count();
  const auto cells_count = static_cast<std::size_t>(P) * static_cast<std::size_t>(P);
  detail::check_period_table(cells_count, sizeof(Acc), grid, "cohort table");
  std::vector<Acc> acc(cells_count);
  const detail::CustomerRows by_customer = detail::rows_by_customer(log);
  const auto customer_count = static_cast<std::int64_t>(log.customer_count());
  const bool has_amount = log.has_amount();
  const bool has_profit = log.has_profit();

  // Contiguous blocks of customers per thread, merged in thread order after the loop: the same
  // sums on every run (for a given number of threads), see kpis.cpp.
  const int threads = omp_get_max_threads();
  std::vector<std::vector<Acc>> parts(static_cast<std::size_t>(threads));
  detail::ParallelErrors errors;
#pragma omp parallel num_threads(threads)
  {
    std::vector<Acc>& local = parts[static_cast<std::size_t>(omp_get_thread_num())];
    errors.run([&] { local.assign(cells_count, Acc{}); });
    std::vector<Purchase> purchases;
#pragma omp for schedule(static)
    for (std::int64_t c = 0; c < customer_count; ++c) {
      errors.run([&] {
        purchases.clear();
        for (std::uint64_t k = by_customer.offsets[c]; k < by_customer.offsets[c + 1]; ++k) {
          const std::uint32_t row = by_customer.rows[k];
          if (log.day[row] <= obs_end)
            purchases.push_back({log.day[row], log.order ? log.order->codes[row] : 0u, row});
        }
        if (purchases.empty()) return;
        std::sort(purchases.begin(), purchases.end(), [](const Purchase& a, const Purchase& b) {
          return a.day != b.day ? a.day < b.day : a.order < b.order;
        });
        const std::int32_t cohort = grid(purchases.front().day);
        Acc* row_acc = local.data() + static_cast<std::size_t>(cohort) * P;
        row_acc[0].size += 1;
        std::int32_t last_age = -1;
        std::int32_t prev_day = std::numeric_limits<std::int32_t>::min();
        std::uint32_t prev_order = 0;
        for (const Purchase& p : purchases) {
          const std::int32_t age = grid(p.day) - cohort;
          Acc& a = row_acc[age];
          if (age != last_age) {
            a.active += 1;
            last_age = age;
          }
          if (p.day != prev_day || p.order != prev_order) a.orders += 1;
          prev_day = p.day;
          prev_order = p.order;
          if (has_amount) a.revenue += log.amount[p.row];
          if (has_profit) a.profit += log.profit[p.row];
        }
      });
    }
  }
  errors.rethrow();
  for (const auto& local : parts) {
    if (local.empty()) continue;  // a thread the team did not get
    for (std::size_t i = 0; i < cells_count; ++i) {
      acc[i].size += local[i].size;
      acc[i].active += local[i].active;
      acc[i].orders += local[i].orders;
      acc[i].revenue += local[i].revenue;
      acc[i].profit += local[i].profit;
    }
  }

  for (std::int32_t cohort = 0; cohort < P; ++cohort) {
    const Acc* row_acc = acc.data() + static_cast<std::size_t>(cohort) * P;
    const std::int64_t size = row_acc[0].size;
    if (size == 0) continue;
    double cumulative_revenue = 0;
    double cumulative_profit = 0;
    for (std::int32_t age = 0; cohort + age < P; ++age) {
      const Acc& a = row_acc[age];
      CohortCell cell;
      cell.cohort_index = grid.key(cohort);
      cell.cohort = format_period(cell.cohort_index, options.period);
      cell.age = age;
      cell.period = format_period(grid.key(cohort + age), options.period);
      cell.complete = grid.complete(cohort + age);
      cell.cohort_size = size;
      cell.active_customers = a.active;
      cell.retention = static_cast<double>(a.active) / static_cast<double>(size);
      cell.orders = a.orders;
      cell.revenue = a.revenue;
      cell.profit = a.profit;
      cumulative_revenue += a.revenue;
      cumulative_profit += a.profit;
      cell.cumulative_revenue_per_customer = cumulative_revenue / static_cast<double>(size);
      cell.cumulative_profit_per_customer = cumulative_profit / static_cast<double>(size);
      report.cells.push_back(std::move(cell));
    }
  }
  return report;
}

}  // namespace ltv
