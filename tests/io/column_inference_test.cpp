// Column inference (issue 27): the mapping inferred from header names and first rows, on the real
// data sets of ../shared/data (their headers as documented in its README.md) and on
// Russian-formatted files written here.
#include "ltv/io/column_inference.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "ltv/error.hpp"
#include "ltv/io/load.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

ColumnInference infer_file(const std::string& path, ColumnInferenceOptions options = {}) {
  const ColumnSample sample = read_column_sample(path, CsvOptions{});
  check_utf8(sample);
  return infer_columns(sample, options);
}

std::string write_file(const std::string& test, const std::string& name, const std::string& text) {
  const auto path = test::temp_dir(test) / name;
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

/// The ParameterError infer_file throws (its key and message); fails the test when none.
ParameterError inference_error(const std::string& path, ColumnInferenceOptions options = {}) {
  try {
    infer_file(path, options);
  } catch (const ParameterError& e) {
    return e;
  }
  ADD_FAILURE() << "no ParameterError for " << path;
  return ParameterError("none", "", "");
}

TEST(ColumnNames, NormalisedCaseSpaceAndPunctuationInsensitive) {
  EXPECT_EQ(normalize_column_name("CustomerID"), "customerid");
  EXPECT_EQ(normalize_column_name("customer_id"), "customerid");
  EXPECT_EQ(normalize_column_name(" Customer ID "), "customerid");
  EXPECT_EQ(normalize_column_name("Cov.Date"), "covdate");
  EXPECT_EQ(normalize_column_name("КЛИЕНТ"), "клиент");
  EXPECT_EQ(normalize_column_name("Дата заказа"), "датазаказа");
  EXPECT_EQ(normalize_column_name("№ заказа"), "номерзаказа");
  EXPECT_EQ(normalize_column_name("Кол-во"), "колво");
  EXPECT_EQ(normalize_column_name("Ёмкость"), "емкость");
  EXPECT_EQ(normalize_column_name("Сумма,\u00a0руб."), "суммаруб");
}

// ---- real data (headers as listed in ../shared/data/README.md)

TEST(ColumnInferenceRealData, OnlineRetailQuantityTimesUnitPrice) {
  // InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
  const auto m = infer_file(test::shared_data("online_retail/online_retail.csv.gz").string());
  EXPECT_EQ(m.columns.customer, "CustomerID");
  EXPECT_EQ(m.columns.date, "InvoiceDate");
  EXPECT_EQ(m.columns.amount, "");
  EXPECT_EQ(m.columns.quantity, "Quantity");
  EXPECT_EQ(m.columns.price, "UnitPrice");
  EXPECT_EQ(m.columns.order, "InvoiceNo");
  EXPECT_EQ(m.columns.product, "StockCode");
  EXPECT_EQ(m.columns.region, "Country");
  EXPECT_EQ(m.columns.category, "");
  EXPECT_FALSE(m.decimal_comma);
  EXPECT_EQ(m.describe(),
            "customer <- CustomerID, date <- InvoiceDate, amount <- Quantity x UnitPrice, "
            "order <- InvoiceNo, product <- StockCode, region <- Country");
}

TEST(ColumnInferenceRealData, CdnowMasterWhitespaceSeparated) {
  // ` customer_id  date number_of_cds  dollar_value`, blank-separated, CRLF.
  const auto m = infer_file(test::shared_data("cdnow/CDNOW_master.txt").string());
  EXPECT_EQ(m.columns.customer, "customer_id");
  EXPECT_EQ(m.columns.date, "date");
  EXPECT_EQ(m.columns.amount, "dollar_value");
  EXPECT_EQ(m.describe(), "customer <- customer_id, date <- date, amount <- dollar_value");
}

TEST(ColumnInferenceRealData, CdnowElogTwoIdColumnsAreAmbiguous) {
  // masterid,sampleid,date,cds,sales: two customer ids (master and sample numbering).
  const std::string path = test::shared_data("cdnow/cdnowElog.csv").string();
  const ParameterError e = inference_error(path);
  EXPECT_EQ(e.key(), "customer");
  EXPECT_EQ(
      e.expected(),
      "one column, but the customer column is ambiguous: 'masterid' or 'sampleid'; say which");
  // Saying which settles it; the rest is inferred.
  ColumnInferenceOptions given;
  given.given.customer = "sampleid";
  const auto m = infer_file(path, given);
  EXPECT_EQ(m.describe(), "customer <- sampleid, date <- date, amount <- sales");
  EXPECT_FALSE(m.roles[0].inferred);
  EXPECT_TRUE(m.roles[1].inferred);
}

TEST(ColumnInferenceRealData, IdDatePriceFilesTakeThePriceAsTheAmount) {
  // CLVTools' Id,Date,CDs,Price and Id,Date,Price: Price is the transaction's value.
  for (const char* file : {"cdnow/clvtools_cdnow.csv", "apparel/apparelTrans.csv"}) {
    const auto m = infer_file(test::shared_data(file).string());
    EXPECT_EQ(m.describe(), "customer <- Id, date <- Date, amount <- Price") << file;
    EXPECT_EQ(m.columns.amount, "Price") << file;
    EXPECT_EQ(m.columns.price, "") << file;
  }
}

TEST(ColumnInferenceRealData, GroceryElogHasNoAmount) {
  const auto m = infer_file(test::shared_data("grocery_elog/groceryElog.csv").string());
  EXPECT_EQ(m.describe(), "customer <- cust, date <- date");
  EXPECT_EQ(m.columns.amount, "");
}

TEST(ColumnInferenceRealData, CompleteJourneyHouseholdsBasketsStores) {
  // household_id,store_id,basket_id,product_id,quantity,sales_value,retail_disc,coupon_disc,
  // coupon_match_disc,week,transaction_timestamp
  const auto m =
      infer_file(test::shared_data("completejourney/transactions_sample.csv.gz").string());
  EXPECT_EQ(m.describe(),
            "customer <- household_id, date <- transaction_timestamp, amount <- sales_value, "
            "quantity <- quantity, order <- basket_id, product <- product_id, region <- store_id");
}

TEST(ColumnInferenceRealData, CustomerSummaryHasNoDateColumn) {
  // ID,frequency,recency,T: an id but no date; the message lists the file's columns.
  const std::string path = test::shared_data("cdnow/cdnow_customers_summary.csv").string();
  const ParameterError e = inference_error(path);
  EXPECT_EQ(e.key(), "date");
  EXPECT_EQ(e.expected(),
            "the column of the purchase date (a header name or a number): no column of " + path +
                " is recognised as one; its columns: ID, frequency, recency, T");
}

TEST(ColumnInferenceRealData, HeaderlessCdnowSampleIsToldToUseNoHeader) {
  // CDNOW_sample.txt has no header line: its first line is data.
  const std::string path = test::shared_data("cdnow/CDNOW_sample.txt").string();
  const ParameterError e = inference_error(path);
  EXPECT_EQ(e.key(), "customer");
  EXPECT_EQ(e.expected(),
            "the column of the customer id (a header name or a number): no column of " + path +
                " is recognised as one; its columns: 00004, 0001, 19970101, 2, 29.33 (the first "
                "line looks like data: without a header line, give --no-header and the columns "
                "by number)");
}

TEST(ColumnInference, MonthDayOrderFromTheFirstRowsTogether) {
  // The common copy of Online Retail writes 12/1/2010 8:26 (month first): the first date alone
  // cannot tell, the second (12/13/2010) can.
  const std::string path =
      write_file("infer_mdy", "retail.csv",
                 "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,"
                 "Country\n"
                 "536365,85123A,HEART,6,12/1/2010 8:26,2.55,17850.0,United Kingdom\n"
                 "536366,22633,WARMER,6,12/13/2010 8:28,1.85,17850.0,United Kingdom\n");
  const auto m = infer_file(path);
  EXPECT_EQ(m.date_format, "%m/%d/%Y %H:%M");
  EXPECT_EQ(m.describe(),
            "customer <- CustomerID, date <- InvoiceDate, amount <- Quantity x UnitPrice, "
            "order <- InvoiceNo, product <- StockCode, region <- Country; dates %m/%d/%Y %H:%M");
  LoadOptions o;
  o.columns = m.columns;
  o.date_format = parse_date_format(m.date_format);
  LoadReport report;
  load_transactions(path, o, report);
  EXPECT_EQ(report.first_day, parse_date("2010-12-01"));
  EXPECT_EQ(report.last_day, parse_date("2010-12-13"));
  // ISO dates need nothing: the loader's automatic format reads them.
  EXPECT_EQ(infer_file(test::shared_data("apparel/apparelTrans.csv").string()).date_format, "");
}

TEST(ColumnInference, CustomerWordsBeforeABareId) {
  // A shop's order export: `id` is the order's; the customer is known by e-mail.
  const std::string path = write_file("infer_shop", "orders.csv",
                                      "id;customer_email;created_at;total;status\n"
                                      "1;a@example.org;2026-12-01T10:00:00+03:00;100.5;paid\n");
  EXPECT_EQ(infer_file(path).describe(),
            "customer <- customer_email, date <- created_at, amount <- total");
}

// ---- Russian-formatted exports

TEST(ColumnInferenceRussian, SemicolonDayMonthYearDecimalCommaCyrillicHeader) {
  const std::string path = write_file("infer_ru", "export.csv",
                                      "Клиент;Дата;Сумма\n"
                                      "ООО Ромашка;01.12.2026;1 234,56\n"
                                      "ИП Иванов;02.12.2026;99,90\n"
                                      "ООО Ромашка;07.12.2026;10\n");
  const auto m = infer_file(path);
  EXPECT_EQ(m.describe(), "customer <- Клиент, date <- Дата, amount <- Сумма; decimal comma");
  EXPECT_TRUE(m.decimal_comma);
  // Loaded with that mapping, the amounts are read with their decimal comma.
  LoadOptions o;
  o.columns = m.columns;
  o.decimal_comma = m.decimal_comma;
  LoadReport report;
  const TransactionLog log = load_transactions(path, o, report);
  EXPECT_EQ(report.delimiter, ";");
  EXPECT_EQ(report.rows_loaded, 3);
  EXPECT_NEAR(report.total_amount, 1234.56 + 99.90 + 10, 1e-9);
  EXPECT_EQ(log.customer_ids.size(), 2u);
}

TEST(ColumnInferenceRussian, OrderLinesQuantityTimesPriceTabSeparated) {
  const std::string path =
      write_file("infer_ru_tab", "lines.tsv",
                 "Покупатель\tДата заказа\t№ заказа\tТовар\tКатегория\tКол-во\tЦена\tМагазин\n"
                 "1001\t01.12.2026 10:15\t77-1\tЧай\tНапитки\t2\t150,50\tТверская\n"
                 "1002\t03.12.2026 18:40\t77-2\tКофе\tНапитки\t1\t420\tАрбат\n");
  const auto m = infer_file(path);
  EXPECT_EQ(m.describe(),
            "customer <- Покупатель, date <- Дата заказа, amount <- Кол-во x Цена, "
            "order <- № заказа, product <- Товар, category <- Категория, region <- Магазин; "
            "decimal comma");
}

TEST(ColumnInferenceRussian, ClientAndTaxIdAreAmbiguous) {
  const std::string path = write_file("infer_ru_inn", "b2b.csv",
                                      "Клиент;ИНН;Дата;Сумма\n"
                                      "ООО Ромашка;7701234567;01.12.2026;1000\n");
  const ParameterError e = inference_error(path);
  EXPECT_EQ(e.key(), "customer");
  EXPECT_EQ(e.expected(),
            "one column, but the customer column is ambiguous: 'Клиент' or 'ИНН'; say which");
}

TEST(ColumnInferenceRussian, Windows1251IsRefusedWithHowToConvert) {
  // "Клиент;Дата;Сумма" and one row in Windows-1251 (not UTF-8).
  const std::string path =
      write_file("infer_cp1251", "cp1251.csv",
                 "\xCA\xEB\xE8\xE5\xED\xF2;\xC4\xE0\xF2\xE0;\xD1\xF3\xEC\xEC\xE0\n"
                 "\xCE\xCE\xCE \xD0\xEE\xEC\xE0\xF8\xEA\xE0;01.12.2026;100,50\n");
  try {
    infer_file(path);
    ADD_FAILURE() << "a Windows-1251 header was accepted";
  } catch (const ParameterError& e) {
    ADD_FAILURE() << "not the encoding error: " << e.what();
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(path + ":1: found '\\xCA\\xEB", 0), 0u) << what;
    EXPECT_NE(what.find("expected UTF-8 text"), std::string::npos) << what;
    EXPECT_NE(what.find("iconv -f WINDOWS-1251 -t UTF-8 '" + path + "' > converted.csv"),
              std::string::npos)
        << what;
  }
  // The command the message suggests (glibc's iconv) makes the file readable.
  const std::string converted =
      (std::filesystem::path(path).parent_path() / "converted.csv").string();
  ASSERT_EQ(
      std::system(("iconv -f WINDOWS-1251 -t UTF-8 '" + path + "' > '" + converted + "'").c_str()),
      0);
  EXPECT_EQ(infer_file(converted).describe(),
            "customer <- Клиент, date <- Дата, amount <- Сумма; decimal comma");
}

// ---- ambiguity, absence, content

TEST(ColumnInference, TwoCustomerIdColumnsAreRefusedWithBothNamed) {
  const std::string path = write_file("infer_ambiguous", "a.csv",
                                      "client_id,customer_id,date,amount\n"
                                      "1,1,2026-12-01,10\n");
  const ParameterError e = inference_error(path);
  EXPECT_EQ(e.key(), "customer");
  EXPECT_EQ(e.expected(),
            "one column, but the customer column is ambiguous: 'client_id' or 'customer_id'; "
            "say which");
  EXPECT_EQ(std::string(e.what()),
            "parameter customer: found '', expected one column, but the customer column is "
            "ambiguous: 'client_id' or 'customer_id'; say which");
}

TEST(ColumnInference, TwoAmountColumnsAreRefused) {
  const std::string path = write_file("infer_two_amounts", "a.csv",
                                      "customer,date,total,revenue\n"
                                      "1,2026-12-01,10,12\n");
  const ParameterError e = inference_error(path);
  EXPECT_EQ(e.key(), "amount");
  EXPECT_NE(e.expected().find("'total' or 'revenue'"), std::string::npos) << e.expected();
}

TEST(ColumnInference, NoCustomerColumnListsTheHeader) {
  const std::string path = write_file("infer_none", "a.csv",
                                      "foo,bar,when\n"
                                      "x,1,2026-12-01\n");
  const ParameterError e = inference_error(path);
  EXPECT_EQ(e.key(), "customer");
  EXPECT_EQ(e.expected(),
            "the column of the customer id (a header name or a number): no column of " + path +
                " is recognised as one; its columns: foo, bar, when");
}

TEST(ColumnInference, ContentDecides) {
  // `date` holds no dates: not the date column, and the message shows what it holds.
  {
    const std::string path = write_file("infer_content", "a.csv",
                                        "customer,date,amount\n"
                                        "1,soon,10\n");
    const ParameterError e = inference_error(path);
    EXPECT_EQ(e.key(), "date");
    EXPECT_NE(e.expected().find("('date' holds 'soon', not a date)"), std::string::npos)
        << e.expected();
  }
  // A date-like name (weak) with dates beats nothing; `Total` holding text is no amount.
  {
    const std::string path = write_file("infer_content2", "b.csv",
                                        "user_id,ship_date,Total\n"
                                        "1,12/31/2026,n/a\n"
                                        "2,12/30/2026,\n");
    const auto m = infer_file(path);
    // (The detected month-first pattern takes a date without a time too.)
    EXPECT_EQ(m.describe(), "customer <- user_id, date <- ship_date; dates %m/%d/%Y %H:%M:%S");
    ASSERT_EQ(m.notes.size(), 1u);
    EXPECT_EQ(m.notes[0], "'Total' is not used as the amount column: it holds 'n/a', not a number");
  }
  // A strong name beats a weak one: `date` wins over `delivery_date`.
  {
    const std::string path = write_file("infer_content3", "c.csv",
                                        "customer,delivery_date,date,sum\n"
                                        "1,2026-12-05,2026-12-01,1.5\n");
    EXPECT_EQ(infer_file(path).describe(), "customer <- customer, date <- date, amount <- sum");
  }
}

TEST(ColumnInference, MixedDecimalMarksAreRefused) {
  const std::string path = write_file("infer_mixed", "a.csv",
                                      "customer;date;price;quantity\n"
                                      "1;2026-12-01;1,5;2.5\n");
  const ParameterError e = inference_error(path);
  EXPECT_EQ(e.key(), "decimal_comma");
  EXPECT_NE(e.expected().find("mix decimal points and decimal commas"), std::string::npos);
}

TEST(ColumnInference, GivenColumnsAreKeptAndNotReused) {
  const std::string path = write_file("infer_given", "a.csv",
                                      "id,customer_id,date,amount\n"
                                      "1,7,2026-12-01,10\n");
  ColumnInferenceOptions o;
  o.given.customer = "id";  // the user's choice, although customer_id looks like one
  o.optional_roles.clear();
  const auto m = infer_file(path, o);
  EXPECT_EQ(m.columns.customer, "id");
  EXPECT_EQ(m.describe(), "customer <- id, date <- date, amount <- amount");
  EXPECT_EQ(m.roles.size(), 3u);
}

}  // namespace
}  // namespace ltv
