// The campaign uplift job (see ltv/workspace/uplift.hpp).
#include "ltv/workspace/uplift.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "job_parameters.hpp"
#include "ltv/error.hpp"
#include "ltv/workspace/tables.hpp"

namespace ltv {

UpliftJobOptions uplift_options(const Parameters& p) {
  p.validate();
  UpliftJobOptions o;
  o.group_column = p.text("group_column");
  o.uplift.window_days = static_cast<int>(p.integer("window"));
  o.uplift.margin = p.number("margin_share");
  o.uplift.cost_per_treated = p.number("cost_per_treated");
  o.uplift.confidence = p.number("confidence");
  o.uplift.power = p.number("power");
  return o;
}

CampaignLog campaigns_from_table(const Table& t, const std::string& group_column) {
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
    if (!seen.emplace(c.customer_id[i], c.campaign[i]).second) {
      t.fail(i, id, "one row per customer and campaign");
    }
    auto& [first, mask] = groups.try_emplace(c.campaign[i], i, 0).first->second;
    mask |= c.treated.back() ? 1 : 2;
  }
  for (const auto& [campaign, entry] : groups) {
    if (entry.second != 3) {
      t.fail(entry.first, g,
             fmt::format("both treated and control rows for campaign '{}'", campaign));
    }
  }
  return c;
}

void campaign_costs_from_table(const Table& t, UpliftInputs& inputs) {
  std::vector<std::string> names = t.column("campaign");
  std::vector<double> values = t.numbers("cost");
  const std::set<std::string> known(inputs.campaigns.campaign.begin(),
                                    inputs.campaigns.campaign.end());
  for (std::size_t i = 0; i < t.rows(); ++i) {
    if (!known.count(names[i])) t.fail(i, t.require("campaign"), "a campaign of CAMPAIGNS");
    if (!(values[i] >= 0)) t.fail(i, t.require("cost"), "a cost >= 0");
  }
  inputs.cost_campaigns = std::move(names);
  inputs.cost_values = std::move(values);
}

UpliftInputs read_uplift_inputs(const Parameters& p) {
  if (p.text("campaigns").empty()) {
    parameter_error("campaigns", "", "a campaign log (customer_id,campaign,date,group)");
  }
  UpliftInputs inputs;
  inputs.campaigns = campaigns_from_table(read_table(p.text("campaigns")), p.text("group_column"));
  if (const std::optional<Table> costs = detail::read_side_table(p, "costs")) {
    campaign_costs_from_table(*costs, inputs);
  }
  return inputs;
}

TransactionSource uplift_source(const Parameters& p) {
  TransactionSource source = TransactionSource::from_parameters(p);
  source.options.keep_extra_columns = false;
  return source;
}

ResultTable run_uplift(Workspace& workspace, const UpliftJobOptions& options,
                       const UpliftInputs& inputs) {
  const TransactionLog& log = workspace.transactions();
  UpliftOptions o = options.uplift;
  if (!inputs.cost_campaigns.empty()) {
    o.cost_campaigns = inputs.cost_campaigns;
    o.cost_values = inputs.cost_values;
  }
  const std::vector<UpliftResult> results = measure_uplift(inputs.campaigns, log, o);
  return uplift_table(results, log.has_amount(), o.window_days);
}

}  // namespace ltv
