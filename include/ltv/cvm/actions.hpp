#pragma once
/// CVM actions: a playbook of trigger rules (TOML, docs/cvm.md, examples/actions.toml) evaluated
/// over per-customer fields, with conflict handling (priority, N actions per customer, frequency
/// caps per channel from a contact history, suppression list), deterministic control groups,
/// next-purchase timing fields and the contact regime (cadence per segment, owners by capacity).

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/models/selection.hpp"
#include "ltv/segment/rule_expr.hpp"
#include "ltv/segment/segment.hpp"

namespace ltv {

// ---- playbook -----------------------------------------------------------------------------------

/// One trigger rule of a playbook.
struct ActionRule {
  std::string id;              ///< unique rule id, e.g. "winback"
  std::string action;          ///< action name, e.g. "winback_discount"
  std::string channel;         ///< e.g. "email", "sms", "phone", "manager"
  int priority = 100;          ///< lower number = more important
  std::string campaign;        ///< campaign id for control hashing (default: the rule id)
  double control_share = 0.1;  ///< share of matching customers held out as control, 0..1
  /// Action parameters in key order (as TOML tables keep them), written `key=value;key=value`.
  std::vector<std::pair<std::string, std::string>> params;
  RuleExpr when;          ///< condition over customer fields
  std::string reason;     ///< template with {field} / {field:N} (N decimals) / {field:date}
  std::int64_t line = 0;  ///< line of the rule in the playbook file
};

/// A frequency cap: at most `max_contacts` contacts on `channel` ("*" = any) per customer within
/// the `window_days` days before (and including) the run day.
struct FrequencyCap {
  std::string channel = "*";
  int max_contacts = 1;
  int window_days = 30;
};

/// Contact cadence of a segment: customers matching `when` should be contacted at least every
/// `every_days` days.
struct Cadence {
  std::string name;  ///< e.g. "vip"
  RuleExpr when;
  int every_days = 30;
  std::int64_t line = 0;
};

/// A parsed playbook.
struct ActionConfig {
  std::string source;  ///< file name ("<built-in>" for the default)
  std::vector<ActionRule> rules;
  std::size_t max_actions_per_customer = 1;  ///< N actions per customer per run
  std::vector<FrequencyCap> caps;
  std::vector<Cadence> cadences;
  double hunter_tenure_days = 90;  ///< customers younger than this belong to hunters
  int min_intervals = 3;           ///< own-interval timing needs this many inter-purchase gaps
};

/// The shipped default playbook (identical to examples/actions.toml).
std::string_view default_action_config_text() noexcept;
/// Parses a TOML playbook. Throws InputError naming `file`, the line and what was expected for a
/// TOML syntax error, an unknown key, a bad value or a rule syntax error.
ActionConfig parse_action_config(std::string_view toml_text, const std::string& file);
/// Reads and parses a playbook file; throws InputError if it cannot be read.
ActionConfig load_action_config(const std::filesystem::path& path);
/// parse_action_config(default_action_config_text(), "<built-in>").
ActionConfig default_action_config();

/// Names of the fields add_cvm_fields adds (p_purchase_* and own_p_purchase_* included).
std::span<const std::string_view> cvm_field_names() noexcept;

/// Checks, before any data is read, that every field named in the rules' conditions, reason
/// templates and cadences is in `known`. Throws InputError naming the playbook file, the rule's
/// line, the field and a few known field names.
void check_playbook_fields(const ActionConfig& config, std::span<const std::string> known);

// ---- customer fields ----------------------------------------------------------------------------

/// Contacts aligned to customer rows (see align_contacts).
struct ContactHistory {
  std::vector<std::uint32_t> row;    ///< customer row (summary row) of each contact
  std::vector<std::int32_t> day;     ///< day number
  std::vector<std::string> channel;  ///< channel of each contact
};

/// Keeps the contacts whose id is a customer row (`row_ids`); others are counted in `unmatched`.
ContactHistory align_contacts(std::span<const std::string> row_ids,
                              std::span<const std::string> contact_ids,
                              std::span<const std::int32_t> days,
                              std::span<const std::string> channels,
                              std::size_t* unmatched = nullptr);

/// Latest NPS score per customer row (NaN when none): answers (id, day, score).
std::vector<double> latest_scores(std::span<const std::string> row_ids,
                                  std::span<const std::string> ids,
                                  std::span<const std::int32_t> days,
                                  std::span<const double> scores);

/// Inputs of the derived CVM fields.
struct CvmFieldInputs {
  const CustomerSummary* summary = nullptr;  ///< required
  const TransactionLog* log = nullptr;       ///< for own inter-purchase intervals (optional)
  const FittedCountModel* model = nullptr;   ///< for p_purchase_* (optional)
  const ContactHistory* contacts = nullptr;  ///< for days_since_last_contact (optional)
  std::span<const double> nps;  ///< latest NPS score per row (optional; NaN = no answer)
  std::int32_t as_of_day = 0;   ///< the run day
  int min_intervals = 3;        ///< own-interval probabilities need this many gaps
};

/// Adds the CVM fields to `fields` (which must be built on the same summary rows):
/// days_since_last_purchase, usual_interval_days (own mean gap, NaN for one purchase day),
/// expected_next_purchase (day number: last purchase + usual interval),
/// days_past_expected (as_of - expected_next_purchase; > 0 = overdue), overdue_ratio
/// (days_since_last_purchase / usual_interval_days), p_purchase_7/30/90
/// (model: P(at least one purchase within 7/30/90 days | history)), own_p_purchase_7/30/90
/// (share of the customer's own gaps longer than the current silence that end within the next
/// 7/30/90 days; NaN with fewer than min_intervals gaps or when no gap was that long),
/// days_to_birthday (0..365, from the birth-date attribute), nps (latest score), nps_group
/// (promoter / passive / detractor / ""), days_since_last_contact (NaN when never contacted).
void add_cvm_fields(SegmentFields& fields, const CvmFieldInputs& inputs);

// ---- planning -----------------------------------------------------------------------------------

/// Deterministic control assignment: a hash of (customer id, campaign id) mapped to [0, 1),
/// compared with the share. The same pair always gives the same answer.
bool in_control_group(std::string_view customer_id, std::string_view campaign, double share);

/// Run-time options of plan_actions.
struct PlanOptions {
  std::size_t max_actions_per_customer = 0;  ///< 0 = the playbook's value
  std::span<const std::uint8_t> suppressed;  ///< per row, 1 = do not contact (optional)
  const ContactHistory* contacts = nullptr;  ///< for frequency caps (optional)
  std::int32_t as_of_day = 0;                ///< run day for the cap windows
  bool reasons = true;                       ///< fill reason texts
};

/// The planned actions, sorted by rule priority, then customer id, then rule order.
struct ActionList {
  std::vector<std::uint32_t> row;     ///< customer row
  std::vector<std::uint16_t> rule;    ///< index into the config's rules
  std::vector<std::uint8_t> control;  ///< 1 = held out as control
  std::vector<std::string> reason;
  std::size_t suppressed = 0;  ///< customers matching a rule but on the suppression list
  std::size_t capped = 0;      ///< rule matches dropped by a frequency cap
  /// Per rule of the config: customers whose condition holds (before suppression, caps and the
  /// per-customer limit). A rule true for every customer is suspicious (a condition that tests
  /// nothing): the actions job says so in its notes.
  std::vector<std::size_t> matched;
  std::size_t size() const noexcept { return row.size(); }
};

/// Evaluates the playbook over `fields`. Rules bind before anything runs: unknown fields or type
/// mismatches throw InputError naming the playbook file and the rule's line.
ActionList plan_actions(const ActionConfig& config, SegmentFields& fields,
                        std::span<const std::string> customer_ids, const PlanOptions& options);

/// One row of actions_summary.csv.
struct ActionSummaryRow {
  std::string rule, action, channel;
  int priority = 0;
  std::size_t customers = 0, treated = 0, control = 0;
};
/// Per-rule counts of an action list (every rule of the config, in priority order).
std::vector<ActionSummaryRow> summarize_actions(const ActionConfig& config, const ActionList& list);

/// `key=value;key=value` of a rule's params.
std::string format_params(const ActionRule& rule);

// ---- contact regime -----------------------------------------------------------------------------

/// A manager of the sales team.
struct Manager {
  std::string id;
  std::string role;                   ///< "hunter" (new customers) or "farmer" (established base)
  std::size_t capacity = 0;           ///< due contacts per run
  std::vector<std::string> cadences;  ///< cadence names served; empty = all
};

/// Overdue customers of the contact regime with their owner.
struct DueContacts {
  std::vector<std::uint32_t> row;
  std::vector<std::uint16_t> cadence;      ///< index into the config's cadences
  std::vector<double> days_since_contact;  ///< NaN when never contacted
  std::vector<double> days_overdue;        ///< beyond the cadence (never contacted: tenure)
  std::vector<std::string> role;           ///< "hunter" or "farmer"
  std::vector<std::string> manager;        ///< "" when no manager had capacity
  std::size_t size() const noexcept { return row.size(); }
};

/// Customers matching a cadence (first matching cadence in file order) whose last contact is more
/// than `every_days` ago (or who were never contacted), most overdue first (ties: customer id),
/// each assigned to the manager of the right role serving the cadence with the most capacity left
/// (ties: manager id). Requires fields days_since_last_contact and tenure_days.
DueContacts due_contacts(const ActionConfig& config, SegmentFields& fields,
                         std::span<const std::string> customer_ids,
                         std::span<const Manager> managers);

}  // namespace ltv
