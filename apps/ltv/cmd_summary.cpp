// `ltv summary`: per-customer RFM summary (frequency, recency, T, monetary value), optionally
// split into calibration and holdout periods.
#include <CLI/CLI.hpp>

#include <algorithm>

#include "command.hpp"
#include "ltv/data/summary.hpp"
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
    // A file in customer order (an export sorted by customer) is summarised as it is read,
    // customer after customer; a file in any other order (by date, as exports come, or shuffled)
    // is declined within its first customers and summarised as it is read again, into a table
    // of one state per customer. Only an order id column, a value an exact sum cannot hold, or
    // stdin (which cannot be read twice) take the TransactionLog. Every path gives the same
    // bytes, with the rows in customer id order.
    LoadOptions lo = load_options(*options);
    lo.keep_extra_columns = false;
    auto streamed = [&](auto& summaries) {
      LoadReport report;
      const int parts = stream_transactions(options->file, lo, report,
                                            [&](int k) -> RowSink& { return summaries.part(k); });
      if (parts == 0 || !summaries.join(parts)) return false;
      report.customers = summaries.customers_loaded();
      report_load(*options, report);
      summaries.finish(LoadedDays{report.first_day, report.last_day});
      write(summaries);
      return true;
    };
    bool values_fit = true;  // in ExactSum (else only the log path takes them)
    {
      SummaryStream stream(summary_opts);
      if (streamed(stream)) return;
      values_fit = !stream.declined_for_values();
    }
    if (values_fit && options->file != "-") {
      SummaryTable table(summary_opts);
      if (streamed(table)) return;
    }
    const TransactionLog log = load_log(*options, nullptr, /*keep_extra_columns=*/false);
    const SummaryBuilder builder(log, summary_opts);
    write(builder);
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(10, ltv::cli::setup_summary);
