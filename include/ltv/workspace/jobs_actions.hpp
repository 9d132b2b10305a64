#pragma once
/// The CVM actions job of `ltv actions`: fit the count model on the transactions, build the
/// per-customer fields and plan today's actions from a playbook, with the contact regime's due
/// contacts per manager. Options come from the parameter groups "source", "periods", "output"
/// and "actions"; side data is read by read_actions_job_inputs or handed over by a face.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>
#include "ltv/i18n.hpp"

#include "ltv/cvm/actions.hpp"
#include "ltv/cvm/crm_export.hpp"
#include "ltv/io/table.hpp"
#include "ltv/nps/nps.hpp"
#include "ltv/workspace/actions.hpp"
#include "ltv/workspace/parameters.hpp"
#include "ltv/workspace/result_table.hpp"
#include "ltv/workspace/workspace.hpp"

namespace ltv {

/// Typed options of the actions job.
struct ActionsJobOptions {
  std::string model = "bgnbd";  ///< count model for P(alive) and p_purchase_*
  SummaryOptions summary;       ///< time unit, calibration and observation ends
  std::size_t max_actions = 0;  ///< actions per customer (0: the playbook's setting)
  bool due_contacts = false;    ///< also plan the contact regime's due contacts
  /// CRM export (export_profile != ""): the profile and its settings (as_of_day set by the job).
  std::optional<ExportProfile> export_profile;
  ExportOptions export_options;
  /// Language and formats of the reasons (parameters lang, number_format, date_format_out).
  i18n::Locale locale;
};

/// The options, checked before any work: ParameterError naming the key for managers without
/// due_out, due_out without contacts, an unknown count model or a bad period.
ActionsJobOptions actions_job_options(const Parameters& parameters);

/// Side data of the actions job.
struct ActionsJobInputs {
  ActionConfig playbook;                   ///< the rules (default: the built-in playbook)
  std::optional<Table> customers;          ///< attributes: customer_id + columns
  std::string nps_source;                  ///< name of the NPS answers, for messages
  std::optional<std::vector<NpsRow>> nps;  ///< NPS answers (validated against the customers)
  std::optional<Table> contacts;           ///< contact history
  std::optional<Table> suppress;           ///< do-not-contact list
  std::optional<Table> managers;           ///< manager_id,role,capacity[,cadences]
};

/// Reads the playbook first (rule syntax errors before anything else), then the customers (the
/// playbook's field names are checked against them), NPS answers, contacts, suppression list and
/// managers named by the parameters. InputError naming the file, line and column.
ActionsJobInputs read_actions_job_inputs(const Parameters& parameters);

/// What the actions job planned.
struct ActionsJobResult {
  ResultTable actions;             ///< "actions"
  ResultTable summary;             ///< "actions_summary"
  std::optional<ResultTable> due;  ///< "due_contacts" (with due_contacts)
  std::size_t customers = 0;       ///< customers considered
  std::size_t control = 0;         ///< actions held back as control
  std::size_t suppressed = 0;      ///< customers suppressed
  std::size_t capped = 0;          ///< actions dropped by caps
  std::int32_t as_of_day = 0;      ///< the day the actions are for
  std::vector<std::string> notes;  ///< e.g. contacts of customers not in the transactions
};

/// The action list as CRM export rows; a customer's owner is their manager in `result.due`
/// when the contact regime assigned one.
std::vector<CrmAction> crm_actions(const ActionsJobResult& result);

/// Writes the CRM export of `result` to `out` (see write_crm_export).
ExportResult write_actions_export(std::ostream& out, const ActionsJobResult& result,
                                  const ActionsJobOptions& options);

/// Fits the model, scores every customer 12 months ahead and plans the actions.
ActionsJobResult actions_job(Workspace& workspace, const ActionsJobInputs& inputs,
                             const ActionsJobOptions& options);

}  // namespace ltv
