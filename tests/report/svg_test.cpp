// Tests of the SVG chart module: the output is parsed as XML and its structure checked (marks,
// axis labels, escaping, empty-data notes), never compared with a stored string.
#include "ltv/report/svg.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include "xml_lite.hpp"

namespace ltv::report {
namespace {

namespace xml = ltv::test::xml;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::size_t marks(const xml::Element& svg, std::string_view kind) {
  std::size_t n = 0;
  for (const auto* e : svg.by_class("mark")) n += e->has_class(kind);
  return n;
}

std::vector<std::string> texts_with_class(const xml::Element& svg, std::string_view cls) {
  std::vector<std::string> out;
  for (const auto* e : svg.by_class(cls)) out.push_back(e->all_text());
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(FormatNumber, ThousandsSeparatorsCurrencyAndPercent) {
  EXPECT_EQ(format_number(1234567.0, {NumberStyle::integer}), "1,234,567");
  EXPECT_EQ(format_number(-1234.4, {NumberStyle::integer}), "-1,234");
  EXPECT_EQ(format_number(999.0, {NumberStyle::integer}), "999");
  NumberFormat eur{NumberStyle::currency};
  eur.currency = "€";
  EXPECT_EQ(format_number(12345.678, eur), "€12,346");
  EXPECT_EQ(format_number(12.5, eur), "€12.50");
  EXPECT_EQ(format_number(-12.5, eur), "-€12.50");
  EXPECT_EQ(format_number(0.634, {NumberStyle::percent}), "63%");
  EXPECT_EQ(format_number(0.0523, {NumberStyle::percent}), "5.2%");
  NumberFormat compact;
  compact.compact = true;
  EXPECT_EQ(format_number(2500000.0, compact), "2.5M");
  EXPECT_EQ(format_number(3000.0, compact), "3k");
  EXPECT_EQ(format_number(1234.5678), "1,235");
  EXPECT_EQ(format_number(3.14159), "3.14");
  EXPECT_EQ(format_number(-0.0001, {NumberStyle::plain, "$", 2}), "0.00");
}

TEST(FormatNumber, NonFiniteValuesBecomeADashNotNan) {
  for (double v : {kNaN, std::numeric_limits<double>::infinity()}) {
    for (auto style :
         {NumberStyle::plain, NumberStyle::integer, NumberStyle::currency, NumberStyle::percent}) {
      const std::string s = format_number(v, {style});
      EXPECT_EQ(s.find("nan"), std::string::npos) << s;
      EXPECT_EQ(s.find("inf"), std::string::npos) << s;
      EXPECT_FALSE(s.empty());
    }
  }
}

TEST(XmlEscape, EscapesMarkupCharacters) {
  const std::string raw = "a<b>&\"c\"'d'";
  const std::string escaped = xml_escape(raw);
  EXPECT_EQ(escaped.find('<'), std::string::npos);
  EXPECT_EQ(escaped.find('"'), std::string::npos);
  const auto doc = xml::parse("<t a=\"" + escaped + "\">" + escaped + "</t>");
  EXPECT_EQ(doc->text, raw);
  EXPECT_EQ(doc->attr("a"), raw);
}

TEST(NiceTicks, CoverTheRangeWithRoundEvenSteps) {
  for (auto [lo, hi] : std::vector<std::pair<double, double>>{
           {0, 1}, {0, 97.3}, {-13, 41}, {0.0012, 0.0093}, {1e6, 7.7e6}, {5, 5}}) {
    const auto t = nice_ticks(lo, hi, 5);
    ASSERT_GE(t.size(), 2u) << lo << ".." << hi;
    EXPECT_LE(t.front(), lo);
    EXPECT_GE(t.back(), hi);
    const double step = t[1] - t[0];
    const double mantissa = step / std::pow(10, std::floor(std::log10(step)));
    EXPECT_TRUE(std::fabs(mantissa - 1) < 1e-9 || std::fabs(mantissa - 2) < 1e-9 ||
                std::fabs(mantissa - 5) < 1e-9)
        << step;
    for (std::size_t i = 1; i < t.size(); ++i) EXPECT_NEAR(t[i] - t[i - 1], step, step * 1e-9);
    EXPECT_LE(t.size(), 12u);
  }
}

TEST(Palette, SeriesColoursAreDistinctAndScaleIsOrdered) {
  std::set<std::string> colours;
  for (std::size_t i = 0; i < 7; ++i) colours.insert(series_colour(i));
  EXPECT_EQ(colours.size(), 7u);
  EXPECT_EQ(series_colour(0), series_colour(7));
  // Viridis-like: brightness rises from 0 to 1.
  const auto luminance = [](const std::string& hex) {
    const int r = std::stoi(hex.substr(1, 2), nullptr, 16),
              g = std::stoi(hex.substr(3, 2), nullptr, 16),
              b = std::stoi(hex.substr(5, 2), nullptr, 16);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  double previous = -1;
  for (int i = 0; i <= 10; ++i) {
    const double l = luminance(scale_colour(i / 10.0));
    EXPECT_GT(l, previous);
    previous = l;
  }
  EXPECT_EQ(scale_colour(-5), scale_colour(0));
  EXPECT_EQ(scale_colour(kNaN), scale_colour(0));
}

TEST(LineChart, DrawsOnePathPerSeriesWithLabelledAxes) {
  LineChart chart;
  chart.title = "Revenue <by> month & \"channel\"";
  chart.x.label = "Month (since start)";
  chart.y.label = "Revenue ($)";
  chart.y.format.style = NumberStyle::currency;
  chart.markers = true;
  for (int k = 0; k < 3; ++k) {
    Series s;
    s.name = "series " + std::to_string(k) + " <&>";
    for (int i = 0; i < 10; ++i) s.x.push_back(i), s.y.push_back(1000.0 * k + 37 * i * i);
    chart.series.push_back(s);
  }
  chart.series[1].y[4] = kNaN;  // a gap
  const auto svg = xml::parse(render(chart));
  EXPECT_EQ(svg->name, "svg");
  EXPECT_TRUE(svg->has_class("chart"));
  EXPECT_EQ(marks(*svg, "line"), 3u);
  EXPECT_EQ(marks(*svg, "point"), 29u);
  EXPECT_TRUE(contains(texts_with_class(*svg, "axis-label"), "Month (since start)"));
  EXPECT_TRUE(contains(texts_with_class(*svg, "axis-label"), "Revenue ($)"));
  EXPECT_TRUE(contains(texts_with_class(*svg, "chart-title"), chart.title));
  EXPECT_TRUE(contains(texts_with_class(*svg, "legend-label"), "series 2 <&>"));
  // The gap splits series 1 into two sub-paths.
  for (const auto* p : svg->by_class("line")) {
    if (p->all_text() == chart.series[1].name) {
      const std::string d = p->attr("d");
      EXPECT_EQ(std::count(d.begin(), d.end(), 'M'), 2);
    }
  }
  // Tick labels are currency-formatted and every data point lies inside the view box.
  const auto ticks = texts_with_class(*svg, "tick");
  EXPECT_TRUE(std::any_of(ticks.begin(), ticks.end(),
                          [](const std::string& t) { return !t.empty() && t[0] == '$'; }));
  const double width = std::stod(svg->attr("width")), height = std::stod(svg->attr("height"));
  for (const auto* c : svg->by_class("point")) {
    EXPECT_GE(std::stod(c->attr("cx")), 0);
    EXPECT_LE(std::stod(c->attr("cx")), width);
    EXPECT_GE(std::stod(c->attr("cy")), 0);
    EXPECT_LE(std::stod(c->attr("cy")), height);
  }
}

TEST(LineChart, TooFewPointsGiveANoteInsteadOfAChart) {
  LineChart chart;
  chart.title = "Nothing";
  EXPECT_TRUE(chart.series.empty());
  for (const auto& series : std::vector<std::vector<Series>>{
           {},
           {Series{"one", {1}, {2}, {}, false}},
           {Series{"nan", {1, 2}, {kNaN, kNaN}, {}, false}},
           {Series{"a", {1}, {2}, {}, false}, Series{"b", {2}, {3}, {}, false}}}) {
    chart.series = series;
    const auto svg = xml::parse(render(chart));
    EXPECT_EQ(svg->by_class("mark").size(), 0u);
    const auto notes = texts_with_class(*svg, "empty-note");
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("Not enough data"), std::string::npos);
  }
}

TEST(LineChart, CategoryAxisLabelsTicks) {
  LineChart chart;
  chart.title = "By month";
  chart.x.categories = {"2024-01", "2024-02", "2024-03"};
  chart.series = {Series{"a", {0, 1, 2}, {1, 2, 3}, {}, false}};
  const auto svg = xml::parse(render(chart));
  const auto ticks = texts_with_class(*svg, "tick");
  EXPECT_TRUE(contains(ticks, "2024-01"));
  EXPECT_TRUE(contains(ticks, "2024-03"));
}

TEST(BarChart, GroupedBarsOnePerCategoryAndSeriesSkippingMissing) {
  for (bool horizontal : {false, true}) {
    BarChart chart;
    chart.title = "Segments";
    chart.horizontal = horizontal;
    chart.categories = {"Champions", "At risk", "Lost <old>"};
    chart.category_label = "Segment";
    chart.value.label = "Share of customers";
    chart.value.format.style = NumberStyle::percent;
    chart.series = {Series{"customers", {}, {}, {0.2, 0.3, 0.5}, false},
                    Series{"revenue", {}, {}, {0.6, kNaN, 0.1}, false}};
    const auto svg = xml::parse(render(chart));
    EXPECT_EQ(marks(*svg, "bar"), 5u) << horizontal;
    EXPECT_TRUE(contains(texts_with_class(*svg, "category"), "Lost <old>"));
    EXPECT_TRUE(contains(texts_with_class(*svg, "axis-label"), "Share of customers"));
    EXPECT_TRUE(contains(texts_with_class(*svg, "axis-label"), "Segment"));
    EXPECT_TRUE(contains(texts_with_class(*svg, "value-label"), "60%"));
    // Bar lengths are proportional to the values.
    std::vector<double> lengths;
    for (const auto* r : svg->by_class("bar")) {
      lengths.push_back(std::stod(r->attr(horizontal ? "width" : "height")));
    }
    EXPECT_NEAR(lengths[0] / lengths[2], 0.2 / 0.3, 0.02);  // Champions vs At risk customers
    EXPECT_TRUE(svg->has_class("horizontal") == horizontal);
  }
}

TEST(BarChart, TickLabelsAreDistinctEvenForTinyRanges) {
  BarChart chart;
  chart.title = "One zero value";
  chart.categories = {"email"};
  chart.value.format.decimals = 0;
  chart.series = {Series{"NPS", {}, {}, {0.0}, false}};
  const auto svg = xml::parse(render(chart));
  const auto ticks = texts_with_class(*svg, "tick");
  ASSERT_GE(ticks.size(), 2u);
  EXPECT_EQ(std::set<std::string>(ticks.begin(), ticks.end()).size(), ticks.size());
}

TEST(BarChart, NoCategoriesGiveANote) {
  BarChart chart;
  chart.title = "Empty";
  const auto svg = xml::parse(render(chart));
  EXPECT_EQ(svg->by_class("mark").size(), 0u);
  EXPECT_EQ(texts_with_class(*svg, "empty-note").size(), 1u);
}

TEST(HeatMap, OneCellPerFiniteValueWithALegend) {
  HeatMap h;
  h.title = "Retention";
  h.rows = {"2024-01", "2024-02", "2024-03"};
  h.columns = {"1", "2", "3", "4"};
  h.values = {0.5, 0.4, 0.3, 0.2, 0.45, 0.35, 0.25, kNaN, 0.6, 0.5, kNaN, kNaN};
  h.row_label = "Cohort";
  h.column_label = "Age (months)";
  h.legend_label = "Retention";
  h.format.style = NumberStyle::percent;
  const auto svg = xml::parse(render(h));
  EXPECT_EQ(marks(*svg, "cell"), 9u);
  EXPECT_EQ(svg->by_class("legend-step").size(), 10u);
  EXPECT_TRUE(contains(texts_with_class(*svg, "axis-label"), "Cohort"));
  EXPECT_TRUE(contains(texts_with_class(*svg, "axis-label"), "Age (months)"));
  // The legend shows the extremes; the highest cell has the brightest colour.
  const auto ticks = texts_with_class(*svg, "tick");
  EXPECT_TRUE(contains(ticks, "60%"));
  EXPECT_TRUE(contains(ticks, "20%"));
  for (const auto* c : svg->by_class("cell")) {
    if (c->all_text().find("60%") != std::string::npos) {
      EXPECT_EQ(c->attr("fill"), scale_colour(1));
    }
    if (c->all_text().find("20%") != std::string::npos) {
      EXPECT_EQ(c->attr("fill"), scale_colour(0));
    }
  }
}

TEST(HeatMap, AllMissingOrMisshapenGivesANote) {
  HeatMap h;
  h.title = "x";
  h.rows = {"a"};
  h.columns = {"b", "c"};
  h.values = {kNaN, kNaN};
  EXPECT_EQ(texts_with_class(*xml::parse(render(h)), "empty-note").size(), 1u);
  h.values = {1};  // wrong size
  EXPECT_EQ(texts_with_class(*xml::parse(render(h)), "empty-note").size(), 1u);
}

TEST(Funnel, OneStagePerValueWithShares) {
  Funnel f;
  f.title = "Stages";
  f.stages = {"active", "at_risk", "lost"};
  f.values = {500, 250, 1000};
  f.format.style = NumberStyle::integer;
  const auto svg = xml::parse(render(f));
  EXPECT_EQ(marks(*svg, "stage"), 3u);
  EXPECT_TRUE(contains(texts_with_class(*svg, "value-label"), "1,000 (100% of largest)"));
  EXPECT_TRUE(contains(texts_with_class(*svg, "value-label"), "500 (50% of largest)"));
  f.values = {0, 0, 0};
  EXPECT_EQ(texts_with_class(*xml::parse(render(f)), "empty-note").size(), 1u);
}

TEST(Pareto, CurveIsMonotoneFromZeroToOneAndTopShareMatchesData) {
  std::vector<double> values;
  for (int i = 1; i <= 1000; ++i) values.push_back(1.0 / i);  // Zipf-like
  const Series s = pareto_curve(values, 51);
  ASSERT_EQ(s.x.size(), 51u);
  EXPECT_DOUBLE_EQ(s.y.front(), 0);
  EXPECT_NEAR(s.y.back(), 1, 1e-12);
  for (std::size_t i = 1; i < s.y.size(); ++i) EXPECT_GE(s.y[i], s.y[i - 1]);
  // Top 20% share computed directly.
  double total = 0, top = 0;
  for (int i = 1; i <= 1000; ++i) total += 1.0 / i, top += i <= 200 ? 1.0 / i : 0;
  EXPECT_NEAR(top_share_of_total(values, 0.2), top / total, 1e-6);
  // Equal values: the top 20% hold 20%.
  EXPECT_NEAR(top_share_of_total(std::vector<double>(37, 5.0), 0.2), 0.2, 1e-9);
  EXPECT_TRUE(std::isnan(top_share_of_total({}, 0.2)));
  EXPECT_TRUE(pareto_curve({0, 0}).x.empty());
}

TEST(HtmlTable, EscapesCellsAndAlignsNumbers) {
  HtmlTable t{{"name", "value"}, {{"<b>x</b> & y", "1,234"}, {"z", "5"}}, {false, true}};
  const auto doc = xml::parse(render(t));
  EXPECT_EQ(doc->by_name("tr").size(), 3u);
  const auto cells = doc->by_name("td");
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[0]->all_text(), "<b>x</b> & y");
  EXPECT_TRUE(cells[1]->has_class("num"));
  EXPECT_FALSE(cells[0]->has_class("num"));
}

}  // namespace
}  // namespace ltv::report
