// `ltv penetration`: week-by-week share of a target group that bought a product since its
// launch, and (--reach) the share of every segment that bought every product.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "command.hpp"
#include "cross_sell_options.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/recommend/penetration.hpp"

namespace ltv::cli {
namespace {

struct PenetrationArgs {
  TransactionCliOptions in;
  std::string level = "item";
  std::vector<std::string> products;
  std::string launch;
  std::string end;
  std::vector<std::string> target_buyers_of;
  std::string target_level = "category";
  std::string segments_file;
  std::vector<std::string> target_segments;
  bool reach = false;
  std::uint64_t min_buyers = 1;
  std::string from;
  std::string until;
};

/// customer id -> segment from a two-column CSV with a header.
std::unordered_map<std::string, std::string> read_segments(const std::string& path) {
  CsvReader reader(path);
  if (reader.header().size() < 2) {
    input_error({path, 1, ""}, std::to_string(reader.header().size()) + " column(s)",
                "customer_id,segment with a header");
  }
  std::unordered_map<std::string, std::string> map;
  CsvRecord r;
  while (reader.next(r)) map[std::string(r[0])] = std::string(r[1]);
  return map;
}

void run_penetration(const PenetrationArgs& a) {
  output_format(a.in);  // validates --format (after --config)
  const ItemLevel level = parse_item_level(a.level);
  require_item_column(a.in, level == ItemLevel::category);
  auto log = load_cross_sell(a.in, true);
  std::unordered_map<std::string, std::string> segments;
  if (!a.segments_file.empty()) segments = read_segments(a.segments_file);
  Output out(a.in.output);

  if (a.reach) {
    if (segments.empty()) parameter_error("reach", "no --segments", "--segments FILE");
    std::vector<std::string> label(log.customer_count());
    for (std::size_t c = 0; c < log.customer_count(); ++c) {
      auto it = segments.find(log.customer_ids[c]);
      if (it != segments.end()) label[c] = it->second;
    }
    std::optional<std::int32_t> from, before;
    if (!a.from.empty()) from = parse_date(a.from, "--from");
    if (!a.until.empty()) before = parse_date(a.until, "--until") + 1;
    auto table = reach(log, level, label, a.min_buyers, from, before);
    if (a.in.format == "csv") {
      CsvWriter w(out.stream());
      w.row({"segment", "item", "segment_size", "buyers", "reach"});
      for (std::size_t i = 0; i < table.size(); ++i) {
        w.field(table.segment[i]).field(table.item[i]).field(table.segment_size[i]);
        w.field(table.buyers[i]).field(table.share[i]);
        w.end_row();
      }
      w.flush();
    } else {
      nlohmann::json doc = nlohmann::json::array();
      for (std::size_t i = 0; i < table.size(); ++i) {
        doc.push_back({{"segment", table.segment[i]},
                       {"item", table.item[i]},
                       {"segment_size", table.segment_size[i]},
                       {"buyers", table.buyers[i]},
                       {"reach", table.share[i]}});
      }
      out.stream() << doc.dump(2) << '\n';
    }
    out.close();
    return;
  }

  if (a.products.empty())
    parameter_error("launched", "nothing", "the product (or category) launched");
  if (a.launch.empty()) parameter_error("launch", "nothing", "the launch date");
  PenetrationOptions po;
  po.level = level;
  po.products = a.products;
  po.launch_day = parse_date(a.launch, "--launch");
  if (!a.end.empty()) po.end_day = parse_date(a.end, "--end");
  // Target group: buyers of something before launch, and/or members of segments.
  if (!a.target_buyers_of.empty()) {
    const ItemLevel tl = parse_item_level(a.target_level);
    if (tl == ItemLevel::category && a.in.columns.category.empty()) {
      parameter_error("target_level", "category", "--category COL naming the category column");
    }
    po.target = buyers_of(log, tl, a.target_buyers_of, {}, po.launch_day);
  }
  if (!a.target_segments.empty()) {
    if (segments.empty())
      parameter_error("target_segment", a.target_segments.front(), "--segments FILE");
    std::vector<std::uint8_t> in_segment(log.customer_count(), 0);
    for (std::size_t c = 0; c < log.customer_count(); ++c) {
      auto it = segments.find(log.customer_ids[c]);
      if (it == segments.end()) continue;
      for (const auto& s : a.target_segments) in_segment[c] |= it->second == s ? 1 : 0;
    }
    if (po.target.empty()) {
      po.target = std::move(in_segment);
    } else {
      for (std::size_t c = 0; c < po.target.size(); ++c) po.target[c] &= in_segment[c];
    }
  }
  auto curve = penetration(log, po);
  if (a.in.format == "csv") {
    CsvWriter w(out.stream());
    w.row({"week", "week_start", "new_buyers", "cumulative_buyers", "target_size", "penetration"});
    for (std::size_t i = 0; i < curve.size(); ++i) {
      w.field(curve.week[i]).field(format_date(curve.week_start[i])).field(curve.new_buyers[i]);
      w.field(curve.cumulative[i]).field(curve.target_size).field(curve.share[i]);
      w.end_row();
    }
    w.flush();
  } else {
    nlohmann::json doc = nlohmann::json::array();
    for (std::size_t i = 0; i < curve.size(); ++i) {
      doc.push_back({{"week", curve.week[i]},
                     {"week_start", format_date(curve.week_start[i])},
                     {"new_buyers", curve.new_buyers[i]},
                     {"cumulative_buyers", curve.cumulative[i]},
                     {"target_size", curve.target_size},
                     {"penetration", curve.share[i]}});
    }
    out.stream() << doc.dump(2) << '\n';
  }
  out.close();
}

void setup_penetration(CLI::App& root) {
  auto args = std::make_shared<PenetrationArgs>();
  auto* cmd = root.add_subcommand(
      "penetration",
      "Share of a target group that bought a product, week by week since its launch; or "
      "--reach: share of every segment that bought every product");
  add_cross_sell_input(cmd, args->in, false);
  cmd->add_option("--level", args->level, "Level of --product: item, or category")
      ->capture_default_str();
  cmd->add_option("--launched", args->products,
                  "The launched product(s) or category(ies) (at --level), repeatable");
  cmd->add_option("--launch", args->launch, "Launch date: week 1 starts on it");
  cmd->add_option("--end", args->end, "Last day counted (default: end of the file)");
  cmd->add_option("--target-buyers-of", args->target_buyers_of,
                  "Target = customers who bought these (repeatable) before the launch");
  cmd->add_option("--target-level", args->target_level,
                  "Level of --target-buyers-of: item or category")
      ->capture_default_str();
  cmd->add_option("--segments", args->segments_file, "CSV customer_id,segment (with a header)");
  cmd->add_option("--target-segment", args->target_segments,
                  "Target = customers of these segments (repeatable; with --segments)");
  cmd->add_flag("--reach", args->reach, "Reach of every item within every segment of --segments");
  cmd->add_option("--min-buyers", args->min_buyers, "With --reach: leave out smaller rows")
      ->capture_default_str();
  cmd->add_option("--from", args->from, "With --reach: first purchase date counted");
  cmd->add_option("--until", args->until, "With --reach: last purchase date counted");
  cmd->footer(
      "Examples:\n"
      "  ltv penetration sim/transactions.csv --customer customer_id --date date \\\n"
      "      --category category --level category --launched electronics --launch 2024-06-01 \\\n"
      "      --target-buyers-of 'sports goods'\n"
      "  ltv penetration sim/transactions.csv --customer customer_id --date date \\\n"
      "      --category category --level category --reach --segments segments.csv");
  cmd->callback([args] { run_penetration(*args); });
}

}  // namespace

LTV_REGISTER_COMMAND(62, setup_penetration);

}  // namespace ltv::cli
