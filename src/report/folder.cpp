// The analysis output folder, written atomically with its report (see ltv/report/report.hpp).
#include "ltv/error.hpp"
#include "ltv/io/staged_directory.hpp"
#include "ltv/report/report.hpp"
#include "ltv/workspace/analysis.hpp"

namespace ltv::report {

FolderResult write_analysis_folder(const Analysis& analysis, const std::filesystem::path& dir,
                                   const ReportOptions* report) {
  FolderResult result;
  StagedDirectory stage(dir);
  write_analysis(analysis, stage.path());
  if (report != nullptr) {
    try {
      write_report(analysis, stage.path() / "report.html", *report, dir.string());
      result.report = dir / "report.html";
    } catch (const SystemError&) {
      throw;  // a write failure inside the folder fails the run
    } catch (const Error& e) {
      result.report_error = e.what();
    }
  }
  stage.commit();
  return result;
}

}  // namespace ltv::report
