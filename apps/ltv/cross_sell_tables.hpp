#pragma once
// The CSV tables of the cross-sell commands, written one way whether they come from
// `ltv basket`, `ltv recommend` or from `ltv analyze` (DIR/basket/).

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

}  // namespace ltv::cli
