#pragma once
/// The NPS job behind `ltv nps`: survey answers (a table with customer, date, score and optional
/// comment and channel columns) validated, NPS with 95% intervals by any grouping, follow-up
/// items, frequent words of detractors and — with the transactions of a Workspace — the value of
/// promoters, passives and detractors. Problem rows are counted and kept as data, or (strict)
/// the first one is an error naming its line.
///
///   ltv::NpsInputs in;
///   in.answers = ltv::read_table("nps.csv");
///   const ltv::NpsRun run = ltv::run_nps(ltv::NpsJobOptions{}, in);
///   // run.nps: by, group, answers, promoters, passives, detractors, nps, ci_low, ci_high

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ltv/io/table.hpp"
#include "ltv/nps/nps.hpp"
#include "ltv/workspace/parameters.hpp"
#include "ltv/workspace/result_table.hpp"
#include "ltv/workspace/workspace.hpp"

namespace ltv {

/// Typed options of the NPS job (parameter group "nps").
struct NpsJobOptions {
  /// Columns of the answers table (matched exactly, then ignoring case); comment and channel may
  /// be absent.
  std::string customer_column = "customer_id";
  std::string date_column = "date";
  std::string score_column = "score";
  std::string comment_column = "comment";
  std::string channel_column = "channel";
  /// Groupings, each a section of the NPS table after the overall row: period, channel, segment,
  /// class, all, or a column of the answers. Empty: period.
  std::vector<std::string> by;
  NpsPeriod period = NpsPeriod::month;  ///< of the grouping `period`
  bool strict = false;         ///< the first problem row (but an unknown customer) is an InputError
  bool follow_ups = false;     ///< compute the follow-up items
  FollowUpOptions follow_up;   ///< threshold, due days, owners
  bool terms = false;          ///< compute the detractors' frequent terms
  std::size_t top_terms = 20;  ///< how many
  bool value = false;          ///< link answers to later purchases (needs transactions)
  std::int32_t horizon_days = 180;  ///< window after the answer for the value link
};

/// The NPS job's options from parameters, every value checked (ParameterError naming the key;
/// `value` needs `transactions`; `owner_by_channel` items are CHANNEL=OWNER).
NpsJobOptions nps_options(const Parameters& parameters);

/// The NPS job's side inputs as tables.
struct NpsInputs {
  Table answers;                   ///< the survey answers
  std::optional<Table> segments;   ///< customer id, segment (first two columns), for `segment`
  std::optional<Table> customers;  ///< known customer ids (first column); others are reported
  std::optional<Table> ltv;        ///< customer id, LTV (first two columns), for the value link
};

/// Reads the answers (`file`) and the side files named by the parameters (segments, customers,
/// ltv). InputError for an unreadable or malformed file.
NpsInputs read_nps_inputs(const Parameters& parameters);

/// The transactions of the value link named by the parameters (`transactions` with the columns
/// tx_customer, tx_date, tx_amount).
TransactionSource nps_transactions_source(const Parameters& parameters);

/// What the NPS job computed.
struct NpsRun {
  ResultTable nps;  ///< "nps/nps" (named "nps"): the overall row, then one section per grouping
  ResultTable problems;  ///< "nps/problems": every problem row (line, problem, detail)
  std::optional<ResultTable> follow_ups;       ///< "nps/follow_ups", when asked for
  std::optional<ResultTable> detractor_terms;  ///< "nps/detractor_terms", when asked for
  std::optional<ResultTable> value;            ///< "nps/value_link", when asked for
  /// The problems counted by kind, e.g. "2 duplicate row(s) skipped (lines 5, 9)".
  std::vector<std::string> notes;
};

/// Runs the job. `transactions` is needed (and used) only for the value link. ParameterError for
/// a column the answers lack (naming the option of that column: customer, date, score, by), for
/// `segment` without segments; InputError for the first problem row when strict, or for a
/// malformed LTV table.
NpsRun run_nps(const NpsJobOptions& options, const NpsInputs& inputs,
               Workspace* transactions = nullptr);

}  // namespace ltv
