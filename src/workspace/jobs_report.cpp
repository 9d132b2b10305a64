// The report job of `ltv report` (see ltv/workspace/jobs_report.hpp).
#include "ltv/workspace/jobs_report.hpp"

#include "ltv/error.hpp"
#include "ltv/i18n.hpp"

namespace ltv {

ReportJobOptions report_job_options(const Parameters& p) {
  p.validate();
  ReportJobOptions o;
  const std::string dir = p.text("dir");
  if (dir.empty())
    parameter_error("dir", "nothing", "the output directory of `ltv analyze -o DIR`");
  const std::string output = p.text("output");
  if (output == "-") {
    parameter_error("output", output, "a file name for the HTML page (default DIR/report.html)");
  }
  o.dir = dir;
  o.out = output.empty() ? o.dir / "report.html" : std::filesystem::path(output);
  o.report.locale = i18n::locale_from_parameters(p);
  o.report.currency = p.given("currency")
                          ? p.text("currency")
                          : std::string(i18n::default_currency(o.report.locale.language));
  o.report.title = p.given("title")
                       ? p.text("title")
                       : i18n::translate("Customer value report", o.report.locale.language);
  return o;
}

report::Report report_job(const ReportJobOptions& o) {
  return report::write_report(o.dir, o.out, o.report);
}

}  // namespace ltv
