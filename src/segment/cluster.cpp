// k-means (k-means++ start, Lloyd iterations) and kNN look-alike on standardized features.
#include "ltv/segment/cluster.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "math/parallel.hpp"

namespace ltv {

FeatureMatrix build_features(SegmentFields& fields, std::span<const std::string> names) {
  FeatureMatrix x;
  x.rows = fields.size();
  std::vector<std::vector<double>> cols;
  const std::vector<std::string> known = fields.names();
  for (const std::string& name : names) {
    const FieldColumn* c = fields.find(name);
    if (!c) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      input_error(SourceLocation{"", 0, "features"}, name, "a known field; known fields: " + list);
    }
    if (c->has_numbers()) {
      x.names.push_back(name);
      cols.emplace_back(c->numbers.begin(), c->numbers.end());
    } else {
      if (c->values.size() > 50)
        input_error(SourceLocation{"", 0, "features"}, name,
                    fmt::format("a text field with at most 50 distinct values (it has {})",
                                c->values.size()));
      std::vector<std::size_t> used(c->values.size(), 0);
      for (std::uint32_t code : c->codes) used[code]++;
      for (std::size_t v = 0; v < c->values.size(); ++v) {
        if (!used[v]) continue;
        x.names.push_back(name + "=" + c->values[v]);
        std::vector<double> col(x.rows);
        for (std::size_t i = 0; i < x.rows; ++i) col[i] = c->codes[i] == v ? 1.0 : 0.0;
        cols.push_back(std::move(col));
      }
    }
  }
  const std::size_t d = cols.size();
  x.mean.assign(d, 0);
  x.sd.assign(d, 1);
  x.values.assign(x.rows * d, 0);
  for (std::size_t j = 0; j < d; ++j) {
    double sum = 0, sq = 0;
    std::size_t m = 0;
    for (double v : cols[j])
      if (std::isfinite(v)) sum += v, ++m;
    double mean = m ? sum / m : 0;
    for (double v : cols[j])
      if (std::isfinite(v)) sq += (v - mean) * (v - mean);
    double sd = m > 1 ? std::sqrt(sq / (m - 1)) : 0;
    x.mean[j] = mean;
    x.sd[j] = sd > 0 ? sd : 1;
    for (std::size_t i = 0; i < x.rows; ++i) {
      double v = cols[j][i];
      x.values[i * d + j] = std::isfinite(v) ? (v - mean) / x.sd[j] : 0.0;
    }
  }
  return x;
}

namespace {

double dist2(const double* a, const double* b, std::size_t d) {
  double s = 0;
  for (std::size_t j = 0; j < d; ++j) {
    double t = a[j] - b[j];
    s += t * t;
  }
  return s;
}

struct Run {
  std::vector<int> labels;
  std::vector<double> centers;
  double inertia = std::numeric_limits<double>::infinity();
};

Run lloyd(const FeatureMatrix& x, int k, std::mt19937_64& rng, int max_iterations) {
  const std::size_t n = x.rows, d = x.cols();
  const double* v = x.values.data();
  Run run;
  run.centers.assign(k * d, 0);
  // k-means++ seeding (Arthur & Vassilvitskii 2007).
  std::vector<double> closest(n, std::numeric_limits<double>::infinity());
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  std::size_t first = pick(rng);
  std::copy(v + first * d, v + first * d + d, run.centers.begin());
  for (int c = 1; c < k; ++c) {
    const double* prev = run.centers.data() + (c - 1) * d;
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      closest[i] = std::min(closest[i], dist2(v + i * d, prev, d));
      total += closest[i];
    }
    std::size_t chosen = pick(rng);
    if (total > 0) {
      double target = std::uniform_real_distribution<double>(0, total)(rng);
      double acc = 0;
      for (std::size_t i = 0; i < n; ++i) {
        acc += closest[i];
        if (acc >= target) {
          chosen = i;
          break;
        }
      }
    }
    std::copy(v + chosen * d, v + chosen * d + d, run.centers.begin() + c * d);
  }
  run.labels.assign(n, 0);
  std::vector<double> sums(k * d);
  std::vector<std::size_t> counts(k);
  for (int it = 0; it < max_iterations; ++it) {
    // Fixed chunks summed in order (detail::chunked_sum): the inertia, which picks the best of
    // the restarts, is the same on every run and any number of threads.
    struct Step {
      double inertia = 0;
      bool changed = false;
      Step& operator+=(const Step& o) {
        inertia += o.inertia;
        changed = changed || o.changed;
        return *this;
      }
    };
    const Step step = detail::chunked_sum<Step>(n, 8192, [&](std::size_t begin, std::size_t end) {
      Step s;
      for (std::size_t i = begin; i < end; ++i) {
        int best = 0;
        double bd = std::numeric_limits<double>::infinity();
        for (int c = 0; c < k; ++c) {
          double dd = dist2(v + i * d, run.centers.data() + c * d, d);
          if (dd < bd) bd = dd, best = c;
        }
        if (best != run.labels[i]) s.changed = true;
        run.labels[i] = best;
        s.inertia += bd;
      }
      return s;
    });
    const bool changed = step.changed;
    run.inertia = step.inertia;
    if (it > 0 && !changed) break;
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    for (std::size_t i = 0; i < n; ++i) {
      int c = run.labels[i];
      counts[c]++;
      for (std::size_t j = 0; j < d; ++j) sums[c * d + j] += v[i * d + j];
    }
    for (int c = 0; c < k; ++c) {
      if (counts[c] == 0) {  // empty cluster: restart it at the worst-fitted point
        std::size_t worst = 0;
        double wd = -1;
        for (std::size_t i = 0; i < n; ++i) {
          double dd = dist2(v + i * d, run.centers.data() + run.labels[i] * d, d);
          if (dd > wd) wd = dd, worst = i;
        }
        std::copy(v + worst * d, v + worst * d + d, run.centers.begin() + c * d);
        continue;
      }
      for (std::size_t j = 0; j < d; ++j) run.centers[c * d + j] = sums[c * d + j] / counts[c];
    }
  }
  return run;
}

}  // namespace

double silhouette_score(const FeatureMatrix& x, std::span<const int> labels, int k,
                        std::size_t sample, std::uint64_t seed) {
  const std::size_t n = x.rows, d = x.cols();
  std::vector<std::size_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0);
  if (n > sample) {
    std::mt19937_64 rng(seed ^ 0x5eedULL);
    std::shuffle(rows.begin(), rows.end(), rng);
    rows.resize(sample);
  }
  const double* v = x.values.data();
  const std::size_t m = rows.size();
  // Per-point silhouettes into their own slots, then summed in order: the same score on every
  // run and any number of threads.
  std::vector<double> silhouette(m, 0.0);
  detail::ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 16) if (m > 500)
  for (std::int64_t a = 0; a < static_cast<std::int64_t>(m); ++a) {
    errors.run([&] {
      std::vector<double> sum(k, 0);
      std::vector<std::size_t> cnt(k, 0);
      std::size_t i = rows[a];
      for (std::size_t b = 0; b < m; ++b) {
        std::size_t j = rows[b];
        if (i == j) continue;
        sum[labels[j]] += std::sqrt(dist2(v + i * d, v + j * d, d));
        cnt[labels[j]]++;
      }
      int own = labels[i];
      if (cnt[own] == 0) return;  // singleton: silhouette 0
      double in = sum[own] / cnt[own];
      double out = std::numeric_limits<double>::infinity();
      for (int c = 0; c < k; ++c)
        if (c != own && cnt[c]) out = std::min(out, sum[c] / cnt[c]);
      if (!std::isfinite(out)) return;
      silhouette[a] = std::max(in, out) > 0 ? (out - in) / std::max(in, out) : 0;
    });
  }
  errors.rethrow();
  const double total = std::accumulate(silhouette.begin(), silhouette.end(), 0.0);
  return m ? total / m : 0;
}

KMeansResult kmeans(const FeatureMatrix& x, const KMeansOptions& o) {
  std::vector<int> candidates;
  if (o.k > 0) {
    candidates.push_back(o.k);
  } else {
    for (int k = o.k_min; k <= o.k_max; ++k) candidates.push_back(k);
  }
  if (x.rows < static_cast<std::size_t>(candidates.front()) || x.cols() == 0)
    input_error(
        SourceLocation{"", 0, "clusters.k"}, std::to_string(candidates.front()),
        fmt::format("at most as many clusters as customers ({}) and at least one feature", x.rows));
  KMeansResult best;
  double best_sil = -2;
  for (int k : candidates) {
    if (static_cast<std::size_t>(k) > x.rows) break;
    std::mt19937_64 rng(o.seed + static_cast<std::uint64_t>(k) * 7919);
    Run run;
    for (int r = 0; r < o.restarts; ++r) {
      Run candidate = lloyd(x, k, rng, o.max_iterations);
      if (candidate.inertia < run.inertia) run = std::move(candidate);
    }
    double sil =
        candidates.size() > 1 ? silhouette_score(x, run.labels, k, o.silhouette_sample, o.seed) : 0;
    if (candidates.size() > 1) {
      best.tried_k.push_back(k);
      best.silhouette.push_back(sil);
    }
    if (best.labels.empty() || sil > best_sil) {
      best_sil = sil;
      best.k = k;
      best.labels = std::move(run.labels);
      best.centers = std::move(run.centers);
      best.inertia = run.inertia;
    }
  }
  // Relabel clusters by size (largest first) so output is stable and readable.
  const std::size_t d = x.cols();
  std::vector<std::size_t> size(best.k, 0);
  for (int l : best.labels) size[l]++;
  std::vector<int> order(best.k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return size[a] > size[b]; });
  std::vector<int> new_label(best.k);
  std::vector<double> centers(best.k * d);
  for (int r = 0; r < best.k; ++r) {
    new_label[order[r]] = r;
    std::copy(best.centers.begin() + order[r] * d, best.centers.begin() + (order[r] + 1) * d,
              centers.begin() + r * d);
  }
  for (int& l : best.labels) l = new_label[l];
  best.centers = std::move(centers);
  return best;
}

LookalikeResult lookalike(const FeatureMatrix& x, std::span<const std::uint8_t> seed,
                          std::size_t top_n, int neighbors, std::vector<double>* scores_out) {
  const std::size_t n = x.rows, d = x.cols();
  std::vector<std::size_t> seeds;
  for (std::size_t i = 0; i < n; ++i)
    if (seed[i]) seeds.push_back(i);
  if (seeds.empty())
    input_error(SourceLocation{"", 0, "lookalike"}, "an empty seed", "at least one seed customer");
  // Cap the reference set so scoring stays O(n * 2000): a deterministic subsample of the seed.
  constexpr std::size_t kMaxSeeds = 2000;
  if (seeds.size() > kMaxSeeds) {
    std::mt19937_64 rng(12345);
    std::shuffle(seeds.begin(), seeds.end(), rng);
    seeds.resize(kMaxSeeds);
  }
  const std::size_t kn = std::min<std::size_t>(std::max(1, neighbors), seeds.size());
  const double* v = x.values.data();
  std::vector<double> score(n, 1.0);
  detail::ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 64) if (n > 2000)
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) {
    errors.run([&] {
      if (seed[i]) return;
      std::vector<double> dist(seeds.size());
      for (std::size_t s = 0; s < seeds.size(); ++s)
        dist[s] = std::sqrt(dist2(v + i * d, v + seeds[s] * d, d));
      std::nth_element(dist.begin(), dist.begin() + (kn - 1), dist.end());
      double mean = 0;
      for (std::size_t s = 0; s < kn; ++s) mean += dist[s];
      mean /= kn;
      score[i] = 1.0 / (1.0 + mean);
    });
  }
  errors.rethrow();
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < n; ++i)
    if (!seed[i]) rows.push_back(i);
  std::size_t top = std::min(top_n, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + top, rows.end(),
                    [&](std::size_t a, std::size_t b) {
                      return score[a] > score[b] || (score[a] == score[b] && a < b);
                    });
  rows.resize(top);
  LookalikeResult out;
  out.rows = rows;
  for (std::size_t r : rows) out.scores.push_back(score[r]);
  if (scores_out) *scores_out = std::move(score);
  return out;
}

}  // namespace ltv
