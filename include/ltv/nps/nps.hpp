#pragma once
/// Net Promoter Score: validation of survey answers, NPS with a 95% confidence interval by any
/// grouping, follow-up items for unhappy customers, frequent words of detractor comments, and the
/// link between NPS class and later customer value.
///
/// NPS = % promoters (score 9-10) - % detractors (0-6), in points from -100 to 100.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ltv/data/transaction_log.hpp"
#include "ltv/io/csv.hpp"

namespace ltv {

/// A survey answer as read from a file, fields still text.
struct NpsRow {
  std::int64_t line = 0;  ///< 1-based physical line in the source
  std::string customer;
  std::string date;   ///< yyyy-mm-dd, optionally followed by a time
  std::string score;  ///< integer 0..10
  std::string comment;
  std::string channel;
};

/// Column indexes of an answers file (comment and channel may be absent).
struct NpsColumns {
  std::size_t customer = 0, date = 0, score = 0;
  std::optional<std::size_t> comment, channel;
};

/// Reads every record of `reader` into rows (fields missing from a short record are empty);
/// `each`, when given, sees every record too (e.g. to keep grouping columns).
std::vector<NpsRow> read_nps_rows(CsvReader& reader, const NpsColumns& columns,
                                  const std::function<void(const CsvRecord&)>& each = {});

/// Validated answers, columnar. `line` keeps the source line of each answer.
struct NpsAnswers {
  std::vector<std::string> customer;
  std::vector<std::int32_t> day;  ///< days since 1970-01-01
  std::vector<int> score;         ///< 0..10
  std::vector<std::string> comment;
  std::vector<std::string> channel;
  std::vector<std::int64_t> line;
  std::vector<bool> known_customer;  ///< false when the customer is absent from the customer list

  std::size_t size() const noexcept { return score.size(); }
};

/// One problem found in the answers.
struct NpsProblem {
  std::int64_t line = 0;
  std::string kind;    ///< bad_score, score_out_of_range, bad_date, missing_customer, duplicate,
                       ///< unknown_customer
  std::string detail;  ///< what was found, in words
};

/// Options of parse_nps_rows.
struct NpsParseOptions {
  /// Customers known to the business (e.g. the transaction log's ids). Empty: no check.
  std::span<const std::string> known_customers;
};

/// Answers plus every problem found, in line order.
struct NpsParseResult {
  NpsAnswers answers;
  std::vector<NpsProblem> problems;
};

/// Validates rows. Rows with a score that is not an integer or lies outside 0..10, a bad date or
/// no customer are dropped and reported; a second answer of the same customer on the same day is
/// a duplicate (dropped, reported with the line of the first); answers of customers missing from
/// `known_customers` are kept, flagged and reported as unknown_customer. Never throws for row
/// content.
NpsParseResult parse_nps_rows(std::span<const NpsRow> rows, const NpsParseOptions& options = {});

/// Reads every answer of a file with a header `customer_id,date,score[,comment,channel]` (names
/// matched exactly, then case-insensitively) as text rows. InputError for a missing column.
std::vector<NpsRow> read_nps_rows(const std::string& path);

/// Validates rows strictly (see read_nps_file), naming `source` in errors.
NpsParseResult validate_nps_rows(std::span<const NpsRow> rows, const std::string& source,
                                 std::span<const std::string> known);

/// Reads an answers file with a header `customer_id,date,score[,comment,channel]` (names matched
/// exactly, then case-insensitively) and validates it strictly: a missing column, an empty
/// customer, a bad date or a score that is not an integer in 0..10 throws InputError naming the
/// file, line and column. Same-day duplicates (the first answer is kept) and customers absent from
/// `known` (kept) are returned as problems.
NpsParseResult read_nps_file(const std::string& path, std::span<const std::string> known);

/// The three NPS classes.
enum class NpsClass : std::uint8_t { detractor, passive, promoter };
/// detractor for 0..6, passive for 7..8, promoter for 9..10; throws InputError outside 0..10.
NpsClass classify_score(int score);
/// "detractor", "passive", "promoter".
std::string_view to_string(NpsClass cls) noexcept;

/// NPS of one group. Points from -100 to 100; empty optionals when the group has no answers.
struct NpsEstimate {
  std::uint64_t answers = 0;
  std::uint64_t promoters = 0;
  std::uint64_t passives = 0;
  std::uint64_t detractors = 0;
  std::optional<double> nps;             ///< 100 (P - D) / n
  std::optional<double> standard_error;  ///< 100 sqrt((p + d - (p - d)^2) / n)
  std::optional<double> ci_low;          ///< nps - z se, clipped to -100
  std::optional<double> ci_high;         ///< nps + z se, clipped to 100
};

/// NPS from class counts with a Wald interval from the multinomial variance of p - d:
/// Var(p^ - d^) = (p + d - (p - d)^2) / n. `z` = 1.959964 gives 95%. With all answers in one
/// class the standard error is 0 and the interval collapses to the point.
NpsEstimate estimate_nps(std::uint64_t promoters, std::uint64_t passives, std::uint64_t detractors,
                         double z = 1.959963984540054);

/// NPS of a set of scores (each 0..10; throws InputError otherwise).
NpsEstimate estimate_nps(std::span<const int> scores, double z = 1.959963984540054);

/// NPS per group, groups in sorted order. `group_of_answer` has one label per answer.
/// `extra_groups` are listed even when no answer falls in them (reported with 0 answers).
struct NpsGroupTable {
  std::vector<std::string> group;
  std::vector<NpsEstimate> estimate;
  std::size_t size() const noexcept { return group.size(); }
};
/// Throws InputError when the label count differs from the answer count.
NpsGroupTable nps_by_group(const NpsAnswers& answers, std::span<const std::string> group_of_answer,
                           std::span<const std::string> extra_groups = {},
                           double z = 1.959963984540054);

/// Calendar period of a day: "2024-W07" (ISO week), "2024-02", "2024-Q1", "2024".
enum class NpsPeriod { week, month, quarter, year };
/// Parses week/month/quarter/year; throws parameter_error for --period.
NpsPeriod parse_nps_period(std::string_view text);
/// The label of the period holding `day`.
std::string period_label(std::int32_t day, NpsPeriod period);

/// Options of follow_ups.
struct FollowUpOptions {
  int below = 10;              ///< answers with score < below open an item (10: all but 10s)
  int detractor_due_days = 2;  ///< due date = answer day + this, for detractors
  int other_due_days = 7;      ///< due date for passives and 9s
  std::string default_owner = "customer-care";
  std::unordered_map<std::string, std::string> owner_by_channel;  ///< channel -> owner
};

/// A follow-up item: who to call about what, by when.
struct FollowUp {
  std::string customer;
  std::int32_t day = 0;
  int score = 0;
  std::string comment;
  std::string channel;
  std::string owner;
  std::int32_t due_day = 0;
  std::string priority;  ///< "high" for detractors, "normal" otherwise
  std::int64_t line = 0;
};

/// Follow-up items for answers scoring below `options.below`, lowest score first, then oldest.
/// Throws parameter_error when below is outside 1..11.
std::vector<FollowUp> follow_ups(const NpsAnswers& answers, const FollowUpOptions& options = {});

/// A term and the number of comments that contain it.
struct TermCount {
  std::string term;
  std::uint64_t comments = 0;
};

/// Most frequent words (lower-cased, letters and digits, at least `min_length` characters,
/// English stop words removed) and #tags across comments, counting each term once per comment.
/// Ties are broken alphabetically.
std::vector<TermCount> top_terms(std::span<const std::string> comments, std::size_t top_n = 20,
                                 std::size_t min_length = 3);

/// Options of nps_value_link.
struct NpsValueOptions {
  std::int32_t horizon_days = 180;  ///< window after the answer in which purchases are counted
};

/// Value of promoters, passives and detractors: each customer's latest answer decides the class;
/// only answers whose whole window lies inside the log (answer day + horizon <= last log day)
/// and whose customer is in the log are used.
struct NpsValueRow {
  NpsClass cls = NpsClass::passive;
  std::uint64_t customers = 0;         ///< respondents with a full window in the log
  std::uint64_t retained = 0;          ///< of those, bought within the window
  std::optional<double> retention;     ///< retained / customers
  std::optional<double> value_after;   ///< mean amount (or lines without amounts) in the window
  std::optional<double> value_before;  ///< mean amount before the answer (history)
  std::optional<double> mean_ltv;      ///< mean of the supplied LTV (customers that have one)
};

/// Rows in the order detractor, passive, promoter. `ltv_by_customer` (optional) holds a predicted
/// lifetime value per customer id. Throws InputError when the log is empty.
std::vector<NpsValueRow> nps_value_link(
    const NpsAnswers& answers, const TransactionLog& log, const NpsValueOptions& options = {},
    const std::unordered_map<std::string, double>& ltv_by_customer = {});

/// Mean of a per-customer value by NPS class: each customer's latest answer (latest day, then
/// latest line) decides the class. Answers whose customer is not in `customer_ids` are ignored;
/// customers whose value is NaN or infinite count in `customers` but not in the mean.
struct NpsClassMean {
  NpsClass cls = NpsClass::passive;
  std::uint64_t customers = 0;  ///< respondents of this class found in customer_ids
  std::uint64_t valued = 0;     ///< of those, customers with a finite value
  std::optional<double> mean;   ///< mean value over `valued`; empty when valued = 0
};

/// Rows in the order detractor, passive, promoter. `value` has one entry per id of
/// `customer_ids` (e.g. P(alive) or CLV per customer). Throws InputError when the sizes differ.
std::vector<NpsClassMean> nps_class_means(const NpsAnswers& answers,
                                          std::span<const std::string> customer_ids,
                                          std::span<const double> value);

}  // namespace ltv
