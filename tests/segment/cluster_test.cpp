#include "ltv/segment/cluster.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "segment_test_support.hpp"

namespace ltv {
namespace {

// n points per cluster around well-separated centres, standardized as build_features would.
FeatureMatrix simulated(const std::vector<std::array<double, 2>>& centres, std::size_t per,
                        std::uint64_t seed, std::vector<int>& truth) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 1);
  FeatureMatrix x;
  x.names = {"a", "b"};
  x.mean = {0, 0};
  x.sd = {1, 1};
  for (std::size_t c = 0; c < centres.size(); ++c)
    for (std::size_t i = 0; i < per; ++i) {
      x.values.push_back(centres[c][0] + noise(rng));
      x.values.push_back(centres[c][1] + noise(rng));
      truth.push_back(static_cast<int>(c));
    }
  x.rows = truth.size();
  return x;
}

TEST(KMeans, RecoversWellSeparatedClustersAndPicksKBySilhouette) {
  std::vector<int> truth;
  FeatureMatrix x = simulated({{0, 0}, {12, 0}, {0, 12}, {12, 12}}, 150, 7, truth);
  KMeansOptions o;
  o.k_min = 2;
  o.k_max = 7;
  o.seed = 3;
  KMeansResult r = kmeans(x, o);
  EXPECT_EQ(r.k, 4);
  ASSERT_EQ(r.tried_k.size(), 6u);
  // Every true cluster maps to exactly one found cluster and vice versa.
  std::map<int, std::set<int>> found_for_truth;
  for (std::size_t i = 0; i < truth.size(); ++i) found_for_truth[truth[i]].insert(r.labels[i]);
  std::set<int> used;
  for (auto& [t, f] : found_for_truth) {
    EXPECT_EQ(f.size(), 1u) << "true cluster " << t << " split";
    used.insert(*f.begin());
  }
  EXPECT_EQ(used.size(), 4u);
  // Silhouette of the right k is the best and high.
  for (std::size_t j = 0; j < r.tried_k.size(); ++j)
    if (r.tried_k[j] == 4) {
      EXPECT_GT(r.silhouette[j], 0.7);
    }
}

TEST(KMeans, IsDeterministicForASeedAndOrdersClustersBySize) {
  std::vector<int> truth;
  FeatureMatrix x = simulated({{0, 0}, {10, 10}}, 100, 11, truth);
  // make cluster 1 bigger
  std::vector<int> t2;
  FeatureMatrix y = simulated({{10, 10}}, 60, 12, t2);
  x.values.insert(x.values.end(), y.values.begin(), y.values.end());
  x.rows += y.rows;
  KMeansOptions o;
  o.k = 2;
  KMeansResult a = kmeans(x, o), b = kmeans(x, o);
  EXPECT_EQ(a.labels, b.labels);
  std::size_t zero = std::count(a.labels.begin(), a.labels.end(), 0);
  EXPECT_EQ(zero, 160u);
  EXPECT_GT(a.centers[0], 5);  // cluster 0 is the (10, 10) one
  o.k = 0;
  o.k_max = 4;
  EXPECT_EQ(kmeans(x, o).k, 2);
}

TEST(KMeans, TooFewCustomersIsAnInputError) {
  std::vector<int> truth;
  FeatureMatrix x = simulated({{0, 0}}, 2, 1, truth);
  KMeansOptions o;
  o.k = 3;
  EXPECT_THROW(kmeans(x, o), InputError);
}

TEST(Lookalike, RanksTheRestOfTheSeedClusterFirst) {
  std::vector<int> truth;
  FeatureMatrix x = simulated({{0, 0}, {8, 8}, {-8, 8}}, 100, 5, truth);
  std::vector<std::uint8_t> seed(x.rows, 0);
  for (std::size_t i = 0; i < 50; ++i) seed[100 + i] = 1;  // half of cluster 1
  std::vector<double> all;
  LookalikeResult r = lookalike(x, seed, 50, 5, &all);
  ASSERT_EQ(r.rows.size(), 50u);
  for (std::size_t k = 0; k < r.rows.size(); ++k) {
    EXPECT_EQ(truth[r.rows[k]], 1) << "row " << r.rows[k];
    EXPECT_FALSE(seed[r.rows[k]]);
    if (k) {
      EXPECT_LE(r.scores[k], r.scores[k - 1]);
    }
  }
  EXPECT_EQ(all[100], 1.0);
  std::vector<std::uint8_t> none(x.rows, 0);
  EXPECT_THROW(lookalike(x, none, 5, 5), InputError);
}

TEST(Clusters, ConfiguredThroughSegmentConfigWithOneHotFeaturesAndProfiles) {
  // Two behaviour groups and a text attribute that splits them too.
  std::vector<test::RowSpec> rows;
  std::vector<std::string> ids, region;
  for (int i = 0; i < 40; ++i) {
    bool big = i % 2 == 0;
    rows.push_back({100, big ? 990 : 500, big ? 20 : 1, big ? 2000.0 + i : 10.0 + i});
    ids.push_back(std::to_string(i + 1000));
    region.push_back(big ? "north" : "south");
  }
  auto summary = test::make_summary(rows, 1000);
  Attributes attrs = align_attributes(ids, ids, {{"region", region}});
  SegmentConfig c = parse_segment_config(R"(
[clusters]
features = ["orders", "revenue", "region"]
k_max = 4
[[custom]]
name = "Big"
rule = "orders >= 20"
[lookalike]
seed_segment = "Big"
features = ["orders", "revenue"]
top_n = 5
)",
                                         "c.toml");
  auto res = segment_customers(summary, nullptr, &attrs, c);
  EXPECT_EQ(res.cluster_k, 2);
  EXPECT_EQ(res.cluster_features,
            (std::vector<std::string>{"orders", "revenue", "region=north", "region=south"}));
  for (int i = 2; i < 40; i += 2) EXPECT_EQ(res.cluster[i], res.cluster[0]);
  EXPECT_NE(res.cluster[1], res.cluster[0]);
  // Profiles in original units: the big cluster buys 20 orders and is all north.
  const std::size_t d = res.cluster_features.size();
  const int big = res.cluster[0];
  EXPECT_NEAR(res.cluster_profiles[big * d + 0], 20, 1e-9);
  EXPECT_NEAR(res.cluster_profiles[big * d + 2], 1, 1e-9);
  ASSERT_EQ(res.lookalike_rows.size(), 5u);
  for (std::size_t r : res.lookalike_rows) EXPECT_EQ(r % 2, 1u);  // the seed is the even rows
  auto table = segment_table(res, summary, nullptr, c);
  std::size_t cluster_rows = 0;
  for (const auto& t : table) cluster_rows += t.scheme == "cluster";
  EXPECT_EQ(cluster_rows, 2u);
}

}  // namespace
}  // namespace ltv
