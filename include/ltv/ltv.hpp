#pragma once
/// ltvkit's embedding API in one include: a Workspace over a transaction source, the main job's
/// Analysis with every result table, the parameter table, the model registry and the report.
///
///   #include <ltv/ltv.hpp>
///   ltv::LoadOptions load;
///   load.columns.customer = "customer_id";
///   load.columns.date = "date";
///   load.columns.amount = "amount";
///   ltv::Workspace ws(ltv::TransactionSource::file("orders.csv", load));
///   const ltv::Analysis a = ws.analyze(ltv::AnalyzeOptions{});
///   // a.customers, a.clv_total, a.table("customers") ...

#include "ltv/dates.hpp"
#include "ltv/error.hpp"
#include "ltv/models/model_file.hpp"
#include "ltv/models/registry.hpp"
#include "ltv/report/report.hpp"
#include "ltv/version.hpp"
#include "ltv/workspace/actions.hpp"
#include "ltv/workspace/analysis.hpp"
#include "ltv/workspace/parameters.hpp"
#include "ltv/workspace/result_table.hpp"
#include "ltv/workspace/side_tables.hpp"
#include "ltv/workspace/tables.hpp"
#include "ltv/workspace/workspace.hpp"
