// The jobs of `ltv recommend` and `ltv penetration` as functions over a Workspace.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "job_test_support.hpp"
#include "ltv/workspace/jobs_cross_sell.hpp"

namespace ltv {
namespace {

const std::vector<std::string_view> kRecommend{"source", "periods",    "output",
                                               "format", "cross_sell", "recommend"};
const std::vector<std::string_view> kPenetration{"source", "periods",    "output",
                                                 "format", "cross_sell", "penetration"};

/// Four bike buyers (2024-01-01); c1 buys a helmet a day later, c2 four days later, c3 a lock
/// two days later. First purchases within 60 days of the first bike: helmet 2 of 4, lock 1 of 4;
/// nothing follows a helmet or a lock.
Parameters bikes(const std::vector<std::pair<std::string, std::string>>& values) {
  static const std::filesystem::path file = [] {
    const std::filesystem::path f = test::temp_dir("recommend_job") / "bikes.csv";
    std::ofstream(f) << "customer_id,date,product\n"
                        "c1,2024-01-01,bike\nc1,2024-01-02,helmet\n"
                        "c2,2024-01-01,bike\nc2,2024-01-05,helmet\n"
                        "c3,2024-01-01,bike\nc3,2024-01-03,lock\n"
                        "c4,2024-01-01,bike\n";
    return f;
  }();
  Parameters p(kRecommend);
  p.set("file", file.string());
  p.set("customer", "customer_id");
  p.set("date", "date");
  p.set("item", "product");
  p.set("min_customers", "1");
  p.set("no_fill", "true");
  for (const auto& [key, value] : values) p.set(key, value);
  return p;
}

RecommendJobResult recommend(const Parameters& p, RecommendJobInputs inputs = {}) {
  const RecommendJobOptions options = recommend_job_options(p);
  Workspace ws(cross_sell_source(p));
  return recommend_job(ws, inputs, options);
}

/// (item, score, because) of each offer to `customer`, by rank.
std::vector<std::tuple<std::string, double, std::string>> offers(const ResultTable& t,
                                                                 std::string_view customer) {
  std::vector<std::tuple<std::string, double, std::string>> out;
  const TableSpec& s = t.spec();
  for (std::size_t i = 0; i < t.rows(); ++i) {
    if (t.text(s.index("customer_id"), i) != customer) continue;
    EXPECT_EQ(t.integer(s.index("rank"), i), static_cast<std::int64_t>(out.size() + 1));
    out.emplace_back(t.text(s.index("item"), i), t.real(s.index("score"), i),
                     t.text(s.index("because"), i));
  }
  return out;
}

using Offers = std::vector<std::tuple<std::string, double, std::string>>;

TEST(RecommendJob, OffersFollowOnSharesAndTheExclusionPolicy) {
  RecommendJobResult r = recommend(bikes({}));
  ASSERT_TRUE(r.recommendations);
  EXPECT_FALSE(r.evaluation);
  // score(Y) = 1 - prod over owned X of (1 - share(X -> Y)); owned items are not offered.
  EXPECT_EQ(offers(*r.recommendations, "c4"),
            (Offers{{"helmet", 0.5, "bike"}, {"lock", 0.25, "bike"}}));
  EXPECT_EQ(offers(*r.recommendations, "c1"), (Offers{{"lock", 0.25, "bike"}}));
  // A durable list (auto -> durable): only bikes are never offered again, helmets are.
  r = recommend(bikes({{"durable", "bike"}, {"for", "c1"}}));
  EXPECT_EQ(r.recommendations->rows(), 2u);
  EXPECT_EQ(offers(*r.recommendations, "c1"),
            (Offers{{"helmet", 0.5, "bike"}, {"lock", 0.25, "bike"}}));
  // The same list from a file (inputs) gives the same offers.
  RecommendJobInputs from_file;
  from_file.durable = {"bike"};
  r = recommend(bikes({{"for", "c1"}}), from_file);
  EXPECT_EQ(offers(*r.recommendations, "c1"),
            (Offers{{"helmet", 0.5, "bike"}, {"lock", 0.25, "bike"}}));
  // Up to the first day nothing has followed anything yet.
  r = recommend(bikes({{"as_of", "2024-01-01"}}));
  EXPECT_EQ(r.recommendations->rows(), 0u);
}

// Split 2024-01-03: history = c1 {bike, helmet}, c2..c4 {bike}; after the split c2 buys a helmet
// and c3 a lock (both new to them): 2 evaluated. The follow-on model (bike -> helmet, 1 of 4) and
// the popularity baseline (bike 4, helmet 1; bike owned) both offer only the helmet: at k = 1
// c2 hits, c3 misses (hit rate, precision, recall 1/2); at k = 2 precision is (1/2 + 0) / 2.
TEST(RecommendJob, EvaluationOnATimeSplitByHand) {
  const RecommendJobResult r = recommend(bikes({{"evaluate", "2024-01-03"}, {"k", "1\n2"}}));
  ASSERT_TRUE(r.evaluation);
  EXPECT_FALSE(r.recommendations);
  const ResultTable& t = *r.evaluation;
  ASSERT_EQ(t.rows(), 4u);
  const TableSpec& s = t.spec();
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(t.text(s.index("method"), i), i < 2 ? "follow_on" : "popularity");
    EXPECT_EQ(t.integer(s.index("k"), i), static_cast<std::int64_t>(i % 2 + 1));
    EXPECT_EQ(t.integer(s.index("customers"), i), 2);
    EXPECT_EQ(t.real(s.index("hit_rate"), i), 0.5);
    EXPECT_EQ(t.real(s.index("precision"), i), i % 2 == 0 ? 0.5 : 0.25);
    EXPECT_EQ(t.real(s.index("recall"), i), 0.5);
  }
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0].rfind("split 2024-01-03: 4 customers with history, 2 evaluated", 0), 0u)
      << r.notes[0];
}

TEST(RecommendJob, BadParametersNameTheirKey) {
  EXPECT_EQ(test::error_key([] { recommend(bikes({{"for", "c9"}})); }), "for");
  EXPECT_EQ(test::error_key([] {
              recommend_job_options(bikes({{"durable", "bike"}, {"exclude_owned", "all"}}));
            }),
            "durable");
  RecommendJobInputs from_file;
  from_file.durable = {"bike"};
  EXPECT_EQ(test::error_key([&] {
              recommend(bikes({{"exclude_owned", "none"}}), from_file);
            }),
            "durable");
  EXPECT_EQ(test::error_key([] { recommend_job_options(bikes({{"item", ""}})); }), "item");
  EXPECT_EQ(test::error_key([] {
              recommend_job_options(bikes({{"level", "category"}}));
            }),
            "level");
  EXPECT_EQ(test::error_key([] { recommend_job_options(bikes({{"k", "0"}})); }), "k");
  // A split after every purchase leaves nothing to evaluate.
  EXPECT_EQ(test::error_key([] { recommend(bikes({{"evaluate", "2025-01-01"}})); }), "evaluate");
}

// Penetration of a category launch among the buyers of another category, against a direct count
// from the log: week w covers [launch + 7(w-1), launch + 7w); the last cumulative count is every
// target customer who bought the launched category from the launch day on.
TEST(PenetrationJob, CurveMatchesDirectCount) {
  Workspace probe(TransactionSource::from_parameters(test::retailer_parameters(kPenetration)));
  const TransactionLog& log = probe.transactions();
  ASSERT_TRUE(log.category && log.category->values.size() >= 2);
  const std::string launched = log.category->values[0];
  const std::string target = log.category->values[1];
  const std::int32_t first = *std::min_element(log.day.begin(), log.day.end());
  const std::int32_t last = *std::max_element(log.day.begin(), log.day.end());
  const std::int32_t launch = first + (last - first) / 2;
  const Parameters p = test::retailer_parameters(kPenetration, {{"level", "category"},
                                                                {"launched", launched},
                                                                {"launch", format_date(launch)},
                                                                {"target_buyers_of", target}});
  const PenetrationJobOptions options = penetration_job_options(p);
  Workspace ws(cross_sell_source(p));
  const PenetrationJobResult r = penetration_job(ws, read_penetration_job_inputs(p), options);
  ASSERT_TRUE(r.curve);
  EXPECT_FALSE(r.reach);

  const TransactionLog& l = ws.transactions();
  std::set<std::uint32_t> in_target, adopted;
  for (std::size_t row = 0; row < l.size(); ++row) {
    const std::string& category = l.category->values[l.category->codes[row]];
    if (category == target && l.day[row] < launch) in_target.insert(l.customer[row]);
  }
  for (std::size_t row = 0; row < l.size(); ++row) {
    const std::string& category = l.category->values[l.category->codes[row]];
    if (category == launched && l.day[row] >= launch && in_target.count(l.customer[row]))
      adopted.insert(l.customer[row]);
  }
  ASSERT_FALSE(adopted.empty());
  const ResultTable& t = *r.curve;
  const TableSpec& s = t.spec();
  ASSERT_GT(t.rows(), 0u);
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    EXPECT_EQ(t.integer(s.index("week"), i), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(t.date(s.index("week_start"), i), launch + 7 * static_cast<std::int32_t>(i));
    EXPECT_EQ(t.integer(s.index("target_size"), i), static_cast<std::int64_t>(in_target.size()));
    sum += t.integer(s.index("new_buyers"), i);
    EXPECT_EQ(t.integer(s.index("cumulative_buyers"), i), sum);
  }
  const std::size_t end = t.rows() - 1;
  EXPECT_EQ(t.integer(s.index("cumulative_buyers"), end),
            static_cast<std::int64_t>(adopted.size()));
  EXPECT_DOUBLE_EQ(t.real(s.index("penetration"), end),
                   static_cast<double>(adopted.size()) / static_cast<double>(in_target.size()));
}

// Reach of every category in two segments handed over as a table (even / odd customer index),
// against a direct count.
TEST(PenetrationJob, ReachOfSegmentsFromATable) {
  const Parameters p = test::retailer_parameters(
      kPenetration, {{"level", "category"}, {"reach", "true"}, {"segments", "given below"}});
  const PenetrationJobOptions options = penetration_job_options(p);
  Workspace ws(cross_sell_source(p));
  const TransactionLog& log = ws.transactions();
  std::string text = "customer_id,segment\n";
  for (std::size_t c = 0; c < log.customer_count(); ++c)
    text += log.customer_ids[c] + (c % 2 ? ",odd\n" : ",even\n");
  PenetrationJobInputs inputs;
  inputs.segments = read_table_text(text);
  const PenetrationJobResult r = penetration_job(ws, inputs, options);
  ASSERT_TRUE(r.reach);

  std::map<std::pair<std::string, std::string>, std::set<std::uint32_t>> buyers;
  for (std::size_t row = 0; row < log.size(); ++row) {
    const std::uint32_t c = log.customer[row];
    buyers[{c % 2 ? "odd" : "even", log.category->values[log.category->codes[row]]}].insert(c);
  }
  const ResultTable& t = *r.reach;
  const TableSpec& s = t.spec();
  ASSERT_EQ(t.rows(), buyers.size());
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const std::string segment(t.text(s.index("segment"), i));
    const std::string item(t.text(s.index("item"), i));
    const std::int64_t size =
        static_cast<std::int64_t>((log.customer_count() + (segment == "even")) / 2);
    EXPECT_EQ(t.integer(s.index("segment_size"), i), size) << segment;
    EXPECT_EQ(t.integer(s.index("buyers"), i),
              static_cast<std::int64_t>(buyers[{segment, item}].size()))
        << segment << " " << item;
  }
}

TEST(PenetrationJob, BadParametersNameTheirKeyBeforeAnyWork) {
  const auto key = [](std::vector<std::pair<std::string, std::string>> values) {
    return test::error_key(
        [&] { penetration_job_options(test::retailer_parameters(kPenetration, values)); });
  };
  EXPECT_EQ(key({{"reach", "true"}}), "reach");
  EXPECT_EQ(key({{"launch", "2024-06-01"}}), "launched");
  EXPECT_EQ(key({{"launched", "x"}}), "launch");
  EXPECT_EQ(key({{"launched", "x"}, {"launch", "2024-02-30"}}), "launch");
  EXPECT_EQ(key({{"launched", "x"}, {"launch", "2024-06-01"}, {"target_segment", "loyal"}}),
            "target_segment");
  EXPECT_EQ(key({{"launched", "x"}, {"launch", "2024-06-01"}, {"target_level", "sku"}}),
            "target_level");
  // Segments named but not handed over.
  const Parameters p =
      test::retailer_parameters(kPenetration, {{"reach", "true"}, {"segments", "given below"}});
  Workspace ws(cross_sell_source(p));
  EXPECT_EQ(test::error_key([&] { penetration_job(ws, {}, penetration_job_options(p)); }), "reach");
}

}  // namespace
}  // namespace ltv
