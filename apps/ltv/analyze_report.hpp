#pragma once
// The report step of `ltv analyze`: renders DIR/report.html from the files written into DIR.

#include <filesystem>
#include <string>

namespace ltv::cli {

/// Options of the report step (`ltv analyze --currency`, `--title`, `--no-report`).
struct AnalyzeReportOptions {
  bool enabled = true;
  std::string currency = "$";
  std::string title = "Customer value report";
};

/// Writes DIR/report.html and returns its path; returns an empty path when disabled. A failure
/// to render is reported on stderr and does not fail the analysis (the data files are written).
std::filesystem::path write_analyze_report(const std::filesystem::path& dir,
                                           const AnalyzeReportOptions& options, bool quiet);

}  // namespace ltv::cli
