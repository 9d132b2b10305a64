#pragma once
/// The report job of `ltv report DIR`: the HTML page of an analyze output folder. Options come
/// from the parameter group "report" (dir, output, currency, title).

#include <filesystem>

#include "ltv/report/report.hpp"
#include "ltv/workspace/parameters.hpp"

namespace ltv {

/// Typed options of the report job.
struct ReportJobOptions {
  std::filesystem::path dir;  ///< output folder of `ltv analyze -o DIR`
  std::filesystem::path out;  ///< the page (default DIR/report.html)
  report::ReportOptions report;
};

/// The options from parameters of the group "report". ParameterError naming the key for a
/// missing folder or an output that is not a file name (`-`).
ReportJobOptions report_job_options(const Parameters& parameters);

/// Reads the folder and writes the page to `options.out`. InputError when the folder is not a
/// directory or a file in it is malformed; Error when the page cannot be written.
report::Report report_job(const ReportJobOptions& options);

}  // namespace ltv
