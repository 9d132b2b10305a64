#pragma once
/// Simulator of a retailer whose customers follow a BTYD purchase process (BG/NBD or Pareto/NBD)
/// and Gamma-Gamma spend, with products, customer attributes, marketing spend, NPS answers,
/// contacts and an optional campaign with known uplift. Deterministic by seed: every customer has
/// its own random streams derived from (seed, customer index, stream), so the output does not
/// depend on the number of threads. Also offers in-memory generators of per-customer summaries
/// for parameter-recovery tests of the models.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/data/transaction_log.hpp"

namespace ltv::sim {

/// BG/NBD heterogeneity (Fader, Hardie & Lee 2005): lambda ~ Gamma(r, rate alpha), p ~ Beta(a, b).
/// Time unit: weeks. Defaults: the CDNOW estimates of the paper.
struct BgNbdParams {
  double r = 0.243;
  double alpha = 4.414;
  double a = 0.793;
  double b = 2.426;
};

/// Pareto/NBD heterogeneity (Schmittlein, Morrison & Colombo 1987): lambda ~ Gamma(r, rate alpha),
/// mu ~ Gamma(s, rate beta), lifetime ~ Exp(mu). Time unit: weeks. Defaults: CDNOW estimates.
struct ParetoNbdParams {
  double r = 0.553;
  double alpha = 10.578;
  double s = 0.606;
  double beta = 11.669;
};

/// BG/BB heterogeneity (Fader, Hardie & Shang 2010): purchase probability p ~ Beta(alpha, beta),
/// dropout probability theta ~ Beta(gamma, delta), per discrete transaction opportunity.
struct BgBbParams {
  double alpha = 1.204;
  double beta = 0.750;
  double gamma = 0.657;
  double delta = 2.783;
};

/// Gamma-Gamma spend (Fader, Hardie & Lee 2005, "RFM and CLV"): nu ~ Gamma(q, rate gamma) per
/// customer, each transaction value z ~ Gamma(p, rate nu). Mean transaction value p*gamma/(q-1).
struct GammaGammaParams {
  double p = 6.25;
  double q = 3.74;
  double gamma = 15.44;
};

/// Purchase process of the retailer simulation.
enum class PurchaseModel { bg_nbd, pareto_nbd };

/// Row order of transactions.csv. The rows are the same in every order.
enum class RowOrder {
  customer,  ///< customer by customer (each customer's orders by date), as an export by customer
  date,      ///< by date, the orders of a day in random order (each order's lines together), as
             ///< a CRM or shop system exports
  shuffled,  ///< every line at a random place, as a file assembled from several sources
};

/// "customer", "date", "shuffled".
std::string_view to_string(RowOrder order) noexcept;
/// Parses "customer" / "date" / "shuffled"; throws InputError naming `option` otherwise.
RowOrder parse_row_order(std::string_view text, std::string_view option);

/// "bgnbd" or "pnbd".
std::string_view to_string(PurchaseModel model) noexcept;

/// Everything `simulate_retailer` needs. Dates are day numbers (days since 1970-01-01).
struct SimulationOptions {
  std::uint64_t customers = 1000;  ///< number of customers (all make a first purchase)
  std::uint64_t seed = 1;
  PurchaseModel model = PurchaseModel::bg_nbd;
  BgNbdParams bg_nbd;
  ParetoNbdParams pareto_nbd;
  GammaGammaParams spend;
  std::int32_t start_day = 19723;  ///< first day of the period (2024-01-01)
  std::int32_t end_day = 20453;    ///< last day of the period, inclusive (2025-12-31)
  /// Length of the acquisition window in days from start_day; first purchases are uniform in
  /// continuous time over it. 0 means a quarter of the period (the CDNOW-like default).
  std::int32_t acquisition_days = 0;
  double loyalty_share = 0.3;    ///< probability that a customer is a loyalty member
  double loyalty_factor = 1.25;  ///< members' transaction values are multiplied by this
  double nps_rate = 0.1;         ///< probability that a customer answers the NPS survey
  double contact_rate = 0.25;    ///< contacts per customer per month (Poisson process)
  int max_lines = 5;             ///< most lines (products) per order
  /// Campaign: when campaign_day is set, a share of the customers acquired before that day enter
  /// the campaign, half treated, half control; treated customers' purchase rate lambda is
  /// multiplied by campaign_uplift from that day on.
  std::optional<std::int32_t> campaign_day;  ///< day number of the campaign
  double campaign_share = 0.5;
  double campaign_uplift = 1.3;
  bool transactions_only = false;  ///< write transactions.csv and truth.json only
  /// Row order of transactions.csv (the other files are by customer). Reordering goes through
  /// temporary files next to transactions.csv, about its size in all, removed when done.
  RowOrder order = RowOrder::customer;
  /// About how many bytes of transactions each temporary file of a reordering holds (one file
  /// is read back into memory at a time).
  std::size_t reorder_bucket_bytes = std::size_t{32} << 20;
  bool write_latent = false;  ///< also write latent.csv (per-customer latent truth)
  int threads = 2;            ///< worker threads; the output does not depend on it
};

/// What `simulate_retailer` wrote (rows exclude headers).
struct SimulationCounts {
  std::uint64_t customers = 0;
  std::uint64_t orders = 0;            ///< purchases (first + repeat) within the period
  std::uint64_t repeat_purchases = 0;  ///< continuous-time repeat purchases within the period
  std::uint64_t same_day_repeats = 0;  ///< repeat purchases on a day that already had one
  std::uint64_t transaction_rows = 0;  ///< order lines in transactions.csv
  std::uint64_t customer_rows = 0;
  std::uint64_t spend_rows = 0;
  std::uint64_t nps_rows = 0;
  std::uint64_t contact_rows = 0;
  std::uint64_t campaign_rows = 0;
  std::uint64_t alive_at_end = 0;  ///< customers still alive at the end of the period
  std::uint64_t bytes_written = 0;
  double revenue = 0;  ///< sum of all amounts
};

/// Checks the options; throws InputError (parameter_error) naming the offending option.
void validate(const SimulationOptions& options);

/// Simulates the retailer and writes transactions.csv, customers.csv, spend.csv, nps.csv,
/// contacts.csv, campaigns.csv (with a campaign), latent.csv (when asked) and truth.json into
/// `dir` (created if missing), streaming customer by customer in blocks. Throws InputError for bad
/// options and Error when a file cannot be written.
SimulationCounts simulate_retailer(const SimulationOptions& options,
                                   const std::filesystem::path& dir);

/// The rows of transactions.csv that `simulate_retailer` writes for the same options, in memory
/// (same seed, same rows, same order, options.order included): customer ids, day, amount (line
/// value), quantity, order, product, category, channel (sales channel) and region, codes in order
/// of first appearance.
/// For tests and demos of moderate size. Throws InputError for bad options.
TransactionLog simulate_transaction_log(const SimulationOptions& options);

/// Per-customer summaries in continuous time (weeks): x repeat purchases, t_x time of the last
/// one since the first purchase at time 0 (0 when x = 0), T length of observation; plus the
/// latent truth.
struct SimulatedSummary {
  std::vector<double> x;
  std::vector<double> t_x;
  std::vector<double> T;
  std::vector<double> lambda;       ///< purchase rate per week
  std::vector<double> dropout;      ///< BG/NBD: p; Pareto/NBD: mu
  std::vector<std::uint8_t> alive;  ///< 1 when still alive at T
  std::size_t size() const noexcept { return x.size(); }
};

/// Simulates the BG/NBD process (Fader, Hardie & Lee 2005, section 2) for customers observed for
/// T[i] weeks after their first purchase. Death is possible only immediately after a repeat
/// purchase (probability p). Throws InputError for non-positive parameters or negative T.
SimulatedSummary simulate_bgnbd_summary(std::span<const double> T, const BgNbdParams& params,
                                        std::uint64_t seed);

/// Same for n customers all observed for T weeks.
SimulatedSummary simulate_bgnbd_summary(std::size_t n, double T, const BgNbdParams& params,
                                        std::uint64_t seed);

/// Simulates the Pareto/NBD process: purchases at rate lambda during an Exp(mu) lifetime.
SimulatedSummary simulate_pnbd_summary(std::span<const double> T, const ParetoNbdParams& params,
                                       std::uint64_t seed);

/// Same for n customers all observed for T weeks.
SimulatedSummary simulate_pnbd_summary(std::size_t n, double T, const ParetoNbdParams& params,
                                       std::uint64_t seed);

/// BG/BB summaries: x purchases in n discrete opportunities after the first, t_x the last
/// opportunity with a purchase (0 when none).
struct SimulatedBgBbSummary {
  std::vector<int> x;
  std::vector<int> t_x;
  std::vector<int> n;
  std::vector<double> p;            ///< latent purchase probability
  std::vector<double> theta;        ///< latent dropout probability
  std::vector<std::uint8_t> alive;  ///< 1 when still alive after opportunity n
  std::size_t size() const noexcept { return x.size(); }
};

/// Simulates BG/BB: at each opportunity the customer first dies with probability theta, and if
/// alive buys with probability p. Throws InputError for non-positive parameters or negative n.
SimulatedBgBbSummary simulate_bgbb_summary(std::span<const int> n, const BgBbParams& params,
                                           std::uint64_t seed);

/// Gamma-Gamma spend given the number of transactions: for each customer draws nu and x[i]
/// transaction values, returns their mean (0 when x[i] == 0). `nu` receives the latent nu when
/// non-null. Throws InputError for non-positive parameters or negative / non-integer x.
std::vector<double> simulate_gamma_gamma_spend(std::span<const double> x,
                                               const GammaGammaParams& params, std::uint64_t seed,
                                               std::vector<double>* nu = nullptr);

/// Parses "key=value,key=value" (e.g. "r=0.243,alpha=4.414"); keys must be among `keys`, values
/// finite and > 0. Throws InputError naming `option` otherwise. Missing keys are absent.
std::map<std::string, double> parse_parameter_list(std::string_view text, std::string_view option,
                                                   std::span<const std::string_view> keys);

/// Parses "YYYY-MM-DD" into a day number (days since 1970-01-01); throws InputError for `option`.
std::int32_t parse_date_option(std::string_view text, std::string_view option);

/// Formats a day number as "YYYY-MM-DD".
std::string format_day(std::int32_t day);

}  // namespace ltv::sim
