#pragma once
// OpenMP loop that carries the first exception out of the parallel region (internal).

#include <cstddef>
#include <exception>
#include <mutex>

namespace ltv::detail {

/// Calls body(i) for i in [0, n) on OpenMP threads (dynamic schedule, for per-item work of
/// uneven cost such as quadratures); rethrows the first exception after the loop.
template <class Body>
void parallel_for(std::size_t n, Body body) {
  std::exception_ptr error;
  std::mutex mutex;
  const auto count = static_cast<long long>(n);
#pragma omp parallel for schedule(dynamic, 64)
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

}  // namespace ltv::detail
