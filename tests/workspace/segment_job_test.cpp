// The segmentation job of `ltv segment` as a function: segment_job over a Workspace.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "job_test_support.hpp"
#include "ltv/workspace/jobs_segment.hpp"

namespace ltv {
namespace {

const std::vector<std::string_view> kGroups{"source", "periods", "output", "format", "segment"};

std::int64_t column_sum(const ResultTable& t, std::string_view column,
                        std::string_view where_column = {}, std::string_view equals = {}) {
  const std::size_t c = t.spec().index(column);
  std::int64_t sum = 0;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    if (!where_column.empty() && t.text(t.spec().index(where_column), r) != equals) continue;
    sum += t.integer(c, r);
  }
  return sum;
}

TEST(SegmentJob, EveryCustomerIsSegmentedAndHistoryCountsEveryCustomer) {
  const Parameters p = test::retailer_parameters(
      kGroups, {{"snapshots", "2024-06-30,2024-12-31,2025-06-30"}, {"transitions_out", "t.csv"}});
  const SegmentJobOptions options = segment_job_options(p);
  ASSERT_EQ(options.snapshots.size(), 3u);
  Workspace ws(TransactionSource::from_parameters(p));
  const SegmentJobResult r = segment_job(ws, read_segment_job_inputs(p), options);
  const std::size_t customers = ws.transactions().customer_count();
  ASSERT_EQ(r.customers.rows(), customers);
  // Every customer is in exactly one segment of each scheme.
  for (const char* scheme : {"rfm", "abcdx", "stage"}) {
    EXPECT_EQ(column_sum(r.segments, "customers", "scheme", scheme),
              static_cast<std::int64_t>(customers))
        << scheme;
  }
  // No score columns without scores, no custom columns without custom segments.
  EXPECT_EQ(r.customers.spec().find("p_alive"), r.customers.columns());
  EXPECT_EQ(r.customers.spec().find("custom_segments"), r.customers.columns());
  EXPECT_EQ(r.overlaps.rows(), 0u);
  EXPECT_FALSE(r.lookalike);
  // Transitions between consecutive snapshots: each customer with a purchase by the later date
  // moves once per scheme ("(none)" = not yet a customer at the earlier date).
  ASSERT_TRUE(r.transitions && r.drops);
  const ResultTable& t = *r.transitions;
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> moved;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    moved[{std::string(t.text(0, i)), t.date(2, i)}] += t.integer(t.spec().index("customers"), i);
  }
  const TransactionLog& log = ws.transactions();
  for (const std::int32_t day : {options.snapshots[1], options.snapshots[2]}) {
    std::set<std::uint32_t> by_then;
    for (std::size_t row = 0; row < log.size(); ++row)
      if (log.day[row] <= day) by_then.insert(log.customer[row]);
    for (const char* scheme : {"rfm", "abcdx", "stage"}) {
      EXPECT_EQ((moved[{scheme, day}]), static_cast<std::int64_t>(by_then.size())) << scheme;
    }
  }
}

TEST(SegmentJob, ScoresFromATableAreUsedAndChecked) {
  const Parameters p = test::retailer_parameters(kGroups);
  Workspace ws(TransactionSource::from_parameters(p));
  SegmentJobInputs in;
  in.scores = read_table_text("customer_id,p_alive\nC0000001,0.25\nC0000002,\n", {}, "s.csv");
  const SegmentJobResult r = segment_job(ws, in, segment_job_options(p));
  const std::size_t p_alive = r.customers.spec().index("p_alive");
  const std::size_t id = r.customers.spec().index("customer_id");
  std::size_t given = 0;
  for (std::size_t i = 0; i < r.customers.rows(); ++i) {
    if (r.customers.text(id, i) == "C0000001") {
      EXPECT_DOUBLE_EQ(r.customers.real(p_alive, i), 0.25);
      ++given;
    } else {
      EXPECT_TRUE(r.customers.is_null(p_alive, i));  // absent or empty: missing, not 0
    }
  }
  EXPECT_EQ(given, 1u);
  in.scores = read_table_text("customer_id,p_alive\nC0000001,1.5\n", {}, "s.csv");
  EXPECT_THROW(segment_job(ws, in, segment_job_options(p)), InputError);
}

TEST(SegmentJob, BadParametersNameTheirKeyBeforeAnyWork) {
  using test::error_key;
  EXPECT_EQ(error_key([] {
              segment_job_options(test::retailer_parameters(
                  kGroups, {{"snapshots", "2024-06-30,2024-13-01"}, {"transitions_out", "t"}}));
            }),
            "snapshots");
  EXPECT_EQ(error_key([] {
              segment_job_options(test::retailer_parameters(kGroups, {{"drops_out", "d.csv"}}));
            }),
            "snapshots");
  EXPECT_EQ(error_key([] {
              segment_job_options(test::retailer_parameters(
                  kGroups, {{"as_of", "2025-06-30"}, {"calibration_end", "2025-05-31"}}));
            }),
            "as_of");
  EXPECT_EQ(
      error_key([] {
        read_segment_job_inputs(test::retailer_parameters(kGroups, {{"lookalike_out", "l.csv"}}));
      }),
      "lookalike_out");
}

}  // namespace
}  // namespace ltv
