#include "ltv/data/customer_accumulator.hpp"

#include <algorithm>

namespace ltv {

template <class Sum>
bool customer_totals(const PeriodDays<Sum>& calibration, const PeriodDays<Sum>& holdout,
                     const Sum& profit, std::span<const ReturnLine<Sum>> returns,
                     const SummaryPeriods& periods, CustomerTotals& out) noexcept {
  out = CustomerTotals{};
  const PeriodDays<Sum>& c = calibration;
  out.purchase_days = c.days;
  if (c.days == 0) return true;  // no calibration purchase: no summary row
  out.first_purchase = c.first;
  out.last_purchase = c.last;
  Sum revenue = c.purchases;
  // The repeat purchase days: every purchase but those of the first day, and every return from
  // the second purchase day on (earlier ones net into the first day, or into no purchase day).
  Sum repeat = c.purchases;
  bool ok = repeat.subtract(c.first_day);
  Sum holdout_value = holdout.purchases;
  for (const ReturnLine<Sum>& r : returns) {
    if (r.day <= periods.calibration_end) {
      ok = ok && revenue.add(r.amount);
      if (c.days >= 2 && r.day >= c.second) ok = ok && repeat.add(r.amount);
    } else if (r.day <= periods.observation_end && holdout.days > 0 && r.day >= holdout.first) {
      ok = ok && holdout_value.add(r.amount);
    }
  }
  out.revenue = revenue.value();
  out.monetary_value = c.days > 1 ? repeat.value() / static_cast<double>(c.days - 1) : 0.0;
  out.profit = profit.value();
  out.holdout_days = holdout.days;
  out.monetary_value_holdout =
      holdout.days > 0 ? holdout_value.value() / static_cast<double>(holdout.days) : 0.0;
  return ok;
}

template <class Sum>
bool BasicCustomerAccumulator<Sum>::has_day(const PeriodDays<Sum>& p,
                                            std::int32_t day) const noexcept {
  if (p.is_named(day)) return true;
  return p.may_be_other(day) && std::binary_search(other_days_.begin(), other_days_.end(), day);
}

template <class Sum>
void BasicCustomerAccumulator<Sum>::keep_other(std::int32_t day) {
  if (day == PeriodDays<Sum>::kNoDay) return;
  // Lines by date append at the end.
  if (other_days_.empty() || day > other_days_.back()) {
    other_days_.push_back(day);
  } else {
    other_days_.insert(std::upper_bound(other_days_.begin(), other_days_.end(), day), day);
  }
}

template <class Sum>
bool BasicCustomerAccumulator<Sum>::add(const SummaryPeriods& periods, std::int32_t day,
                                        double amount, double profit, bool is_return) {
  if (day > periods.observation_end) return true;
  const bool calibration = day <= periods.calibration_end;
  Sum value;
  if (!Sum::from(amount, value)) return false;
  Sum profit_after = profit_;
  if (calibration && !profit_after.add(profit)) return false;
  if (is_return) {
    // Nets into a purchase day once the days are known (totals()).
    if (!value.is_zero()) returns_.push_back(ReturnLine<Sum>{day, value});
    profit_ = profit_after;
    return true;
  }
  PeriodDays<Sum>& p = calibration ? calibration_ : holdout_;
  bool ok = false;
  const std::int32_t other = p.add_purchase(day, value, !has_day(p, day), ok);
  if (!ok) return false;
  profit_ = profit_after;
  keep_other(other);
  return true;
}

template <class Sum>
bool BasicCustomerAccumulator<Sum>::merge(const SummaryPeriods& periods,
                                          const BasicCustomerAccumulator& other) {
  bool ok = true;
  auto merge_period = [&](PeriodDays<Sum>& to, const PeriodDays<Sum>& from, bool calibration) {
    if (from.days == 0) return;
    Sum first_day = to.first_day;
    if (to.days == 0 || from.first < to.first) {
      first_day = from.first_day;
    } else if (from.first == to.first) {
      ok = ok && first_day.add(from.first_day);
    }
    ok = ok && to.purchases.add(from.purchases);
    to.first_day = first_day;
    auto take = [&](std::int32_t day) {
      if (!has_day(to, day)) keep_other(to.insert_day(day));
    };
    take(from.first);
    if (from.days >= 2) take(from.second);
    take(from.last);
    for (std::int32_t day : other.other_days_) {
      if ((day <= periods.calibration_end) == calibration) take(day);
    }
  };
  merge_period(calibration_, other.calibration_, true);
  merge_period(holdout_, other.holdout_, false);
  ok = ok && profit_.add(other.profit_);
  returns_.insert(returns_.end(), other.returns_.begin(), other.returns_.end());
  return ok;
}

template <class Sum>
void BasicCustomerAccumulator<Sum>::clear() noexcept {
  calibration_ = PeriodDays<Sum>{};
  holdout_ = PeriodDays<Sum>{};
  profit_ = Sum{};
  other_days_.clear();
  returns_.clear();
}

template bool customer_totals<ExactSum>(const PeriodDays<ExactSum>&, const PeriodDays<ExactSum>&,
                                        const ExactSum&, std::span<const ReturnLine<ExactSum>>,
                                        const SummaryPeriods&, CustomerTotals&) noexcept;
template bool customer_totals<WideSum>(const PeriodDays<WideSum>&, const PeriodDays<WideSum>&,
                                       const WideSum&, std::span<const ReturnLine<WideSum>>,
                                       const SummaryPeriods&, CustomerTotals&) noexcept;
template class BasicCustomerAccumulator<ExactSum>;
template class BasicCustomerAccumulator<WideSum>;

}  // namespace ltv
