#pragma once
/// The CVM actions job, shared by the main job (its `actions` and `actions_summary` tables) and
/// `ltv actions`: side tables (customer attributes, NPS answers, contacts, suppression), the
/// per-customer fields the playbook's rules read, and the planned action list.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "ltv/cvm/actions.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/io/table.hpp"
#include "ltv/models/registry.hpp"
#include "ltv/nps/nps.hpp"
#include "ltv/segment/segment.hpp"
#include "ltv/workspace/result_table.hpp"

namespace ltv {

/// Side inputs of the actions job (any may be null).
struct ActionInputs {
  const Table* customers = nullptr;  ///< attributes: customer_id + columns (birth_date, ...)
  const NpsAnswers* nps = nullptr;   ///< validated NPS answers (the latest counts)
  const Table* contacts = nullptr;   ///< contact history: customer_id, date, channel
  const Table* suppress = nullptr;   ///< do-not-contact: customer_id (else the first column)
  std::size_t max_actions = 0;       ///< actions per customer (0: the playbook's setting)
};

/// Everything the actions job computed (fields stay alive for reasons and due lists).
struct ActionRun {
  ActionConfig config;
  std::vector<std::string> ids;
  std::unique_ptr<Attributes> attributes;
  std::unique_ptr<CustomerScores> scores;
  std::unique_ptr<SegmentFields> fields;
  ContactHistory contacts;
  ActionList list;
  std::int32_t as_of_day = 0;
  /// Things worth saying (e.g. contacts of customers not in the transactions).
  std::vector<std::string> notes;
};

/// Checks the playbook's field names against the fields the run will have (summary, model,
/// segment labels, CVM fields, the columns of `customers`) before any transaction is read.
void precheck_playbook(const ActionConfig& config, const Table* customers, bool has_clv);

/// Builds fields (segments, model timing, birthdays, NPS, contacts) and plans the actions.
/// `scores` holds p_alive / expected_purchases / predicted_clv (may be empty columns).
ActionRun run_actions(const ActionConfig& config, const ActionInputs& inputs,
                      const TransactionLog& log, const CustomerSummary& summary,
                      const FittedCountModel& model, CustomerScores scores);

/// The action list (table "actions") and the counts per rule ("actions_summary").
ResultTable action_list_table(const ActionRun& run);
ResultTable action_summary_table(const ActionRun& run);

/// Managers from a table manager_id,role,capacity[,cadences] (cadences separated by ';').
/// InputError naming the line for a bad role, capacity or an unknown cadence.
std::vector<Manager> read_managers(const Table& table, const ActionConfig& config);

/// The contact regime's due contacts as a table (manager_id, role, customer_id, cadence,
/// every_days, days_since_contact, days_overdue).
ResultTable due_contacts_table(const ActionRun& run, const DueContacts& due);

}  // namespace ltv
