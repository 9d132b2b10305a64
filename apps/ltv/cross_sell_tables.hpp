#pragma once
// The CSV tables of the cross-sell and NPS commands, written one way whether they come from
// `ltv basket`, `ltv recommend`, `ltv nps` or from `ltv analyze` (DIR/basket/, DIR/nps/).

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ltv/io/csv_writer.hpp"
#include "ltv/nps/nps.hpp"
#include "ltv/recommend/association.hpp"
#include "ltv/recommend/recommend.hpp"

namespace ltv::cli {

/// A number, or an empty field when there is none.
void write_optional(CsvWriter& w, const std::optional<double>& v);

/// `antecedent,consequent,support,confidence,lift,count`, one row per rule.
void write_rules_csv(std::ostream& out, const AssociationRules& rules);

/// `itemset,size,support,count`, one row per frequent itemset.
void write_itemsets_csv(std::ostream& out, const FrequentItemsets& itemsets);

/// `customer_id,rank,item,score,because,reason`; returns how many offers have a reason item.
std::size_t write_recommendations_csv(std::ostream& out, const Recommendations& recs);

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
