#pragma once
/// Customer segmentation: RFM scores and named segments, ABCDX classes, life-cycle stages and
/// user-defined rule segments, all driven by a TOML config (docs/segments.md,
/// examples/segments.toml). Pure functions over a CustomerSummary plus optional model scores and
/// attributes; nothing here reads transaction files.

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/segment/rule_expr.hpp"

namespace ltv {

// ---- inputs -----------------------------------------------------------------------------------

/// Optional model outputs per customer, aligned with the CustomerSummary rows. Each column is
/// either empty (absent) or exactly summary.size() long. NaN entries are treated as missing.
struct CustomerScores {
  std::vector<double> p_alive;             ///< probability the customer is still active, 0..1
  std::vector<double> expected_purchases;  ///< expected purchases over the model's horizon
  std::vector<double> predicted_clv;       ///< predicted customer lifetime value (currency)
};

/// Optional customer attributes (e.g. from customers.csv), aligned with the CustomerSummary rows:
/// each column's `codes` has summary.size() entries; missing values are the empty string.
/// Values that parse as numbers are also usable numerically in rules (`age >= 25`).
struct Attributes {
  std::vector<CategoricalColumn> columns;
};

/// Aligns a table keyed by customer id to the summary rows. `row_ids[i]` is the external id of
/// summary row i; `keys[j]` the id of table row j; `columns[c].second[j]` the text of column c on
/// table row j. Customers absent from the table get empty values. Throws InputError (naming
/// `file`) on a duplicate key.
Attributes align_attributes(
    std::span<const std::string> row_ids, std::span<const std::string> keys,
    const std::vector<std::pair<std::string, std::vector<std::string>>>& columns,
    const std::string& file = {});

/// The external customer id of each summary row (log.customer_ids[summary.customer[i]]).
std::vector<std::string> summary_customer_ids(const TransactionLog& log,
                                              const CustomerSummary& summary);

/// Derived attribute "preferred_category": per summary row, the category with the largest share
/// of the customer's spend (amount; line count when the log has no amounts) in the calibration
/// period; ties go to the category seen first in the log; empty when the log has no category.
CategoricalColumn preferred_category(const TransactionLog& log, const CustomerSummary& summary);

// ---- configuration ----------------------------------------------------------------------------

/// A named segment defined by a rule. First matching rule wins for RFM segments; custom segments
/// allow several memberships.
struct NamedRule {
  std::string name;
  std::string description;  ///< the reason a manager understands
  std::string purpose;      ///< e.g. "raise activity", "raise spend", "keep service level"
  int level = 0;            ///< ordering used by history: a move to a lower level is a drop
  RuleExpr rule;
};

/// How one RFM dimension is scored.
struct RfmDimension {
  /// Empty: quantile scores 1..bins. Otherwise ascending cut points giving scores
  /// 1..cuts.size()+1 (recency: days <= cut counts as within the cut; frequency / monetary:
  /// value >= cut reaches the cut).
  std::vector<double> cuts;
  int bins = 5;                     ///< number of quantile scores (2..10) when cuts is empty
  std::vector<std::string> labels;  ///< optional band names, one per score (low to high)
};

struct RfmConfig {
  RfmDimension recency, frequency, monetary;
  std::string frequency_measure = "orders";  ///< "orders" or "orders_per_year"
  std::string monetary_measure = "revenue";  ///< "revenue" or "average_check"
  /// The R score never says "recent" about a customer whose life-cycle stage says otherwise:
  /// R is capped by the stage (at_risk: the middle score, ceil(scores / 2); lapsing: one below
  /// it; lost: 1), so no customer who is lapsing or lost can be in a segment that needs
  /// r >= 3 (Champions, Loyal, New, Promising, Potential loyalist). false: plain scores.
  bool recency_follows_stage = true;
  /// First match wins; unmatched -> "Other". A config file without [[rfm.segment]] keeps the
  /// built-in ten.
  std::vector<NamedRule> segments;
};

/// A threshold given as a value or as a percentile of a reference population.
struct Threshold {
  bool percentile = true;
  double value = 50;  ///< percentile 0..100, or an absolute value
};

struct AbcdxConfig {
  Threshold frequency{true, 50};  ///< orders strictly above = "often" (on it = few)
  Threshold check{true, 50};      ///< average check strictly above = "high"
  double active_days = 365;       ///< percentiles are taken over customers active this recently
  std::string potential_field;    ///< attribute with potential (company size, demand); "" = none
  Threshold potential{true, 80};  ///< X needs potential strictly above this
  Threshold low_spend{true, 50};  ///< ... and revenue at or below this (own spend still low)
  std::vector<std::string> lookalike_features;  ///< X by similarity to class A (if non-empty)
  double lookalike_min_score = 0.9;             ///< similarity percentile (0..1) required for X
};

struct LifecycleConfig {
  double new_days = 90;          ///< first purchase within this many days -> new
  double at_risk_ratio = 1.5;    ///< days since last / expected interval above this -> at risk
  double lapsing_ratio = 3.0;    ///< ... above this -> lapsing
  double lost_ratio = 6.0;       ///< ... above this -> lost
  double lost_days = 730;        ///< silent this long -> lost, whatever the rhythm
  double p_alive_at_risk = 0.6;  ///< P(alive) below -> at risk (when scores have p_alive)
  double p_alive_lapsing = 0.3;
  double p_alive_lost = 0.1;
  double vip_share = 0.05;  ///< top share of customers by value among active/new -> vip
  double default_interval_days =
      0;  ///< interval for one-purchase customers; 0 = median of repeaters
};

struct ClusterConfig {
  std::vector<std::string> features;  ///< field names; text fields are one-hot encoded
  int k = 0;                          ///< 0: choose by silhouette in [k_min, k_max]
  int k_min = 2, k_max = 8;
  std::uint64_t seed = 42;
  int restarts = 4;
  int max_iterations = 300;
  std::size_t silhouette_sample = 3000;  ///< customers sampled for the silhouette
};

struct LookalikeConfig {
  std::string seed_segment;  ///< e.g. "Champions" (any label in any scheme)
  /// Or explicit customer ids, matched against the text field "customer_id" (add it with
  /// SegmentFields::add_text and pass the fields to segment_customers; the CLI does this).
  std::vector<std::string> seed_ids;
  std::vector<std::string> features;
  std::size_t top_n = 100;
  int neighbors = 10;  ///< kNN: score = mean similarity to the nearest seed customers
};

/// The whole segmentation config. Parse with parse_segment_config().
struct SegmentConfig {
  std::string source;  ///< file name the config came from ("<built-in>" for the default)
  RfmConfig rfm;
  AbcdxConfig abcdx;
  LifecycleConfig lifecycle;
  std::vector<NamedRule> custom;
  std::optional<ClusterConfig> clusters;
  std::optional<LookalikeConfig> lookalike;
  std::string birth_date_field = "birth_date";  ///< attribute giving age (ISO date) if present
};

/// The built-in default config (identical to examples/segments.toml).
std::string_view default_segment_config_text() noexcept;
/// Parses a TOML config. Throws InputError naming `file`, the line and what was expected for a
/// syntax error, an unknown key, a bad value or a bad rule.
SegmentConfig parse_segment_config(std::string_view toml_text, const std::string& file);
/// Reads and parses a config file; throws InputError if it cannot be read.
SegmentConfig load_segment_config(const std::filesystem::path& path);
/// parse_segment_config(default_segment_config_text(), "<built-in>").
SegmentConfig default_segment_config();

// ---- fields -----------------------------------------------------------------------------------

/// All per-customer fields that rules, clusters and look-alikes can use: summary measures
/// (recency_days, tenure_days, orders, frequency, revenue, average_check, monetary_value,
/// orders_per_year, mean_interval_days, rhythm_ratio, cadence), model scores (p_alive,
/// expected_purchases, predicted_clv), attributes (by their column name), age / age_band (from
/// the birth-date attribute) and, once computed, labels (r, f, m, rfm_score, rfm, rfm_segment,
/// abcdx, stage). Columns are built on first use.
class SegmentFields {
 public:
  /// `scores` and `attributes` may be null; they must outlive this object, as must `summary`.
  SegmentFields(const CustomerSummary& summary, const CustomerScores* scores,
                const Attributes* attributes, std::int32_t as_of_day,
                std::string birth_date_field = "birth_date");
  ~SegmentFields();
  SegmentFields(const SegmentFields&) = delete;
  SegmentFields& operator=(const SegmentFields&) = delete;

  /// Column by name, or nullptr.
  const FieldColumn* find(std::string_view name);
  /// Resolver for RuleExpr::bind.
  FieldResolver resolver();
  /// Names of every available field (sorted).
  std::vector<std::string> names() const;
  /// Adds (or replaces) a numeric column; `values` must have size() entries.
  void add_numeric(const std::string& name, std::vector<double> values);
  /// Adds (or replaces) a text column.
  void add_text(const std::string& name, std::vector<std::uint32_t> codes,
                std::vector<std::string> values);
  std::size_t size() const noexcept;
  std::int32_t as_of_day() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- results ----------------------------------------------------------------------------------

enum class AbcdxClass : std::uint8_t { A, B, C, D, X };
/// "A".."X".
std::string_view to_string(AbcdxClass c) noexcept;

enum class LifecycleStage : std::uint8_t { new_customer, active, vip, at_risk, lapsing, lost };
/// "new", "active", "vip", "at_risk", "lapsing", "lost".
std::string_view to_string(LifecycleStage s) noexcept;

/// Per-customer segmentation, aligned with the summary rows.
struct SegmentResult {
  std::int32_t as_of_day = 0;  ///< day number the segmentation refers to

  // RFM
  std::vector<std::uint8_t> r, f, m;       ///< scores 1..bins (or 1..cuts+1)
  std::size_t recency_capped = 0;          ///< customers whose R was lowered to match their stage
  std::vector<std::uint16_t> rfm_segment;  ///< index into rfm_segment_names
  std::vector<std::string> rfm_segment_names;  ///< config order, plus "Other" last
  std::vector<double> recency_days;            ///< as_of - last purchase, days
  std::vector<double> frequency_value;         ///< the measure scored for F
  std::vector<double> monetary_value;          ///< the measure scored for M

  // ABCDX
  std::vector<AbcdxClass> abcdx;
  double abcdx_frequency_threshold = 0;  ///< orders strictly above = often
  double abcdx_check_threshold = 0;      ///< average check strictly above = high
  std::vector<double> orders;            ///< per customer
  std::vector<double> average_check;     ///< per customer (revenue / orders)
  std::vector<double> potential_score;   ///< potential attribute or look-alike score (NaN if none)

  // Life cycle
  std::vector<LifecycleStage> stage;
  std::vector<double> expected_interval_days;  ///< own mean inter-purchase days (or default)
  std::vector<double> rhythm_ratio;            ///< recency_days / expected_interval_days
  std::vector<std::uint8_t> stage_cause;       ///< internal: what decided the stage
  double default_interval_days = 0;
  double vip_value_threshold = 0;  ///< value strictly above which active -> vip

  // Custom segments (several per customer possible)
  std::vector<std::string> custom_names;
  std::vector<std::vector<std::uint8_t>> custom_member;  ///< [segment][row] 0/1

  // Clusters (when configured)
  std::vector<int> cluster;  ///< 0..k-1, empty when not configured
  int cluster_k = 0;
  std::vector<double> cluster_silhouette;     ///< silhouette for k_min..k_max (when chosen)
  std::vector<std::string> cluster_features;  ///< expanded feature names (one-hot included)
  std::vector<double> cluster_profiles;       ///< k x features, original units (means)

  // Look-alike (when configured)
  std::vector<std::size_t> lookalike_rows;
  std::vector<double> lookalike_scores;

  std::size_t size() const noexcept { return r.size(); }
};

/// Segments every customer. `scores`, `attributes` may be null. `as_of_day` defaults to the
/// summary's calibration end. `fields`, when given, receives the computed labels too (so callers
/// can evaluate further rules). Throws InputError for config problems discovered against the
/// data (unknown field in a rule, missing potential attribute), ModelError never.
SegmentResult segment_customers(const CustomerSummary& summary, const CustomerScores* scores,
                                const Attributes* attributes, const SegmentConfig& config,
                                std::optional<std::int32_t> as_of_day = std::nullopt,
                                SegmentFields* fields = nullptr);

/// Quantile scores 1..bins for `values` (higher value = higher score unless `lower_is_better`).
/// Tie rule: score = 1 + floor(bins * worse / n), where `worse` counts customers with a strictly
/// worse value, so tied customers share the lowest score their block reaches. NaN gets score 1.
std::vector<std::uint8_t> quantile_scores(std::span<const double> values, int bins,
                                          bool lower_is_better);
/// Scores from ascending cut points (see RfmDimension::cuts).
std::vector<std::uint8_t> cut_scores(std::span<const double> values, std::span<const double> cuts,
                                     bool lower_is_better);
/// Percentile (0..100) of the finite values, linear interpolation between order statistics
/// (type 7, as numpy's default). NaN when there are no finite values.
double percentile(std::vector<double> values, double pct);

/// One row of a per-segment table.
struct SegmentStats {
  std::string scheme;  ///< "rfm", "abcdx", "stage", "custom", "cluster"
  std::string segment;
  std::string purpose;
  std::string description;
  std::size_t customers = 0;
  double customer_share = 0;  ///< of all customers
  double revenue = 0;
  double revenue_share = 0;  ///< of all revenue
  double average_check = 0;  ///< revenue / orders of the segment
  double frequency = 0;      ///< mean orders per customer
  double predicted_ltv = std::numeric_limits<double>::quiet_NaN();  ///< mean; NaN without scores
};

/// Per-segment table for every scheme present in `result`.
std::vector<SegmentStats> segment_table(const SegmentResult& result, const CustomerSummary& summary,
                                        const CustomerScores* scores, const SegmentConfig& config);

/// Pairwise overlaps of custom segments: counts[i * n + j] customers in both i and j.
std::vector<std::size_t> custom_overlaps(const SegmentResult& result);

/// One-line reason for a customer's life-cycle stage, e.g.
/// "last purchase 120 days ago, 3.0x their usual 40-day interval".
std::string stage_reason(const SegmentResult& result, std::size_t row,
                         const CustomerScores* scores);

/// Label of the customer's RFM segment.
inline const std::string& rfm_segment_name(const SegmentResult& result, std::size_t row) {
  return result.rfm_segment_names[result.rfm_segment[row]];
}

// ---- history ----------------------------------------------------------------------------------

/// Segments at one snapshot date.
struct SegmentSnapshot {
  std::int32_t day = 0;
  std::vector<std::string> customer_ids;  ///< customers with a purchase on or before `day`
  std::vector<std::string> rfm_segment;   ///< label per customer
  std::vector<std::string> abcdx;
  std::vector<std::string> stage;
  std::vector<double> revenue;  ///< revenue to date
};

/// Movement between two consecutive snapshots for one scheme.
struct SegmentTransition {
  std::string scheme;
  std::int32_t from_day = 0, to_day = 0;
  std::vector<std::string>
      labels;  ///< rows/columns of the matrices ("(none)" = not yet a customer)
  std::vector<std::size_t> counts;       ///< labels x labels, [from * n + to]
  std::vector<double> value;             ///< revenue to date at `to_day` of the movers, same shape
  std::vector<std::string> dropped_ids;  ///< customers who moved to a lower level
  std::vector<std::string> dropped_from, dropped_to;
};

struct SegmentHistory {
  std::vector<SegmentSnapshot> snapshots;
  std::vector<SegmentTransition> transitions;
};

/// Summarises `log` at each date (calibration end = date, inclusive) and segments it, then
/// builds transition matrices between consecutive dates for rfm, abcdx and stage. Levels: RFM
/// segments by their config `level`, ABCDX A > B > C > D (X counts as D), stages
/// vip > active > new > at_risk > lapsing > lost. `attributes` is keyed like `log` customers
/// (aligned with log.customer_ids) or null. `last_scores`, when given, are model scores for the
/// last snapshot, aligned with its summary rows (the log summarised up to the last day, e.g. the
/// summary `ltv analyze` scores): the last snapshot is then segmented with them, so its segments
/// equal the current segmentation (the RFM R score follows the stage, which uses P(alive)).
/// Throws InputError when dates are not increasing or the scores do not match the last
/// snapshot's customers.
SegmentHistory segment_history(const TransactionLog& log, std::span<const std::int32_t> days,
                               const SegmentConfig& config, const Attributes* log_attributes,
                               TimeUnit time_unit = TimeUnit::week,
                               const CustomerScores* last_scores = nullptr);

}  // namespace ltv
