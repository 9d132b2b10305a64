#include "ltv/nps/nps.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "ltv/error.hpp"
#include "ltv/io/table.hpp"

namespace {

ltv::NpsRow row(std::int64_t line, std::string customer, std::string date, std::string score,
                std::string comment = "", std::string channel = "web") {
  return ltv::NpsRow{line,
                     std::move(customer),
                     std::move(date),
                     std::move(score),
                     std::move(comment),
                     std::move(channel)};
}

// Hand-made table: 8 answers in January (4 promoters, 2 passives, 2 detractors) and 3 promoters
// in February, over two channels.
std::vector<ltv::NpsRow> hand_table() {
  return {row(2, "a", "2024-01-03", "10", "great service #fast", "web"),
          row(3, "b", "2024-01-04", "9", "", "web"),
          row(4, "c", "2024-01-05", "8", "ok", "store"),
          row(5, "d", "2024-01-06", "7", "slow delivery", "store"),
          row(6, "e", "2024-01-07", "6", "Delivery was late, late again #delivery", "web"),
          row(7, "f", "2024-01-08", "0", "rude staff and late delivery", "store"),
          row(8, "g", "2024-01-09", "10", "", "web"),
          row(9, "h", "2024-01-10", "10", "", "web"),
          row(10, "a", "2024-02-01", "10", "", "web"),
          row(11, "b", "2024-02-02", "9", "", "web"),
          row(12, "i", "2024-02-03", "9", "", "store")};
}

}  // namespace

TEST(Nps, ClassifiesScores) {
  EXPECT_EQ(ltv::classify_score(0), ltv::NpsClass::detractor);
  EXPECT_EQ(ltv::classify_score(6), ltv::NpsClass::detractor);
  EXPECT_EQ(ltv::classify_score(7), ltv::NpsClass::passive);
  EXPECT_EQ(ltv::classify_score(8), ltv::NpsClass::passive);
  EXPECT_EQ(ltv::classify_score(9), ltv::NpsClass::promoter);
  EXPECT_EQ(ltv::classify_score(10), ltv::NpsClass::promoter);
  EXPECT_THROW(ltv::classify_score(11), ltv::InputError);
  EXPECT_THROW(ltv::classify_score(-1), ltv::InputError);
}

TEST(Nps, EstimateWithMultinomialStandardError) {
  // P = 4, passives = 2, D = 2 of n = 8: NPS = 25. p = 1/2, d = 1/4,
  // Var = (3/4 - 1/16) / 8 = 11/128, se = 100 sqrt(11/128).
  std::vector<int> scores{10, 9, 8, 7, 6, 0, 10, 10};
  auto e = ltv::estimate_nps(scores);
  EXPECT_EQ(e.answers, 8u);
  EXPECT_EQ(e.promoters, 4u);
  EXPECT_EQ(e.passives, 2u);
  EXPECT_EQ(e.detractors, 2u);
  ASSERT_TRUE(e.nps.has_value());
  EXPECT_DOUBLE_EQ(*e.nps, 25.0);
  EXPECT_NEAR(*e.standard_error, 100.0 * std::sqrt(11.0 / 128.0), 1e-12);
  EXPECT_NEAR(*e.ci_low, 25.0 - 1.959963984540054 * 100.0 * std::sqrt(11.0 / 128.0), 1e-9);
  EXPECT_NEAR(*e.ci_high, 25.0 + 1.959963984540054 * 100.0 * std::sqrt(11.0 / 128.0), 1e-9);
  std::vector<int> bad{10, 11};
  EXPECT_THROW(ltv::estimate_nps(bad), ltv::InputError);
}

TEST(Nps, AllPromotersAndEmptyGroups) {
  auto all = ltv::estimate_nps(5, 0, 0);
  EXPECT_DOUBLE_EQ(*all.nps, 100.0);
  EXPECT_DOUBLE_EQ(*all.standard_error, 0.0);
  EXPECT_DOUBLE_EQ(*all.ci_low, 100.0);
  EXPECT_DOUBLE_EQ(*all.ci_high, 100.0);
  auto none = ltv::estimate_nps(0, 0, 0);
  EXPECT_EQ(none.answers, 0u);
  EXPECT_FALSE(none.nps.has_value());
  EXPECT_FALSE(none.ci_low.has_value());
  // Interval clipped to [-100, 100].
  auto wide = ltv::estimate_nps(1, 0, 1);
  EXPECT_DOUBLE_EQ(*wide.nps, 0.0);
  EXPECT_DOUBLE_EQ(*wide.standard_error, 100.0 * std::sqrt(1.0 / 2.0));
  EXPECT_DOUBLE_EQ(*wide.ci_low, -100.0);
  EXPECT_DOUBLE_EQ(*wide.ci_high, 100.0);
}

TEST(Nps, ByPeriodAndChannelOnHandMadeTable) {
  auto rows = hand_table();
  auto parsed = ltv::parse_nps_rows(rows);
  ASSERT_TRUE(parsed.problems.empty());
  const auto& a = parsed.answers;
  ASSERT_EQ(a.size(), 11u);
  std::vector<std::string> month;
  for (auto d : a.day) month.push_back(ltv::period_label(d, ltv::NpsPeriod::month));
  std::vector<std::string> extra{"2024-03"};
  auto by_month = ltv::nps_by_group(a, month, extra);
  ASSERT_EQ(by_month.size(), 3u);
  EXPECT_EQ(by_month.group[0], "2024-01");
  EXPECT_DOUBLE_EQ(*by_month.estimate[0].nps, 25.0);
  EXPECT_EQ(by_month.group[1], "2024-02");  // all promoters
  EXPECT_DOUBLE_EQ(*by_month.estimate[1].nps, 100.0);
  EXPECT_DOUBLE_EQ(*by_month.estimate[1].standard_error, 0.0);
  EXPECT_EQ(by_month.group[2], "2024-03");  // empty
  EXPECT_EQ(by_month.estimate[2].answers, 0u);
  EXPECT_FALSE(by_month.estimate[2].nps.has_value());

  auto by_channel = ltv::nps_by_group(a, a.channel);
  ASSERT_EQ(by_channel.size(), 2u);
  EXPECT_EQ(by_channel.group[0], "store");  // c 8, d 7, f 0, i 9: (1 - 1) / 4
  EXPECT_DOUBLE_EQ(*by_channel.estimate[0].nps, 0.0);
  EXPECT_EQ(by_channel.group[1], "web");  // 10 9 6 10 10 10 9: (6 - 1) / 7
  EXPECT_NEAR(*by_channel.estimate[1].nps, 500.0 / 7.0, 1e-12);
  std::vector<std::string> wrong(3, "x");
  EXPECT_THROW(ltv::nps_by_group(a, wrong), ltv::InputError);
}

TEST(Nps, ReportsBadScoresDuplicatesAndUnknownCustomersWithLines) {
  std::vector<ltv::NpsRow> rows{row(2, "a", "2024-01-03", "10"), row(3, "b", "2024-01-03", "11"),
                                row(4, "c", "2024-01-03", "-1"), row(5, "d", "2024-01-03", "x"),
                                row(6, "a", "2024-01-03", "5"),  row(7, "z", "2024-01-03", "8"),
                                row(8, "e", "2024-13-01", "8"),  row(9, "", "2024-01-03", "8")};
  std::vector<std::string> known{"a", "b", "c", "d", "e"};
  auto parsed = ltv::parse_nps_rows(rows, {known});
  ASSERT_EQ(parsed.problems.size(), 7u);
  EXPECT_EQ(parsed.problems[0].line, 3);
  EXPECT_EQ(parsed.problems[0].kind, "score_out_of_range");
  EXPECT_EQ(parsed.problems[1].line, 4);
  EXPECT_EQ(parsed.problems[1].kind, "score_out_of_range");
  EXPECT_EQ(parsed.problems[2].line, 5);
  EXPECT_EQ(parsed.problems[2].kind, "bad_score");
  EXPECT_EQ(parsed.problems[3].line, 6);
  EXPECT_EQ(parsed.problems[3].kind, "duplicate");
  EXPECT_NE(parsed.problems[3].detail.find("line 2"), std::string::npos);
  EXPECT_EQ(parsed.problems[4].line, 7);
  EXPECT_EQ(parsed.problems[4].kind, "unknown_customer");
  EXPECT_EQ(parsed.problems[5].line, 8);
  EXPECT_EQ(parsed.problems[5].kind, "bad_date");
  EXPECT_EQ(parsed.problems[6].line, 9);
  EXPECT_EQ(parsed.problems[6].kind, "missing_customer");
  // Kept: a (line 2) and the unknown z (flagged).
  ASSERT_EQ(parsed.answers.size(), 2u);
  EXPECT_TRUE(parsed.answers.known_customer[0]);
  EXPECT_FALSE(parsed.answers.known_customer[1]);
}

TEST(Nps, PeriodLabels) {
  auto day = [](const char* d) {
    std::vector<ltv::NpsRow> r{row(1, "x", d, "5")};
    return ltv::parse_nps_rows(r).answers.day.at(0);
  };
  EXPECT_EQ(ltv::period_label(day("2024-01-01"), ltv::NpsPeriod::week), "2024-W01");
  EXPECT_EQ(ltv::period_label(day("2021-01-03"), ltv::NpsPeriod::week), "2020-W53");
  EXPECT_EQ(ltv::period_label(day("2019-12-30"), ltv::NpsPeriod::week), "2020-W01");
  EXPECT_EQ(ltv::period_label(day("2024-05-17"), ltv::NpsPeriod::month), "2024-05");
  EXPECT_EQ(ltv::period_label(day("2024-05-17"), ltv::NpsPeriod::quarter), "2024-Q2");
  EXPECT_EQ(ltv::period_label(day("2024-05-17"), ltv::NpsPeriod::year), "2024");
  EXPECT_EQ(day("1970-01-02"), 1);
  EXPECT_THROW(ltv::parse_nps_period("day"), ltv::InputError);
}

TEST(Nps, FollowUpsForEveryScoreBelowTen) {
  auto parsed = ltv::parse_nps_rows(hand_table());
  ltv::FollowUpOptions options;
  options.owner_by_channel["store"] = "store-manager";
  auto items = ltv::follow_ups(parsed.answers, options);
  // Scores below 10: 9, 8, 7, 6, 0, 9, 9.
  ASSERT_EQ(items.size(), 7u);
  EXPECT_EQ(items[0].customer, "f");
  EXPECT_EQ(items[0].score, 0);
  EXPECT_EQ(items[0].priority, "high");
  EXPECT_EQ(items[0].owner, "store-manager");
  EXPECT_EQ(items[0].due_day, items[0].day + 2);
  EXPECT_EQ(items[1].customer, "e");
  EXPECT_EQ(items[1].owner, "customer-care");
  EXPECT_EQ(items.back().score, 9);
  EXPECT_EQ(items.back().priority, "normal");
  EXPECT_EQ(items.back().due_day, items.back().day + 7);
  options.below = 7;  // detractors only
  EXPECT_EQ(ltv::follow_ups(parsed.answers, options).size(), 2u);
  options.below = 0;
  EXPECT_THROW(ltv::follow_ups(parsed.answers, options), ltv::InputError);
}

TEST(Nps, TopTermsOfDetractorComments) {
  std::vector<std::string> comments{"Delivery was late, late again #delivery",
                                    "rude staff and late delivery", "The app crashed"};
  auto terms = ltv::top_terms(comments, 3);
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[0].term, "delivery");  // once per comment
  EXPECT_EQ(terms[0].comments, 2u);
  EXPECT_EQ(terms[1].term, "late");
  EXPECT_EQ(terms[1].comments, 2u);
  EXPECT_EQ(terms[2].term, "#delivery");
  EXPECT_EQ(terms[2].comments, 1u);
}

TEST(Nps, ValueOfPromotersPassivesDetractors) {
  // Log: customers a (promoter), c (passive), f (detractor), x (no answer).
  ltv::TransactionLog log;
  log.customer_ids = {"a", "c", "f", "x"};
  auto parsed = ltv::parse_nps_rows(hand_table());
  const auto& ans = parsed.answers;
  std::int32_t jan10 = ans.day[7];  // 2024-01-10
  // a: before 10, after 20 + 30 (two purchases); c: before 5, after 0; f: before 8, after 0;
  // x buys late to extend the log to jan10 + 400.
  log.customer = {0, 0, 0, 1, 2, 3};
  log.day = {jan10 - 30, jan10 + 40, jan10 + 100, jan10 - 20, jan10 - 10, jan10 + 400};
  log.amount = {10, 20, 30, 5, 8, 1};
  std::unordered_map<std::string, double> ltv{{"a", 100.0}, {"f", 4.0}};
  auto rows = ltv::nps_value_link(ans, log, {180}, ltv);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].cls, ltv::NpsClass::detractor);
  EXPECT_EQ(rows[0].customers, 1u);
  EXPECT_EQ(rows[0].retained, 0u);
  EXPECT_DOUBLE_EQ(*rows[0].retention, 0.0);
  EXPECT_DOUBLE_EQ(*rows[0].value_before, 8.0);
  EXPECT_DOUBLE_EQ(*rows[0].mean_ltv, 4.0);
  EXPECT_EQ(rows[1].customers, 1u);  // c
  EXPECT_FALSE(rows[1].mean_ltv.has_value());
  EXPECT_EQ(rows[2].customers, 1u);  // a: latest answer 2024-02-01 (10)
  EXPECT_EQ(rows[2].retained, 1u);
  // a answered again on 2024-02-01 (22 days after jan10): after = purchases in (feb1, feb1+180].
  EXPECT_DOUBLE_EQ(*rows[2].value_after, 20.0 + 30.0);
  EXPECT_DOUBLE_EQ(*rows[2].value_before, 10.0);
  ltv::TransactionLog empty;
  EXPECT_THROW(ltv::nps_value_link(ans, empty), ltv::InputError);
}

TEST(Nps, ClassMeansUseTheLatestAnswerOfEachCustomer) {
  auto parsed = ltv::parse_nps_rows(hand_table());
  // Customers a (10 then 10), b (9 then 9), c (8), d (7), e (6), f (0), i (9); g and h are
  // left out of the list and z has no answer. f's value is NaN: counted but not averaged.
  const std::vector<std::string> ids{"a", "b", "c", "d", "e", "f", "i", "z"};
  const std::vector<double> value{1, 2, 3, 5, 7, std::nan(""), 4, 100};
  const auto rows = ltv::nps_class_means(parsed.answers, ids, value);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].cls, ltv::NpsClass::detractor);
  EXPECT_EQ(rows[0].customers, 2u);  // e, f
  EXPECT_EQ(rows[0].valued, 1u);
  EXPECT_DOUBLE_EQ(*rows[0].mean, 7.0);
  EXPECT_EQ(rows[1].customers, 2u);  // c, d
  EXPECT_DOUBLE_EQ(*rows[1].mean, 4.0);
  EXPECT_EQ(rows[2].customers, 3u);  // a, b, i
  EXPECT_DOUBLE_EQ(*rows[2].mean, (1.0 + 2.0 + 4.0) / 3.0);

  // The latest answer decides: a detractor answer after a promoter one moves the customer.
  auto rows_in = hand_table();
  rows_in.push_back(row(13, "a", "2024-03-01", "3"));
  const auto moved = ltv::nps_class_means(ltv::parse_nps_rows(rows_in).answers, ids, value);
  EXPECT_EQ(moved[0].customers, 3u);
  EXPECT_DOUBLE_EQ(*moved[0].mean, (7.0 + 1.0) / 2.0);
  EXPECT_EQ(moved[2].customers, 2u);

  // No respondent in a class: empty mean; sizes must agree.
  const std::vector<std::string> only_c{"c"};
  const auto single = ltv::nps_class_means(parsed.answers, only_c, std::vector<double>{3});
  EXPECT_FALSE(single[0].mean.has_value());
  EXPECT_EQ(single[1].customers, 1u);
  EXPECT_THROW(ltv::nps_class_means(parsed.answers, ids, std::vector<double>{1}), ltv::InputError);
}

namespace {

// Answers handed over as a table (a DataFrame's columns) are the rows of the same file.
TEST(Nps, RowsFromATableEqualTheFilesRows) {
  const std::string text =
      "Customer_ID,score,date,channel\n"
      "a,10,2024-01-03,web\n"
      "b,x,2024-01-04,store\n";
  const auto dir = std::filesystem::temp_directory_path() / "ltv_nps_table_test";
  std::filesystem::create_directories(dir);
  const auto path = (dir / "nps.csv").string();
  std::ofstream(path) << text;
  const auto from_file = ltv::read_nps_rows(path);
  const auto from_table = ltv::nps_rows_from_table(ltv::read_table_text(text, {}, "answers"));
  ASSERT_EQ(from_table.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(from_table[i].line, from_file[i].line);
    EXPECT_EQ(from_table[i].customer, from_file[i].customer);
    EXPECT_EQ(from_table[i].date, from_file[i].date);
    EXPECT_EQ(from_table[i].score, from_file[i].score);
    EXPECT_EQ(from_table[i].comment, "");
    EXPECT_EQ(from_table[i].channel, from_file[i].channel);
  }
  std::filesystem::remove_all(dir);
  try {
    ltv::nps_rows_from_table(
        ltv::read_table_text("customer_id,date\na,2024-01-01\n", {}, "answers"));
    FAIL() << "answers without a score column were read";
  } catch (const ltv::InputError& e) {
    EXPECT_EQ(e.where().file, "answers");
    EXPECT_EQ(e.where().column, "score");
  }
}

// Found by the `table` fuzz target: a score of 11 digits overflowed a signed int while it was
// parsed (undefined behaviour, an abort under UBSan). It is a bad score, named as such.
TEST(Nps, HugeDigitScoresAreBadScoresNotOverflows) {
  const std::vector<ltv::NpsRow> rows{row(2, "a", "2024-01-03", "19819970100"),
                                      row(3, "b", "2024-01-03", "99999999999999999999"),
                                      row(4, "c", "19819970100-01-01", "7")};
  const ltv::NpsParseResult r = ltv::parse_nps_rows(rows);
  ASSERT_EQ(r.problems.size(), 3u);
  EXPECT_EQ(r.problems[0].kind, "bad_score");
  EXPECT_EQ(r.problems[1].kind, "bad_score");
  EXPECT_EQ(r.problems[2].kind, "bad_date");
  EXPECT_EQ(r.answers.size(), 0u);
}

}  // namespace
