// The workspace commands: `ltv init`, `ltv ingest`, `ltv run`, `ltv runs`, `ltv export`. Options
// come from the engine's parameter table (groups workspace, init, ingest, run, export); each
// command is one call into the store (ltv/store/*.hpp), then printing.
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>

#include "command.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/ltv.hpp"
#include "ltv/store/ingest.hpp"
#include "ltv/store/run.hpp"
#include "ltv/store/store.hpp"
#include "parameter_options.hpp"
#include "table_output.hpp"

namespace ltv::cli {
namespace {

/// Where a workspace is, in words: a SQLite file's full path, or the URL (password masked).
std::string where(const store::WorkspaceStore& ws) {
  if (ws.location().kind == store::DatabaseLocation::Kind::postgresql) {
    return "PostgreSQL " + ws.name();
  }
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(ws.location().target, ec);
  return "SQLite file " + (ec ? ws.location().target : absolute.string());
}

// ------------------------------------------------------------------------------------- init

void run_init(CommandParameters& command) {
  const Parameters& p = command.resolved();
  bool created = false;
  store::WorkspaceStore ws = store::WorkspaceStore::create(p.text("workspace"), &created);
  fmt::print("{} workspace {} (schema version {}): {}\n", created ? "Created" : "Opened existing",
             ws.name(), ws.schema_version(), where(ws));
  if (created) {
    fmt::print("Next: ltv ingest {} FILE --kind transactions --customer COL --date COL ...\n",
               ws.name());
  }
}

void setup_init(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "init",
      "Create a workspace: a database holding the inputs (transactions, customers, products, "
      "spend, NPS, contacts, campaigns) and the results of every run. SQLite by default "
      "(a file, default ./ltv.db); or postgresql://user@host/db (an existing, empty database). "
      "An existing workspace is opened and upgraded instead.");
  auto parameters = add_parameter_options(*cmd, {"init"});
  cmd->footer(
      "Examples:\n"
      "  ltv init                      # ./ltv.db\n"
      "  ltv init shop.db\n"
      "  ltv init postgresql://ltv@127.0.0.1:5432/ltv   # password from ~/.pgpass or PGPASSWORD");
  cmd->callback([parameters]() { run_init(*parameters); });
}

// ----------------------------------------------------------------------------------- ingest

void run_ingest(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const store::IngestOptions options = store::ingest_options(p);
  const TransactionSource source = TransactionSource::from_parameters(p);
  store::WorkspaceStore ws = store::WorkspaceStore::open(p.text("workspace"));
  const store::IngestReport r = store::ingest(ws, source, options);
  if (r.already != 0) {
    fmt::print(
        "{}: already ingested as batch {} of {} (same content, SHA-256 {}...); nothing "
        "changed\n",
        source.path, r.already, ws.name(), r.content_hash.substr(0, 12));
    return;
  }
  const bool quiet = p.flag("quiet");
  if (options.kind == store::InputKind::transactions) {
    if (!quiet) std::fputs(r.load.to_text().c_str(), stderr);
    fmt::print("Batch {}: {} transactions of {} customers", r.batch, r.rows_loaded, r.customers);
    if (r.first_day && r.last_day) {
      fmt::print(" ({} .. {})", format_date(*r.first_day), format_date(*r.last_day));
    }
  } else {
    fmt::print("Batch {}: {} {} rows", r.batch, r.rows_loaded, to_string(options.kind));
  }
  fmt::print(" from {} into {} in {:.1f} s\n", source.path, ws.name(), r.seconds);
  fmt::print("Rejected:      {} rows{}\n", r.rows_rejected,
             r.rows_rejected > 0 ? fmt::format(" (ltv export {} rejected_rows)", ws.name()) : "");
  if (!options.key.empty()) {
    fmt::print("Duplicates:    {} rows skipped (natural key already present)\n", r.rows_duplicate);
  }
}

void setup_ingest(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "ingest",
      "Add a file (or a query of your own database) to a workspace as one batch, in one "
      "transaction. The same content ingested again is recognised (SHA-256) and not counted "
      "twice; rows that do not load go to the rejected_rows table; with --on-error fail (the "
      "default) a file with a bad row ingests nothing.");
  auto parameters = add_parameter_options(*cmd, {"workspace", "source", "ingest"});
  cmd->footer(
      "Kinds and their columns (renamed to these names; options name other columns):\n"
      "  transactions  --customer --date [--amount --order --product --category ...] [--key]\n"
      "  customers     customer_id (--customer) + any attribute columns\n"
      "  products      product_id (--product), name, brand, category + any columns\n"
      "  spend         channel, period (YYYY-MM), spend (--amount)\n"
      "  nps           customer_id, date, score[, comment, channel]\n"
      "  contacts      customer_id, date[, channel]\n"
      "  campaigns     campaign_id (--campaign) + any columns\n"
      "  suppress      customer_id\n\n"
      "Example:\n"
      "  ltv ingest ltv.db sim/transactions.csv --customer customer_id --date date \\\n"
      "      --amount amount --order order_id --product product --category category\n"
      "  ltv ingest ltv.db sim/customers.csv --kind customers\n"
      "  ltv ingest ltv.db --source postgresql://shop@db/shop \\\n"
      "      --query 'select customer_id, created_at, total from orders' \\\n"
      "      --customer customer_id --date created_at --amount total");
  cmd->callback([parameters]() { run_ingest(*parameters); });
}

// -------------------------------------------------------------------------------------- run

void print_run(const store::RunOutcome& out, const std::string& workspace) {
  print_analysis_headline(out.analysis);
  if (!out.note.empty()) fmt::print("Note:          {}\n", out.note);
  fmt::print("Aggregates:    {} new batch(es), {} customers recomputed\n", out.new_batches,
             out.touched_customers);
  fmt::print("Run:           {} ({}, batches up to {}) committed in {:.1f} s: {} tables\n",
             out.run.id, out.run.kind, out.run.watermark, out.run.seconds, out.run.tables.size());
  fmt::print("Results:       ltv export {} TABLE --run {}  (tables: ltv runs {})\n", workspace,
             out.run.id, workspace);
}

void run_run(CommandParameters& command) {
  const Parameters& p = command.resolved();
  store::WorkspaceStore ws = store::WorkspaceStore::open(p.text("workspace"));
  const store::RunOptions options =
      store::run_options(p, ws.has_input(store::InputKind::customers));
  const bool quiet = p.flag("quiet");
  const bool show_progress = !quiet && ::isatty(2) == 1;
  const store::RunOutcome out =
      store::run_workspace(ws, options, [&](int step, int steps, std::string_view what) {
        if (show_progress) fmt::print(stderr, "[{}/{}] {}...\n", step, steps, what);
      });
  if (out.skipped) {
    fmt::print("{}: {}\n", ws.name(), out.note);
    return;
  }
  print_run(out, ws.name());
  if (p.flag("timings")) print_timings(out.analysis);
}

void setup_run(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "run",
      "Recalculate: run the main job (as ltv analyze) over the workspace's data and store its "
      "results as a new run, committed at once. --incremental recomputes only what depends on "
      "customers, re-reading only the customers the new batches touched.");
  auto parameters = add_parameter_options(*cmd, {"workspace", "periods", "clv", "analyze", "run"});
  // `--refit if-older 7d` (two words, as written in the docs) as well as `--refit if-older=7d`.
  if (CLI::Option* refit = cmd->get_option_no_throw("--refit")) {
    refit->expected(1, 2)->multi_option_policy(CLI::MultiOptionPolicy::Join)->delimiter(' ');
  }
  cmd->footer(
      "The inputs are the workspace's (ltv ingest); --spend, --customers, --nps, --contacts and\n"
      "--suppress files are refused. Results: ltv export WORKSPACE TABLE [--run N].\n\n"
      "Examples:\n"
      "  ltv run ltv.db\n"
      "  ltv run ltv.db --if-stale 24h                     # for cron\n"
      "  ltv run ltv.db --incremental --refit 'if-older 7d'");
  cmd->callback([parameters]() { run_run(*parameters); });
}

// ------------------------------------------------------------------------------------- runs

void setup_runs(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "runs", "List the committed runs of a workspace (id, kind, times, data, model, tables).");
  auto parameters = add_parameter_options(*cmd, {"workspace", "format", "output"});
  cmd->callback([parameters]() {
    const Parameters& p = parameters->resolved();
    store::WorkspaceStore ws = store::WorkspaceStore::open(p.text("workspace"));
    const ResultTable table = ws.workspace_table("runs");
    Output out(p.text("output"));
    write_table(out.stream(), table, parse_output_format(p.choice("format")));
    out.close();
  });
}

// ----------------------------------------------------------------------------------- export

void run_export(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const std::string name = p.text("table");
  const auto run = p.integer("run");
  store::WorkspaceStore ws = store::WorkspaceStore::open(p.text("workspace"));
  const auto ends_with = [&](std::string_view suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (name == "all") {
    // Every table and file of the run, in the folder layout of `ltv analyze -o DIR`.
    const std::string dir = p.text("output");
    if (dir.empty() || dir == "-") {
      parameter_error("output", dir, "a folder (-o DIR) for TABLE all");
    }
    const store::ExportedRun written = store::export_run_folder(ws, run, dir);
    if (!p.flag("quiet")) {
      fmt::print(stderr, "{}: run {} written to {} ({} files)\n", ws.name(), written.run, dir,
                 written.files);
    }
    return;
  }
  if (ends_with(".json") || ends_with(".html")) {
    const auto content = ws.read_run_file(name, run);
    if (!content) {
      throw store::DatabaseError(fmt::format("{}: {} has no file {}", ws.name(),
                                             run ? "run " + std::to_string(run) : "no run", name));
    }
    Output out(p.text("output"));
    out.stream() << *content;
    out.close();
    return;
  }
  const auto& own = store::WorkspaceStore::workspace_tables();
  std::int64_t found = 0;
  const ResultTable table = std::find(own.begin(), own.end(), name) != own.end()
                                ? ws.workspace_table(name)
                                : ws.read_result(name, run, &found);
  Output out(p.text("output"));
  write_table(out.stream(), table, parse_output_format(p.choice("format")));
  out.close();
  if (found != 0 && !p.flag("quiet")) {
    fmt::print(stderr, "{}: table {} of run {} ({} rows)\n", ws.name(), name, found, table.rows());
  }
}

void setup_export(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "export",
      "Write a stored result table (customers, segments, analytics/kpis, basket/rules, ...) of a "
      "run, or a run's summary.json / model.json / report.html, exactly as ltv analyze writes "
      "the file; or the workspace's runs, batches or rejected_rows.");
  auto parameters = add_parameter_options(*cmd, {"workspace", "export", "format", "output"});
  cmd->footer(
      "Examples:\n"
      "  ltv export ltv.db customers -o customers.csv\n"
      "  ltv export ltv.db all -o results/      # every table and file, as ltv analyze -o\n"
      "  ltv export ltv.db analytics/kpis --run 3\n"
      "  ltv export ltv.db report.html -o report.html\n"
      "  ltv export ltv.db rejected_rows");
  cmd->callback([parameters]() { run_export(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(2, ltv::cli::setup_init);
LTV_REGISTER_COMMAND(3, ltv::cli::setup_ingest);
LTV_REGISTER_COMMAND(4, ltv::cli::setup_run);
LTV_REGISTER_COMMAND(6, ltv::cli::setup_runs);
LTV_REGISTER_COMMAND(7, ltv::cli::setup_export);
