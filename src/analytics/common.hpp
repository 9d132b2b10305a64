#pragma once
// Internals shared by the analytics sources.

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include <fmt/format.h>

#include "ltv/analytics/periods.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/error.hpp"

namespace ltv::detail {

/// Row indices grouped by customer (counting sort): rows of customer c are
/// `rows[offsets[c] .. offsets[c+1])`, in input order.
struct CustomerRows {
  std::vector<std::uint64_t> offsets;
  std::vector<std::uint32_t> rows;
};

inline CustomerRows rows_by_customer(const TransactionLog& log) {
  CustomerRows g;
  g.offsets.assign(log.customer_count() + 1, 0);
  for (std::uint32_t c : log.customer) ++g.offsets[c + 1];
  std::partial_sum(g.offsets.begin(), g.offsets.end(), g.offsets.begin());
  g.rows.resize(log.size());
  std::vector<std::uint64_t> next(g.offsets.begin(), g.offsets.end() - 1);
  for (std::size_t i = 0; i < log.size(); ++i)
    g.rows[next[log.customer[i]]++] = static_cast<std::uint32_t>(i);
  return g;
}

/// Day -> relative period lookup over [first_day, last_day], with the period keys.
struct PeriodGrid {
  PeriodUnit unit = PeriodUnit::month;
  std::int32_t first_day = 0;
  std::int32_t last_day = -1;        ///< observation end (inclusive)
  std::int32_t first_index = 0;      ///< key of period 0
  std::vector<std::int32_t> of_day;  ///< day - first_day -> relative period

  PeriodGrid() = default;
  PeriodGrid(PeriodUnit u, std::int32_t first, std::int32_t last)
      : unit(u), first_day(first), last_day(last) {
    first_index = period_index(first, u);
    if (last < first) return;
    of_day.resize(static_cast<std::size_t>(last - first) + 1);
    for (std::int32_t d = first; d <= last; ++d)
      of_day[d - first] = period_index(d, u) - first_index;
  }
  std::int32_t count() const { return of_day.empty() ? 0 : of_day.back() + 1; }
  std::int32_t operator()(std::int32_t day) const { return of_day[day - first_day]; }
  std::int32_t key(std::int32_t relative) const { return first_index + relative; }
  std::int32_t start(std::int32_t relative) const {
    return std::max(first_day, period_first_day(first_index + relative, unit));
  }
  /// Last observed day of a period (the observation end for the last, possibly partial, period).
  std::int32_t end(std::int32_t relative) const {
    return std::min(last_day, period_last_day(first_index + relative, unit));
  }
  bool complete(std::int32_t relative) const {
    return period_last_day(first_index + relative, unit) <= last_day &&
           period_first_day(first_index + relative, unit) >= first_day;
  }
};

/// Largest dense per-period table (one copy) an analysis allocates, in bytes.
inline constexpr std::size_t kMaxPeriodTableBytes = std::size_t{256} << 20;

/// Throws InputError for option `option` when a dense table of `cells` cells of `cell_bytes`
/// bytes over the periods of `grid` would exceed kMaxPeriodTableBytes: e.g. daily cohorts over
/// two centuries (73,000 x 73,000 cells) are refused with a clear message instead of an
/// allocation of hundreds of gigabytes.
inline void check_period_table(std::size_t cells, std::size_t cell_bytes, const PeriodGrid& grid,
                               const char* what, const char* option = "--period") {
  if (cells <= kMaxPeriodTableBytes / cell_bytes) return;
  parameter_error(
      option, std::string(to_string(grid.unit)),
      fmt::format("a period long enough for a {} of at most {} MiB ({} {} periods "
                  "from {} to {} need {} MiB): a longer {}, a narrower --date-window or "
                  "an earlier --observation-end",
                  what, kMaxPeriodTableBytes >> 20, grid.count(), to_string(grid.unit),
                  format_day(grid.first_day), format_day(grid.last_day),
                  cells / (std::size_t{1} << 20) * cell_bytes, option));
}

/// First and last day of the log's rows, and the observation end (given or last day).
struct DayRange {
  std::int32_t first = 0;
  std::int32_t last = -1;
};

inline DayRange day_range(const TransactionLog& log) {
  DayRange r;
  if (log.size() == 0) return r;
  auto [lo, hi] = std::minmax_element(log.day.begin(), log.day.end());
  r.first = *lo;
  r.last = *hi;
  return r;
}

}  // namespace ltv::detail
