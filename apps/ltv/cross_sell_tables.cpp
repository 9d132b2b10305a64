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

void write_nps_problems_csv(std::ostream& out, const std::vector<NpsProblem>& problems) {
  CsvWriter w(out);
  w.row({"line", "problem", "detail"});
  for (const auto& p : problems) w.field(p.line).field(p.kind).field(p.detail).end_row();
  w.flush();
}

void write_nps_tables_csv(std::ostream& out, const std::vector<NpsTableSection>& sections) {
  CsvWriter w(out);
  w.row({"by", "group", "answers", "promoters", "passives", "detractors", "nps", "standard_error",
         "ci_low", "ci_high"});
  for (const auto& s : sections) {
    for (std::size_t g = 0; g < s.table.size(); ++g) {
      const auto& e = s.table.estimate[g];
      w.field(s.by).field(s.table.group[g]).field(e.answers).field(e.promoters);
      w.field(e.passives).field(e.detractors);
      for (const auto& v : {e.nps, e.standard_error, e.ci_low, e.ci_high}) write_optional(w, v);
      w.end_row();
    }
  }
  w.flush();
}

void write_follow_ups_csv(std::ostream& out, const std::vector<FollowUp>& items) {
  CsvWriter w(out);
  w.row({"customer_id", "date", "score", "class", "comment", "channel", "owner", "due_date",
         "priority", "line"});
  for (const auto& item : items) {
    w.field(item.customer).field(format_date(item.day)).field(item.score);
    w.field(to_string(classify_score(item.score))).field(item.comment).field(item.channel);
    w.field(item.owner).field(format_date(item.due_day)).field(item.priority).field(item.line);
    w.end_row();
  }
  w.flush();
}

void write_detractor_terms_csv(std::ostream& out, const NpsAnswers& answers, std::size_t top) {
  std::vector<std::string> comments;
  for (std::size_t i = 0; i < answers.size(); ++i)
    if (classify_score(answers.score[i]) == NpsClass::detractor)
      comments.push_back(answers.comment[i]);
  CsvWriter w(out);
  w.row({"term", "detractor_comments", "share_of_detractors"});
  for (const auto& t : top_terms(comments, top)) {
    w.field(t.term).field(t.comments);
    w.field(static_cast<double>(t.comments) / static_cast<double>(comments.size()));
    w.end_row();
  }
  w.flush();
}

}  // namespace ltv::cli
