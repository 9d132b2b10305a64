// `ltv uplift CAMPAIGNS TRANSACTIONS`: per campaign, treated vs control response rate, revenue
// and margin per customer over a window, differences with confidence intervals, incremental
// revenue, ROMI and whether the sample was large enough.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <set>

#include "command.hpp"
#include "ltv/cvm/uplift.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/table.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {
namespace {

struct UpliftCliOptions {
  std::string campaigns;
  std::string group_column = "group";
  int window_days = 30;
  double margin = 1.0;
  double cost_per_treated = 0;
  std::string costs;  ///< FILE campaign,cost
  double confidence = 0.95;
  double power = 0.8;
};

CampaignLog read_campaigns(const std::string& path, const std::string& group_column) {
  const Table t = read_table(path);
  CampaignLog c;
  c.customer_id = t.column("customer_id");
  c.campaign = t.column("campaign");
  c.day = t.dates("date");
  const std::size_t g = t.require(group_column);
  const std::size_t id = t.require("customer_id");
  std::set<std::pair<std::string, std::string>> seen;         // (customer, campaign)
  std::map<std::string, std::pair<std::size_t, int>> groups;  // campaign -> first row, groups seen
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const std::string& v = t.columns[g][i];
    if (v == "treated" || v == "treatment" || v == "1" || v == "true") {
      c.treated.push_back(1);
    } else if (v == "control" || v == "0" || v == "false") {
      c.treated.push_back(0);
    } else {
      t.fail(i, g, "treated or control (or 1/0, true/false)");
    }
    // A customer counted twice (or in both groups) would inflate n and narrow the interval.
    if (!seen.emplace(c.customer_id[i], c.campaign[i]).second)
      t.fail(i, id, "one row per customer and campaign");
    auto& [first, mask] = groups.try_emplace(c.campaign[i], i, 0).first->second;
    mask |= c.treated.back() ? 1 : 2;
  }
  for (const auto& [campaign, entry] : groups) {
    if (entry.second != 3)
      t.fail(entry.first, g,
             fmt::format("both treated and control rows for campaign '{}'", campaign));
  }
  return c;
}

void run_uplift(const TransactionCliOptions& options, const UpliftCliOptions& u) {
  const CampaignLog campaigns = read_campaigns(u.campaigns, u.group_column);
  const TransactionLog log = load_log(options, nullptr, false);
  UpliftOptions o;
  o.window_days = u.window_days;
  o.margin = u.margin;
  o.cost_per_treated = u.cost_per_treated;
  o.confidence = u.confidence;
  o.power = u.power;
  std::vector<std::string> cost_names;
  std::vector<double> cost_values;
  if (!u.costs.empty()) {
    const Table t = read_table(u.costs);
    cost_names = t.column("campaign");
    cost_values = t.numbers("cost");
    const std::set<std::string> known(campaigns.campaign.begin(), campaigns.campaign.end());
    for (std::size_t i = 0; i < t.rows(); ++i) {
      if (!known.count(cost_names[i])) t.fail(i, t.require("campaign"), "a campaign of CAMPAIGNS");
      if (!(cost_values[i] >= 0)) t.fail(i, t.require("cost"), "a cost >= 0");
    }
    o.cost_campaigns = cost_names;
    o.cost_values = cost_values;
  }
  if (!(u.margin >= 0 && u.margin <= 1))
    parameter_error("margin_share", fmt::format("{}", u.margin), "a share in [0, 1]");
  const auto results = measure_uplift(campaigns, log, o);
  Output out = open_output(options.output);
  RowWriter w(out.stream(), output_format(options), {"campaign",
                                                     "first_date",
                                                     "last_date",
                                                     "window_days",
                                                     "treated",
                                                     "control",
                                                     "response_treated",
                                                     "response_control",
                                                     "response_diff",
                                                     "response_lower",
                                                     "response_upper",
                                                     "revenue_treated",
                                                     "revenue_control",
                                                     "revenue_diff",
                                                     "revenue_lower",
                                                     "revenue_upper",
                                                     "margin_treated",
                                                     "margin_control",
                                                     "margin_diff",
                                                     "margin_lower",
                                                     "margin_upper",
                                                     "incremental_revenue",
                                                     "incremental_margin",
                                                     "cost",
                                                     "romi",
                                                     "revenue_mde",
                                                     "response_mde",
                                                     "significant",
                                                     "large_enough",
                                                     "verdict"});
  for (const auto& r : results) {
    w.text(r.campaign).text(format_date(r.first_day)).text(format_date(r.last_day));
    w.integer(u.window_days).integer(static_cast<std::int64_t>(r.treated));
    w.integer(static_cast<std::int64_t>(r.control));
    const auto num = [&](double v) { w.number(round_significant(v, 6)); };
    // Without an amount column money is unknown, not zero: those columns stay empty.
    const bool money = log.has_amount();
    const auto cash = [&](double v) { money ? num(v) : static_cast<void>(w.missing()); };
    for (double v : {r.response.treated, r.response.control, r.response.diff, r.response.lower,
                     r.response.upper})
      num(v);
    for (const Difference* d : {&r.revenue, &r.margin})
      for (double v : {d->treated, d->control, d->diff, d->lower, d->upper}) cash(v);
    for (double v : {r.incremental_revenue, r.incremental_margin}) cash(v);
    num(r.cost);
    cash(r.romi);
    cash(r.revenue.mde);
    num(r.response.mde);
    w.text(r.significant ? "true" : "false").text(r.large_enough ? "true" : "false");
    w.text(r.verdict).end_row();
  }
  w.finish();
  out.close();
}

void setup_uplift(CLI::App& root) {
  auto options = std::make_shared<TransactionCliOptions>();
  auto u = std::make_shared<UpliftCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "uplift",
      "Did the campaign pay? For each campaign of a campaign log (customer_id,campaign,date,"
      "group with treated/control) compares treated and control customers over a window after "
      "the campaign date: response rate, revenue and margin per customer, differences with "
      "confidence intervals, incremental revenue, ROMI, and the minimum detectable effect.");
  cmd->add_option("CAMPAIGNS", u->campaigns, "Campaign log CSV")->required();
  add_transaction_options(*cmd, *options, PeriodOptions::none);
  cmd->add_option("--group-column", u->group_column, "Column of CAMPAIGNS with treated/control")
      ->capture_default_str();
  cmd->add_option("--window", u->window_days, "Outcome window in days from the campaign date")
      ->capture_default_str();
  cmd->add_option("--margin-share", u->margin,
                  "Share of revenue that is margin (when the transactions have no --margin or "
                  "--cost column)")
      ->capture_default_str();
  cmd->add_option("--cost-per-treated", u->cost_per_treated,
                  "Campaign cost per treated customer, for ROMI")
      ->capture_default_str();
  cmd->add_option("--costs", u->costs,
                  "FILE campaign,cost: total cost per campaign (overrides "
                  "--cost-per-treated)");
  cmd->add_option("--confidence", u->confidence, "Confidence level of the intervals")
      ->capture_default_str();
  cmd->add_option("--power", u->power, "Power for the minimum detectable effect")
      ->capture_default_str();
  cmd->footer(
      "ROMI = (incremental margin - cost) / cost. large_enough: the observed revenue difference\n"
      "is at least the minimum detectable effect (two-sided test at the confidence level, given\n"
      "power), i.e. the sample could tell an effect of that size from zero.\n\n"
      "Example:\n"
      "  ltv simulate --customers 20000 --seed 3 --campaign-date 2025-06-01 \\\n"
      "      --campaign-uplift 1.5 -o sim\n"
      "  ltv uplift sim/campaigns.csv sim/transactions.csv --customer customer_id --date date \\\n"
      "      --amount amount --order order_id --window 90 --cost-per-treated 1");
  cmd->callback([options, u]() { run_uplift(*options, *u); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(57, ltv::cli::setup_uplift);
