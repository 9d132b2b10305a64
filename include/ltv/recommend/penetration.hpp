#pragma once
/// Penetration of a product launch in a target group, week by week, and the reach of every
/// product (or category) within every segment.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ltv/data/transaction_log.hpp"
#include "ltv/recommend/baskets.hpp"

namespace ltv {

/// Customers (indices of the log) who bought any of `names` at `level` in [from_day, before_day)
/// as a 0/1 flag per customer. Throws InputError when a name is not in the column.
std::vector<std::uint8_t> buyers_of(const TransactionLog& log, ItemLevel level,
                                    std::span<const std::string> names,
                                    std::optional<std::int32_t> from_day = {},
                                    std::optional<std::int32_t> before_day = {});

/// Options of penetration.
struct PenetrationOptions {
  ItemLevel level = ItemLevel::item;
  std::vector<std::string> products;    ///< what counts as "the product" (names at `level`)
  std::int32_t launch_day = 0;          ///< week 1 starts on this day
  std::optional<std::int32_t> end_day;  ///< last day counted (inclusive); unset: end of log
  /// Target group, one flag per customer of the log. Empty: every customer who bought anything
  /// before the end day.
  std::vector<std::uint8_t> target;
};

/// Week-by-week adoption: in week w (days [launch + 7(w-1), launch + 7w)), `new_buyers[w-1]`
/// target customers bought the product for the first time since launch; `cumulative` counts
/// them up to and including week w; share = cumulative / target_size.
struct PenetrationCurve {
  std::uint64_t target_size = 0;
  std::vector<std::uint32_t> week;
  std::vector<std::int32_t> week_start;  ///< day number
  std::vector<std::uint64_t> new_buyers;
  std::vector<std::uint64_t> cumulative;
  std::vector<double> share;
  std::size_t size() const noexcept { return week.size(); }
};

/// Throws parameter_error for an empty product list, an empty target group or an end before the
/// launch; InputError for an unknown product name.
PenetrationCurve penetration(const TransactionLog& log, const PenetrationOptions& options);

/// Reach of items within segments: `buyers` of `item` among the `segment_size` customers of
/// `segment`, share = buyers / segment_size. Rows sorted by segment, then share (descending).
struct ReachTable {
  std::vector<std::string> segment;
  std::vector<std::string> item;
  std::vector<std::uint64_t> segment_size;
  std::vector<std::uint64_t> buyers;
  std::vector<double> share;
  std::size_t size() const noexcept { return item.size(); }
};

/// `segment_of_customer` holds one label per customer of the log ("" = in no segment).
/// Rows with fewer than `min_buyers` buyers are left out. Throws InputError when the label
/// count differs from the customer count.
ReachTable reach(const TransactionLog& log, ItemLevel level,
                 std::span<const std::string> segment_of_customer, std::uint64_t min_buyers = 1,
                 std::optional<std::int32_t> from_day = {},
                 std::optional<std::int32_t> before_day = {});

}  // namespace ltv
