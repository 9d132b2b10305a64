// End to end in a real browser: simulate data, run `ltv analyze` (which writes report.html),
// open the page in headless Chromium (Debian `chromium`, installed by scripts/test.sh), keep a
// screenshot under the build folder and check the DOM the browser built: every section present,
// every chart with plotted marks. Fails (never skips) when chromium is missing.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

#include "ltv/report/report.hpp"
#include "test_data.hpp"

namespace {

namespace fs = std::filesystem;
using ltv::test::run;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

/// Simulates, analyzes with `--lang lang`, opens report.html in Chromium and checks the DOM.
/// Returns the DOM the browser built.
std::string check_report_in_browser(const std::string& lang) {
  std::string dom_out;
  [&] {
    const auto which = run("command -v chromium");
    ASSERT_EQ(which.exit_code, 0)
        << "chromium is not installed: the report's browser test needs Debian's `chromium` "
           "(scripts/test.sh installs it through scripts/deps.sh chromium chromium-driver)";
    const fs::path dir = ltv::test::temp_dir("report_browser_" + lang);
    const std::string cli = ltv::test::cli();
    auto r = run(cli + " simulate --customers 3000 --seed 3 -o " + (dir / "data").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const fs::path out = dir / "out";
    r = run(cli + " analyze " + (dir / "data/transactions.csv").string() +
            " --customer customer_id --date date --amount amount --order order_id --spend " +
            (dir / "data/spend.csv").string() + " --customers " +
            (dir / "data/customers.csv").string() + " --compare loyalty_member --lang " + lang +
            " --quiet -o " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const fs::path html_path = out / "report.html";
    ASSERT_TRUE(fs::exists(html_path)) << r.out;
    std::ifstream f(html_path);
    const std::string html((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());

    const fs::path artifacts = fs::path(cli).parent_path().parent_path() / "artifacts";
    fs::create_directories(artifacts);
    const fs::path png = artifacts / (lang == "en" ? "report.png" : "report_" + lang + ".png");
    fs::remove(png);
    const std::string browser =
        "chromium --headless=new --no-sandbox --disable-gpu "
        "--no-first-run --user-data-dir=" +
        (dir / "chromium-profile").string() + " ";
    r = run(browser + "--screenshot=" + png.string() + " --window-size=1280,4000 file://" +
            html_path.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(fs::exists(png)) << r.err;
    EXPECT_GT(fs::file_size(png), 20000u);  // a blank page compresses to a few KB
    std::ifstream p(png, std::ios::binary);
    std::string magic(8, '\0');
    p.read(magic.data(), 8);
    EXPECT_EQ(magic, "\x89PNG\r\n\x1a\n");
    std::cout << "report screenshot: " << png.string() << "\n";

    r = run(browser + "--dump-dom file://" + html_path.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string& dom = r.out;
    ASSERT_NE(dom.find("</html>"), std::string::npos) << dom.substr(0, 500);
    for (const auto& id : ltv::report::report_section_ids()) {
      EXPECT_NE(dom.find("<section id=\"" + id + "\""), std::string::npos) << id;
    }
    // Every chart the browser built has plotted marks; sections whose inputs analyze does not
    // write yet carry notes, not empty charts.
    std::size_t charts = 0;
    for (auto pos = dom.find("<svg class=\"chart"); pos != std::string::npos;
         pos = dom.find("<svg class=\"chart", pos + 1)) {
      const auto end = dom.find("</svg>", pos);
      ASSERT_NE(end, std::string::npos);
      const std::string svg = dom.substr(pos, end - pos);
      const std::string label = svg.substr(0, svg.find('>'));
      EXPECT_EQ(svg.find("chart empty"), std::string::npos) << "not enough data: " << label;
      std::size_t marks = 0;
      for (const char* element :
           {"<path class=\"mark", "<rect class=\"mark", "<circle class=\"mark"}) {
        marks += count(svg, element);
      }
      EXPECT_GT(marks, 0u) << label;
      ++charts;
    }
    EXPECT_GE(charts, 16u);
    EXPECT_EQ(charts, count(html, "<svg class=\"chart"));  // the browser kept every chart
    EXPECT_EQ(count(dom, "class=\"mark"), count(html, "class=\"mark"));
    std::cout << "charts: " << charts << ", marks: " << count(dom, "class=\"mark") << "\n";
    dom_out = dom;
  }();
  return dom_out;
}

TEST(ReportBrowser, SlowAnalyzeReportOpensInHeadlessChromiumWithEveryChartDrawn) {
  const std::string dom = check_report_in_browser("en");
  EXPECT_NE(dom.find("<h2>Headline</h2>"), std::string::npos);
}

// The Russian page as the browser builds it: every section and chart as in English, the
// headings translated, money in roubles with Russian digit grouping (no-break spaces).
TEST(ReportBrowser, SlowRussianReportOpensInHeadlessChromiumWithEveryChartDrawn) {
  const std::string dom = check_report_in_browser("ru");
  for (const char* heading : {"<h2>Главное</h2>", "<h2>Качество модели</h2>", "<h2>Когорты</h2>",
                              "<h2>Сегменты</h2>", "<h2>Список действий на сегодня</h2>"}) {
    EXPECT_NE(dom.find(heading), std::string::npos) << heading;
  }
  for (const char* english : {"<h2>Headline</h2>", "<h2>Model fit</h2>", "<h2>Segments</h2>"}) {
    EXPECT_EQ(dom.find(english), std::string::npos) << english;
  }
  // Chromium serialises U+00A0 as &nbsp; in the DOM dump.
  EXPECT_TRUE(dom.find("&nbsp;\u20bd</div>") != std::string::npos ||
              dom.find("\u00a0\u20bd</div>") != std::string::npos);
}

}  // namespace
