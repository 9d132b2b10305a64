#pragma once
/// The segmentation job (`ltv segment`): RFM scores and segments, ABCDX classes, life-cycle
/// stages, custom rule segments, clusters, look-alikes and segment history of a workspace's
/// customers, driven by a segment config (docs/segments.md). Options come from the parameter
/// groups "periods" and "segment"; side data (the config, attributes, scores) is read by
/// read_segment_job_inputs or handed over by a face as tables.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/io/table.hpp"
#include "ltv/segment/segment.hpp"
#include "ltv/workspace/parameters.hpp"
#include "ltv/workspace/result_table.hpp"
#include "ltv/workspace/workspace.hpp"

namespace ltv {

/// Typed options of the segmentation job.
struct SegmentJobOptions {
  /// Time unit, calibration end (= as_of when given; later purchases are ignored) and
  /// observation end.
  SummaryOptions summary;
  /// The day the segments refer to (default: the calibration end, else the last day).
  std::optional<std::int32_t> as_of;
  std::string attributes_key = "customer_id";  ///< customer id column of the attributes
  std::string scores_key = "customer_id";      ///< customer id column of the scores
  /// Snapshot days of the segment history, increasing (empty: no history).
  std::vector<std::int32_t> snapshots;
};

/// The options from parameters of the groups "periods" and "segment", checked before any work:
/// ParameterError naming the key for a bad date, an as_of that differs from calibration_end,
/// snapshots without transitions_out or transitions_out / drops_out without snapshots.
SegmentJobOptions segment_job_options(const Parameters& parameters);

/// Side data of the segmentation job.
struct SegmentJobInputs {
  std::optional<SegmentConfig> config;  ///< absent: the built-in config
  std::optional<Table> attributes;      ///< customer attributes (id column + any columns)
  std::optional<Table> scores;  ///< model scores: id + p_alive / expected_purchases / predicted_clv
};

/// Reads the files named by segment_config (a TOML file; "built-in" or empty = the built-in
/// config), attributes and scores. ParameterError (`lookalike_out`) when a look-alike table is
/// asked for and the config has no [lookalike]; InputError for a malformed file.
SegmentJobInputs read_segment_job_inputs(const Parameters& parameters);

/// What the segmentation job computed.
struct SegmentJobResult {
  ResultTable customers;                   ///< "segment_customers", in order of first appearance
  ResultTable segments;                    ///< "segment_stats"
  ResultTable overlaps;                    ///< "segment_overlaps" (no rows without custom segments)
  std::optional<ResultTable> lookalike;    ///< "lookalike", with [lookalike] in the config
  std::optional<ResultTable> transitions;  ///< "segment_transitions", with snapshots
  std::optional<ResultTable> drops;        ///< "segment_drops", with snapshots
  /// Things worth saying, e.g. "clusters: k = 4 chosen by silhouette (k=2: 0.514, ...)".
  std::vector<std::string> notes;
};

/// Segments the customers of `workspace`. InputError for a config problem found against the
/// data (an unknown field, a look-alike seed without customers) or a malformed side table.
SegmentJobResult segment_job(Workspace& workspace, const SegmentJobInputs& inputs,
                             const SegmentJobOptions& options);

/// Model scores from a table keyed by `key`, aligned with `ids` (missing customers and empty
/// cells are NaN). InputError for a duplicate id, a p_alive outside 0..1 or a table without any
/// of the columns p_alive, expected_purchases, predicted_clv.
CustomerScores scores_from_table(const Table& table, const std::string& key,
                                 std::span<const std::string> ids);

/// Customer attributes (every column but `key`) aligned with `ids`. InputError for a missing
/// key column or a duplicate id.
Attributes attributes_from_table(const Table& table, const std::string& key,
                                 std::span<const std::string> ids);

}  // namespace ltv
