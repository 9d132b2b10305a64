// `ltv summary`: per-customer RFM summary (frequency, recency, T, monetary value), optionally
// split into calibration and holdout periods.
#include <CLI/CLI.hpp>

#include <algorithm>

#include "command.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/io/files.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {
namespace {

void setup_summary(CLI::App& root) {
  auto options = std::make_shared<TransactionCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "summary",
      "Summarise each customer: frequency (repeat purchase days), recency and T (in --time-unit), "
      "monetary value, orders, revenue; with --calibration-end also the holdout period. "
      "Purchases on the same day count as one purchase.");
  add_transaction_options(*cmd, *options);
  cmd->footer(
      "Output columns: customer_id,frequency,recency,T,monetary_value,first_purchase,"
      "last_purchase,orders,revenue[,profit][,frequency_holdout,monetary_value_holdout,"
      "duration_holdout]\n\n"
      "Example (CDNOW sample: no header, whitespace-separated):\n"
      "  ltv summary CDNOW_sample.txt --no-header --customer 2 --date 3 --amount 5 \\\n"
      "      --calibration-end 1997-09-30 --observation-end 1998-06-30 -o summary.csv\n"
      "Example (Online Retail):\n"
      "  ltv summary online_retail.csv.gz --customer CustomerID --date InvoiceDate \\\n"
      "      --order InvoiceNo --quantity Quantity --price UnitPrice --returns drop");
  cmd->callback([options]() {
    // -o must not name the input (it would be replaced while it is read): refused before any read.
    check_output_not_input(options->output, std::vector<std::string>{options->file});
    const SummaryOptions summary_opts = summary_options(*options);
    const OutputFormat format = output_format(*options);
    // Built and written 262,144 customers at a time, so the whole summary is never held (about
    // 60 bytes per customer: 0.6 GB for 10M customers). The output is created once the options
    // are checked (the header throws for a bad calibration end).
    auto write = [&](const SummaryRanges& source) {
      Output out(options->output);
      SummaryWriter writer(out.stream(), format, source.header().has_profit,
                           source.header().has_holdout);
      constexpr std::size_t kRange = std::size_t{1} << 18;
      for (std::size_t begin = 0; begin < source.customers(); begin += kRange) {
        writer.write(source, begin, std::min(source.customers(), begin + kRange));
      }
      writer.finish();
      out.close();
    };
    // A file in customer order (an export sorted by customer) is summarised as it is read, with
    // no TransactionLog; any other order is declined within its first customers and read into a
    // log. Both give the same bytes.
    LoadOptions lo = load_options(*options);
    lo.keep_extra_columns = false;
    LoadReport report;
    SummaryStream stream(summary_opts);
    const int parts = stream_transactions(options->file, lo, report,
                                          [&](int k) -> RowSink& { return stream.part(k); });
    if (parts > 0 && stream.join(parts)) {
      report.customers = stream.customers_loaded();
      report_load(*options, report);
      stream.finish(report);
      write(stream);
      return;
    }
    const TransactionLog log = load_log(*options, nullptr, /*keep_extra_columns=*/false);
    const SummaryBuilder builder(log, summary_opts);
    write(builder);
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(10, ltv::cli::setup_summary);
