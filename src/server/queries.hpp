#pragma once
// The server's one query layer. Every function that reads data takes a Scope, and there is no
// overload, default or global without one: a route can reach data only through here, with the
// scope of the identity that called it.
//  - Analyst data (runs, stored result tables, one customer, the report) requires an unlimited
//    scope (admin, analyst): a partner scope gets NotFound (fail closed).
//  - Partner data is computed from ONE scan (scan_scope in queries.cpp): the transactions whose
//    product is a product of the scope's brands (latest products row per product id), by the
//    customers who made them. It returns aggregates only, never a customer id, and suppresses
//    every cell of fewer than min_cell distinct customers.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ltv/error.hpp"
#include "ltv/server/identity.hpp"
#include "ltv/server/scope.hpp"
#include "ltv/store/store.hpp"
#include "ltv/workspace/result_table.hpp"

namespace ltv::server {

/// An object that does not exist or is outside the caller's scope (the two are not told apart):
/// the server answers 404. `parameter` names the path or query parameter that named it.
class NotFound : public Error {
 public:
  NotFound(std::string parameter, const std::string& message)
      : Error(message), parameter_(std::move(parameter)) {}
  const std::string& parameter() const noexcept { return parameter_; }

 private:
  std::string parameter_;
};

// ---- admin
std::vector<User> list_users(store::WorkspaceStore& ws, const Scope& scope);

// ---- analyst data (stored runs): NotFound for a partner scope
std::vector<store::RunInfo> list_runs(store::WorkspaceStore& ws, const Scope& scope);
/// Run `id` (0: the newest). NotFound when there is none.
store::RunInfo find_run(store::WorkspaceStore& ws, const Scope& scope, std::int64_t id);
/// The headline figures of run `run` (its summary.json's top-level figures).
nlohmann::ordered_json headline(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run);
/// A result table the run holds: a table name is only ever matched against the run's
/// run_tables rows (no path is built from it). NotFound (`table`) otherwise.
ResultTable run_table(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run,
                      std::string_view key);
/// Row counts of the run's tables.
std::vector<std::pair<std::string, std::int64_t>> run_table_list(store::WorkspaceStore& ws,
                                                                 const Scope& scope,
                                                                 std::int64_t run);
/// One customer of run `run`: the customers row (summary, scores, segments) and the actions
/// rows. NotFound (`customer_id`) when the run has no such customer.
nlohmann::ordered_json customer(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run,
                                std::string_view customer_id);
/// The HTML report of run `run`. NotFound when the run has none.
std::string report_html(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run);

// ---- analyst views for the dashboard, computed from a run's stored customers table
/// Histogram of the customers' predicted CLV (column `clv`) in run `run`: `bins` equal-width
/// bins from min(0, smallest CLV) to the 99th percentile, and one open bin (`to` null) for the
/// customers above it when there are any. Customers without a CLV are not binned: their count
/// is returned in `without_clv`.
ResultTable clv_histogram(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run, int bins,
                          std::int64_t& without_clv);
/// The `limit` customers of largest predicted CLV (ties by id; customers without one last).
ResultTable top_customers(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run,
                          std::int64_t limit);
/// One customer's purchases per month (month, orders, lines, revenue) from the workspace's
/// transactions of the batches run `run` included (its watermark). NotFound (`customer_id`)
/// when the run has no such customer.
ResultTable customer_history(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run,
                             std::string_view customer_id);
/// Customers whose id starts with `prefix` (the customer page's search), in id order, at most
/// `limit`; `more` tells whether more matched.
ResultTable search_customers(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run,
                             std::string_view prefix, std::int64_t limit, bool& more);

// ---- partner data (aggregates over the scope)
struct PartnerQuery {
  std::int64_t min_cell = 10;
  std::optional<std::int32_t> from_day, to_day;  ///< inclusive, on the purchase day
  std::optional<std::string> product;            ///< penetration: one product id
};
/// The months whose purchases partner figures of revenue, orders and buyers may count (the
/// "shown" months, as month numbers year * 12 + month - 1): months with at least min_cell
/// distinct buyers of the scope's brands AND, for a scope of several brands, at least min_cell
/// buyers of every one of its brands that sold that month (the union of a partner's brands must
/// not differ from one of its brands by a small group). Independent of any window.
std::set<int> partner_shown_months(store::WorkspaceStore& ws, const Scope& scope,
                                   std::int64_t min_cell);
/// Complementary suppression of one line of cells whose total is published or derivable
/// (`customers[i]` distinct customers in cell i, `suppressed[i]` its primary suppression): while
/// the suppressed cells are exactly one, or hold fewer than min_cell customers together, the
/// smallest shown cell is suppressed too. Returns whether a cell was added.
bool complementary_suppression(const std::vector<std::int64_t>& customers,
                               std::vector<bool>& suppressed, std::int64_t min_cell);
/// KPIs of the scope's brands per month (revenue, orders, buyers, average check, repeat-buyer
/// rate) and a "total" row over the window's shown months (a suppressed month counts in no
/// total, so no total minus shown months leaves it).
ResultTable partner_kpis(store::WorkspaceStore& ws, const Scope& scope, const PartnerQuery& q);
/// Cohort retention of the scope's buyers: cohort = month of the first purchase of the brands,
/// period = months since; customers active in the brands that month, and their share.
ResultTable partner_cohorts(store::WorkspaceStore& ws, const Scope& scope, const PartnerQuery& q);
/// The scope's products (id, name, brand, category): the product picker's values.
ResultTable partner_products(store::WorkspaceStore& ws, const Scope& scope);
/// Historical LTV on the scope's brands over the window's shown months: one row per brand of
/// the scope and, for several brands, a total row: buyers, orders, revenue, revenue per buyer
/// (historical LTV), orders per buyer, repeat rate (share of buyers with two or more orders).
ResultTable partner_ltv(store::WorkspaceStore& ws, const Scope& scope, const PartnerQuery& q);
/// Shares of the scope's buyers (purchases in the window's shown months) in each segment of the
/// newest committed run's customers table, per scheme (rfm: rfm_segment, lifecycle: stage), with
/// a total row per scheme; customers the run does not hold count as "not in the run". Counts
/// below min_cell and their complement are suppressed. NotFound (`run`) without a run.
ResultTable partner_segments(store::WorkspaceStore& ws, const Scope& scope, const PartnerQuery& q);
/// Week-by-week penetration of each of the scope's products launched during the data (first
/// sale at least 28 days after the brands' first sale): buyers of the product since launch /
/// buyers of the brands since launch, and / buyers of the product's category (every brand) since
/// launch (suppressed when fewer than min_cell, or when fewer than min_cell of them are not
/// buyers of the scope's brands). NotFound (`product`) for a product outside the scope.
ResultTable partner_penetration(store::WorkspaceStore& ws, const Scope& scope,
                                const PartnerQuery& q);

}  // namespace ltv::server
