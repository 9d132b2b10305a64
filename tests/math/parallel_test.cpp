// No exception leaves an OpenMP parallel region: the first is kept and rethrown after the loop,
// as the error it was (before, a throw inside `#pragma omp parallel` was std::terminate).
#include "math/parallel.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <atomic>
#include <limits>
#include <new>
#include <string>

#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/error.hpp"

namespace ltv {
namespace {

TEST(ParallelErrors, AnErrorInsideAParallelLoopSurfacesAsThatError) {
  omp_set_num_threads(4);  // more threads than cores is fine: the point is several threads
  std::atomic<int> ran{0};
  try {
    detail::parallel_for(100000, [&](std::size_t i) {
      ++ran;
      if (i == 777) input_error(SourceLocation{"x.csv", 12, "amount"}, "boom", "a number");
    });
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "x.csv:12: column 'amount': found 'boom', expected a number");
  }
  // The rest of the work is skipped once an error is known (not all 100,000 bodies run).
  EXPECT_LT(ran.load(), 100000);
}

TEST(ParallelErrors, KeepsOneErrorWhenEveryThreadFails) {
  detail::ParallelErrors errors;
#pragma omp parallel for num_threads(4)
  for (int i = 0; i < 1000; ++i) {
    errors.run([&] { throw ModelError("iteration failed"); });
  }
  EXPECT_TRUE(errors.failed());
  EXPECT_THROW(errors.rethrow(), ModelError);
}

TEST(ParallelErrors, SetupFailuresBeforeAWorksharingLoopNeitherDeadlockNorEscape) {
  // The shape of the regions in cohorts.cpp and kpis.cpp: per-thread buffers, then `omp for`.
  detail::ParallelErrors errors;
  std::atomic<int> bodies{0};
#pragma omp parallel num_threads(4)
  {
    errors.run([&] {
      if (omp_get_thread_num() == 1) throw std::bad_alloc();
    });
#pragma omp for schedule(static)
    for (int i = 0; i < 64; ++i) {
      errors.run([&] { ++bodies; });
    }
  }
  EXPECT_THROW(errors.rethrow(), std::bad_alloc);
  EXPECT_LT(bodies.load(), 64);
}

TEST(ParallelErrors, AnOverflowingCustomerInsideTheParallelSummaryIsAnInputError) {
  // 50,000 customers summarised on OpenMP threads; one customer's revenue overflows to infinity
  // inside the parallel loop: the error names the customer.
  TransactionLog log;
  for (std::uint32_t c = 0; c < 50000; ++c) {
    log.customer_ids.push_back(fmt::format("c{}", c));
    for (int k = 0; k < 2; ++k) {
      log.customer.push_back(c);
      log.day.push_back(18000 + k);
      log.amount.push_back(c == 31337 ? std::numeric_limits<double>::max() : 10.0);
    }
  }
  omp_set_num_threads(4);
  try {
    (void)summarize(log, SummaryOptions{});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("column 'customer': found 'c31337'"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ltv
