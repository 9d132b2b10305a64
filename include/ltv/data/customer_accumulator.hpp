#pragma once
/// The running state of one customer's summary: what `ltv summary` keeps per customer while a
/// file is read (in any row order), and what a workspace store keeps per customer to take in a
/// new batch of transactions without reading the old ones again.
///
/// Contract (docs/architecture.md, "Customer summaries"):
/// - add() takes one line of the customer, in any order: lines may come sorted by date, by
///   customer, or shuffled, and the lines of one day in any order.
/// - merge() takes another state of the same customer, built from other lines (another part of a
///   file, a later batch, an earlier one): the merged state is the state of all the lines, in any
///   order of merging.
/// - totals() gives the summary of the lines taken so far. It is a function of the set of lines
///   only (not of their order or of how they were split into states): every money figure is an
///   exact sum rounded once to the nearest double (ExactSum, WideSum), and the days are kept as a
///   set. So all the ways of building a state give the same bits.
/// The periods (calibration and observation end) must be the same for every call on one state.
///
/// What the state holds, per period (calibration, holdout): the first, second and last purchase
/// day and the number of distinct purchase days, the exact sum of the purchase amounts and of
/// those on the first day; the calibration profit; the purchase days other than the first,
/// second and last (needed to count a day seen again out of order: 4 bytes per day, none for
/// customers with at most 3 purchase days); and the return lines (negative amount or quantity),
/// whose effect depends on the final first and second purchase day. Same-day purchases count as
/// one purchase day (BTYD convention).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ltv/data/exact_sum.hpp"

namespace ltv {

/// Which period a line's day falls in: calibration (day <= calibration_end), holdout (up to
/// observation_end), or neither (later lines are ignored).
struct SummaryPeriods {
  std::int32_t calibration_end = INT32_MAX;  ///< day number, inclusive
  std::int32_t observation_end = INT32_MAX;  ///< day number, inclusive (>= calibration_end)
};

/// The purchase days of one period and their purchase amounts, in a fixed 48 bytes (with
/// ExactSum). The set of purchase days is {first, second, last} plus the "other" days a caller
/// keeps (those strictly between second and last, only when days >= 4).
template <class Sum>
struct PeriodDays {
  static constexpr std::int32_t kNoDay = INT32_MIN;

  Sum purchases;            ///< exact sum of the amounts of the purchase lines
  Sum first_day;            ///< exact sum of the amounts of the purchase lines on day `first`
  std::int32_t first = 0;   ///< smallest purchase day (days >= 1)
  std::int32_t second = 0;  ///< second smallest purchase day (days >= 2; == last when days == 2)
  std::int32_t last = 0;    ///< largest purchase day (days >= 1)
  std::uint32_t days = 0;   ///< distinct purchase days

  /// Whether `day` is the first, second or last purchase day.
  bool is_named(std::int32_t day) const noexcept {
    return days > 0 && (day == first || day == second || day == last);
  }
  /// Whether `day`, when it is not named, may be one of the other days (those strictly between
  /// second and last): only then does the caller need to look it up.
  bool may_be_other(std::int32_t day) const noexcept {
    return days >= 4 && day > second && day < last;
  }
  /// Adds `day` as a new purchase day (it must not be one already). Returns the day that now
  /// becomes (or stays) an "other" day and must be kept by the caller, or kNoDay.
  std::int32_t insert_day(std::int32_t day) noexcept {
    if (days++ == 0) {
      first = second = last = day;
      return kNoDay;
    }
    if (days == 2) {  // first == second == last before
      if (day < first) {
        first = day;
      } else {
        second = last = day;
      }
      return kNoDay;
    }
    if (day < first) {  // the old second leaves the named days
      const std::int32_t other = second;
      second = first;
      first = day;
      return days == 3 ? kNoDay : other;  // with 3 days the old second was the last
    }
    if (day < second) {
      const std::int32_t other = second;
      second = day;
      return days == 3 ? kNoDay : other;
    }
    if (day > last) {
      const std::int32_t other = last;
      last = day;
      return days == 3 ? kNoDay : other;
    }
    return day;  // between second and last
  }
  /// A purchase line on `day` worth `amount` (`is_new`: the day was not a purchase day before).
  /// Returns the day to keep among the other days (or kNoDay), as insert_day(); false in `ok`
  /// when a sum refused the amount (the state is then unchanged).
  std::int32_t add_purchase(std::int32_t day, const Sum& amount, bool is_new, bool& ok) noexcept {
    Sum purchases_after = purchases;
    ok = purchases_after.add(amount);
    if (!ok) return kNoDay;
    if (is_new && (days == 0 || day < first)) {
      first_day = amount;
    } else if (day == first) {
      Sum first_after = first_day;
      ok = first_after.add(amount);
      if (!ok) return kNoDay;
      first_day = first_after;
    }
    purchases = purchases_after;
    return is_new ? insert_day(day) : kNoDay;
  }
};

/// A return line (negative amount or quantity) of a period, kept until the totals: it nets into
/// the latest purchase day on or before its day in its period, if any.
template <class Sum>
struct ReturnLine {
  std::int32_t day = 0;
  Sum amount;
};

/// The summary of one customer (what `ltv summary` writes, before recency and T are expressed
/// in the time unit).
struct CustomerTotals {
  std::uint32_t purchase_days = 0;    ///< calibration; 0 = no calibration purchase (no row)
  std::int32_t first_purchase = 0;    ///< day number
  std::int32_t last_purchase = 0;     ///< day number, within calibration
  double revenue = 0;                 ///< every calibration line, returns included
  double monetary_value = 0;          ///< mean value of the repeat purchase days (0 if none)
  double profit = 0;                  ///< every calibration line
  std::uint32_t holdout_days = 0;     ///< purchase days in the holdout
  double monetary_value_holdout = 0;  ///< mean value of the holdout purchase days (0 if none)
};

/// The totals of a customer from its two periods, its calibration profit and its return lines
/// (any order, both periods; lines after the observation end must not be among them).
///
/// revenue = every calibration amount; monetary_value = (purchases not on the first day +
/// returns from the second purchase day on) / (purchase days - 1), the mean value of the repeat
/// purchase days with each return netted into the latest purchase day on or before it;
/// monetary_value_holdout = (holdout purchases + holdout returns from the first holdout purchase
/// day on) / holdout purchase days. Each sum is exact and rounded once. false when a sum
/// overflows (ExactSum: beyond 1.8e16).
template <class Sum>
bool customer_totals(const PeriodDays<Sum>& calibration, const PeriodDays<Sum>& holdout,
                     const Sum& profit, std::span<const ReturnLine<Sum>> returns,
                     const SummaryPeriods& periods, CustomerTotals& out) noexcept;

/// The running state of one customer (see the contract at the top of this header). `Sum` is
/// ExactSum (CustomerAccumulator: fixed size, refuses values it cannot hold exactly) or WideSum
/// (WideCustomerAccumulator: any finite value, much larger).
template <class Sum>
class BasicCustomerAccumulator {
 public:
  /// One line of the customer: its day, amount (0 without amounts), profit (0 without), and
  /// whether it is a return (negative amount or quantity). Lines after periods.observation_end
  /// are ignored. false (and the state unchanged) when a sum refuses a value (ExactSum only:
  /// see ExactSum); the caller then builds the customer with WideCustomerAccumulator.
  bool add(const SummaryPeriods& periods, std::int32_t day, double amount, double profit,
           bool is_return);
  /// Takes in the state of other lines of the same customer. false when a sum overflows (ExactSum
  /// only; the state is then unusable).
  bool merge(const SummaryPeriods& periods, const BasicCustomerAccumulator& other);
  /// The summary of the lines taken so far, in `out`; false when a sum overflows (ExactSum only:
  /// beyond 1.8e16; the caller then builds the customer with WideCustomerAccumulator).
  bool totals(const SummaryPeriods& periods, CustomerTotals& out) const noexcept {
    return customer_totals<Sum>(calibration_, holdout_, profit_, returns_, periods, out);
  }
  /// Forgets every line (keeps the memory of its lists).
  void clear() noexcept;

  const PeriodDays<Sum>& calibration() const noexcept { return calibration_; }
  const PeriodDays<Sum>& holdout() const noexcept { return holdout_; }

 private:
  bool has_day(const PeriodDays<Sum>& p, std::int32_t day) const noexcept;
  void keep_other(std::int32_t day);

  PeriodDays<Sum> calibration_, holdout_;
  Sum profit_;                            // calibration lines
  std::vector<std::int32_t> other_days_;  // sorted; both periods (their days differ)
  std::vector<ReturnLine<Sum>> returns_;  // both periods
};

using CustomerAccumulator = BasicCustomerAccumulator<ExactSum>;
using WideCustomerAccumulator = BasicCustomerAccumulator<WideSum>;

extern template bool customer_totals<ExactSum>(const PeriodDays<ExactSum>&,
                                               const PeriodDays<ExactSum>&, const ExactSum&,
                                               std::span<const ReturnLine<ExactSum>>,
                                               const SummaryPeriods&, CustomerTotals&) noexcept;
extern template bool customer_totals<WideSum>(const PeriodDays<WideSum>&,
                                              const PeriodDays<WideSum>&, const WideSum&,
                                              std::span<const ReturnLine<WideSum>>,
                                              const SummaryPeriods&, CustomerTotals&) noexcept;
extern template class BasicCustomerAccumulator<ExactSum>;
extern template class BasicCustomerAccumulator<WideSum>;

}  // namespace ltv
