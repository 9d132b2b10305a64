// `ltv simulate`: writes a simulated retailer (transactions, customers, marketing spend, NPS,
// contacts, optional campaign) and the truth behind it, deterministic by --seed.
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "command.hpp"
#include "ltv/error.hpp"
#include "ltv/sim/simulate.hpp"

namespace {

struct SimulateArgs {
  std::int64_t customers = 1000;
  std::uint64_t seed = 1;
  std::string output;
  std::string model = "bgnbd";
  std::string params;
  std::string spend_params;
  std::string start = "2024-01-01";
  std::string end = "2025-12-31";
  std::int64_t weeks = 0;
  std::string acquisition = "first-quarter";
  std::int64_t acquisition_days = 0;
  double loyalty_share = 0.3;
  double loyalty_factor = 1.25;
  double nps_rate = 0.1;
  double contact_rate = 0.25;
  int max_lines = 5;
  std::string campaign_date;
  double campaign_share = 0.5;
  double campaign_uplift = 1.3;
  bool transactions_only = false;
  std::string order = "date";
  bool latent = false;
  int threads = 2;
  std::string format = "csv";
  bool quiet = false;
};

ltv::sim::SimulationOptions to_options(const SimulateArgs& a) {
  using ltv::parameter_error;
  ltv::sim::SimulationOptions o;
  if (a.customers <= 0) {
    parameter_error("customers", std::to_string(a.customers), "a whole number in 1..1000000000");
  }
  o.customers = static_cast<std::uint64_t>(a.customers);
  o.seed = a.seed;
  if (a.format != "csv") parameter_error("format", a.format, "csv");
  if (a.model == "bgnbd") {
    o.model = ltv::sim::PurchaseModel::bg_nbd;
    if (!a.params.empty()) {
      constexpr std::array<std::string_view, 4> keys{"r", "alpha", "a", "b"};
      const auto v = ltv::sim::parse_parameter_list(a.params, "--params", keys);
      if (v.count("r")) o.bg_nbd.r = v.at("r");
      if (v.count("alpha")) o.bg_nbd.alpha = v.at("alpha");
      if (v.count("a")) o.bg_nbd.a = v.at("a");
      if (v.count("b")) o.bg_nbd.b = v.at("b");
    }
  } else if (a.model == "pnbd") {
    o.model = ltv::sim::PurchaseModel::pareto_nbd;
    if (!a.params.empty()) {
      constexpr std::array<std::string_view, 4> keys{"r", "alpha", "s", "beta"};
      const auto v = ltv::sim::parse_parameter_list(a.params, "--params", keys);
      if (v.count("r")) o.pareto_nbd.r = v.at("r");
      if (v.count("alpha")) o.pareto_nbd.alpha = v.at("alpha");
      if (v.count("s")) o.pareto_nbd.s = v.at("s");
      if (v.count("beta")) o.pareto_nbd.beta = v.at("beta");
    }
  } else {
    parameter_error("model", a.model, "bgnbd or pnbd");
  }
  if (!a.spend_params.empty()) {
    constexpr std::array<std::string_view, 3> keys{"p", "q", "gamma"};
    const auto v = ltv::sim::parse_parameter_list(a.spend_params, "--spend-params", keys);
    if (v.count("p")) o.spend.p = v.at("p");
    if (v.count("q")) o.spend.q = v.at("q");
    if (v.count("gamma")) o.spend.gamma = v.at("gamma");
  }
  o.start_day = ltv::sim::parse_date_option(a.start, "--start");
  if (a.weeks != 0) {
    if (a.weeks < 1 || a.weeks > 5200) {
      parameter_error("weeks", std::to_string(a.weeks), "a number of weeks in 1..5200");
    }
    o.end_day = o.start_day + static_cast<std::int32_t>(a.weeks * 7) - 1;
  } else {
    o.end_day = ltv::sim::parse_date_option(a.end, "--end");
  }
  const std::int32_t period = o.end_day - o.start_day + 1;
  if (a.acquisition_days != 0) {
    if (a.acquisition_days < 1 || a.acquisition_days > period) {
      parameter_error("acquisition_days", std::to_string(a.acquisition_days),
                   fmt::format("a number of days in 1..{} (the period length)", period));
    }
    o.acquisition_days = static_cast<std::int32_t>(a.acquisition_days);
  } else if (a.acquisition == "uniform") {
    o.acquisition_days = period > 0 ? period : 1;
  } else if (a.acquisition == "first-quarter") {
    o.acquisition_days = 0;
  } else {
    parameter_error("acquisition", a.acquisition, "first-quarter or uniform");
  }
  o.loyalty_share = a.loyalty_share;
  o.loyalty_factor = a.loyalty_factor;
  o.nps_rate = a.nps_rate;
  o.contact_rate = a.contact_rate;
  o.max_lines = a.max_lines;
  if (!a.campaign_date.empty()) {
    o.campaign_day = ltv::sim::parse_date_option(a.campaign_date, "--campaign-date");
  }
  o.campaign_share = a.campaign_share;
  o.campaign_uplift = a.campaign_uplift;
  o.transactions_only = a.transactions_only;
  o.order = ltv::sim::parse_row_order(a.order, "--order");
  o.write_latent = a.latent;
  o.threads = a.threads;
  ltv::sim::validate(o);
  return o;
}

void setup_simulate(CLI::App& root) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = root.add_subcommand(
      "simulate",
      "Write a simulated retailer (BG/NBD or Pareto/NBD purchases, Gamma-Gamma spend, products, "
      "customers, marketing spend, NPS, contacts) and truth.json, deterministic by --seed");
  cmd->add_option("--customers", args->customers, "Number of customers")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Output directory (created if missing)")->required();
  cmd->add_option("--model", args->model, "Purchase process: bgnbd or pnbd")->capture_default_str();
  cmd->add_option("--params", args->params,
                  "Model parameters, weeks (bgnbd: r=0.243,alpha=4.414,a=0.793,b=2.426; pnbd: "
                  "r=0.553,alpha=10.578,s=0.606,beta=11.669); keys not given keep defaults");
  cmd->add_option("--spend-params", args->spend_params,
                  "Gamma-Gamma spend parameters (default p=6.25,q=3.74,gamma=15.44)");
  cmd->add_option("--start", args->start, "First day of the period")->capture_default_str();
  cmd->add_option("--end", args->end, "Last day of the period (inclusive)")->capture_default_str();
  cmd->add_option("--weeks", args->weeks, "Period length in weeks from --start (overrides --end)");
  cmd->add_option("--acquisition", args->acquisition,
                  "First purchases uniform over the first quarter of the period "
                  "(first-quarter) or over the whole period (uniform)")
      ->capture_default_str();
  cmd->add_option("--acquisition-days", args->acquisition_days,
                  "Acquisition window in days from --start (overrides --acquisition)");
  cmd->add_option("--loyalty-share", args->loyalty_share, "Share of loyalty members")
      ->capture_default_str();
  cmd->add_option("--loyalty-factor", args->loyalty_factor,
                  "Members' order values are multiplied by this")
      ->capture_default_str();
  cmd->add_option("--nps-rate", args->nps_rate, "Share of customers answering the NPS survey")
      ->capture_default_str();
  cmd->add_option("--contact-rate", args->contact_rate, "Contacts per customer per month")
      ->capture_default_str();
  cmd->add_option("--max-lines", args->max_lines, "Most lines (products) per order")
      ->capture_default_str();
  cmd->add_option("--campaign-date", args->campaign_date,
                  "Run a campaign on this date (YYYY-MM-DD); default: no campaign");
  cmd->add_option("--campaign-share", args->campaign_share,
                  "Share of customers acquired before the campaign who enter it")
      ->capture_default_str();
  cmd->add_option("--campaign-uplift", args->campaign_uplift,
                  "Treated customers' purchase rate factor after the campaign date")
      ->capture_default_str();
  cmd->add_flag("--transactions-only", args->transactions_only,
                "Write only transactions.csv and truth.json");
  cmd->add_option("--order", args->order,
                  "Row order of transactions.csv: date (as shops and CRMs export; the orders of "
                  "a day in random order), customer (customer by customer) or shuffled (every "
                  "line at a random place). Same rows in every order")
      ->capture_default_str();
  cmd->add_flag("--latent", args->latent,
                "Also write latent.csv (continuous-time x, t_x, T and latent rates per customer)");
  cmd->add_option("--threads", args->threads, "Worker threads (output does not depend on it)")
      ->capture_default_str();
  cmd->add_option("--format", args->format, "Output format (csv only)")->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "Do not print the summary line on stderr");
  cmd->footer(
      "Example:\n  ltv simulate --customers 10000 --seed 42 -o sim/\n"
      "  ltv simulate --customers 1000000 --model pnbd --transactions-only -o big/\n"
      "  ltv simulate --customers 100000 --order shuffled -o shuffled/\n"
      "Writes DIR/transactions.csv, customers.csv, spend.csv, nps.csv, contacts.csv,\n"
      "campaigns.csv (with --campaign-date), latent.csv (with --latent) and truth.json.");
  cmd->callback([args] {
    const ltv::sim::SimulationOptions options = to_options(*args);
    const auto started = std::chrono::steady_clock::now();
    const ltv::sim::SimulationCounts counts = ltv::sim::simulate_retailer(options, args->output);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!args->quiet) {
      std::fprintf(stderr,
                   "ltv simulate: %llu customers, %llu orders, %llu transaction rows, %.1f MB in "
                   "%.2f s (%.0f MB/s) -> %s\n",
                   static_cast<unsigned long long>(counts.customers),
                   static_cast<unsigned long long>(counts.orders),
                   static_cast<unsigned long long>(counts.transaction_rows),
                   static_cast<double>(counts.bytes_written) / 1e6, seconds,
                   static_cast<double>(counts.bytes_written) / 1e6 / (seconds > 0 ? seconds : 1),
                   args->output.c_str());
    }
  });
}

}  // namespace

LTV_REGISTER_COMMAND(90, setup_simulate);
