// Segment snapshots at chosen dates and the movement between them.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "ltv/io/dates.hpp"
#include "ltv/segment/segment.hpp"

namespace ltv {

namespace {

constexpr const char* kNone = "(none)";

int abcdx_level(std::string_view c) {
  if (c == "A") return 4;
  if (c == "B") return 3;
  if (c == "C") return 2;
  if (c == "D" || c == "X") return 1;
  return 0;
}

int stage_level(std::string_view s) {
  if (s == "vip") return 6;
  if (s == "active") return 5;
  if (s == "new") return 4;
  if (s == "at_risk") return 3;
  if (s == "lapsing") return 2;
  if (s == "lost") return 1;
  return 0;
}

SegmentTransition transition(const std::string& scheme, const SegmentSnapshot& a,
                             const SegmentSnapshot& b, const std::vector<std::string>& labels,
                             const std::vector<std::string> SegmentSnapshot::*column,
                             const std::function<int(std::string_view)>& level) {
  SegmentTransition t;
  t.scheme = scheme;
  t.from_day = a.day;
  t.to_day = b.day;
  t.labels = labels;
  t.labels.push_back(kNone);
  const std::size_t m = t.labels.size();
  std::unordered_map<std::string_view, std::size_t> label_index;
  for (std::size_t k = 0; k < m; ++k) label_index.emplace(t.labels[k], k);
  t.counts.assign(m * m, 0);
  t.value.assign(m * m, 0);
  std::unordered_map<std::string_view, std::size_t> before;
  for (std::size_t i = 0; i < a.customer_ids.size(); ++i) before.emplace(a.customer_ids[i], i);
  const auto& from_labels = a.*column;
  const auto& to_labels = b.*column;
  for (std::size_t i = 0; i < b.customer_ids.size(); ++i) {
    auto it = before.find(b.customer_ids[i]);
    std::string_view from = it == before.end() ? std::string_view(kNone) : from_labels[it->second];
    std::string_view to = to_labels[i];
    std::size_t f = label_index.at(from), g = label_index.at(to);
    t.counts[f * m + g]++;
    t.value[f * m + g] += b.revenue[i];
    if (it != before.end() && level(to) < level(from)) {
      t.dropped_ids.push_back(b.customer_ids[i]);
      t.dropped_from.emplace_back(from);
      t.dropped_to.emplace_back(to);
    }
  }
  return t;
}

}  // namespace

SegmentHistory segment_history(const TransactionLog& log, std::span<const std::int32_t> days,
                               const SegmentConfig& config, const Attributes* log_attributes,
                               TimeUnit time_unit, const CustomerScores* last_scores) {
  for (std::size_t k = 1; k < days.size(); ++k)
    if (days[k] <= days[k - 1])
      input_error(SourceLocation{"", 0, "--snapshots"},
                  fmt::format("day {} after day {}", days[k], days[k - 1]),
                  "snapshot dates in increasing order");
  SegmentHistory h;
  for (std::size_t k = 0; k < days.size(); ++k) {
    const std::int32_t day = days[k];
    const bool last = k + 1 == days.size();
    SummaryOptions so;
    so.time_unit = time_unit;
    so.calibration_end = day;
    so.observation_end = day;
    SegmentSnapshot snap;
    snap.day = day;
    CustomerSummary s;
    bool any = false;
    for (std::int32_t d : log.day) any = any || d <= day;
    if (any) {
      s = summarize(log, so);
      Attributes attrs;
      if (log_attributes) {
        for (const auto& c : log_attributes->columns) {
          CategoricalColumn col;
          col.name = c.name;
          col.values = c.values;
          col.codes.resize(s.size());
          for (std::size_t i = 0; i < s.size(); ++i) col.codes[i] = c.codes[s.customer[i]];
          attrs.columns.push_back(std::move(col));
        }
      }
      SegmentConfig light = config;  // clusters and look-alikes are not part of history
      light.clusters.reset();
      light.lookalike.reset();
      const CustomerScores* scores = last ? last_scores : nullptr;
      if (scores) {
        for (const auto* column :
             {&scores->p_alive, &scores->expected_purchases, &scores->predicted_clv}) {
          if (!column->empty() && column->size() != s.size()) {
            input_error(SourceLocation{"", 0, "last_scores"},
                        fmt::format("{} scores", column->size()),
                        fmt::format("one score per customer with a purchase by {} ({})",
                                    format_date(day), s.size()));
          }
        }
      }
      SegmentResult r = segment_customers(s, scores, log_attributes ? &attrs : nullptr, light, day);
      snap.customer_ids = summary_customer_ids(log, s);
      for (std::size_t i = 0; i < s.size(); ++i) {
        snap.rfm_segment.push_back(rfm_segment_name(r, i));
        snap.abcdx.emplace_back(to_string(r.abcdx[i]));
        snap.stage.emplace_back(to_string(r.stage[i]));
        snap.revenue.push_back(s.revenue.empty() ? 0.0 : s.revenue[i]);
      }
    }
    h.snapshots.push_back(std::move(snap));
  }
  std::vector<std::string> rfm_labels;
  std::map<std::string, int, std::less<>> rfm_level;
  for (const auto& seg : config.rfm.segments) {
    rfm_labels.push_back(seg.name);
    rfm_level[seg.name] = seg.level;
  }
  rfm_labels.push_back("Other");
  rfm_level["Other"] = std::numeric_limits<int>::min() + 1;
  rfm_level[kNone] = std::numeric_limits<int>::min();
  for (std::size_t k = 1; k < h.snapshots.size(); ++k) {
    const auto& a = h.snapshots[k - 1];
    const auto& b = h.snapshots[k];
    h.transitions.push_back(
        transition("rfm", a, b, rfm_labels, &SegmentSnapshot::rfm_segment,
                   [&](std::string_view s) { return rfm_level.find(s)->second; }));
    h.transitions.push_back(
        transition("abcdx", a, b, {"A", "B", "C", "D", "X"}, &SegmentSnapshot::abcdx, abcdx_level));
    h.transitions.push_back(transition("stage", a, b,
                                       {"vip", "active", "new", "at_risk", "lapsing", "lost"},
                                       &SegmentSnapshot::stage, stage_level));
  }
  return h;
}

}  // namespace ltv
