// `ltv segment`: RFM scores and segments, ABCDX classes, life-cycle stages, custom rule segments,
// clusters, look-alikes and segment history, driven by a TOML config (docs/segments.md).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "command.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/table.hpp"
#include "ltv/segment/segment.hpp"
#include "segment_output.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {
namespace {

struct SegmentCliOptions {
  std::string segment_config;
  std::string attributes;
  std::string attributes_key = "customer_id";
  std::string scores;
  std::string scores_key = "customer_id";
  std::string as_of;
  std::string snapshots;
  std::string segments_out;
  std::string overlaps_out;
  std::string lookalike_out;
  std::string transitions_out;
  std::string drops_out;
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
double money(double v) {
  return round_significant(v, 12);
}

CustomerScores read_scores(const std::string& path, const std::string& key,
                           const std::vector<std::string>& ids) {
  Table t = read_table(path);
  const auto& keys = t.column(key);
  std::unordered_map<std::string_view, std::size_t> row_of;
  for (std::size_t j = 0; j < keys.size(); ++j)
    if (!row_of.emplace(keys[j], j).second)
      input_error(SourceLocation{path, t.lines[j], key}, keys[j], "each customer id at most once");
  CustomerScores s;
  bool any = false;
  auto fill = [&](const char* name, std::vector<double>& out) {
    if (!t.find(name)) return;
    any = true;
    std::vector<double> v = t.numbers(name, kNaN);
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
    input_error(SourceLocation{path, 1, ""}, fmt::format("columns {}", fmt::join(t.names, ",")),
                "at least one of the columns p_alive, expected_purchases, predicted_clv");
  return s;
}

Attributes read_attributes(const std::string& path, const std::string& key,
                           const std::vector<std::string>& ids) {
  Table t = read_table(path);
  std::size_t key_col = t.require(key);
  std::vector<std::pair<std::string, std::vector<std::string>>> columns;
  for (std::size_t c = 0; c < t.names.size(); ++c)
    if (c != key_col) columns.emplace_back(t.names[c], t.columns[c]);
  return align_attributes(ids, t.columns[key_col], columns, path);
}

std::vector<std::int32_t> parse_dates(const std::string& list) {
  std::vector<std::int32_t> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(parse_date(item, "--snapshots"));
  if (out.empty())
    parameter_error("snapshots", list, "comma-separated dates, e.g. 2011-06-30,2011-09-30");
  return out;
}

std::string join_custom(const SegmentResult& r, std::size_t i) {
  std::string out;
  for (std::size_t k = 0; k < r.custom_names.size(); ++k)
    if (r.custom_member[k][i]) out += (out.empty() ? "" : ";") + r.custom_names[k];
  return out;
}

void write_customers(std::ostream& out, OutputFormat format, const std::vector<std::string>& ids,
                     const CustomerSummary& s, const SegmentResult& r, const CustomerScores* scores,
                     const SegmentConfig& config) {
  const bool p_alive = scores && !scores->p_alive.empty();
  const bool clv = scores && !scores->predicted_clv.empty();
  const bool potential =
      !config.abcdx.potential_field.empty() || !config.abcdx.lookalike_features.empty();
  std::vector<std::string> cols{
      "customer_id", "recency_days", "orders",      "revenue", "average_check", "r", "f",
      "m",           "rfm_segment",  "rfm_purpose", "abcdx"};
  // Named score bands (e.g. "monthly buyers", "large check") when the config gives labels.
  const auto& rl = config.rfm.recency.labels;
  const auto& fl = config.rfm.frequency.labels;
  const auto& ml = config.rfm.monetary.labels;
  auto at = cols.begin() + 8;  // before rfm_segment
  if (!ml.empty()) at = cols.insert(at, "m_label");
  if (!fl.empty()) at = cols.insert(at, "f_label");
  if (!rl.empty()) cols.insert(at, "r_label");
  if (potential) cols.emplace_back("potential_score");
  cols.insert(cols.end(), {"stage", "rhythm_ratio", "expected_interval_days"});
  if (p_alive) cols.emplace_back("p_alive");
  if (clv) cols.emplace_back("predicted_clv");
  cols.emplace_back("stage_reason");
  if (!r.custom_names.empty()) cols.emplace_back("custom_segments");
  if (!r.cluster.empty()) cols.emplace_back("cluster");
  std::vector<std::string> purpose;
  for (const auto& seg : config.rfm.segments) purpose.push_back(seg.purpose);
  purpose.emplace_back("");
  RowWriter w(out, format, cols);
  for (std::size_t i = 0; i < r.size(); ++i) {
    w.text(ids[i])
        .number(r.recency_days[i])
        .integer(s.orders[i])
        .number(s.has_amount ? money(s.revenue[i]) : kNaN)
        .number(s.has_amount ? round_significant(r.average_check[i], 8) : kNaN)
        .integer(r.r[i])
        .integer(r.f[i])
        .integer(r.m[i]);
    if (!rl.empty()) w.text(rl[r.r[i] - 1]);
    if (!fl.empty()) w.text(fl[r.f[i] - 1]);
    if (!ml.empty()) w.text(ml[r.m[i] - 1]);
    w.text(rfm_segment_name(r, i)).text(purpose[r.rfm_segment[i]]).text(to_string(r.abcdx[i]));
    if (potential) w.number(r.potential_score[i]);
    w.text(to_string(r.stage[i]))
        .number(round_significant(r.rhythm_ratio[i], 6))
        .number(round_significant(r.expected_interval_days[i], 6));
    if (p_alive) w.number(scores->p_alive[i]);
    if (clv) w.number(scores->predicted_clv[i]);
    w.text(stage_reason(r, i, scores));
    if (!r.custom_names.empty()) w.text(join_custom(r, i));
    if (!r.cluster.empty()) w.integer(r.cluster[i]);
    w.end_row();
  }
  w.finish();
}

void write_segments(const std::string& path, OutputFormat format,
                    const std::vector<SegmentStats>& table, bool has_clv) {
  Output out(path);
  std::vector<std::string> cols{"scheme",        "segment",        "purpose", "description",
                                "customers",     "customer_share", "revenue", "revenue_share",
                                "average_check", "frequency"};
  if (has_clv) cols.emplace_back("predicted_ltv");
  RowWriter w(out.stream(), format, cols);
  for (const auto& t : table) {
    w.text(t.scheme)
        .text(t.segment)
        .text(t.purpose)
        .text(t.description)
        .integer(static_cast<std::int64_t>(t.customers))
        .number(round_significant(t.customer_share, 6))
        .number(money(t.revenue))
        .number(round_significant(t.revenue_share, 6))
        .number(round_significant(t.average_check, 8))
        .number(round_significant(t.frequency, 8));
    if (has_clv) w.number(round_significant(t.predicted_ltv, 8));
    w.end_row();
  }
  w.finish();
  out.close();
}

void setup_segment(CLI::App& root) {
  auto options = std::make_shared<TransactionCliOptions>();
  auto seg = std::make_shared<SegmentCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "segment",
      "Put every customer into named segments with the reason behind each: RFM scores and the "
      "ten RFM segments, ABCDX classes, life-cycle stages (new, active, vip, at_risk, lapsing, "
      "lost), custom rule segments, k-means clusters and look-alikes, as configured in a TOML "
      "file (built-in default: examples/segments.toml). Writes one row per customer; "
      "--segments-out writes one row per segment.");
  add_transaction_options(*cmd, *options);
  cmd->add_option(
         "--segment-config", seg->segment_config,
         "TOML segment config (rules, thresholds; see docs/segments.md); default: built-in")
      ->default_str("built-in");
  cmd->add_option("--attributes", seg->attributes,
                  "CSV of customer attributes (region, birth_date, potential...) usable in rules");
  cmd->add_option("--attributes-key", seg->attributes_key, "Customer id column of --attributes")
      ->capture_default_str();
  cmd->add_option("--scores", seg->scores,
                  "CSV of model scores per customer: p_alive, expected_purchases, predicted_clv "
                  "(any subset)");
  cmd->add_option("--scores-key", seg->scores_key, "Customer id column of --scores")
      ->capture_default_str();
  cmd->add_option("--as-of", seg->as_of,
                  "Date the segments refer to; later purchases are ignored "
                  "(default: --calibration-end, else the last day in the data)");
  cmd->add_option("--snapshots", seg->snapshots,
                  "Comma-separated dates (e.g. month ends) for segment history; needs "
                  "--transitions-out");
  cmd->add_option("--segments-out", seg->segments_out,
                  "Write the per-segment table (size, revenue, shares, average check, frequency, "
                  "predicted LTV) to FILE");
  cmd->add_option("--overlaps-out", seg->overlaps_out,
                  "Write pairwise overlaps of custom segments to FILE");
  cmd->add_option(
      "--lookalike-out", seg->lookalike_out,
      "Write the look-alike top N (customer_id, rank, score) to FILE; needs [lookalike] "
      "in the config");
  cmd->add_option("--transitions-out", seg->transitions_out,
                  "Write segment transition matrices between --snapshots to FILE");
  cmd->add_option("--drops-out", seg->drops_out,
                  "Write customers who dropped a level between --snapshots to FILE");
  // Runs during parsing (before FILE is checked), so it works without a transaction file.
  cmd->add_flag_callback(
      "--print-default-config",
      [] {
        std::cout << default_segment_config_text();
        std::cout.flush();
        throw CLI::Success();
      },
      "Print the built-in segment config (a starting point for your own) and exit");
  cmd->footer(
      "Output columns: "
      "customer_id,recency_days,orders,revenue,average_check,r,f,m[,r_label,f_label,m_label],"
      "rfm_segment,"
      "rfm_purpose,abcdx[,potential_score],stage,rhythm_ratio,expected_interval_days[,p_alive]"
      "[,predicted_clv],stage_reason[,custom_segments][,cluster]\n\n"
      "Example (CDNOW master, segments as of the end of the data):\n"
      "  ltv segment CDNOW_master.txt --customer 1 --date 2 --amount 4 \\\n"
      "      --segments-out segments.csv -o customers.csv\n"
      "Example (Online Retail, own rules, quarter-end history):\n"
      "  ltv segment online_retail.csv.gz --customer CustomerID --date InvoiceDate \\\n"
      "      --order InvoiceNo --quantity Quantity --price UnitPrice --returns drop \\\n"
      "      --segment-config segments.toml --snapshots 2011-03-31,2011-06-30,2011-09-30 \\\n"
      "      --transitions-out moves.csv --drops-out drops.csv -o customers.csv");
  cmd->callback([options, seg]() {
    SegmentConfig config = seg->segment_config.empty() ? default_segment_config()
                                                       : load_segment_config(seg->segment_config);
    SummaryOptions so = summary_options(*options);
    const OutputFormat format = output_format(*options);
    std::optional<std::int32_t> as_of;
    if (!seg->as_of.empty()) {
      as_of = parse_date(seg->as_of, "--as-of");
      if (so.calibration_end && *so.calibration_end != *as_of)
        parameter_error("as_of", seg->as_of,
                     "the same date as --calibration-end (or only one of them)");
      so.calibration_end = *as_of;
      if (!so.observation_end || *so.observation_end < *as_of) so.observation_end = *as_of;
    }
    if (!seg->snapshots.empty() && seg->transitions_out.empty())
      parameter_error("transitions_out", "nothing", "a file for the transitions of --snapshots");
    if (seg->snapshots.empty() && (!seg->transitions_out.empty() || !seg->drops_out.empty()))
      parameter_error("snapshots", "nothing", "snapshot dates for --transitions-out / --drops-out");
    if (!seg->lookalike_out.empty() && !config.lookalike)
      parameter_error("lookalike_out", seg->lookalike_out,
                   "a [lookalike] table in the segment config");

    const TransactionLog log = load_log(*options);
    const CustomerSummary summary = summarize(log, so);
    const std::vector<std::string> ids = summary_customer_ids(log, summary);

    Attributes attributes;
    if (!seg->attributes.empty())
      attributes = read_attributes(seg->attributes, seg->attributes_key, ids);
    if (log.category) attributes.columns.push_back(preferred_category(log, summary));
    std::unique_ptr<CustomerScores> scores;
    if (!seg->scores.empty())
      scores = std::make_unique<CustomerScores>(read_scores(seg->scores, seg->scores_key, ids));

    SegmentFields fields(summary, scores.get(), &attributes,
                         as_of.value_or(summary.calibration_end), config.birth_date_field);
    {
      std::vector<std::uint32_t> codes(ids.size());
      for (std::size_t i = 0; i < ids.size(); ++i) codes[i] = static_cast<std::uint32_t>(i);
      fields.add_text("customer_id", std::move(codes), ids);
    }
    SegmentResult result =
        segment_customers(summary, scores.get(), &attributes, config, as_of, &fields);

    if (!result.cluster.empty() && !options->quiet) {
      std::string line = fmt::format("clusters: k = {}", result.cluster_k);
      if (!result.cluster_silhouette.empty()) {
        line += " chosen by silhouette (";
        for (std::size_t k = 0; k < result.cluster_silhouette.size(); ++k)
          line += fmt::format("{}k={}: {:.3f}", k ? ", " : "",
                              config.clusters->k_min + static_cast<int>(k),
                              result.cluster_silhouette[k]);
        line += ")";
      }
      std::cerr << line << "\n";
    }
    Output out = open_output(options->output);
    write_customers(out.stream(), format, ids, summary, result, scores.get(), config);
    out.close();

    if (!seg->segments_out.empty())
      write_segments(seg->segments_out, format,
                     segment_table(result, summary, scores.get(), config),
                     scores && !scores->predicted_clv.empty());

    if (!seg->overlaps_out.empty()) {
      Output o(seg->overlaps_out);
      auto counts = custom_overlaps(result);
      const std::size_t m = result.custom_names.size();
      RowWriter w(o.stream(), format, {"segment_a", "segment_b", "customers"});
      for (std::size_t a = 0; a < m; ++a)
        for (std::size_t b = 0; b < m; ++b) {
          w.text(result.custom_names[a])
              .text(result.custom_names[b])
              .integer(static_cast<std::int64_t>(counts[a * m + b]));
          w.end_row();
        }
      w.finish();
      o.close();
    }

    if (!seg->lookalike_out.empty()) {
      Output o(seg->lookalike_out);
      RowWriter w(o.stream(), format, {"customer_id", "rank", "score"});
      for (std::size_t k = 0; k < result.lookalike_rows.size(); ++k) {
        w.text(ids[result.lookalike_rows[k]])
            .integer(static_cast<std::int64_t>(k + 1))
            .number(round_significant(result.lookalike_scores[k], 8));
        w.end_row();
      }
      w.finish();
      o.close();
    }

    if (!seg->snapshots.empty()) {
      std::vector<std::int32_t> days = parse_dates(seg->snapshots);
      // Attributes keyed by the log's customer index for the history.
      Attributes log_attrs;
      if (!seg->attributes.empty())
        log_attrs = read_attributes(seg->attributes, seg->attributes_key, log.customer_ids);
      SegmentHistory h = segment_history(
          log, days, config, seg->attributes.empty() ? nullptr : &log_attrs, so.time_unit);
      {
        Output o(seg->transitions_out);
        write_segment_transitions(o.stream(), format, h);
        o.close();
      }
      if (!seg->drops_out.empty()) {
        Output o(seg->drops_out);
        RowWriter w(
            o.stream(), format,
            {"scheme", "from_date", "to_date", "customer_id", "from_segment", "to_segment"});
        for (const auto& t : h.transitions)
          for (std::size_t k = 0; k < t.dropped_ids.size(); ++k) {
            w.text(t.scheme)
                .text(format_date(t.from_day))
                .text(format_date(t.to_day))
                .text(t.dropped_ids[k])
                .text(t.dropped_from[k])
                .text(t.dropped_to[k]);
            w.end_row();
          }
        w.finish();
        o.close();
      }
    }
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(40, ltv::cli::setup_segment);
