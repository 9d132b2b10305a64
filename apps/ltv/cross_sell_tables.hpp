#pragma once
// The CSV tables of `ltv nps` (the cross-sell commands write catalogue tables, see
// ltv/workspace/jobs_cross_sell.hpp).

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ltv/io/csv_writer.hpp"
#include "ltv/nps/nps.hpp"

namespace ltv::cli {

/// A number, or an empty field when there is none.
void write_optional(CsvWriter& w, const std::optional<double>& v);

/// `line,problem,detail` of an NPS file's problems.
void write_nps_problems_csv(std::ostream& out, const std::vector<NpsProblem>& problems);

/// One stacked table of NPS by some grouping (`by` = all, period, channel, ...).
struct NpsTableSection {
  std::string by;
  NpsGroupTable table;
};

/// `by,group,answers,promoters,passives,detractors,nps,standard_error,ci_low,ci_high`.
void write_nps_tables_csv(std::ostream& out, const std::vector<NpsTableSection>& sections);

/// `customer_id,date,score,class,comment,channel,owner,due_date,priority,line`.
void write_follow_ups_csv(std::ostream& out, const std::vector<FollowUp>& items);

/// The `top` most frequent words and #tags of detractors' comments:
/// `term,detractor_comments,share_of_detractors`.
void write_detractor_terms_csv(std::ostream& out, const NpsAnswers& answers, std::size_t top);

}  // namespace ltv::cli
