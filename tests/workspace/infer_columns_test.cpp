// Column inference over parameters (every face) and the saved source config (issue 27).
#include "ltv/workspace/infer_columns.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "ltv/error.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

std::string write_file(const std::string& test, const std::string& text) {
  const auto path = test::temp_dir(test) / "tx.csv";
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

TEST(InferColumnParameters, SetsTheInferredColumnsAndTheDecimalComma) {
  Parameters p({"source"});
  p.set("file", write_file("infer_params_ru", "Клиент;Дата;Сумма\nА;01.12.2026;1,5\n"));
  const auto inferred = infer_column_parameters(p);
  ASSERT_TRUE(inferred.has_value());
  EXPECT_EQ(p.text("customer"), "Клиент");
  EXPECT_EQ(p.text("date"), "Дата");
  EXPECT_EQ(p.text("amount"), "Сумма");
  EXPECT_TRUE(p.flag("decimal_comma"));
  EXPECT_EQ(source_config_text(p),
            "# ltv: how to read this transaction file (ltv ... FILE --config THIS_FILE)\n"
            "customer = 'Клиент'\n"
            "date = 'Дата'\n"
            "amount = 'Сумма'\n"
            "decimal_comma = true\n");
}

TEST(InferColumnParameters, NothingInferredWhenNotNeededOrNotPossible) {
  const std::string file =
      write_file("infer_params_none", "customer_id,date,amount,product\n1,2026-12-01,10,x\n");
  {  // customer and date given: as before, no optional column added
    Parameters p({"source"});
    p.set("file", file);
    p.set("customer", "customer_id");
    p.set("date", "date");
    EXPECT_FALSE(infer_column_parameters(p).has_value());
    EXPECT_FALSE(p.given("product"));
    EXPECT_FALSE(p.given("amount"));
  }
  {  // stdin cannot be read twice
    Parameters p({"source"});
    p.set("file", "-");
    EXPECT_FALSE(infer_column_parameters(p).has_value());
  }
  {  // --no-header: columns by number
    Parameters p({"source"});
    p.set("file", file);
    p.set("no_header", "true");
    EXPECT_FALSE(infer_column_parameters(p).has_value());
  }
  {  // a customer summary (ltv fit / predict read it as such)
    Parameters p({"source"});
    p.set("file", test::shared_data("cdnow/cdnow_customers_summary.csv").string());
    EXPECT_FALSE(infer_column_parameters(p).has_value());
    EXPECT_FALSE(p.given("customer"));
  }
  {  // ltv basket with its baskets given needs no customer or date
    Parameters p({"source", "cross_sell", "basket"});
    p.set("file", test::shared_data("groceries/groceries_long.csv").string());
    p.set("basket", "transaction_id");
    p.set("item", "item");
    EXPECT_FALSE(infer_column_parameters(p).has_value());
  }
  {  // a file that cannot be read is left to the loader, which names the problem
    Parameters p({"source"});
    p.set("file", (test::temp_dir("infer_params_missing") / "absent.csv").string());
    EXPECT_FALSE(infer_column_parameters(p).has_value());
  }
}

TEST(InferColumnParameters, ItemIsTheProductGiven) {
  Parameters p({"source", "cross_sell", "recommend"});
  p.set("file", write_file("infer_params_item",
                           "customer_id,date,amount,product,description\n1,2026-12-01,10,x,y\n"));
  p.set("item", "description");
  const auto inferred = infer_column_parameters(p);
  ASSERT_TRUE(inferred.has_value());
  EXPECT_FALSE(p.given("product"));  // the item column stands for it
  EXPECT_EQ(inferred->describe(),
            "customer <- customer_id, date <- date, amount <- amount, product <- description");
}

TEST(SourceConfig, QuotesEveryValueSoTheConfigReaderTakesItBack) {
  Parameters p({"source"});
  p.set("customer", "Client's id");
  p.set("date", "Дата");
  p.set("date_format", "%d/%m/%Y");
  EXPECT_EQ(source_config_text(p),
            "# ltv: how to read this transaction file (ltv ... FILE --config THIS_FILE)\n"
            "customer = \"Client's id\"\n"
            "date = 'Дата'\n"
            "date_format = '%d/%m/%Y'\n");
  p.set("customer", "a'b\"c");
  try {
    (void)source_config_text(p);
    ADD_FAILURE() << "a value with both quotes was written";
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.key(), "save_config");
  }
}

}  // namespace
}  // namespace ltv
