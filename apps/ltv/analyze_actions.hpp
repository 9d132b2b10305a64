#pragma once
// The CVM actions step shared by `ltv analyze` (DIR/actions.csv, DIR/actions_summary.csv) and
// `ltv actions`: side files (customers, NPS, contacts, suppression, managers), the per-customer
// fields and the planned action list.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ltv/cvm/actions.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/models/selection.hpp"
#include "ltv/nps/nps.hpp"
#include "ltv/segment/segment.hpp"

namespace ltv::cli {

/// Side inputs of the actions step.
struct ActionInputFiles {
  std::string rules;                        ///< --rules FILE (empty: built-in playbook)
  std::string customers;                    ///< --customers FILE (attributes, birth_date)
  std::string nps;                          ///< --nps FILE (customer_id,date,score)
  const NpsAnswers* nps_answers = nullptr;  ///< `nps` already read and validated (analyze)
  std::string contacts;                     ///< --contacts FILE (customer_id,date,channel[,type])
  std::string suppress;                     ///< --suppress FILE (customer_id)
  std::size_t max_actions = 0;              ///< --max-actions (0: the playbook's setting)
};

/// Everything the actions step computed (fields stay alive for writing reasons / due lists).
struct ActionRun {
  ActionConfig config;
  std::vector<std::string> ids;
  std::unique_ptr<Attributes> attributes;
  std::unique_ptr<CustomerScores> scores;
  std::unique_ptr<SegmentFields> fields;
  ContactHistory contacts;
  ActionList list;
  std::int32_t as_of_day = 0;
};

/// Loads the playbook first (so rule errors come before any work), then the side files.
ActionConfig load_playbook(const ActionInputFiles& files);

/// Checks the playbook's field names against the fields the run will have (summary, model,
/// segment labels, CVM fields, the header of --customers) before any transaction is read.
void precheck_playbook(const ActionConfig& config, const ActionInputFiles& files, bool has_clv);

/// Builds fields (segments, model timing, birthdays, NPS, contacts) and plans the actions.
/// `scores` holds p_alive / expected_purchases / predicted_clv (may be empty columns).
ActionRun run_actions(const ActionConfig& config, const ActionInputFiles& files,
                      const TransactionLog& log, const CustomerSummary& summary,
                      const FittedCountModel& model, CustomerScores scores, bool quiet);

/// Writes the action list: csv (RowWriter), json (array) or jsonl (one object per line).
void write_action_list(std::ostream& out, const std::string& format, const ActionRun& run);
/// Writes actions_summary rows as CSV or JSON.
void write_action_summary(std::ostream& out, const std::string& format, const ActionRun& run);

/// Reads a managers file: manager_id,role,capacity[,cadences] (cadences separated by ';').
std::vector<Manager> read_managers(const std::string& path, const ActionConfig& config);

/// The analyze step: writes DIR/actions.csv and DIR/actions_summary.csv. Returns a one-line
/// summary for the terminal.
std::string analyze_actions(const std::filesystem::path& dir, const ActionConfig& config,
                            const ActionInputFiles& files, const TransactionLog& log,
                            const CustomerSummary& summary, const FittedCountModel& model,
                            const CustomerScores& scores, bool quiet);

}  // namespace ltv::cli
