// Tests of the HTML report builder on small fixture directories written by the tests (every
// format of the analyze output contract, including files other engineers add), and of
// `ltv report`. Sections are parsed as XML and their charts' marks counted.
#include "ltv/report/report.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "ltv/error.hpp"
#include "ltv/models/selection.hpp"
#include "ltv/report/svg.hpp"
#include "test_data.hpp"
#include "xml_lite.hpp"

namespace ltv::report {
namespace {

namespace fs = std::filesystem;
namespace xml = ltv::test::xml;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

const char* kEvilId = "<script>alert(1)</script>";

/// A complete analyze output directory in miniature.
fs::path fixture_dir(const std::string& name) {
  const fs::path d = ltv::test::temp_dir(name);
  write(d / "summary.json", R"({"customers": 6, "transactions": 40, "first_day": "2024-01-01",
    "last_day": "2024-12-31", "time_unit": "week", "repeat_rate": 0.5, "revenue": 1234.5,
    "average_check": 30.9, "likely_active_customers": 3, "horizon_months": 12,
    "predicted_revenue_in_horizon": 800, "clv_total": 700,
    "model_selection": {"chosen": "bgnbd", "chosen_by": "lowest holdout MAE",
    "calibration_end": "2024-01-05"}})");
  // BG/NBD on CDNOW (Fader, Hardie & Lee 2005): r, alpha, a, b in model order.
  write(d / "model.json", R"({"model": "bgnbd", "params": {"r": 0.243, "alpha": 4.414,
    "a": 0.793, "b": 2.426}, "stderr": {"r": 0.0125, "alpha": 0.378, "a": 0.185, "b": 0.705},
    "ci95": {"r": [0.22, 0.27], "alpha": [3.7, 5.2], "a": [0.5, 1.25], "b": [1.37, 4.29]},
    "log_likelihood": -9582.4, "converged": true, "time_unit": "week"})");
  write(d / "customers.csv",
        std::string("customer_id,frequency,recency,T,monetary_value,first_purchase,last_purchase,"
                    "orders,revenue,p_alive,expected_purchases,expected_spend,clv,rfm_segment,"
                    "abcdx,stage\n") +
            "\"" + kEvilId +
            "\",5,30,40,50,2024-01-01,2024-08-01,6,600,0.9,3,50,400,Champions,A,vip\n"
            "c2,2,20,40,30,2024-01-01,2024-06-01,3,200,0.7,1,30,100,Loyal,B,active\n"
            "c3,0,0,38,0,2024-01-15,2024-01-15,1,100,0.5,0.3,25,50,Lost,C,lost\n"
            "c4,1,5,36,40,2024-02-01,2024-03-01,2,150,0.4,0.4,40,60,At risk,B,at_risk\n"
            "c5,0,0,30,0,2024-03-01,2024-03-01,1,84.5,0.5,0.3,25,40,Lost,D,lost\n"
            "c6,3,25,34,33,2024-03-10,2024-09-01,4,100,0.8,1.5,33,50,Loyal,C,active\n");
  write(d / "segments.csv",
        "scheme,segment,purpose,customers,customer_share,revenue,revenue_share,average_check,"
        "frequency,predicted_ltv\n"
        "rfm,Champions,keep,1,0.1667,600,0.486,100,5,400\n"
        "rfm,Loyal,raise,2,0.333,300,0.243,50,2.5,75\n"
        "rfm,Lost <old>,win back,2,0.333,184.5,0.149,46,0,45\n"
        "abcdx,A,keep,1,0.1667,600,0.486,100,5,400\n"
        "abcdx,B,raise,2,0.333,350,0.283,50,1.5,80\n"
        "stage,active,raise,2,0.333,300,0.243,50,2.5,75\n"
        "stage,at_risk,raise,1,0.1667,150,0.12,75,1,60\n"
        "stage,lost,win,2,0.333,184.5,0.149,46,0,45\n");
  write(d / "models.csv",
        "model,log_likelihood,bic,holdout_mae,holdout_rmse,holdout_actual,holdout_expected,"
        "converged,error\n"
        "bgnbd,-100,210,0.38,0.85,20,21,true,\n"
        "pnbd,-101,212,0.40,0.86,20,22,true,\n"
        "mbgnbd,,,,,20,,false,did not converge\n");
  std::string tracking =
      "model,period,period_start,actual,expected,actual_cumulative,"
      "expected_cumulative\n";
  for (const std::string m : {"bgnbd", "pnbd"}) {
    double a = 0, e = 0;
    for (int p = 1; p <= 8; ++p) {
      a += 3 + p % 3, e += 3.5;
      tracking += fmt::format("{},{},2024-01-{:02},{},{},{},{}\n", m, p, p, 3 + p % 3, 3.5, a, e);
    }
  }
  write(d / "validation/tracking.csv", tracking);
  write(d / "validation/conditional.csv",
        "model,calibration_frequency,customers,actual_mean,expected_mean\n"
        "bgnbd,0,3,0.2,0.25\nbgnbd,1,2,0.5,0.6\nbgnbd,2+,1,1.5,1.2\n"
        "pnbd,0,3,0.2,0.3\npnbd,1,2,0.5,0.5\npnbd,2+,1,1.5,1.1\n");
  write(d / "analytics/cohort_retention.csv",
        "cohort,cohort_size,p0,p1,p2,p3\n2024-01,3,1,0.5,0.3,0.2\n2024-02,2,1,0.4,0.2,\n"
        "2024-03,1,1,0,,\n");
  write(d / "analytics/cohorts.csv",
        "cohort,age,period,complete,cohort_size,active_customers,retention,orders,revenue,profit,"
        "cumulative_revenue_per_customer,cumulative_profit_per_customer\n"
        "2024-01,0,2024-01,1,3,3,1,3,90,,30,\n2024-01,1,2024-02,1,3,2,0.6,2,60,,50,\n"
        "2024-01,2,2024-03,1,3,1,0.3,1,30,,60,\n2024-02,0,2024-02,1,2,2,1,2,50,,25,\n"
        "2024-02,1,2024-03,1,2,1,0.5,1,20,,35,\n");
  write(d / "analytics/ltv_distribution.csv",
        "group,measure,customers,total,mean,median,p10,p25,p75,p90,p99,max,top20_share\n"
        "all,revenue,6,1234.5,205.75,125,92,100,200,400,590,600,0.49\n");
  write(d / "analytics/cac.csv",
        "channel,period,spend,new_customers,cac,revenue,margin_attributable,historical_ltv,"
        "predicted_ltv,ltv_cac_historical,ltv_cac_predicted,payback_periods,romi,note\n"
        "search,2024-01,100,4,25,400,400,100,20,4,0.8,1,3,\nsearch,2024-02,100,2,50,200,200,90,"
        "20,1.8,0.4,2,1,\nsocial,2024-01,300,3,100,150,150,50,10,0.5,0.1,,,\n"
        "organic,2024-01,,5,,,,60,10,,,,,no spend\n");
  std::string forecast = "method,series,period,kind,value\n";
  for (int m = 1; m <= 9; ++m) {
    forecast += fmt::format("actual,revenue,2024-{:02},history,{}\n", m, 100 + 5 * m);
    forecast += fmt::format("actual,active_customers,2024-{:02},history,{}\n", m, 10 + m);
  }
  for (int m = 10; m <= 12; ++m) {
    forecast += fmt::format("cohort,revenue,2024-{},forecast,{}\n", m, 150 + m);
    forecast += fmt::format("cohort,active_customers,2024-{},forecast,{}\n", m, 20);
  }
  write(d / "analytics/forecast.csv", forecast);
  write(d / "analytics/forecast_backtest.csv",
        "method,series,holdout_periods,mape,mae,note\ncohort,revenue,3,5.5,6,\n"
        "cohort,active_customers,3,2.5,1,\nregression,revenue,3,15,20,\n");
  write(d / "analytics/compare.csv",
        "metric,group_a,group_b,customers_a,customers_b,value_a,value_b,difference,"
        "difference_low,difference_high,relative_difference,relative_low,relative_high,sentence,"
        "warning\nspend_per_year,1,0,3,3,75,63,12,4,20,0.19,0.07,0.34,1 have 19% more spend,\n"
        "retention,1,0,3,3,0.5,0.5,0,-0.1,0.1,0,-0.12,0.13,no difference,\n");
  write(d / "nps/nps.csv",
        "by,group,answers,promoters,passives,detractors,nps,standard_error,ci_low,ci_high\n"
        "all,all,30,10,10,10,0,5,-10,10\nperiod,2024-01,10,5,3,2,30,8,14,46\n"
        "period,2024-02,20,5,7,8,-15,7,-29,-1\nchannel,email,12,4,4,4,0,9,-18,18\n");
  write(d / "nps/value.csv",
        "class,customers,retained,retention,value_before,value_after,mean_ltv\n"
        "detractor,10,2,0.2,40,10,\npassive,10,4,0.4,50,30,\npromoter,10,6,0.6,60,50,\n");
  write(d / "segment_transitions.csv",
        "scheme,from_date,to_date,from_segment,to_segment,customers,revenue_to_date\n"
        "rfm,2024-01-01,2024-04-01,Champions,Champions,30,900\n"
        "rfm,2024-01-01,2024-04-01,Champions,At risk,10,200\n"
        "rfm,2024-01-01,2024-04-01,(none),Champions,5,50\n"
        "stage,2024-01-01,2024-04-01,active,lost,3,30\n");
  write(d / "nps/detractor_terms.csv",
        "term,detractor_comments,share_of_detractors\nprice,4,0.4\ndelivery,2,0.2\n");
  write(d / "basket/rules.csv",
        "antecedent,consequent,support,confidence,lift,count\nbread,butter,0.1,0.5,2.5,40\n"
        "tea,\"cakes, small\",0.05,0.4,3.1,20\nmilk,bread,0.2,0.3,1.1,80\n");
  write(d / "actions_summary.csv",
        "rule,action,channel,priority,customers,treated,control\n"
        "win_back,coupon 10%,email,1,120,108,12\nthank_vip,call,phone,2,15,15,0\n");
  return d;
}

/// The `<section id=...>` elements of the page, parsed.
std::map<std::string, std::unique_ptr<xml::Element>> sections(const std::string& html) {
  std::map<std::string, std::unique_ptr<xml::Element>> out;
  std::size_t pos = 0;
  while ((pos = html.find("<section id=\"", pos)) != std::string::npos) {
    const auto end = html.find("</section>", pos);
    EXPECT_NE(end, std::string::npos);
    auto e = xml::parse(std::string_view(html).substr(pos, end + 10 - pos));
    out[e->attr("id")] = std::move(e);
    pos = end;
  }
  return out;
}

std::size_t charts_with_marks(const xml::Element& section, std::size_t* empty_charts = nullptr) {
  std::size_t n = 0;
  for (const auto* svg : section.by_name("svg")) {
    if (svg->has_class("empty")) {
      if (empty_charts) ++*empty_charts;
      continue;
    }
    EXPECT_GT(svg->by_class("mark").size(), 0u) << svg->attr("aria-label");
    n += !svg->by_class("mark").empty();
  }
  return n;
}

TEST(ReportBuilder, EverySectionDrawsItsChartsFromTheFixtureFiles) {
  const auto dir = fixture_dir("report_full");
  const Report report = build_report(dir);
  const auto parsed = sections(report.html);
  ASSERT_EQ(report.sections.size(), report_section_ids().size());
  for (const auto& s : report.sections) {
    EXPECT_TRUE(s.notes.empty()) << s.id << ": " << (s.notes.empty() ? "" : s.notes[0]);
    ASSERT_TRUE(parsed.count(s.id)) << s.id;
    std::size_t empty = 0;
    const std::size_t drawn = charts_with_marks(*parsed.at(s.id), &empty);
    EXPECT_EQ(drawn, static_cast<std::size_t>(s.charts)) << s.id;
    EXPECT_EQ(empty, 0u) << s.id;
    if (s.id != "headline") {
      EXPECT_GT(s.charts, 0) << s.id;
    }
  }
  // No script, no external resource, and the evil customer id shows up only escaped.
  EXPECT_EQ(report.html.find("<script"), std::string::npos);
  EXPECT_EQ(report.html.find("http://www.w3.org/2000/svg\" src"), std::string::npos);
  EXPECT_EQ(report.html.find("src=\""), std::string::npos);
  EXPECT_EQ(report.html.find("href=\"http"), std::string::npos);
  const auto& ltv = *parsed.at("ltv");
  bool found = false;
  for (const auto* td : ltv.by_name("td")) found = found || td->all_text() == kEvilId;
  EXPECT_TRUE(found);
  // The tracking plot marks where the holdout starts: calibration ends 2024-01-05, so period 5
  // (starting that day) is still calibration and the first holdout period starts 2024-01-06.
  const auto markers = parsed.at("model-fit")->by_class("marker");
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_NE(parsed.at("model-fit")->all_text().find("holdout from 2024-01-06"), std::string::npos);
  EXPECT_EQ(parsed.at("model-fit")->all_text().find("holdout from 2024-01-05"), std::string::npos);
  // The segment name with markup survives as text.
  EXPECT_NE(parsed.at("segments")->all_text().find("Lost <old>"), std::string::npos);
  // The transition matrix: row shares, and the reading names the largest earlier segment.
  const std::string seg = parsed.at("segments")->all_text();
  EXPECT_NE(seg.find("Of the 40 customers in Champions on 2024-01-01, 75% are still there on "
                     "2024-04-01."),
            std::string::npos)
      << seg;
  // NPS: headline from the `all` row, a line over months, a bar per other `by`, retention by
  // class with the figures in its reading, and the detractors' words.
  const std::string nps = parsed.at("nps")->all_text();
  EXPECT_NE(nps.find("NPS 0.0 points (95% CI -10.0 to 10.0) from 30 answers"), std::string::npos)
      << nps;
  EXPECT_NE(nps.find("60% of promoters bought again after answering, 20% of detractors"),
            std::string::npos)
      << nps;
  EXPECT_NE(nps.find("\"price\" is in 40% of detractors' comments."), std::string::npos) << nps;
  EXPECT_EQ(parsed.at("nps")->by_class("line").size(), 3u);  // NPS, 95% low, 95% high
}

TEST(ReportBuilder, ParetoReadingComesFromTheCustomersRevenue) {
  const auto dir = fixture_dir("report_pareto");
  const Report report = build_report(dir);
  const double share =
      top_share_of_total({600, 200, 100, 150, 84.5, 100}, 0.2);  // customers.csv revenue
  const std::string expected =
      "20% of customers bring " + format_number(share, {NumberStyle::percent}) + " of revenue.";
  EXPECT_NE(report.html.find(expected), std::string::npos) << expected;
}

TEST(ReportBuilder, PAliveHeatMapIsEvaluatedFromModelJson) {
  const auto dir = fixture_dir("report_palive");
  const auto parsed = sections(build_report(dir).html);
  const auto svgs = parsed.at("p-alive")->by_name("svg");
  ASSERT_EQ(svgs.size(), 2u);
  const auto cells = svgs[0]->by_class("cell");
  // Frequencies 15..1 at 12 positive recencies, and frequency 0 at recency 0.
  ASSERT_EQ(cells.size(), 15u * 12 + 1);
  FitResult fit;
  fit.model = "bgnbd";
  fit.names = {"r", "alpha", "a", "b"};
  fit.estimates = {0.243, 4.414, 0.793, 2.426};
  const FittedCountModel model(fit);
  // Row x = 1, last column (recency = T): its title ends with the model's P(alive).
  const std::string title = cells[14 * 12 + 11]->all_text();
  const auto colon = title.rfind(": ");
  ASSERT_NE(colon, std::string::npos);
  const std::string column =
      title.substr(title.rfind(' ', colon - 1) + 1, colon - title.rfind(' ', colon - 1) - 1);
  const double t = std::stod(column);
  NumberFormat pct{NumberStyle::percent};
  pct.decimals = 0;
  EXPECT_EQ(title.substr(colon + 2), format_number(model.p_alive(1, t, t), pct)) << title;
  // The one-time buyer cell (x = 0).
  const std::string zero = cells.back()->all_text();
  EXPECT_EQ(zero.substr(zero.rfind(": ") + 2), format_number(model.p_alive(0, 0, t), pct));
}

TEST(ReportBuilder, MissingFilesGiveANoteInEachSection) {
  const auto dir = ltv::test::temp_dir("report_empty");
  const Report report = build_report(dir);
  const auto parsed = sections(report.html);
  ASSERT_EQ(parsed.size(), report_section_ids().size());
  for (const auto& s : report.sections) {
    EXPECT_FALSE(s.notes.empty()) << s.id;
    EXPECT_EQ(s.charts, 0) << s.id;
    EXPECT_FALSE(parsed.at(s.id)->by_class("note").empty()) << s.id;
  }
  EXPECT_NE(report.html.find("summary.json is not in this output directory."), std::string::npos);
}

TEST(ReportBuilder, UnreadableOrTinyInputsBecomeNotesNotCrashes) {
  const auto dir = fixture_dir("report_bad");
  write(dir / "model.json", "{not json");
  write(dir / "segments.csv", "scheme,segment\nrfm,x\n");  // lacks columns
  write(dir / "validation/tracking.csv",
        "model,period,period_start,actual,expected,actual_cumulative,expected_cumulative\n"
        "bgnbd,1,2024-01-01,1,1,1,1\n");  // one point: not enough for a line
  const Report report = build_report(dir);
  const auto parsed = sections(report.html);
  for (const auto& s : report.sections) {
    if (s.id == "p-alive" || s.id == "segments") {
      EXPECT_FALSE(s.notes.empty()) << s.id;
    }
  }
  EXPECT_NE(parsed.at("segments")->all_text().find("has no column 'customers'"), std::string::npos);
  EXPECT_FALSE(parsed.at("model-fit")->by_class("empty-note").empty());
}

TEST(ReportBuilder, TrackingIsPlottedAndALabelPeriodIsANote) {
  const auto dir = fixture_dir("report_labels");
  write(dir / "validation/tracking.csv",
        "model,period,period_start,actual,expected,actual_cumulative,expected_cumulative\n"
        "bgnbd,1,2024-01-01,3,3,3,3\nbgnbd,2,2024-01-08,4,3,7,6\n"
        "bgnbd,3,2024-01-15,2,3,9,9\n");
  const auto parsed = sections(build_report(dir).html);
  const auto svgs = parsed.at("model-fit")->by_name("svg");
  ASSERT_FALSE(svgs.empty());
  EXPECT_EQ(svgs[0]->by_class("line").size(), 2u);  // actual and bgnbd expected
  // Tables are typed: a period that is not a number makes the file unreadable, said in place of
  // the chart (with the line and column), not a crash and not a chart of wrong numbers.
  write(dir / "validation/tracking.csv",
        "model,period,period_start,actual,expected,actual_cumulative,expected_cumulative\n"
        "bgnbd,2024-W01,2024-01-01,3,3,3,3\n");
  const auto noted = sections(build_report(dir).html);
  EXPECT_NE(noted.at("model-fit")
                ->all_text()
                .find("validation/tracking.csv could not be read: " +
                      (dir / "validation/tracking.csv").string() +
                      ":2: column 'period': found '2024-W01', expected a whole number"),
            std::string::npos)
      << noted.at("model-fit")->all_text();
}

TEST(ReportBuilder, CohortHeatMapKeepsTheLatestCohortsOfALongHistory) {
  const auto dir = fixture_dir("report_long");
  std::string retention = "cohort,cohort_size,p0,p1\n";
  for (int k = 0; k < 50; ++k) retention += fmt::format("c{:02},10,1,0.{}\n", k, k % 10);
  write(dir / "analytics/cohort_retention.csv", retention);
  const auto parsed = sections(build_report(dir).html);
  const auto svgs = parsed.at("cohorts")->by_name("svg");
  ASSERT_FALSE(svgs.empty());
  EXPECT_EQ(svgs[0]->by_class("cell").size(), 36u);  // p1 of the latest 36 cohorts
  EXPECT_NE(svgs[0]->all_text().find("c49"), std::string::npos);
  EXPECT_EQ(svgs[0]->all_text().find("c13"), std::string::npos);
}

TEST(ReportBuilder, HeaderOnlyFilesAndNullIntervalsGiveNotesNotCrashes) {
  const auto dir = fixture_dir("report_header_only");
  write(dir / "analytics/compare.csv",
        "metric,group_a,group_b,customers_a,customers_b,value_a,value_b,difference,"
        "difference_low,difference_high,relative_difference,relative_low,relative_high,sentence,"
        "warning\n");
  // A non-finite bound is written as null by the JSON library; converged may be missing.
  write(dir / "model.json",
        R"({"model": "bgnbd", "params": {"r": 0.5, "alpha": 6, "a": 0.8, "b": 2.5},
            "stderr": {"r": 0.1}, "ci95": {"r": [null, 0.7]}, "log_likelihood": -100})");
  const Report report = build_report(dir);
  const auto parsed = sections(report.html);
  EXPECT_NE(parsed.at("compare")->all_text().find("analytics/compare.csv has no rows."),
            std::string::npos);
  const std::string fit = parsed.at("model-fit")->all_text();
  EXPECT_NE(fit.find("NOT converged"), std::string::npos) << fit;
}

TEST(ReportBuilder, NotADirectoryIsAnInputError) {
  EXPECT_THROW(build_report("/nonexistent/ltv/out"), InputError);
}

TEST(ReportCli, RendersToTheGivenFileWithCurrencyAndTitle) {
  const auto dir = fixture_dir("report_cli");
  const auto out = dir / "custom.html";
  const auto r = ltv::test::run(ltv::test::cli() + " report " + dir.string() + " -o " +
                                out.string() + " --currency EUR --title 'Shop & Co'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("12 sections"), std::string::npos) << r.out;
  std::ifstream f(out);
  const std::string html((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<h1>Shop &amp; Co</h1>"), std::string::npos);
  EXPECT_NE(html.find("EUR1,234"), std::string::npos);  // headline revenue
  const auto bad = ltv::test::run(ltv::test::cli() + " report /nonexistent/ltv/out");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("ltv: error:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("not a directory"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace ltv::report

namespace ltv::report {
namespace {

TEST(ReportCli, AnalyzeWritesTheReportAsItsLastStepUnlessNoReport) {
  const auto dir = ltv::test::temp_dir("report_analyze");
  const std::string cli = ltv::test::cli();
  auto r = ltv::test::run(cli + " simulate --customers 400 --seed 5 -o " + (dir / "data").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string analyze = cli + " analyze " + (dir / "data/transactions.csv").string() +
                              " --customer customer_id --date date --amount amount --quiet";
  r = ltv::test::run(analyze + " --currency GBP -o " + (dir / "a").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Report:        " + (dir / "a/report.html").string()), std::string::npos)
      << r.out;
  std::ifstream f(dir / "a/report.html");
  const std::string html((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("GBP"), std::string::npos);
  const auto parsed = sections(html);
  EXPECT_EQ(parsed.size(), report_section_ids().size());
  EXPECT_GT(charts_with_marks(*parsed.at("segments")), 0u);
  r = ltv::test::run(analyze + " --no-report -o " + (dir / "b").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir / "b/customers.csv"));
  EXPECT_FALSE(fs::exists(dir / "b/report.html"));
  EXPECT_EQ(r.out.find("Report:"), std::string::npos);
}

}  // namespace
}  // namespace ltv::report
