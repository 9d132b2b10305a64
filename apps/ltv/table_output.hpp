#pragma once
// Writing a job's tables on the command line: `--format csv` writes one table (the one named by
// `--table`, else the first), `--format json` an object {name: rows} of every table (or, with
// `--table`, that table's rows); notes go to stderr.

#include <string>
#include <vector>

#include "ltv/workspace/analysis.hpp"
#include "ltv/workspace/parameters.hpp"
#include "ltv/workspace/result_table.hpp"

namespace ltv::cli {

/// Writes `tables` to `-o FILE` (or stdout) in `--format`, choosing by `--table` when the
/// command has that option.
void write_tables(const Parameters& parameters, const std::vector<ResultTable>& tables);

/// Prints each note on stderr as `ltv: note: ...` unless quiet.
void print_notes(const std::vector<std::string>& notes, bool quiet);

/// Prints the headline of a main-job run on stdout (customers, revenue, model, likely active,
/// expected purchases, notes, movement, actions): `ltv analyze` and `ltv run` share it.
void print_analysis_headline(const Analysis& a);

/// Prints each step's wall time and peak memory on stderr (`--timings`).
void print_timings(const Analysis& a);

}  // namespace ltv::cli
