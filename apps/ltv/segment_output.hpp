#pragma once
// Segment movement tables written by `ltv segment --snapshots` and by `ltv analyze`
// (DIR/segment_transitions.csv), one way for both.

#include <ostream>

#include "ltv/io/row_writer.hpp"
#include "ltv/segment/segment.hpp"

namespace ltv::cli {

/// `scheme,from_date,to_date,from_segment,to_segment,customers,revenue_to_date`: one row per
/// non-empty cell of every transition matrix of `history`.
void write_segment_transitions(std::ostream& out, OutputFormat format,
                               const SegmentHistory& history);

}  // namespace ltv::cli
