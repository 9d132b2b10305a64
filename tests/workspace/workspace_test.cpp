// The main job as a function: Workspace::analyze on a simulated retailer and on the CDNOW sample,
// the Analysis it returns, the parameter table's checks, and the output folder's round trip.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include "ltv/ltv.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/sim/simulate.hpp"
#include "ltv/workspace/model_input.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

namespace fs = std::filesystem;

/// A simulated retailer written once for the whole test program.
const fs::path& retailer() {
  static const fs::path dir = [] {
    const fs::path d = test::temp_dir("workspace_retailer");
    sim::SimulationOptions o;
    o.customers = 3000;
    o.seed = 11;
    sim::simulate_retailer(o, d);
    return d;
  }();
  return dir;
}

LoadOptions retailer_columns() {
  LoadOptions lo;
  lo.columns.customer = "customer_id";
  lo.columns.date = "date";
  lo.columns.amount = "amount";
  lo.columns.order = "order_id";
  lo.columns.product = "product";
  lo.columns.category = "category";
  return lo;
}

SideInputs retailer_side() {
  SideInputs side;
  side.customers = read_table((retailer() / "customers.csv").string());
  side.spend = read_table((retailer() / "spend.csv").string());
  side.contacts = read_table((retailer() / "contacts.csv").string());
  side.nps_source = (retailer() / "nps.csv").string();
  side.nps = read_nps_rows(side.nps_source);
  return side;
}

/// The full analysis of the simulated retailer (computed once).
const Analysis& full_analysis() {
  static const Analysis a = [] {
    Workspace ws(
        TransactionSource::file((retailer() / "transactions.csv").string(), retailer_columns()));
    AnalyzeOptions o;
    o.compare_column = "loyalty_member";
    return ws.analyze(o, retailer_side());
  }();
  return a;
}

TEST(Workspace, AnalyzeChoosesACountModelOnTheHoldoutAndRefitsOnAllData) {
  const Analysis& a = full_analysis();
  const std::set<std::string> candidates{"bgnbd", "mbgnbd", "pnbd"};
  EXPECT_TRUE(candidates.count(a.model_name)) << a.model_name;
  EXPECT_EQ(a.model.model, a.model_name);
  EXPECT_EQ(a.model_selection["chosen_by"], "lowest holdout MAE");
  // The refit on all data is not the calibration fit: it sees every customer.
  EXPECT_DOUBLE_EQ(a.model.n_customers, static_cast<double>(a.customers));
  const ResultTable* models = a.table("models");
  ASSERT_NE(models, nullptr);
  EXPECT_EQ(models->rows(), 3u);
  // The chosen model has the lowest holdout MAE of the converged ones.
  double best = std::numeric_limits<double>::infinity();
  std::string best_model;
  for (std::size_t r = 0; r < models->rows(); ++r) {
    const double mae = models->real(models->spec().index("holdout_mae"), r);
    if (models->boolean(models->spec().index("converged"), r) && mae < best) {
      best = mae;
      best_model = std::string(models->text(0, r));
    }
  }
  EXPECT_EQ(best_model, a.model_name);
}

TEST(Workspace, EveryCustomerIsScoredWithFiniteValuesAndTheHeadlineAddsThemUp) {
  const Analysis& a = full_analysis();
  const ResultTable* customers = a.table("customers");
  ASSERT_NE(customers, nullptr);
  ASSERT_EQ(customers->rows(), a.customers);
  EXPECT_EQ(a.customers, 3000u);
  const TableSpec& s = customers->spec();
  double expected = 0, clv = 0, active = 0;
  for (std::size_t i = 0; i < customers->rows(); ++i) {
    const double p = customers->real(s.index("p_alive"), i);
    ASSERT_TRUE(p >= 0 && p <= 1) << i;
    const double e = customers->real(s.index("expected_purchases"), i);
    ASSERT_TRUE(std::isfinite(e) && e >= 0) << i;
    const double v = customers->real(s.index("clv"), i);
    ASSERT_TRUE(std::isfinite(v) && v >= 0) << i;
    expected += e;
    clv += v;
    active += p >= 0.5;
  }
  EXPECT_NEAR(a.expected_purchases, expected, 1e-9 * expected);
  ASSERT_TRUE(a.clv_total.has_value());
  EXPECT_NEAR(*a.clv_total, clv, 1e-9 * clv);
  EXPECT_EQ(a.likely_active, active);
  ASSERT_TRUE(a.spend_model.has_value());
  EXPECT_EQ(a.spend_model->model, "gg");
}

TEST(Workspace, ScoresEqualTheChosenModelsPredictionsForOneCustomer) {
  const Analysis& a = full_analysis();
  const ResultTable& c = *a.table("customers");
  const TableSpec& s = c.spec();
  const FittedCountModel model(a.model);
  const double month = 365.25 / 12 / 7;
  for (std::size_t i : {std::size_t{0}, std::size_t{17}, c.rows() - 1}) {
    const double x = c.real(s.index("frequency"), i), t_x = c.real(s.index("recency"), i),
                 T = c.real(s.index("T"), i);
    EXPECT_NEAR(c.real(s.index("p_alive"), i), model.p_alive(x, t_x, T), 1e-12);
    EXPECT_NEAR(c.real(s.index("expected_purchases"), i),
                model.conditional_expected_transactions(12 * month, x, t_x, T), 1e-10);
  }
}

TEST(Workspace, SegmentsActionsAnalyticsCrossSellAndNpsAreAllThere) {
  const Analysis& a = full_analysis();
  for (const char* name :
       {"segments", "segment_transitions", "actions", "actions_summary", "validation/tracking",
        "validation/conditional", "analytics/kpis", "analytics/cohorts", "analytics/cac",
        "analytics/compare", "basket/rules", "basket/recommendations", "nps/nps", "nps/follow_ups",
        "nps/value"}) {
    const ResultTable* t = a.table(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_GT(t->rows(), 0u) << name;
  }
  // Every customer of the action list exists, and the segments cover every customer.
  const ResultTable& segments = *a.table("segments");
  std::int64_t rfm_customers = 0;
  for (std::size_t r = 0; r < segments.rows(); ++r) {
    if (segments.text(0, r) == "rfm") rfm_customers += segments.integer(3, r);
  }
  EXPECT_EQ(rfm_customers, static_cast<std::int64_t>(a.customers));
  EXPECT_FALSE(a.actions_line.empty());
  EXPECT_FALSE(a.group_comparison.empty());
  EXPECT_TRUE(a.extras.contains("nps"));
  EXPECT_EQ(a.timings.size(), static_cast<std::size_t>(Workspace::kAnalyzeSteps));
}

TEST(Workspace, MissingSideInputsLeaveTheirTablesOutWithoutError) {
  LoadOptions lo;  // no product, no order: no baskets
  lo.columns.customer = "customer_id";
  lo.columns.date = "date";
  lo.columns.amount = "amount";
  Workspace ws(TransactionSource::file((retailer() / "transactions.csv").string(), lo));
  const Analysis a = ws.analyze(AnalyzeOptions{});
  EXPECT_NE(a.table("customers"), nullptr);
  EXPECT_EQ(a.table("analytics/cac"), nullptr);      // no spend
  EXPECT_EQ(a.table("analytics/compare"), nullptr);  // no comparison asked
  EXPECT_EQ(a.table("basket/rules"), nullptr);       // no products
  EXPECT_EQ(a.table("nps/nps"), nullptr);            // no answers
  EXPECT_FALSE(a.extras.contains("basket"));
}

TEST(Workspace, CountOnlyDataGivesScoresWithoutClvAndSaysWhy) {
  // The CDNOW sample without its amounts: counts only.
  LoadOptions lo;
  lo.csv.has_header = false;
  lo.columns.customer = "2";
  lo.columns.date = "3";
  Workspace ws(TransactionSource::file(test::shared_data("cdnow/CDNOW_sample.txt").string(), lo));
  const Analysis a = ws.analyze(AnalyzeOptions{});
  EXPECT_EQ(a.customers, 2357u);
  EXPECT_FALSE(a.spend_model.has_value());
  EXPECT_FALSE(a.clv_total.has_value());
  const ResultTable& c = *a.table("customers");
  EXPECT_TRUE(c.is_null(c.spec().index("clv"), 0));
  EXPECT_FALSE(c.is_null(c.spec().index("p_alive"), 0));
}

TEST(Workspace, AFixedModelIsUsedAsGiven) {
  LoadOptions lo;
  lo.csv.has_header = false;
  lo.columns.customer = "2";
  lo.columns.date = "3";
  lo.columns.amount = "5";
  Workspace ws(TransactionSource::file(test::shared_data("cdnow/CDNOW_sample.txt").string(), lo));
  AnalyzeOptions o;
  o.model = "bgnbd";
  o.calibration_end = 10134;  // 1997-09-30, the papers' split
  const Analysis a = ws.analyze(o);
  EXPECT_EQ(a.model_name, "bgnbd");
  EXPECT_EQ(a.model_selection["calibration_end"], "1997-09-30");
  // The calibration fit of models.csv reproduces the published BG/NBD log-likelihood (Fader,
  // Hardie & Lee 2005: -9582.4 on the 2,357 customers up to 1997-09-30).
  const ResultTable& models = *a.table("models");
  ASSERT_EQ(models.rows(), 1u);
  EXPECT_NEAR(models.real(models.spec().index("log_likelihood"), 0), -9582.4, 0.05);
}

TEST(Workspace, OptionsAreCheckedBeforeAnyWorkAndErrorsNameTheKey) {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"discount_rate", "-1"},
                                                        {"discount_rate", "nan"},
                                                        {"discount_rate", "inf"},
                                                        {"horizon", "inf"},
                                                        {"horizon", "0"},
                                                        {"holdout_share", "1"},
                                                        {"time_unit", "fortnight"},
                                                        {"calibration_end", "2024-02-30"},
                                                        {"model", "lstm"},
                                                        {"basket_min_support", "1.5"}}) {
    Parameters p({"source", "periods", "output", "clv", "analyze"});
    p.set("file", "/nonexistent/file.csv");  // never read: the options fail first
    p.set(key, value);
    try {
      (void)analyze_options(p);
      ADD_FAILURE() << key << " = " << value << " was accepted";
    } catch (const ParameterError& e) {
      EXPECT_EQ(e.key(), key) << e.what();
      EXPECT_EQ(e.found(), value) << e.what();
      EXPECT_NE(std::string(e.what()).find("parameter " + key), std::string::npos) << e.what();
    }
  }
}

TEST(Workspace, UnknownParameterKeysAreRefusedNamingTheKnownOnes) {
  Parameters p({"analyze"});
  try {
    p.set("horizont", "12");
    FAIL() << "accepted an unknown key";
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.key(), "horizont");
    EXPECT_NE(e.expected().find("horizon"), std::string::npos) << e.what();
  }
}

TEST(Workspace, TheParameterTableIsConsistent) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const ParameterSpec& s : parameter_table()) {
    EXPECT_TRUE(seen.insert({s.group, s.key}).second) << s.group << "." << s.key;
    EXPECT_FALSE(s.help.empty()) << s.key;
    const auto groups = parameter_groups();
    EXPECT_NE(std::find(groups.begin(), groups.end(), s.group), groups.end()) << s.group;
    // A default must pass its own check.
    if (!s.default_value.empty()) {
      EXPECT_NO_THROW(check_parameter(s, s.default_value)) << s.key;
    }
    for (char c : s.key)
      EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)) || c == '_') << s.key;
  }
}

TEST(Workspace, TheOutputFolderReadsBackIntoTheSameAnalysis) {
  const Analysis& a = full_analysis();
  const fs::path dir = test::temp_dir("workspace_round_trip");
  write_analysis(a, dir);
  const Analysis back = read_analysis(dir);
  EXPECT_EQ(summary_json(back).dump(), summary_json(a).dump());
  ASSERT_EQ(back.tables.size(), a.tables.size());
  for (const auto& [name, table] : a.tables) {
    const ResultTable* other = back.table(name);
    ASSERT_NE(other, nullptr) << name;
    EXPECT_EQ(to_csv(*other), to_csv(table)) << name;
  }
  // And the report of the folder is the report of the analysis in memory.
  EXPECT_EQ(report::build_report(dir).html, report::build_report(a, {}, dir.string()).html);
}

TEST(ResultTable, RendersTypesNullsAndDigits) {
  TableSpec spec;
  spec.name = "t";
  spec.columns = {{"id", ColumnType::text, 0, ""}, {"n", ColumnType::integer, 0, ""},
                  {"x", ColumnType::real, 0, ""},  {"y", ColumnType::real, 12, ""},
                  {"d", ColumnType::date, 0, ""},  {"b", ColumnType::boolean, 0, ""}};
  ResultTable t(spec);
  t.append_row({std::string("a,b"), std::int64_t{3}, 0.1 + 0.2, 0.1 + 0.2, std::int64_t{0}, true});
  t.append_row({Cell{}, Cell{}, std::numeric_limits<double>::quiet_NaN(), -0.0, Cell{}, false});
  EXPECT_EQ(to_csv(t),
            "id,n,x,y,d,b\n\"a,b\",3,0.30000000000000004,0.3,1970-01-01,true\n,,,0,,false\n");
  EXPECT_TRUE(t.is_null(2, 1));  // NaN is stored as null, never written as "nan"
  const auto j = to_json(t);
  EXPECT_TRUE(j[1]["x"].is_null());
  EXPECT_EQ(j[0]["b"], true);
  EXPECT_EQ(j[0]["d"], "1970-01-01");
  // Read back with the same spec: the same table.
  EXPECT_EQ(to_csv(read_csv(to_csv(t), spec, "t.csv")), to_csv(t));
  EXPECT_THROW(t.append_row({std::string("only one cell")}), std::logic_error);
  EXPECT_THROW(read_csv("id,n\nx,1.5\n", spec, "bad.csv"), InputError);
}

TEST(ModelRegistry, EveryModelIsDispatchedThroughOneEntry) {
  std::set<std::string_view> names;
  for (const ModelDefinition& m : model_registry()) {
    EXPECT_TRUE(names.insert(m.name).second) << m.name;
    EXPECT_FALSE(m.parameters.empty()) << m.name;
    if (m.kind == ModelKind::count) {
      EXPECT_NE(m.fit, nullptr) << m.name;
      EXPECT_NE(m.p_alive, nullptr) << m.name;
      EXPECT_NE(m.conditional_expected_transactions, nullptr) << m.name;
      EXPECT_NE(m.expected_transactions, nullptr) << m.name;
      EXPECT_NE(m.p_n_transactions, nullptr) << m.name;
      EXPECT_NE(m.dert, nullptr) << m.name;
      // Every continuous-time model answers P(purchase within t), which the actions need.
      if (!m.discrete) {
        EXPECT_NE(m.probability_of_purchase, nullptr) << m.name;
      }
    }
  }
  for (const char* name :
       {"bgnbd", "mbgnbd", "pnbd", "bgbb", "gg", "nbd", "ggomnbd", "bgcnbdk", "mbgcnbdk"}) {
    EXPECT_NE(find_model(name), nullptr) << name;
  }
  EXPECT_THROW(model_definition("lstm"), ParameterError);
  // A saved model round-trips through the one file format.
  const auto model =
      FittedCountModel::with_parameters("bgnbd", std::vector<double>{0.243, 4.414, 0.793, 2.426});
  const SavedModel back = model_from_json(model_to_json(model.result(), "week"), "m.json");
  EXPECT_EQ(back.fit.estimates, model.result().estimates);
  EXPECT_EQ(back.time_unit, "week");
  EXPECT_DOUBLE_EQ(FittedCountModel(back.fit).p_alive(2, 30.43, 38.86),
                   bg_nbd::p_alive({0.243, 4.414, 0.793, 2.426}, 2, 30.43, 38.86));
}

TEST(ModelInput, ACnbdKFitReadsLittFromASummaryCsvAsFromTheTransactions) {
  Parameters p({"source", "periods"});
  p.set("file", test::shared_data("grocery_elog/groceryElog.csv").string());
  p.set("customer", "cust");
  p.set("date", "date");
  p.set("calibration_end", "2006-12-31");
  const ModelInput from_log = load_model_input(p, false, true, nullptr, true);
  ASSERT_EQ(from_log.litt.size(), from_log.size());
  const FitResult direct = fit_model("mbgcnbdk", from_log, {});

  const auto dir = test::temp_dir("model_input_litt");
  const auto path = dir / "cbs.csv";
  {
    std::ofstream out(path);
    out << "cust,frequency,recency,T,litt\n";
    out.precision(17);
    for (std::size_t i = 0; i < from_log.size(); ++i) {
      out << from_log.ids[i] << ',' << from_log.x[i] << ',' << from_log.t_x[i] << ','
          << from_log.T[i] << ',' << from_log.litt[i] << '\n';
    }
  }
  const ModelInput from_csv = read_summary_csv(path.string(), false, true, TimeUnit::week);
  ASSERT_EQ(from_csv.litt, from_log.litt);
  const FitResult read_back = fit_model("mbgcnbdk", from_csv, {});
  EXPECT_EQ(read_back.estimates[0], 2.0);  // BTYDplus vignette: k = 2 on groceryElog
  for (std::size_t i = 0; i < direct.estimates.size(); ++i) {
    EXPECT_NEAR(read_back.estimates[i], direct.estimates[i], 1e-9 * direct.estimates[i]) << i;
  }
  // Without litt the fit says what it needs instead of guessing k.
  ModelInput no_litt = from_csv;
  no_litt.litt.clear();
  EXPECT_THROW(fit_model("mbgcnbdk", no_litt, {}), ModelError);
}

}  // namespace
}  // namespace ltv

namespace ltv {
namespace {

TEST(DataWarnings, ARuleTrueForEveryCustomerIsANote) {
  // "orders >= 1" holds for every customer of the summary (each has a calibration purchase);
  // "orders >= 1000" for none: only the first is suspicious.
  const ActionConfig playbook = parse_action_config(
      "[[rule]]\n"
      "id = \"everyone\"\n"
      "action = \"newsletter\"\n"
      "channel = \"email\"\n"
      "when = \"orders >= 1\"\n"
      "reason = \"always\"\n"
      "\n"
      "[[rule]]\n"
      "id = \"nobody\"\n"
      "action = \"gift\"\n"
      "channel = \"email\"\n"
      "when = \"orders >= 1000\"\n"
      "reason = \"never\"\n",
      "suspicious.toml");
  LoadOptions lo;
  lo.columns.customer = "customer_id";
  lo.columns.date = "date";
  lo.columns.amount = "amount";
  Workspace ws(TransactionSource::file((retailer() / "transactions.csv").string(), lo));
  SideInputs side;
  side.playbook = playbook;
  const Analysis a = ws.analyze(AnalyzeOptions{}, side);
  std::vector<std::string> about_rules;
  for (const std::string& note : a.notes) {
    if (note.rfind("playbook rule", 0) == 0) about_rules.push_back(note);
  }
  ASSERT_EQ(about_rules.size(), 1u);
  EXPECT_NE(about_rules[0].find("playbook rule 'everyone' (suspicious.toml:1) is true for every "
                                "one of the "),
            std::string::npos)
      << about_rules[0];
  EXPECT_NE(about_rules[0].find("'orders >= 1'"), std::string::npos) << about_rules[0];
}

}  // namespace
}  // namespace ltv
