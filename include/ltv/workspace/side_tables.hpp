#pragma once
/// Side tables of the jobs read into the analytics' inputs: customer groups from an attribute
/// column, marketing spend, per-customer values.

#include <string>
#include <vector>

#include "ltv/analytics/cac.hpp"
#include "ltv/analytics/groups.hpp"
#include "ltv/analytics/periods.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/io/table.hpp"

namespace ltv {

/// Customer groups from columns `id_column` and `label_column` of a table (e.g. customers.csv
/// with loyalty_member). When ids of the table are not in the log, a note saying how many is
/// appended to `notes` (when given).
CustomerGroups groups_from_table(const TransactionLog& log, const Table& table,
                                 const std::string& id_column, const std::string& label_column,
                                 std::vector<std::string>* notes = nullptr);

/// Per-customer values from a table (e.g. `customer_id,clv`): NaN for customers of the log
/// without a value. InputError naming the line for a value that is not a number.
std::vector<double> values_from_table(const TransactionLog& log, const Table& table,
                                      const std::string& id_column,
                                      const std::string& value_column);

/// Marketing spend from a table with channel, period (e.g. YYYY-MM) and spend columns. Bad
/// periods or amounts throw InputError naming the source, line and column.
SpendTable spend_from_table(const Table& table, const std::string& channel_column,
                            const std::string& period_column, const std::string& amount_column,
                            PeriodUnit unit);

}  // namespace ltv
