#pragma once
/// Runs: the main job over a workspace, its results stored as one committed run (every result
/// table tagged with the run, the run's summary.json, model.json and report.html, the run row),
/// all in one transaction so that a reader never sees half a run.
///
/// A full run reads every batch and computes everything `ltv analyze` computes, with the same
/// numbers. An incremental run recomputes only what depends on customers: the running aggregates
/// of the customers that the batches since the last run touched are recomputed from their
/// history (the others are read as stored), the count and spend models are refitted on the
/// compressed patterns (or kept, by the refit policy), and every customer is scored and
/// segmented (the customers and segments tables, the model and the headline); the other tables
/// stay those of the last full run. Its results equal a full run's on the same data.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ltv/cvm/actions.hpp"
#include "ltv/store/store.hpp"
#include "ltv/workspace/analysis.hpp"
#include "ltv/workspace/parameters.hpp"

namespace ltv::store {

/// When an incremental run refits the count and spend models.
struct RefitPolicy {
  enum class Kind { always, if_older, if_grown };
  Kind kind = Kind::always;
  double seconds = 0;  ///< if_older: refit when the fit in use is older than this
  double share = 0;    ///< if_grown: refit when customers grew by this share since that fit
  std::string text = "always";
};
/// Parses `always`, `if-older 7d` / `if-older=7d`, `if-grown 5%` / `if-grown=0.05`.
/// ParameterError (`refit`) otherwise.
RefitPolicy parse_refit_policy(std::string_view text);
/// Parses a duration: a number followed by s, m, h, d or w ("24h", "7d", "90m"). ParameterError
/// naming `key` otherwise.
double parse_duration(std::string_view text, std::string_view key);

/// What a run does.
struct RunOptions {
  AnalyzeOptions analyze;
  bool incremental = false;
  RefitPolicy refit;
  std::optional<double> if_stale_seconds;  ///< run only when the newest run is older
  std::optional<ActionConfig> playbook;    ///< --rules (default: the built-in playbook)
  nlohmann::ordered_json parameters = nlohmann::ordered_json::object();  ///< recorded
};

/// From parameters of the groups "periods", "clv", "analyze" and "run". The side inputs come
/// from the workspace: a side file option (--spend FILE, ...) is refused (ingest it instead).
/// `workspace_has_customers` lets --compare pass the check that needs customer attributes.
/// ParameterError for a bad value.
RunOptions run_options(const Parameters& parameters, bool workspace_has_customers);

/// What a run did.
struct RunOutcome {
  bool skipped = false;         ///< --if-stale: the newest run is recent enough
  std::string note;             ///< why it was skipped, or that an incremental run was full
  RunInfo run;                  ///< the committed run
  Analysis analysis;            ///< its results (incremental: customers, segments, model, headline)
  std::size_t new_batches = 0;  ///< transaction batches since the aggregates were updated
  std::size_t touched_customers = 0;  ///< customers whose aggregates were recomputed
};

/// Runs the main job over the workspace and commits the run. InputError when the workspace holds
/// no transactions; DatabaseError when the database fails (nothing of the run is then stored).
RunOutcome run_workspace(WorkspaceStore& workspace, const RunOptions& options,
                         const Progress& progress = {});

/// Writes every result table (as CSV) and file (summary.json, model.json, spend_model.json,
/// report.html) of run `run` (0 = the newest) into the folder `dir`, in the layout of `ltv analyze
/// -o DIR`: built beside `dir` and swapped in whole, with a manifest (ltv/io/staged_directory.hpp).
/// Returns the run and the number of files written. DatabaseError when there is no such run.
struct ExportedRun {
  std::int64_t run = 0;
  std::size_t files = 0;
};
ExportedRun export_run_folder(WorkspaceStore& workspace, std::int64_t run,
                              const std::filesystem::path& dir);

}  // namespace ltv::store
