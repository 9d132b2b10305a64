// The jobs of `ltv actions` and `ltv report` as functions.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "job_test_support.hpp"
#include "ltv/workspace/jobs_actions.hpp"
#include "ltv/workspace/jobs_report.hpp"

namespace ltv {
namespace {

const std::vector<std::string_view> kActions{"source", "periods", "output", "actions"};

Parameters actions_parameters(const std::vector<std::pair<std::string, std::string>>& values) {
  Parameters p = test::retailer_parameters(kActions);
  p.set("customers", (test::job_retailer() / "customers.csv").string());
  p.set("contacts", (test::job_retailer() / "contacts.csv").string());
  for (const auto& [key, value] : values) p.set(key, value);
  return p;
}

ActionsJobResult run_actions(const Parameters& p, ActionsJobInputs inputs) {
  const ActionsJobOptions options = actions_job_options(p);
  Workspace ws(TransactionSource::from_parameters(p));
  return actions_job(ws, inputs, options);
}

std::int64_t sum(const ResultTable& t, std::string_view column) {
  std::int64_t s = 0;
  for (std::size_t i = 0; i < t.rows(); ++i) s += t.integer(t.spec().index(column), i);
  return s;
}

TEST(ActionsJob, ListSummaryCapsSuppressionAndDueContacts) {
  const Parameters p = actions_parameters({{"max_actions", "1"}, {"due_out", "due.csv"}});
  ActionsJobInputs inputs = read_actions_job_inputs(p);
  inputs.managers = read_table_text(
      "manager_id,role,capacity,cadences\nanna,farmer,40,\nvera,hunter,30,\n", {}, "managers");
  const ActionsJobResult r = run_actions(p, inputs);
  EXPECT_EQ(r.customers, 1500u);  // job_retailer(): 1,500 simulated customers
  ASSERT_GT(r.actions.rows(), 0u);
  // One action per customer at most (max_actions 1); the summary counts every action once.
  const TableSpec& s = r.actions.spec();
  std::set<std::string> actioned;
  std::size_t control = 0;
  for (std::size_t i = 0; i < r.actions.rows(); ++i) {
    EXPECT_TRUE(actioned.insert(std::string(r.actions.text(s.index("customer_id"), i))).second);
    control += r.actions.boolean(s.index("control"), i) ? 1 : 0;
  }
  EXPECT_EQ(sum(r.summary, "customers"), static_cast<std::int64_t>(r.actions.rows()));
  EXPECT_EQ(sum(r.summary, "control"), static_cast<std::int64_t>(control));
  EXPECT_EQ(control, r.control);
  // Due contacts: no manager gets more customers than the capacity.
  ASSERT_TRUE(r.due);
  std::map<std::string, int> per_manager;
  for (std::size_t i = 0; i < r.due->rows(); ++i)
    ++per_manager[std::string(r.due->text(r.due->spec().index("manager_id"), i))];
  EXPECT_LE(per_manager["anna"], 40);
  EXPECT_LE(per_manager["vera"], 30);

  // Suppressing the first ten actioned customers removes their actions and nobody else's.
  std::string text = "customer_id\n";
  std::set<std::string> suppressed;
  for (const std::string& id : actioned) {
    if (suppressed.size() == 10) break;
    suppressed.insert(id);
    text += id + "\n";
  }
  ActionsJobInputs with_list = read_actions_job_inputs(p);
  with_list.managers = inputs.managers;
  with_list.suppress = read_table_text(text, {}, "suppress");
  const ActionsJobResult q = run_actions(p, with_list);
  std::set<std::string> still;
  for (std::size_t i = 0; i < q.actions.rows(); ++i) {
    const std::string id(q.actions.text(s.index("customer_id"), i));
    EXPECT_EQ(suppressed.count(id), 0u) << id;
    still.insert(id);
  }
  EXPECT_EQ(still.size() + suppressed.size(), actioned.size());
  EXPECT_GE(q.suppressed, suppressed.size());
}

TEST(ActionsJob, BadParametersNameTheirKeyBeforeAnyWork) {
  const auto key = [](std::vector<std::pair<std::string, std::string>> values) {
    return test::error_key([&] { actions_job_options(actions_parameters(values)); });
  };
  EXPECT_EQ(key({{"managers", "m.csv"}}), "due_out");
  EXPECT_EQ(key({{"model", "foo"}}), "model");
  EXPECT_EQ(key({{"max_actions", "x"}}), "max_actions");
  EXPECT_EQ(key({{"format", "xml"}}), "format");
  Parameters no_contacts = test::retailer_parameters(kActions, {{"due_out", "d.csv"}});
  EXPECT_EQ(test::error_key([&] { actions_job_options(no_contacts); }), "due_out");
}

TEST(ReportJob, WritesEverySectionOfAnAnalysisFolder) {
  const std::filesystem::path dir = test::temp_dir("report_job");
  Workspace ws(TransactionSource::from_parameters(test::retailer_parameters({"source"})));
  write_analysis(ws.analyze(AnalyzeOptions{}), dir / "analysis");
  Parameters p({"report"});
  p.set("dir", (dir / "analysis").string());
  p.set("title", "Shop <Q4>");
  p.set("currency", "EUR");
  const ReportJobOptions options = report_job_options(p);
  EXPECT_EQ(options.out, dir / "analysis" / "report.html");
  const report::Report r = report_job(options);
  ASSERT_EQ(r.sections.size(), report::report_section_ids().size());
  int charts = 0;
  for (const auto& s : r.sections) charts += s.charts;
  EXPECT_GT(charts, 0);
  std::ifstream in(options.out);
  std::stringstream page;
  page << in.rdbuf();
  EXPECT_EQ(page.str(), r.html);
  EXPECT_NE(r.html.find("Shop &lt;Q4&gt;"), std::string::npos);
  EXPECT_NE(r.html.find("EUR"), std::string::npos);
}

TEST(ReportJob, BadParametersNameTheirKey) {
  Parameters p({"report"});
  EXPECT_EQ(test::error_key([&] { report_job_options(p); }), "dir");
  p.set("dir", "somewhere");
  p.set("output", "-");
  EXPECT_EQ(test::error_key([&] { report_job_options(p); }), "output");
  p.unset("output");
  p.set("dir", "/nonexistent");
  EXPECT_THROW(report_job(report_job_options(p)), InputError);
}

}  // namespace
}  // namespace ltv
