#include "ltv/analytics/kpis.hpp"

#include <omp.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "analytics/common.hpp"
#include "ltv/error.hpp"
#include "math/parallel.hpp"

namespace ltv {

namespace {

struct Cell {
  std::int64_t active = 0;
  std::int64_t fresh = 0;  // new customers
  std::int64_t orders = 0;
  std::int64_t repeat = 0;
  std::int64_t acquired = 0;
  std::int64_t churn_diff = 0;
  double revenue = 0;
  double profit = 0;
  double lifespan_days = 0;
  double partial_exposure = 0;  // days from first purchase to period end, customers acquired in it

  void add(const Cell& o) {
    active += o.active;
    fresh += o.fresh;
    orders += o.orders;
    repeat += o.repeat;
    acquired += o.acquired;
    churn_diff += o.churn_diff;
    revenue += o.revenue;
    profit += o.profit;
    lifespan_days += o.lifespan_days;
    partial_exposure += o.partial_exposure;
  }
};

struct Totals {
  std::int64_t customers = 0;
  std::int64_t repeaters = 0;
  std::int64_t orders = 0;
  std::int64_t churned = 0;
  double revenue = 0;
  double profit = 0;
  double lifespan_days = 0;
  double exposure_days = 0;

  void add(const Totals& o) {
    customers += o.customers;
    repeaters += o.repeaters;
    orders += o.orders;
    churned += o.churned;
    revenue += o.revenue;
    profit += o.profit;
    lifespan_days += o.lifespan_days;
    exposure_days += o.exposure_days;
  }
};

struct Entry {
  std::uint32_t group;
  std::int32_t day;
  std::uint32_t order;
  std::uint32_t row;
};

double ratio(double a, double b) {
  return b > 0 ? a / b : 0.0;
}

/// Accumulates the per (group, period) cells of one grouping.
template <class GroupOfRow>
void accumulate(const TransactionLog& log, const detail::CustomerRows& by_customer,
                const detail::PeriodGrid& grid, std::int32_t churn_days, std::size_t group_count,
                const GroupOfRow& group_of_row, std::vector<Cell>& cells,
                std::vector<Totals>& totals) {
  const std::int32_t P = grid.count();
  const std::int32_t obs_end = grid.last_day;
  const bool has_profit = log.has_profit();
  const bool has_amount = log.has_amount();
  detail::check_period_table(group_count * static_cast<std::size_t>(P + 1), sizeof(Cell), grid,
                             "KPI table");
  cells.assign(group_count * static_cast<std::size_t>(P + 1), Cell{});
  totals.assign(group_count, Totals{});
  const std::int64_t customer_count = static_cast<std::int64_t>(log.customer_count());

  // Each thread accumulates a contiguous block of customers (static schedule) and the blocks are
  // merged in thread order after the loop, so the money sums are the same on every run (for a
  // given number of threads); merging in the order the threads finished changed last digits.
  const int threads = omp_get_max_threads();
  std::vector<std::vector<Cell>> part_cells(static_cast<std::size_t>(threads));
  std::vector<std::vector<Totals>> part_totals(static_cast<std::size_t>(threads));
  detail::ParallelErrors errors;
#pragma omp parallel num_threads(threads)
  {
    const auto me = static_cast<std::size_t>(omp_get_thread_num());
    std::vector<Cell>& local_cells = part_cells[me];
    std::vector<Totals>& local_totals = part_totals[me];
    errors.run([&] {
      local_cells.assign(cells.size(), Cell{});
      local_totals.assign(group_count, Totals{});
    });
    std::vector<Entry> entries;
#pragma omp for schedule(static)
    for (std::int64_t c = 0; c < customer_count; ++c) {
      errors.run([&] {
        entries.clear();
        std::int32_t global_first = std::numeric_limits<std::int32_t>::max();
        for (std::uint64_t k = by_customer.offsets[c]; k < by_customer.offsets[c + 1]; ++k) {
          const std::uint32_t row = by_customer.rows[k];
          const std::int32_t day = log.day[row];
          if (day > obs_end) continue;
          global_first = std::min(global_first, day);
          const std::uint32_t g = group_of_row(row);
          if (g == kNoGroup) continue;
          entries.push_back({g, day, log.order ? log.order->codes[row] : 0u, row});
        }
        if (entries.empty()) return;
        std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
          if (a.group != b.group) return a.group < b.group;
          if (a.day != b.day) return a.day < b.day;
          return a.order < b.order;
        });
        const std::int32_t global_first_period = grid(global_first);
        std::size_t begin = 0;
        while (begin < entries.size()) {
          const std::uint32_t g = entries[begin].group;
          std::size_t end = begin;
          while (end < entries.size() && entries[end].group == g) ++end;
          Cell* gc = local_cells.data() + static_cast<std::size_t>(g) * (P + 1);
          Totals& t = local_totals[g];
          const std::int32_t first = entries[begin].day;
          const std::int32_t first_period = grid(first);
          gc[first_period].acquired += 1;
          gc[first_period].partial_exposure += grid.end(first_period) - first + 1;

          auto add_churn_interval = [&](std::int32_t day,
                                        std::int32_t next_day /* or INT32_MAX */) {
            const std::int64_t from = std::int64_t{day} + churn_days;
            if (from > obs_end) return;
            const std::int32_t lo = grid(static_cast<std::int32_t>(from));
            std::int32_t hi = P - 1;
            if (next_day != std::numeric_limits<std::int32_t>::max()) {
              const std::int32_t until = next_day - 1;
              if (until < from) return;
              const std::int32_t q = grid(until);
              hi = grid.end(q) == until ? q : q - 1;
            }
            if (hi < lo) return;
            gc[lo].churn_diff += 1;
            gc[hi + 1].churn_diff -= 1;
          };

          std::int64_t total_orders = 0;
          std::int32_t period = -1;
          std::int64_t period_orders = 0;
          std::int32_t period_last_day = 0;
          auto flush = [&]() {
            if (period < 0) return;
            Cell& pc = gc[period];
            pc.active += 1;
            pc.orders += period_orders;
            if (period_orders >= 2) pc.repeat += 1;
            if (period == global_first_period) pc.fresh += 1;
            pc.lifespan_days += period_last_day - first;
          };
          std::int32_t prev_day = std::numeric_limits<std::int32_t>::min();
          std::uint32_t prev_order = 0;
          for (std::size_t k = begin; k < end; ++k) {
            const Entry& e = entries[k];
            const std::int32_t p = grid(e.day);
            if (p != period) {
              flush();
              period = p;
              period_orders = 0;
            }
            const bool new_day = e.day != prev_day;
            if (new_day && prev_day != std::numeric_limits<std::int32_t>::min())
              add_churn_interval(prev_day, e.day);
            if (new_day || e.order != prev_order) {
              ++period_orders;
              ++total_orders;
            }
            prev_day = e.day;
            prev_order = e.order;
            period_last_day = e.day;
            const double amount = has_amount ? log.amount[e.row] : 0.0;
            gc[p].revenue += amount;
            t.revenue += amount;
            if (has_profit) {
              gc[p].profit += log.profit[e.row];
              t.profit += log.profit[e.row];
            }
          }
          flush();
          add_churn_interval(prev_day, std::numeric_limits<std::int32_t>::max());
          t.customers += 1;
          t.orders += total_orders;
          if (total_orders >= 2) t.repeaters += 1;
          t.lifespan_days += prev_day - first;
          t.exposure_days += obs_end - first + 1;
          if (std::int64_t{prev_day} + churn_days <= obs_end) t.churned += 1;
          begin = end;
        }
      });
    }
  }
  errors.rethrow();
  for (std::size_t t = 0; t < part_cells.size(); ++t) {
    if (part_cells[t].empty()) continue;  // a thread the team did not get
    for (std::size_t i = 0; i < cells.size(); ++i) cells[i].add(part_cells[t][i]);
    for (std::size_t g = 0; g < group_count; ++g) totals[g].add(part_totals[t][g]);
  }
}

void emit_rows(const detail::PeriodGrid& grid, bool has_profit, std::size_t group_count,
               const std::vector<std::string>& names, const std::vector<Cell>& cells,
               const std::vector<Totals>& totals, std::vector<KpiRow>& out) {
  const std::int32_t P = grid.count();
  for (std::size_t g = 0; g < group_count; ++g) {
    const Totals& t = totals[g];
    if (t.customers == 0) continue;
    KpiRow all;
    all.group = names[g];
    all.period = "all";
    all.customers = t.customers;
    all.active_customers = t.customers;
    all.new_customers = t.customers;
    all.returning_customers = t.repeaters;
    all.returning_share = ratio(t.repeaters, t.customers);
    all.orders = t.orders;
    all.revenue = t.revenue;
    if (has_profit) {
      all.profit = t.profit;
      all.margin = ratio(t.profit, t.revenue);
    }
    all.average_check = ratio(t.revenue, t.orders);
    all.purchases_per_customer_per_year = ratio(t.orders, t.exposure_days) * 365.2425;
    all.repeat_purchase_rate = ratio(t.repeaters, t.customers);
    all.average_lifespan_days = ratio(t.lifespan_days, t.customers);
    all.churned_customers = t.churned;
    all.churned_share = ratio(t.churned, t.customers);
    all.complete = true;
    out.push_back(std::move(all));

    const Cell* gc = cells.data() + g * (P + 1);
    std::int64_t cumulative = 0;
    std::int64_t churned = 0;
    for (std::int32_t p = 0; p < P; ++p) {
      const Cell& c = gc[p];
      const std::int64_t before = cumulative;
      cumulative += c.acquired;
      churned += c.churn_diff;
      KpiRow r;
      r.group = names[g];
      r.period_index = grid.key(p);
      r.period = format_period(r.period_index, grid.unit);
      r.complete = grid.complete(p);
      r.customers = cumulative;
      r.active_customers = c.active;
      r.new_customers = c.fresh;
      r.returning_customers = c.active - c.fresh;
      r.returning_share =
          ratio(static_cast<double>(r.returning_customers), static_cast<double>(c.active));
      r.orders = c.orders;
      r.revenue = c.revenue;
      if (has_profit) {
        r.profit = c.profit;
        r.margin = ratio(c.profit, c.revenue);
      }
      r.average_check = ratio(c.revenue, static_cast<double>(c.orders));
      const double exposure =
          static_cast<double>(before) * (grid.end(p) - grid.start(p) + 1) + c.partial_exposure;
      r.purchases_per_customer_per_year = ratio(static_cast<double>(c.orders), exposure) * 365.2425;
      r.repeat_purchase_rate = ratio(static_cast<double>(c.repeat), static_cast<double>(c.active));
      r.average_lifespan_days = ratio(c.lifespan_days, static_cast<double>(c.active));
      r.churned_customers = churned;
      r.churned_share = ratio(static_cast<double>(churned), static_cast<double>(cumulative));
      out.push_back(std::move(r));
    }
  }
}

}  // namespace

KpiReport compute_kpis(const TransactionLog& log, const KpiOptions& options) {
  if (options.churn_days < 1)
    parameter_error("churn_days", std::to_string(options.churn_days), "a number of days >= 1");
  KpiReport report;
  report.period = options.period;
  report.churn_days = options.churn_days;
  report.has_profit = log.has_profit();
  if (log.size() == 0) return report;
  const detail::DayRange range = detail::day_range(log);
  const std::int32_t obs_end = options.observation_end.value_or(range.last);
  if (obs_end < range.first)
    parameter_error("observation_end", format_day(obs_end),
                    "a day on or after the first purchase " + format_day(range.first));
  report.first_day = range.first;
  report.observation_end = obs_end;
  const detail::PeriodGrid grid(options.period, range.first, obs_end);
  const detail::CustomerRows by_customer = detail::rows_by_customer(log);

  std::vector<Cell> cells;
  std::vector<Totals> totals;
  accumulate(
      log, by_customer, grid, options.churn_days, 1, [](std::uint32_t) { return 0u; }, cells,
      totals);
  emit_rows(grid, report.has_profit, 1, {"all"}, cells, totals, report.rows);

  if (!options.breakdown.empty()) {
    const CategoricalColumn& column = find_column(log, options.breakdown, "--by");
    report.breakdown = options.breakdown;
    std::vector<std::string> names;
    std::vector<std::uint32_t> recode(column.values.size());
    std::unordered_map<std::string, std::uint32_t> by_name;
    for (std::size_t v = 0; v < column.values.size(); ++v) {
      std::string name = column.values[v].empty() ? std::string(kUnknownLabel) : column.values[v];
      auto [it, inserted] = by_name.emplace(name, static_cast<std::uint32_t>(names.size()));
      if (inserted) names.push_back(name);
      recode[v] = it->second;
    }
    accumulate(
        log, by_customer, grid, options.churn_days, names.size(),
        [&](std::uint32_t row) { return recode[column.codes[row]]; }, cells, totals);
    emit_rows(grid, report.has_profit, names.size(), names, cells, totals, report.rows);
  } else if (options.customer_groups) {
    const CustomerGroups& groups = *options.customer_groups;
    if (groups.code.size() != log.customer_count())
      throw Error("compute_kpis: customer groups do not match the log's customers");
    report.breakdown = groups.name;
    accumulate(
        log, by_customer, grid, options.churn_days, groups.labels.size(),
        [&](std::uint32_t row) { return groups.code[log.customer[row]]; }, cells, totals);
    emit_rows(grid, report.has_profit, groups.labels.size(), groups.labels, cells, totals,
              report.rows);
  }
  return report;
}

std::vector<TopItem> top_items(const TransactionLog& log, std::string_view column_name,
                               std::size_t n, std::optional<std::int32_t> observation_end) {
  const CategoricalColumn& column = find_column(log, column_name, "--top");
  const std::size_t V = column.values.size();
  std::vector<TopItem> items(V);
  for (std::size_t v = 0; v < V; ++v) {
    items[v].dimension = std::string(column_name);
    items[v].item = column.values[v];
  }
  const std::int32_t end = observation_end.value_or(std::numeric_limits<std::int32_t>::max());
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log.day[i] > end) continue;
    TopItem& it = items[column.codes[i]];
    it.lines += 1;
    if (log.has_amount()) it.revenue += log.amount[i];
    if (!log.quantity.empty()) it.quantity += log.quantity[i];
  }
  // Distinct buyers: per customer, the distinct item codes.
  const detail::CustomerRows by_customer = detail::rows_by_customer(log);
  std::vector<std::uint32_t> codes;
  for (std::size_t c = 0; c < log.customer_count(); ++c) {
    codes.clear();
    for (std::uint64_t k = by_customer.offsets[c]; k < by_customer.offsets[c + 1]; ++k) {
      const std::uint32_t row = by_customer.rows[k];
      if (log.day[row] <= end) codes.push_back(column.codes[row]);
    }
    std::sort(codes.begin(), codes.end());
    codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
    for (std::uint32_t v : codes) items[v].buyers += 1;
  }
  std::vector<std::size_t> by_revenue(V), by_buyers(V);
  std::iota(by_revenue.begin(), by_revenue.end(), std::size_t{0});
  std::iota(by_buyers.begin(), by_buyers.end(), std::size_t{0});
  std::sort(by_revenue.begin(), by_revenue.end(), [&](std::size_t a, std::size_t b) {
    if (items[a].revenue != items[b].revenue) return items[a].revenue > items[b].revenue;
    return items[a].item < items[b].item;
  });
  std::sort(by_buyers.begin(), by_buyers.end(), [&](std::size_t a, std::size_t b) {
    if (items[a].buyers != items[b].buyers) return items[a].buyers > items[b].buyers;
    return items[a].item < items[b].item;
  });
  for (std::size_t r = 0; r < V; ++r) {
    items[by_revenue[r]].rank_by_revenue = static_cast<std::int64_t>(r + 1);
    items[by_buyers[r]].rank_by_buyers = static_cast<std::int64_t>(r + 1);
  }
  std::vector<TopItem> out;
  for (std::size_t r = 0; r < V; ++r) {
    const TopItem& it = items[by_revenue[r]];
    if (it.lines == 0) continue;
    if (static_cast<std::size_t>(it.rank_by_revenue) <= n ||
        static_cast<std::size_t>(it.rank_by_buyers) <= n)
      out.push_back(it);
  }
  return out;
}

}  // namespace ltv
