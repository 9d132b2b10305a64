// Column inference on the command line (issue 27): the mapping printed on stderr, results with
// inferred columns identical to those with the columns given, ambiguity refused, and the
// --save-config round trip.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_data.hpp"

namespace {

using ltv::test::cli;
using ltv::test::run;

std::string q(const std::string& p) {
  return fmt::format("'{}'", p);
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The lines of `text` that start with `prefix`.
std::string lines_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) out += line + "\n";
  }
  return out;
}

TEST(CliColumns, OnlineRetailInferredSummaryEqualsExplicit) {
  const std::string file = ltv::test::shared_data("online_retail/online_retail.csv.gz").string();
  const auto inferred = run(cli() + " summary " + q(file));
  ASSERT_EQ(inferred.exit_code, 0) << inferred.err;
  EXPECT_EQ(lines_starting(inferred.err, "ltv: columns:"),
            "ltv: columns: customer <- CustomerID, date <- InvoiceDate, amount <- Quantity x "
            "UnitPrice, order <- InvoiceNo, product <- StockCode, region <- Country\n");
  const auto given = run(cli() + " summary " + q(file) +
                         " --customer CustomerID --date InvoiceDate --quantity Quantity --price "
                         "UnitPrice --order InvoiceNo --product StockCode --region Country");
  ASSERT_EQ(given.exit_code, 0) << given.err;
  EXPECT_EQ(lines_starting(given.err, "ltv: columns:"), "");  // every column given: no line
  ASSERT_FALSE(inferred.out.empty());
  EXPECT_TRUE(inferred.out == given.out) << "the summaries differ";
  // The optional columns matter: without --order, a customer's orders are counted by purchase
  // day, not by invoice, so the summary with only the required columns is another one.
  const auto minimal = run(cli() + " summary " + q(file) +
                           " --customer CustomerID --date InvoiceDate --quantity Quantity "
                           "--price UnitPrice");
  ASSERT_EQ(minimal.exit_code, 0) << minimal.err;
  EXPECT_FALSE(minimal.out == inferred.out);
}

TEST(CliColumns, RussianExportInferredSummaryEqualsExplicit) {
  const auto dir = ltv::test::temp_dir("cli_columns_ru");
  const std::string file = (dir / "выгрузка.csv").string();
  std::ofstream(file) << "Клиент;Дата;Сумма\n"
                         "ООО Ромашка;01.11.2026;1 234,56\n"
                         "ИП Иванов;02.11.2026;99,90\n"
                         "ООО Ромашка;20.11.2026;10\n"
                         "ИП Иванов;05.12.2026;\"2 000,00\"\n";
  const auto inferred = run(cli() + " summary " + q(file) + " --time-unit day");
  ASSERT_EQ(inferred.exit_code, 0) << inferred.err;
  EXPECT_EQ(lines_starting(inferred.err, "ltv: columns:"),
            "ltv: columns: customer <- Клиент, date <- Дата, amount <- Сумма; decimal comma\n");
  const auto given = run(cli() + " summary " + q(file) +
                         " --time-unit day --customer Клиент --date Дата --amount Сумма "
                         "--decimal-comma --delimiter ';'");
  ASSERT_EQ(given.exit_code, 0) << given.err;
  EXPECT_EQ(inferred.out, given.out);
  // Both customers bought twice; the amounts were read with their decimal comma: the mean
  // repeat spend of ООО Ромашка is 10 and of ИП Иванов 2000.
  EXPECT_NE(inferred.out.find("ООО Ромашка"), std::string::npos) << inferred.out;
  EXPECT_NE(inferred.out.find(",2000"), std::string::npos) << inferred.out;
}

TEST(CliColumns, AmbiguousCustomerRefusedWithCandidates) {
  const std::string file = ltv::test::shared_data("cdnow/cdnowElog.csv").string();
  const auto r = run(cli() + " summary " + q(file));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.err,
            "ltv: error: option --customer: found '', expected one column, but the customer "
            "column is ambiguous: 'masterid' or 'sampleid'; say which\n");
  const auto settled = run(cli() + " summary " + q(file) + " --customer sampleid");
  EXPECT_EQ(settled.exit_code, 0) << settled.err;
  EXPECT_EQ(lines_starting(settled.err, "ltv: columns:"),
            "ltv: columns: customer <- sampleid, date <- date, amount <- sales\n");
}

TEST(CliColumns, SaveConfigRoundTrip) {
  const auto dir = ltv::test::temp_dir("cli_columns_config");
  const std::string file = ltv::test::shared_data("online_retail/online_retail.csv.gz").string();
  const std::string config = (dir / "online_retail.toml").string();
  const auto first =
      run(cli() + " summary " + q(file) + " --returns drop --save-config " + q(config));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // Inferred and given options alike, as TOML key = 'value' lines; no temporary file left.
  EXPECT_EQ(read(config),
            "# ltv: how to read this transaction file (ltv ... FILE --config THIS_FILE)\n"
            "customer = 'CustomerID'\n"
            "date = 'InvoiceDate'\n"
            "order = 'InvoiceNo'\n"
            "quantity = 'Quantity'\n"
            "price = 'UnitPrice'\n"
            "product = 'StockCode'\n"
            "region = 'Country'\n"
            "returns = 'drop'\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);
  const auto second = run(cli() + " summary " + q(file) + " --config " + q(config));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(lines_starting(second.err, "ltv: columns:"), "");  // nothing left to infer
  EXPECT_TRUE(second.out == first.out) << "the summaries differ";
  // Another command reading the same export takes the same config.
  const auto kpis = run(cli() + " kpis " + q(file) + " --config " + q(config));
  EXPECT_EQ(kpis.exit_code, 0) << kpis.err;
  // The transaction file itself is never overwritten by --save-config.
  const std::string copy = (dir / "tx.csv").string();
  std::ofstream(copy) << "customer,date,amount\n1,2026-12-01,10\n";
  const auto refused = run(cli() + " summary " + q(copy) + " --save-config " + q(copy));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("--save-config"), std::string::npos) << refused.err;
  EXPECT_EQ(read(copy), "customer,date,amount\n1,2026-12-01,10\n");
  const auto nowhere = run(cli() + " summary " + q(copy) + " --save-config " +
                           q((dir / "missing" / "c.toml").string()));
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_NE(nowhere.err.find("ltv: error: option --save-config: found '"), std::string::npos)
      << nowhere.err;
}

TEST(CliColumns, IngestInfersTransactionsAndSummaryOfTheWorkspaceIsLeftAlone) {
  const auto dir = ltv::test::temp_dir("cli_columns_ingest");
  const std::string ws = (dir / "ltv.db").string();
  const std::string data = ltv::test::shared_data("cdnow/clvtools_cdnow.csv").string();
  ASSERT_EQ(run(cli() + " init " + q(ws)).exit_code, 0);
  // Id,Date,CDs,Price (README: 6,696 rows, 2,357 customers).
  auto r = run(cli() + " ingest " + q(ws) + " " + q(data));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines_starting(r.err, "ltv: columns:"),
            "ltv: columns: customer <- Id, date <- Date, amount <- Price\n");
  EXPECT_NE(r.out.find("Batch 1: 6696 transactions of 2357 customers"), std::string::npos) << r.out;
  // A workspace as FILE is a database, not a text file: nothing to infer, nothing printed.
  r = run(cli() + " summary " + q(ws));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines_starting(r.err, "ltv: columns:"), "");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2357 + 1);
}

TEST(CliColumns, Windows1251RefusedWithHowToConvert) {
  const auto dir = ltv::test::temp_dir("cli_columns_cp1251");
  const std::string file = (dir / "cp1251.csv").string();
  std::ofstream(file, std::ios::binary)
      << "\xCA\xEB\xE8\xE5\xED\xF2;\xC4\xE0\xF2\xE0;\xD1\xF3\xEC\xEC\xE0\n"
         "1;01.12.2026;100,50\n";
  const auto r = run(cli() + " summary " + q(file));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ltv: error: " + file +
                       ":1: found '\\xCA\\xEB\\xE8\\xE5\\xED\\xF2', expected UTF-8 text: the "
                       "file is in another encoding (a Windows-1251 export?); convert it first, "
                       "e.g. iconv -f WINDOWS-1251 -t UTF-8 '" +
                       file + "' > converted.csv\n");
}

}  // namespace
