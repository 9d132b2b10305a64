#pragma once
/// The HTML report: one self-contained page (inline SVG and CSS, print CSS for A4, no scripts,
/// no network) built from an Analysis in memory (the main job's result), or from the output
/// directory of `ltv analyze` read back into one. Every section is optional: a missing table
/// gives a short note in place of that section. Large tables (millions of customers) are
/// aggregated before plotting, so the page stays small.

#include <filesystem>

#include <string>
#include <vector>
#include "ltv/i18n.hpp"

namespace ltv {
struct Analysis;
}

namespace ltv::report {

/// Options of the report.
struct ReportOptions {
  std::string title = "Customer value report";  ///< page title and heading
  std::string currency = "$";                   ///< symbol put before money amounts
  std::size_t top_customers = 15;               ///< rows of the top-customer table
  std::size_t top_rules = 10;                   ///< rows of the association-rule table
  i18n::Locale locale;  ///< language of the page, number and date formats (ltv/i18n.hpp)
};

/// One section of the page, as built (for tests and the CLI's summary line).
struct ReportSection {
  std::string id;                  ///< HTML id, e.g. "headline", "model-fit"
  std::string title;               ///< heading
  int charts = 0;                  ///< charts drawn (not counting notes)
  std::vector<std::string> notes;  ///< inputs that were missing or unusable
};

/// The page and what went into it.
struct Report {
  std::string html;
  std::vector<ReportSection> sections;
};

/// The section ids in page order.
const std::vector<std::string>& report_section_ids();

/// Builds the report of an analysis. `label` names where it came from (its output folder) on the
/// page.
Report build_report(const Analysis& analysis, const ReportOptions& options,
                    const std::string& label);

/// Builds the report from an analyze output directory (read_analysis). Throws InputError when
/// `dir` is not a directory or a file in it is malformed.
Report build_report(const std::filesystem::path& dir, const ReportOptions& options = {});

/// Builds the report of an analysis and writes it to `out` (through a temporary file, renamed).
/// Throws Error when the file cannot be written.
Report write_report(const Analysis& analysis, const std::filesystem::path& out,
                    const ReportOptions& options, const std::string& label);

/// What write_analysis_folder() wrote besides the tables.
struct FolderResult {
  std::filesystem::path report;  ///< DIR/report.html, or empty when not written
  std::string report_error;      ///< why the report could not be built from this analysis
};

/// Writes an analysis as its output folder DIR (write_analysis: every table, summary.json,
/// model.json) and, when `report` is given, DIR/report.html. The folder is built beside DIR and
/// swapped in whole with its manifest.json written last (ltv/io/staged_directory.hpp): a reader,
/// or a run killed at any point, sees the previous complete folder or the new complete one.
/// Every write failure throws SystemError; a report that cannot be built from this analysis
/// (an Error other than SystemError) leaves it out and says why. Used by every face.
FolderResult write_analysis_folder(const Analysis& analysis, const std::filesystem::path& dir,
                                   const ReportOptions* report);

/// Builds the report of an output directory and writes it to `out` (default DIR/report.html
/// when empty). Throws Error when the file cannot be written. Returns the report.
Report write_report(const std::filesystem::path& dir, std::filesystem::path out = {},
                    const ReportOptions& options = {});

}  // namespace ltv::report
