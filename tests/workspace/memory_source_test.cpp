// A Workspace over in-memory transactions (TransactionSource::memory, as the Python module builds
// it from a DataFrame) gives the analysis of the same transactions read from their file.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "ltv/ltv.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

TEST(MemorySource, CdnowAnalysisEqualsTheFileSource) {
  const std::string path = test::shared_data("cdnow/CDNOW_sample.txt").string();
  LoadOptions lo;
  lo.csv.delimiter = Delimiter::whitespace;
  lo.csv.has_header = false;
  lo.columns.customer = "2";
  lo.columns.date = "3";
  lo.columns.amount = "5";
  Workspace from_file(TransactionSource::file(path, lo));

  // The same file read as a plain table, its columns handed over as a face would.
  const Table table = read_table(path, CsvOptions{Delimiter::whitespace, false, false});
  std::vector<std::int64_t> rows(table.rows());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<std::int64_t>(i);
  const std::vector<double> amount = table.numbers("#5");
  TransactionColumns columns;
  columns.source = "cdnow";
  columns.customer = CodedColumn{"sampleid", rows, table.columns[1]};
  columns.date_text = CodedColumn{"date", rows, table.columns[2]};
  columns.amount = NumberColumn{"dollars", amount};
  LoadReport report;
  TransactionLog log = transactions_from_columns(columns, LoadOptions{}, report);
  Workspace from_memory(TransactionSource::memory("cdnow", std::move(log), report));
  EXPECT_EQ(from_memory.load_report().rows_loaded, 6919);

  AnalyzeOptions o;
  o.calibration_end = parse_date("1997-09-30");
  const Analysis a = from_file.analyze(o);
  const Analysis b = from_memory.analyze(o);
  EXPECT_EQ(b.source, "cdnow");
  EXPECT_EQ(a.customers, b.customers);
  EXPECT_EQ(a.model_name, b.model_name);
  EXPECT_EQ(a.model.estimates, b.model.estimates);
  EXPECT_EQ(a.clv_total, b.clv_total);
  ASSERT_EQ(a.tables.size(), b.tables.size());
  for (const auto& [name, table_a] : a.tables) {
    const ResultTable* table_b = b.table(name);
    ASSERT_NE(table_b, nullptr) << name;
    EXPECT_EQ(to_csv(table_a), to_csv(*table_b)) << name;
  }
  // In-memory summaries are written without streaming a file.
  std::ostringstream out;
  from_memory.write_summaries(SummaryOptions{}, OutputFormat::csv, {},
                              [&]() -> std::ostream& { return out; });
  EXPECT_NE(out.str().find("customer_id,frequency"), std::string::npos);
}

}  // namespace
}  // namespace ltv
