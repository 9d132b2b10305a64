#pragma once
/// k-means clustering and look-alike scoring over standardized customer features.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ltv/segment/segment.hpp"

namespace ltv {

/// Row-major standardized feature matrix. Numeric fields are z-scored (mean 0, sd 1; constant
/// columns become 0); text fields are one-hot encoded ("region=Moscow") and z-scored too.
/// Missing numbers are imputed with the column mean (0 after standardization).
struct FeatureMatrix {
  std::size_t rows = 0;
  std::vector<std::string> names;  ///< expanded column names
  std::vector<double> values;      ///< rows x names.size(), standardized
  std::vector<double> mean, sd;    ///< per column, original units (sd 1 for constant columns)
  std::size_t cols() const noexcept { return names.size(); }
};

/// Builds features from named fields. Throws InputError naming the unknown field (and listing
/// the known ones) or a text field with more than 50 distinct values.
FeatureMatrix build_features(SegmentFields& fields, std::span<const std::string> names);

struct KMeansOptions {
  int k = 0;  ///< 0: choose by silhouette in [k_min, k_max]
  int k_min = 2, k_max = 8;
  std::uint64_t seed = 42;
  int restarts = 4;  ///< k-means++ starts; the lowest inertia wins
  int max_iterations = 300;
  std::size_t silhouette_sample = 3000;
};

struct KMeansResult {
  int k = 0;
  std::vector<int> labels;         ///< per row, 0..k-1, clusters ordered by size (largest 0)
  std::vector<double> centers;     ///< k x cols, standardized units
  double inertia = 0;              ///< within-cluster sum of squares (standardized)
  std::vector<int> tried_k;        ///< when k was chosen: the candidates
  std::vector<double> silhouette;  ///< their mean silhouette (sampled)
};

/// Lloyd's k-means with k-means++ seeding; deterministic for a given seed. Throws InputError
/// when there are fewer rows than k.
KMeansResult kmeans(const FeatureMatrix& x, const KMeansOptions& options);

/// Mean silhouette of `labels` on up to `sample` rows (deterministic subsample by seed).
double silhouette_score(const FeatureMatrix& x, std::span<const int> labels, int k,
                        std::size_t sample, std::uint64_t seed);

struct LookalikeResult {
  std::vector<std::size_t> rows;  ///< best first, seed rows excluded
  std::vector<double> scores;     ///< similarity in (0, 1]: 1 / (1 + mean distance to seeds)
};

/// Scores every non-seed row by its mean Euclidean distance to its `neighbors` nearest seed rows
/// (kNN on standardized features) and returns the top `top_n`. `scores_out`, when given, gets
/// the score of every row (seed rows get 1). Throws InputError when the seed is empty.
LookalikeResult lookalike(const FeatureMatrix& x, std::span<const std::uint8_t> seed,
                          std::size_t top_n, int neighbors,
                          std::vector<double>* scores_out = nullptr);

}  // namespace ltv
