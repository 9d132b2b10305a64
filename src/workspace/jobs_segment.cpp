// The segmentation job of `ltv segment` (see ltv/workspace/jobs_segment.hpp).
#include "ltv/workspace/jobs_segment.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <unordered_map>

#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/workspace/tables.hpp"

namespace ltv {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The day of `text` (a date like YYYY-MM-DD); ParameterError naming `key` otherwise.
std::int32_t parse_day(std::string_view key, const std::string& text) {
  const auto dt = parse_datetime(text, DateFormat{}, 0);
  if (!dt) {
    parameter_error(std::string(key), text, "a date like YYYY-MM-DD (or YYYYMMDD, DD.MM.YYYY)");
  }
  return dt->day;
}

/// True when the segment_config parameter names the built-in config.
bool built_in(const std::string& config) {
  return config.empty() || config == "built-in";
}

}  // namespace

SegmentJobOptions segment_job_options(const Parameters& p) {
  p.validate();
  SegmentJobOptions o;
  o.summary = summary_options(p);
  o.as_of = p.date("as_of");
  if (o.as_of) {
    if (o.summary.calibration_end && *o.summary.calibration_end != *o.as_of) {
      parameter_error("as_of", p.text("as_of"),
                      "the same date as --calibration-end (or only one of them)");
    }
    o.summary.calibration_end = *o.as_of;
    if (!o.summary.observation_end || *o.summary.observation_end < *o.as_of) {
      o.summary.observation_end = *o.as_of;
    }
  }
  o.attributes_key = p.text("attributes_key");
  o.scores_key = p.text("scores_key");
  if (const std::string list = p.text("snapshots"); !list.empty()) {
    std::stringstream in(list);
    std::string item;
    while (std::getline(in, item, ','))
      if (!item.empty()) o.snapshots.push_back(parse_day("snapshots", item));
    if (o.snapshots.empty()) {
      parameter_error("snapshots", list, "comma-separated dates, e.g. 2011-06-30,2011-09-30");
    }
  }
  if (!p.text("snapshots").empty() && p.text("transitions_out").empty()) {
    parameter_error("transitions_out", "nothing", "a file for the transitions of --snapshots");
  }
  if (p.text("snapshots").empty() &&
      (!p.text("transitions_out").empty() || !p.text("drops_out").empty())) {
    parameter_error("snapshots", "nothing", "snapshot dates for --transitions-out / --drops-out");
  }
  return o;
}

SegmentJobInputs read_segment_job_inputs(const Parameters& p) {
  SegmentJobInputs in;
  // The config first: its errors come before any table is read.
  if (const std::string config = p.text("segment_config"); !built_in(config)) {
    in.config = load_segment_config(config);
  }
  if (const std::string lookalike = p.text("lookalike_out"); !lookalike.empty()) {
    const bool configured = in.config ? in.config->lookalike.has_value()
                                      : default_segment_config().lookalike.has_value();
    if (!configured) {
      parameter_error("lookalike_out", lookalike, "a [lookalike] table in the segment config");
    }
  }
  if (const std::string path = p.text("attributes"); !path.empty())
    in.attributes = read_table(path);
  if (const std::string path = p.text("scores"); !path.empty()) in.scores = read_table(path);
  return in;
}

CustomerScores scores_from_table(const Table& t, const std::string& key,
                                 std::span<const std::string> ids) {
  const auto& keys = t.column(key);
  std::unordered_map<std::string_view, std::size_t> row_of;
  for (std::size_t j = 0; j < keys.size(); ++j)
    if (!row_of.emplace(keys[j], j).second)
      input_error(SourceLocation{t.source, t.lines[j], key}, keys[j],
                  "each customer id at most once");
  CustomerScores s;
  bool any = false;
  auto fill = [&](const char* name, std::vector<double>& out) {
    if (!t.find(name)) return;
    any = true;
    const std::vector<double> v = t.numbers(name, kNaN);
    out.assign(ids.size(), kNaN);
    for (std::size_t i = 0; i < ids.size(); ++i)
      if (auto it = row_of.find(ids[i]); it != row_of.end()) out[i] = v[it->second];
    if (std::string_view(name) == "p_alive")
      for (std::size_t j = 0; j < v.size(); ++j)
        if (std::isfinite(v[j]) && (v[j] < 0 || v[j] > 1))
          t.fail(j, *t.find(name), "a probability between 0 and 1");
  };
  fill("p_alive", s.p_alive);
  fill("expected_purchases", s.expected_purchases);
  fill("predicted_clv", s.predicted_clv);
  if (!any)
    input_error(SourceLocation{t.source, 1, ""}, fmt::format("columns {}", fmt::join(t.names, ",")),
                "at least one of the columns p_alive, expected_purchases, predicted_clv");
  return s;
}

Attributes attributes_from_table(const Table& t, const std::string& key,
                                 std::span<const std::string> ids) {
  const std::size_t key_column = t.require(key);
  std::vector<std::pair<std::string, std::vector<std::string>>> columns;
  for (std::size_t c = 0; c < t.names.size(); ++c)
    if (c != key_column) columns.emplace_back(t.names[c], t.columns[c]);
  return align_attributes(ids, t.columns[key_column], columns, t.source);
}

SegmentJobResult segment_job(Workspace& workspace, const SegmentJobInputs& in,
                             const SegmentJobOptions& o) {
  const SegmentConfig config = in.config ? *in.config : default_segment_config();
  const TransactionLog& log = workspace.transactions();
  const CustomerSummary summary = summarize(log, o.summary);
  const std::vector<std::string> ids = summary_customer_ids(log, summary);

  Attributes attributes;
  if (in.attributes) attributes = attributes_from_table(*in.attributes, o.attributes_key, ids);
  if (log.category) attributes.columns.push_back(preferred_category(log, summary));
  std::unique_ptr<CustomerScores> scores;
  if (in.scores) {
    scores = std::make_unique<CustomerScores>(scores_from_table(*in.scores, o.scores_key, ids));
  }
  SegmentFields fields(summary, scores.get(), &attributes,
                       o.as_of.value_or(summary.calibration_end), config.birth_date_field);
  {
    std::vector<std::uint32_t> codes(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) codes[i] = static_cast<std::uint32_t>(i);
    fields.add_text("customer_id", std::move(codes), ids);
  }
  const SegmentResult result =
      segment_customers(summary, scores.get(), &attributes, config, o.as_of, &fields);

  SegmentJobResult out;
  if (!result.cluster.empty()) {
    std::string line = fmt::format("clusters: k = {}", result.cluster_k);
    if (!result.cluster_silhouette.empty()) {
      line += " chosen by silhouette (";
      for (std::size_t k = 0; k < result.cluster_silhouette.size(); ++k)
        line +=
            fmt::format("{}k={}: {:.3f}", k ? ", " : "",
                        config.clusters->k_min + static_cast<int>(k), result.cluster_silhouette[k]);
      line += ")";
    }
    out.notes.push_back(std::move(line));
  }
  out.customers = segment_customers_table(ids, summary, result, scores.get(), config);
  out.segments = segment_stats_table(segment_table(result, summary, scores.get(), config),
                                     scores && !scores->predicted_clv.empty());
  out.overlaps = segment_overlaps_table(result);
  if (config.lookalike) out.lookalike = lookalike_table(result, ids);
  if (!o.snapshots.empty()) {
    // Attributes keyed by the log's customers for the history.
    Attributes log_attributes;
    if (in.attributes) {
      log_attributes = attributes_from_table(*in.attributes, o.attributes_key, log.customer_ids);
    }
    const SegmentHistory history = segment_history(
        log, o.snapshots, config, in.attributes ? &log_attributes : nullptr, o.summary.time_unit);
    out.transitions = transitions_table(history);
    out.drops = segment_drops_table(history);
  }
  return out;
}

}  // namespace ltv
