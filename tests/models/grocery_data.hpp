#pragma once
// The BTYDplus online-grocery event log (../shared/data/grocery_elog/groceryElog.csv) summarised
// as BTYDplus's vignette does: elog2cbs(groceryElog, T.cal = "2006-12-31"), weeks, holdout to the
// last day of the log (2007-12-30), with litt for the (M)BG/CNBD-k models.

#include <vector>

#include "ltv/data/regularity.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/load.hpp"
#include "ltv/models/cnbd_k.hpp"
#include "test_data.hpp"

namespace ltv::test {

struct GroceryCbs {
  TransactionLog log;
  CustomerSummary summary;
  std::vector<double> litt;
  RegularityPatterns data;
};

inline GroceryCbs grocery_cbs() {
  GroceryCbs g;
  LoadOptions o;
  o.columns.customer = "cust";
  o.columns.date = "date";
  LoadReport report;
  g.log = load_transactions(shared_data("grocery_elog/groceryElog.csv").string(), o, report);
  SummaryOptions so;
  so.time_unit = TimeUnit::week;
  so.calibration_end = parse_date("2006-12-31");
  so.observation_end = parse_date("2007-12-30");
  g.summary = summarize(g.log, so);
  g.litt = log_intertransaction_times(g.log, g.summary);
  g.data =
      compress_regularity_patterns(g.summary.frequency, g.summary.recency, g.summary.T, g.litt);
  return g;
}

}  // namespace ltv::test
