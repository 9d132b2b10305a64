#pragma once
/// The campaign uplift job behind `ltv uplift`: a campaign log (customer, campaign, date,
/// treated/control) measured against a workspace's transactions — response, revenue and margin
/// per customer over a window, differences with intervals, incremental revenue, ROMI and the
/// minimum detectable effect — as the table "cvm/uplift".
///
///   ltv::UpliftInputs in;
///   in.campaigns = ltv::campaigns_from_table(ltv::read_table("campaigns.csv"), "group");
///   const ltv::ResultTable t = ltv::run_uplift(workspace, ltv::UpliftJobOptions{}, in);

#include <string>
#include <vector>

#include "ltv/cvm/uplift.hpp"
#include "ltv/io/table.hpp"
#include "ltv/workspace/parameters.hpp"
#include "ltv/workspace/result_table.hpp"
#include "ltv/workspace/workspace.hpp"

namespace ltv {

/// Typed options of the uplift job (parameter group "uplift").
struct UpliftJobOptions {
  /// Window, margin share, cost per treated customer, confidence and power (the per-campaign
  /// costs come from the inputs).
  UpliftOptions uplift;
  std::string group_column = "group";  ///< column of the campaign log with treated/control
};

/// The uplift job's options from parameters, every value checked (ParameterError naming the key).
UpliftJobOptions uplift_options(const Parameters& parameters);

/// The uplift job's side inputs: the campaign log and optional total costs per campaign.
struct UpliftInputs {
  CampaignLog campaigns;
  std::vector<std::string> cost_campaigns;  ///< campaigns with a total cost ...
  std::vector<double> cost_values;          ///< ... and the costs (override cost per treated)
};

/// A campaign log from a table with customer_id, campaign, date and `group_column` (treated /
/// treatment / 1 / true or control / 0 / false). InputError naming the line and column for a bad
/// group, a customer twice in a campaign, or a campaign without both groups.
CampaignLog campaigns_from_table(const Table& table, const std::string& group_column);

/// Total costs per campaign from a table campaign,cost into `inputs`. InputError naming the line
/// for a campaign not in `inputs.campaigns` or a cost that is not a number >= 0.
void campaign_costs_from_table(const Table& table, UpliftInputs& inputs);

/// Reads the campaign log (`campaigns`) and the costs (`costs`, when given) named by the
/// parameters, checked as above, before any transaction is read.
UpliftInputs read_uplift_inputs(const Parameters& parameters);

/// The transaction source of the uplift job's parameters (unmapped columns are not read).
TransactionSource uplift_source(const Parameters& parameters);

/// Every campaign of the log (in order of first appearance) measured against the workspace's
/// transactions: table "cvm/uplift". Customers of the log who are not in the transactions count
/// as non-buyers; without amounts the money columns are null. ParameterError for a window,
/// confidence or power out of range.
ResultTable run_uplift(Workspace& workspace, const UpliftJobOptions& options,
                       const UpliftInputs& inputs);

}  // namespace ltv
