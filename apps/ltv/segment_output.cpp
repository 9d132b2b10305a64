#include "segment_output.hpp"

#include "ltv/io/csv_writer.hpp"
#include "ltv/io/dates.hpp"

namespace ltv::cli {

void write_segment_transitions(std::ostream& out, OutputFormat format,
                               const SegmentHistory& history) {
  RowWriter w(out, format,
              {"scheme", "from_date", "to_date", "from_segment", "to_segment", "customers",
               "revenue_to_date"});
  for (const auto& t : history.transitions) {
    const std::size_t m = t.labels.size();
    for (std::size_t a = 0; a < m; ++a)
      for (std::size_t b = 0; b < m; ++b) {
        if (t.counts[a * m + b] == 0) continue;
        w.text(t.scheme)
            .text(format_date(t.from_day))
            .text(format_date(t.to_day))
            .text(t.labels[a])
            .text(t.labels[b])
            .integer(static_cast<std::int64_t>(t.counts[a * m + b]))
            .number(round_significant(t.value[a * m + b], 12));
        w.end_row();
      }
  }
  w.finish();
}

}  // namespace ltv::cli
