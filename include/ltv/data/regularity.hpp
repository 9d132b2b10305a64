#pragma once
/// Regularity of inter-purchase times: the per-customer statistic litt that the (M)BG/CNBD-k
/// models need besides (x, t_x, T) (Reutterer, Platzer & Schröder 2021; BTYDplus elog2cbs `litt`).

#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"

namespace ltv {

/// For each row of `summary` (a summary of `log`): litt = the sum over the customer's repeat
/// purchases in the calibration period of ln(time since the previous purchase), in
/// summary.time_unit. Purchases on the same day are one purchase and return lines are not
/// purchases, as in the summary, so every inter-purchase time is at least one day; customers with x
/// = 0 get 0. The calibration period is that of the summary (purchases on or before
/// summary.calibration_end). Throws InputError when the summary does not belong to the log (a
/// customer index out of range, or a row whose frequency disagrees with the log's purchase days).
std::vector<double> log_intertransaction_times(const TransactionLog& log,
                                               const CustomerSummary& summary);

}  // namespace ltv
