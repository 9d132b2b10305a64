// Throughput of the CSV tokenizer (MB/s) and of load + summarize (rows/s) on generated data.
//   build/bin/csv_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "ltv/data/summary.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/load.hpp"

namespace {

/// Online-Retail-like text: invoice, product, quoted description (with commas for some rows),
/// quantity, datetime, price, customer, country.
std::string make_csv(std::size_t rows, bool quoted) {
  std::mt19937_64 rng(42);
  std::string text =
      "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";
  text.reserve(rows * 90);
  for (std::size_t i = 0; i < rows; ++i) {
    const unsigned day = 1 + static_cast<unsigned>(rng() % 28);
    const unsigned month = 1 + static_cast<unsigned>(rng() % 12);
    const bool q = quoted && rng() % 4 == 0;
    fmt::format_to(
        std::back_inserter(text),
        "{},{}A,{},{},2011-{:02}-{:02} {:02}:{:02}:00,{}.{:02},{},United Kingdom\n",
        536365 + i / 20, 10000 + rng() % 4000,
        q ? "\"SET OF 3 CAKE TINS, \"\"PANTRY\"\" DESIGN\"" : "WHITE HANGING HEART T-LIGHT",
        1 + rng() % 24, month, day, rng() % 24, rng() % 60, rng() % 20, rng() % 100,
        12346 + rng() % 4000);
  }
  return text;
}

void BM_Tokenize(benchmark::State& state, bool quoted) {
  const std::string text = make_csv(static_cast<std::size_t>(state.range(0)), quoted);
  std::size_t fields = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string copy = text;
    state.ResumeTiming();
    ltv::CsvReader reader = ltv::CsvReader::from_string(std::move(copy));
    ltv::CsvRecord record;
    while (reader.next(record)) fields += record.size();
    benchmark::DoNotOptimize(fields);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK_CAPTURE(BM_Tokenize, plain, false)->Arg(200000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Tokenize, quoted, true)->Arg(200000)->Unit(benchmark::kMillisecond);

void BM_LoadAndSummarize(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const auto path = std::filesystem::temp_directory_path() / "ltv_csv_bench.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << make_csv(rows, true);
  }
  ltv::LoadOptions options;
  options.columns.customer = "CustomerID";
  options.columns.date = "InvoiceDate";
  options.columns.order = "InvoiceNo";
  options.columns.quantity = "Quantity";
  options.columns.price = "UnitPrice";
  options.columns.product = "StockCode";
  options.keep_extra_columns = false;
  options.threads = threads;
  for (auto _ : state) {
    ltv::LoadReport report;
    ltv::TransactionLog log = ltv::load_transactions(path.string(), options, report);
    ltv::CustomerSummary summary = ltv::summarize(log, ltv::SummaryOptions{});
    benchmark::DoNotOptimize(summary.frequency.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * std::filesystem::file_size(path)));
  std::filesystem::remove(path);
}
// Args: rows, loader threads (1 = sequential, 2 = two chunks). Real time: threads matter.
BENCHMARK(BM_LoadAndSummarize)
    ->Args({500000, 1})
    ->Args({500000, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
