#include "cross_sell_tables.hpp"

#include "ltv/io/dates.hpp"

namespace ltv::cli {

void write_optional(CsvWriter& w, const std::optional<double>& v) {
  if (v) {
    w.field(*v);
  } else {
    w.empty();
  }
}

void write_rules_csv(std::ostream& out, const AssociationRules& rules) {
  CsvWriter w(out);
  w.row({"antecedent", "consequent", "support", "confidence", "lift", "count"});
  for (std::size_t r = 0; r < rules.size(); ++r) {
    w.field(format_itemset(rules.antecedent(r), rules.item_names));
    w.field(rules.item_names[rules.consequent[r]]);
    w.field(rules.support(r)).field(rules.confidence(r)).field(rules.lift(r));
    w.field(rules.count[r]);
    w.end_row();
  }
  w.flush();
}

void write_itemsets_csv(std::ostream& out, const FrequentItemsets& itemsets) {
  CsvWriter w(out);
  w.row({"itemset", "size", "support", "count"});
  for (std::size_t i = 0; i < itemsets.size(); ++i) {
    w.field(format_itemset(itemsets.itemset(i), itemsets.item_names));
    w.field(itemsets.itemset(i).size());
    w.field(static_cast<double>(itemsets.count[i]) / static_cast<double>(itemsets.basket_count));
    w.field(itemsets.count[i]);
    w.end_row();
  }
  w.flush();
}

std::size_t write_recommendations_csv(std::ostream& out, const Recommendations& recs) {
  CsvWriter w(out);
  w.row({"customer_id", "rank", "item", "score", "because", "reason"});
  std::size_t explained = 0;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    w.field(recs.customer_ids[recs.customer[i]]).field(recs.rank[i]);
    w.field(recs.item_names[recs.item[i]]).field(recs.score[i]);
    if (recs.because[i] == Recommendations::kNoReason) {
      w.empty();
    } else {
      w.field(recs.item_names[recs.because[i]]);
      ++explained;
    }
    w.field(recs.explain(i));
    w.end_row();
  }
  w.flush();
  return explained;
}

}  // namespace ltv::cli
