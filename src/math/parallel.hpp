#pragma once
// OpenMP loops that carry the first exception out of the parallel region (internal). Every
// `#pragma omp parallel` in src/ goes through parallel_for() or ParallelErrors.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <vector>

namespace ltv::detail {

/// The first exception thrown on any thread of an OpenMP region, rethrown after it: an exception
/// must never leave a parallel region (that is std::terminate, the whole process aborted).
/// Wrap each loop iteration (and any other code of the region between barriers) in run(); never
/// wrap code that contains a barrier or a worksharing construct (a thread leaving it early would
/// leave the others waiting). After the region, rethrow().
///
///   ParallelErrors errors;
///   #pragma omp parallel for
///   for (long long i = 0; i < n; ++i) errors.run([&] { work(i); });
///   errors.rethrow();
class ParallelErrors {
 public:
  /// Calls f() unless an earlier call failed (the rest of the work is skipped); keeps the first
  /// exception.
  template <class F>
  void run(F&& f) noexcept {
    if (failed_.load(std::memory_order_relaxed)) return;
    try {
      f();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
      failed_.store(true, std::memory_order_relaxed);
    }
  }
  /// True once a call of run() threw.
  bool failed() const noexcept { return failed_.load(std::memory_order_relaxed); }
  /// Rethrows the first exception, if any (call after the parallel region).
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::exception_ptr error_;
};

/// Calls body(i) for i in [0, n) on OpenMP threads (dynamic schedule in blocks of `block`, for
/// per-item work of uneven cost such as quadratures); rethrows the first exception after the loop.
template <class Body>
void parallel_for(std::size_t n, Body body, int block = 64) {
  ParallelErrors errors;
  const auto count = static_cast<long long>(n);
#pragma omp parallel for schedule(dynamic, block)
  for (long long i = 0; i < count; ++i) {
    errors.run([&] { body(static_cast<std::size_t>(i)); });
  }
  errors.rethrow();
}

/// Sum over [0, n) in fixed chunks: part(begin, end) -> Sums for each chunk of about `chunk`
/// items (at most 256 chunks), on OpenMP threads with a dynamic schedule (balanced when the cost
/// per item is uneven, e.g. patterns sorted by frequency), then added in chunk order with
/// Sums::operator+=. The chunks do not depend on the number of threads, so neither does the
/// result (bitwise). Exceptions in `part` are rethrown after the loop.
template <class Sums, class Part>
Sums chunked_sum(std::size_t n, std::size_t chunk, Part part) {
  const std::size_t chunks = std::clamp<std::size_t>(n / std::max<std::size_t>(chunk, 1), 1, 256);
  const auto bound = [&](std::size_t c) { return n * c / chunks; };
  if (chunks == 1) return part(std::size_t{0}, n);
  std::vector<Sums> parts(chunks);
  parallel_for(
      chunks, [&](std::size_t c) { parts[c] = part(bound(c), bound(c + 1)); }, 1);
  Sums total = parts[0];
  for (std::size_t c = 1; c < chunks; ++c) total += parts[c];
  return total;
}

}  // namespace ltv::detail
