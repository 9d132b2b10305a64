#pragma once
// OpenMP loop that carries the first exception out of the parallel region (internal).

#include <algorithm>
#include <cstddef>
#include <exception>
#include <mutex>
#include <vector>

namespace ltv::detail {

/// Calls body(i) for i in [0, n) on OpenMP threads (dynamic schedule in blocks of `block`, for
/// per-item work of uneven cost such as quadratures); rethrows the first exception after the loop.
template <class Body>
void parallel_for(std::size_t n, Body body, int block = 64) {
  std::exception_ptr error;
  std::mutex mutex;
  const auto count = static_cast<long long>(n);
#pragma omp parallel for schedule(dynamic, block)
  for (long long i = 0; i < count; ++i) {
    try {
      body(static_cast<std::size_t>(i));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
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
