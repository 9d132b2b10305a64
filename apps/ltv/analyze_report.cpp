// The report step of `ltv analyze` (see analyze_report.hpp).
#include "analyze_report.hpp"

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "ltv/report/report.hpp"

namespace ltv::cli {

std::filesystem::path write_analyze_report(const std::filesystem::path& dir,
                                           const AnalyzeReportOptions& options, bool quiet) {
  if (!options.enabled) return {};
  report::ReportOptions report_options;
  report_options.currency = options.currency;
  report_options.title = options.title;
  const auto path = dir / "report.html";
  try {
    report::write_report(dir, path, report_options);
  } catch (const std::exception& e) {  // the report never fails the analysis already written
    if (!quiet) fmt::print(stderr, "ltv analyze: report.html not written: {}\n", e.what());
    return {};
  }
  return path;
}

}  // namespace ltv::cli
