// The retailer simulation: streams customers in blocks, generated in parallel and written in
// order, so memory stays bounded and the output depends only on the options and the seed.
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <nlohmann/json.hpp>

#include "ltv/error.hpp"
#include "ltv/sim/simulate.hpp"
#include "ltv/version.hpp"
#include "math/parallel.hpp"
#include "sim/catalog.hpp"
#include "sim/processes.hpp"

namespace ltv::sim {

namespace {

using namespace detail;  // Rng, Stream, the catalog and vocabularies

constexpr double kDaysPerWeek = 7.0;
constexpr double kDaysPerMonth = 365.25 / 12.0;
constexpr std::size_t kBlockCustomers = 4096;

// ---- dates -------------------------------------------------------------------------------------

struct Civil {
  int year;
  unsigned month, day;
};

Civil civil(std::int32_t day_number) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{day_number}}};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day())};
}

using DateText = std::array<char, 10>;

DateText date_text(std::int32_t day_number) {
  const Civil c = civil(day_number);
  DateText t{};
  fmt::format_to_n(t.data(), t.size(), "{:04}-{:02}-{:02}", c.year, c.month, c.day);
  return t;
}

// ---- shared read-only context ------------------------------------------------------------------

struct Context {
  const SimulationOptions& options;
  Catalog catalog;
  std::int32_t period_days = 0;             // D: days in [start, end]
  double acquisition_days = 0;              // A
  std::vector<DateText> dates;              // day offset -> text
  std::vector<std::uint16_t> month_of_day;  // day offset -> month index
  std::vector<std::string> month_labels;    // YYYY-MM
  int id_width = 7;
  std::int32_t campaign_offset = -1;  // campaign day offset, -1 without campaign
  std::array<double, 6> region_cum = cumulative(kRegionWeight);
  std::array<double, 5> acquisition_cum = cumulative(kAcquisitionWeight);
  std::array<double, 3> sales_cum = cumulative(kSalesChannelWeight);
  std::array<double, 4> nps_channel_cum = cumulative(kNpsChannelWeight);
  std::array<double, 3> quantity_cum = cumulative(kQuantityWeight);
  std::array<double, 4> contact_cum{};

  explicit Context(const SimulationOptions& o) : options(o), catalog(make_catalog()) {
    period_days = o.end_day - o.start_day + 1;
    acquisition_days =
        o.acquisition_days > 0 ? o.acquisition_days : std::max(1.0, period_days / 4.0);
    dates.resize(static_cast<std::size_t>(period_days));
    month_of_day.resize(static_cast<std::size_t>(period_days));
    const Civil first = civil(o.start_day);
    for (std::int32_t d = 0; d < period_days; ++d) {
      dates[static_cast<std::size_t>(d)] = date_text(o.start_day + d);
      const Civil c = civil(o.start_day + d);
      const int index =
          (c.year - first.year) * 12 + static_cast<int>(c.month) - static_cast<int>(first.month);
      month_of_day[static_cast<std::size_t>(d)] = static_cast<std::uint16_t>(index);
      if (static_cast<std::size_t>(index) == month_labels.size()) {
        month_labels.push_back(fmt::format("{:04}-{:02}", c.year, c.month));
      }
    }
    id_width = std::max<int>(7, static_cast<int>(std::to_string(o.customers).size()));
    if (o.campaign_day) campaign_offset = *o.campaign_day - o.start_day;
    double s = 0;
    for (std::size_t i = 0; i < kContactChannels.size(); ++i) {
      contact_cum[i] = (s += kContactChannels[i].weight);
    }
  }
};

// ---- one block of customers --------------------------------------------------------------------

struct Order {
  std::uint32_t customer;  // index within the block
  std::int32_t day;        // offset from start
  std::int64_t cents;
  std::uint32_t first_line;
  std::uint16_t line_count;
  std::uint8_t sales_channel;
};

struct Line {
  std::uint16_t product;
  std::uint8_t quantity;
  std::int64_t cents;
};

struct Block {
  std::uint64_t first_customer = 0;
  std::uint64_t count = 0;
  std::vector<Order> orders;
  std::vector<Line> lines;
  std::vector<std::uint8_t> region;  // per customer of the block
  fmt::memory_buffer transactions, customers, nps, contacts, campaigns, latent;
  // Reordered transactions: where each line ends in `transactions`, and its sort key.
  std::vector<std::uint32_t> line_ends;
  std::vector<std::uint64_t> line_keys;
  std::vector<std::uint32_t> acquisitions;  // [channel * months + month]
  std::vector<std::int32_t> first_sale;     // per product: first day sold in the block
  SimulationCounts counts;
  std::uint64_t first_order_id = 0;

  void reset(std::uint64_t first, std::uint64_t n, std::size_t months) {
    first_customer = first;
    count = n;
    orders.clear();
    lines.clear();
    region.clear();
    transactions.clear();
    line_ends.clear();
    line_keys.clear();
    customers.clear();
    nps.clear();
    contacts.clear();
    campaigns.clear();
    latent.clear();
    acquisitions.assign(kAcquisitionChannels.size() * months, 0);
    first_sale.clear();
    counts = {};
  }
};

template <class Buffer>
void append(Buffer& buffer, std::string_view text) {
  buffer.append(text.data(), text.data() + text.size());
}

template <class Buffer>
void append_date(Buffer& buffer, const DateText& date) {
  buffer.append(date.data(), date.data() + date.size());
}

template <class Buffer>
void append_uint(Buffer& buffer, std::uint64_t value) {
  const fmt::format_int text(value);
  buffer.append(text.data(), text.data() + text.size());
}

// "C" followed by the 1-based index zero-padded to `width` digits.
template <class Buffer>
void append_customer_id(Buffer& buffer, std::uint64_t index, int width) {
  const fmt::format_int text(index + 1);
  buffer.push_back('C');
  for (auto pad = static_cast<std::size_t>(width); pad > text.size(); --pad) buffer.push_back('0');
  buffer.append(text.data(), text.data() + text.size());
}

template <class Buffer>
void append_cents(Buffer& buffer, std::int64_t cents) {
  if (cents < 0) {
    buffer.push_back('-');
    cents = -cents;
  }
  append_uint(buffer, static_cast<std::uint64_t>(cents / 100));
  const auto fraction = static_cast<char>(cents % 100);
  const char digits[3] = {'.', static_cast<char>('0' + fraction / 10),
                          static_cast<char>('0' + fraction % 10)};
  buffer.append(digits, digits + 3);
}

// Splits `total` cents over lines in proportion to weights, each line at least one cent.
void split_cents(std::int64_t total, std::span<Line> lines, std::span<const double> weights) {
  const auto n = static_cast<std::int64_t>(lines.size());
  double weight_sum = 0;
  for (double w : weights) weight_sum += w;
  std::int64_t rest = total - n;
  std::int64_t assigned = 0;
  for (std::size_t j = 0; j < lines.size(); ++j) {
    const auto share =
        static_cast<std::int64_t>(std::floor(static_cast<double>(rest) * weights[j] / weight_sum));
    lines[j].cents = 1 + share;
    assigned += lines[j].cents;
  }
  lines.back().cents += total - assigned;  // rounding remainder
}

// Double precision throughout (Boost.Math would otherwise promote to long double).
using DoublePolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

double gamma_cdf(double shape, double rate, double x) {
  return boost::math::gamma_p(shape, rate * x, DoublePolicy());
}

void generate_block(const Context& ctx, Block& block) {
  const SimulationOptions& o = ctx.options;
  const Catalog& catalog = ctx.catalog;
  const double D = ctx.period_days;
  const std::size_t months = ctx.month_labels.size();
  std::vector<double> times;
  std::vector<double> weights;
  std::vector<int> order_categories;
  std::vector<int> previous_categories;

  for (std::uint64_t local = 0; local < block.count; ++local) {
    const std::uint64_t index = block.first_customer + local;
    const auto local32 = static_cast<std::uint32_t>(local);

    // Purchase process: acquisition time (continuous days from start), then the model.
    Rng purchase(o.seed, index, Stream::purchase);
    const double acquisition = purchase.uniform() * ctx.acquisition_days;
    const double T = (D - acquisition) / kDaysPerWeek;
    const auto first_offset = static_cast<std::int32_t>(std::floor(acquisition));

    // Campaign assignment (independent stream).
    int campaign_group = 0;  // 0 none, 1 treated, 2 control
    detail::RateChange change;
    if (ctx.campaign_offset >= 0 && first_offset < ctx.campaign_offset) {
      Rng campaign(o.seed, index, Stream::campaign);
      if (campaign.bernoulli(o.campaign_share)) {
        campaign_group = campaign.bernoulli(0.5) ? 1 : 2;
        if (campaign_group == 1) {
          change.time = (ctx.campaign_offset - acquisition) / kDaysPerWeek;
          change.factor = o.campaign_uplift;
        }
      }
    }

    double lambda = 0, dropout = 0, lifetime = 0;
    bool alive = true;
    times.clear();
    if (o.model == PurchaseModel::bg_nbd) {
      lambda = purchase.gamma(o.bg_nbd.r, o.bg_nbd.alpha);
      dropout = purchase.beta(o.bg_nbd.a, o.bg_nbd.b);
      alive = detail::bgnbd_repeat_times(purchase, lambda, dropout, T, change, times);
    } else {
      lambda = purchase.gamma(o.pareto_nbd.r, o.pareto_nbd.alpha);
      dropout = purchase.gamma(o.pareto_nbd.s, o.pareto_nbd.beta);
      alive = detail::pnbd_repeat_times(purchase, lambda, dropout, T, change, times, lifetime);
    }
    block.counts.repeat_purchases += times.size();
    block.counts.alive_at_end += alive ? 1 : 0;

    // Attributes.
    Rng attributes(o.seed, index, Stream::attributes);
    const bool female = attributes.bernoulli(kFemaleShare);
    const double age = 18.0 + 62.0 * attributes.beta(2.0, 3.5);
    const auto region = static_cast<std::uint8_t>(detail::pick(attributes, ctx.region_cum));
    const std::size_t channel = detail::pick(attributes, ctx.acquisition_cum);
    const bool loyal = attributes.bernoulli(o.loyalty_share);
    std::int32_t signup_offset = first_offset;
    if (attributes.bernoulli(kEarlySignupProbability)) {
      signup_offset = std::max<std::int32_t>(
          0, first_offset - 1 - static_cast<std::int32_t>(attributes.below(30)));
    }
    const auto birth_day = static_cast<std::int32_t>(o.start_day - std::floor(age * 365.25) -
                                                     static_cast<double>(attributes.below(365)));
    const double potential_noise = std::exp(kPotentialNoiseSd * attributes.normal() -
                                            0.5 * kPotentialNoiseSd * kPotentialNoiseSd);
    block.region.push_back(region);
    block.acquisitions[channel * months +
                       ctx.month_of_day[static_cast<std::size_t>(first_offset)]]++;

    // Spend: nu per customer, one Gamma(p, nu) value per order.
    Rng spend(o.seed, index, Stream::spend);
    const double nu = spend.gamma(o.spend.q, o.spend.gamma);
    const double spend_factor = loyal ? o.loyalty_factor : 1.0;

    // Baskets.
    Rng basket(o.seed, index, Stream::basket);
    const auto preferred_category =
        static_cast<int>(detail::pick(basket, catalog.category_cumulative));
    const auto preferred_sales = static_cast<std::uint8_t>(detail::pick(basket, ctx.sales_cum));
    previous_categories.clear();
    std::int32_t previous_day = -1;
    for (std::size_t k = 0; k <= times.size(); ++k) {
      const double t = k == 0 ? 0.0 : times[k - 1];
      const auto day = std::min<std::int32_t>(
          ctx.period_days - 1,
          static_cast<std::int32_t>(std::floor(acquisition + kDaysPerWeek * t)));
      if (k > 0 && day == previous_day) block.counts.same_day_repeats++;
      previous_day = day;
      const double value = spend.gamma(o.spend.p, nu) * spend_factor;
      const std::int64_t cents = std::max<std::int64_t>(1, std::llround(value * 100.0));

      Order order{};
      order.customer = local32;
      order.day = day;
      order.cents = cents;
      order.first_line = static_cast<std::uint32_t>(block.lines.size());
      order.sales_channel = basket.bernoulli(kPreferredSalesChannelProbability)
                                ? preferred_sales
                                : static_cast<std::uint8_t>(detail::pick(basket, ctx.sales_cum));
      int wanted = 1;
      while (wanted < o.max_lines && basket.bernoulli(kExtraLineProbability)) ++wanted;
      if (cents < wanted) wanted = static_cast<int>(cents);
      // Sequence rule: a category of the previous order may pull the first line's category.
      int forced_category = -1;
      for (int c : previous_categories) {
        const auto cu = static_cast<std::size_t>(c);
        if (catalog.follow_category[cu] >= 0 && basket.bernoulli(catalog.follow_probability[cu])) {
          forced_category = catalog.follow_category[cu];
          break;
        }
      }
      order_categories.clear();
      int previous_product = -1;
      for (int line = 0; line < wanted; ++line) {
        int product = -1;
        if (previous_product >= 0) {
          const auto pu = static_cast<std::size_t>(previous_product);
          if (catalog.companion[pu] >= 0 && basket.bernoulli(catalog.companion_probability[pu])) {
            product = catalog.companion[pu];
          }
        }
        if (product < 0) {
          int category = forced_category;
          forced_category = -1;
          if (category < 0) {
            category = basket.bernoulli(kPreferredCategoryProbability)
                           ? preferred_category
                           : static_cast<int>(detail::pick(basket, catalog.category_cumulative));
          }
          const auto cu = static_cast<std::size_t>(category);
          product = catalog.by_category[cu][detail::pick(basket, catalog.within_cumulative[cu])];
        }
        const auto quantity = static_cast<std::uint8_t>(1 + detail::pick(basket, ctx.quantity_cum));
        previous_product = product;
        bool merged = false;
        for (std::size_t j = order.first_line; j < block.lines.size(); ++j) {
          if (block.lines[j].product == product) {
            block.lines[j].quantity =
                static_cast<std::uint8_t>(std::min(250, block.lines[j].quantity + quantity));
            merged = true;
            break;
          }
        }
        if (!merged) {
          block.lines.push_back({static_cast<std::uint16_t>(product), quantity, 0});
          order_categories.push_back(catalog.products[static_cast<std::size_t>(product)].category);
        }
      }
      order.line_count = static_cast<std::uint16_t>(block.lines.size() - order.first_line);
      weights.clear();
      for (std::size_t j = order.first_line; j < block.lines.size(); ++j) {
        weights.push_back(catalog.products[block.lines[j].product].price * block.lines[j].quantity);
      }
      split_cents(cents, std::span<Line>(block.lines).subspan(order.first_line), weights);
      block.orders.push_back(order);
      block.counts.orders++;
      block.counts.transaction_rows += order.line_count;
      block.counts.revenue += static_cast<double>(cents) / 100.0;
      previous_categories = order_categories;
    }

    if (o.write_latent) {
      auto& b = block.latent;
      append_customer_id(b, index, ctx.id_width);
      const double t_x = times.empty() ? 0.0 : times.back();
      fmt::format_to(std::back_inserter(b), ",{},{},{},{},{},{},{},{},{},{}\n", acquisition, T,
                     times.size(), t_x, lambda, dropout, nu, spend_factor, alive ? 1 : 0,
                     campaign_group == 1   ? "treated"
                     : campaign_group == 2 ? "control"
                                           : "");
    }
    if (o.transactions_only) continue;

    // customers.csv
    {
      auto& b = block.customers;
      append_customer_id(b, index, ctx.id_width);
      b.push_back(',');
      append_date(b, ctx.dates[static_cast<std::size_t>(signup_offset)]);
      b.push_back(',');
      append_date(b, date_text(birth_day));
      b.push_back(',');
      append(b, female ? "F" : "M");
      b.push_back(',');
      append(b, kRegions[region]);
      b.push_back(',');
      append(b, kAcquisitionChannels[channel]);
      b.push_back(',');
      append(b, loyal ? "1" : "0");
      b.push_back(',');
      // Expected 52-week spend while active, times mean-one log-normal noise.
      const double potential = 52.0 * lambda * (o.spend.p / nu) * spend_factor * potential_noise;
      append_cents(b, std::llround(potential * 100.0));
      b.push_back('\n');
      block.counts.customer_rows++;
    }

    // NPS answer and contacts.
    Rng feedback(o.seed, index, Stream::feedback);
    if (feedback.bernoulli(o.nps_rate)) {
      const std::int32_t survey = first_offset + 7 + static_cast<std::int32_t>(feedback.below(84));
      // Loyalty quantile u (low dropout -> high u) and value quantile v, both Uniform(0,1) a
      // priori.
      const double u =
          o.model == PurchaseModel::bg_nbd
              ? 1.0 - boost::math::ibeta(o.bg_nbd.a, o.bg_nbd.b, dropout, DoublePolicy())
              : 1.0 - gamma_cdf(o.pareto_nbd.s, o.pareto_nbd.beta, dropout);
      const double v = o.model == PurchaseModel::bg_nbd
                           ? gamma_cdf(o.bg_nbd.r, o.bg_nbd.alpha, lambda)
                           : gamma_cdf(o.pareto_nbd.r, o.pareto_nbd.alpha, lambda);
      const double raw =
          kNpsBase + kNpsLoyalty * u + kNpsValue * v + kNpsNoiseSd * feedback.normal();
      const int score = static_cast<int>(std::clamp(std::round(raw), 0.0, 10.0));
      const bool comment = feedback.bernoulli(kNpsCommentProbability);
      const char* phrase = "";
      if (comment) {
        if (score >= 9) {
          phrase = kPromoterPhrases[feedback.below(kPromoterPhrases.size())];
        } else if (score >= 7) {
          phrase = kPassivePhrases[feedback.below(kPassivePhrases.size())];
        } else {
          phrase = kDetractorPhrases[feedback.below(kDetractorPhrases.size())];
        }
      }
      const std::size_t nps_channel = detail::pick(feedback, ctx.nps_channel_cum);
      if (survey < ctx.period_days) {
        auto& b = block.nps;
        append_customer_id(b, index, ctx.id_width);
        b.push_back(',');
        append_date(b, ctx.dates[static_cast<std::size_t>(survey)]);
        fmt::format_to(std::back_inserter(b), ",{},{},{}\n", score, phrase,
                       kNpsChannels[nps_channel]);
        block.counts.nps_rows++;
      }
    }
    if (o.contact_rate > 0) {
      const double rate_per_day = o.contact_rate / kDaysPerMonth;
      double t = acquisition;
      for (;;) {
        t += feedback.exponential() / rate_per_day;
        if (t >= D) break;
        const std::size_t c = detail::pick(feedback, ctx.contact_cum);
        const auto& spec = kContactChannels[c];
        const char* type = spec.types[feedback.below(static_cast<std::uint64_t>(spec.type_count))];
        auto& b = block.contacts;
        append_customer_id(b, index, ctx.id_width);
        b.push_back(',');
        append_date(b, ctx.dates[static_cast<std::size_t>(std::floor(t))]);
        b.push_back(',');
        append(b, spec.name);
        b.push_back(',');
        append(b, type);
        b.push_back('\n');
        block.counts.contact_rows++;
      }
    }
    if (campaign_group != 0) {
      auto& b = block.campaigns;
      append_customer_id(b, index, ctx.id_width);
      fmt::format_to(std::back_inserter(b), ",uplift_test,");
      append_date(b, ctx.dates[static_cast<std::size_t>(ctx.campaign_offset)]);
      append(b, campaign_group == 1 ? ",treated\n" : ",control\n");
      block.counts.campaign_rows++;
    }
  }
}

// ---- row orders --------------------------------------------------------------------------------

std::uint64_t mix(std::uint64_t seed, std::uint64_t x) noexcept {
  std::uint64_t state = seed ^ (x * 0x9E3779B97F4A7C15ull);
  splitmix64(state);
  return splitmix64(state);
}

/// The sort key of line `line` of order `order_id` on day offset `day` in a reordered file.
/// By date: the day, then a random rank of the order within the day (its lines share the key and
/// keep their order). Shuffled: a random key of the line.
std::uint64_t line_key(const SimulationOptions& o, std::int32_t day, std::uint64_t order_id,
                       std::uint32_t line) noexcept {
  if (o.order == RowOrder::date) {
    return (static_cast<std::uint64_t>(day) << 40) | (mix(o.seed, order_id) >> 24);
  }
  return mix(o.seed ^ 0x5DEECE66Dull, (order_id << 8) | line);
}

/// Which of `buckets` temporary files a line with `key` goes to: increasing with the key, so
/// that the buckets, each sorted by key, follow each other in the order of the file.
std::size_t bucket_of(const SimulationOptions& o, std::int32_t period_days, std::size_t buckets,
                      std::uint64_t key) noexcept {
  if (o.order == RowOrder::date) {
    return static_cast<std::size_t>(key >> 40) * buckets / static_cast<std::size_t>(period_days);
  }
  return static_cast<std::size_t>(((key >> 32) * buckets) >> 32);
}

// Formats the order lines once the block's first order id is known.
void format_transactions(const Context& ctx, Block& block) {
  auto& b = block.transactions;
  const bool reordered = ctx.options.order != RowOrder::customer;
  std::uint64_t order_id = block.first_order_id;
  for (const Order& order : block.orders) {
    ++order_id;
    const std::uint64_t index = block.first_customer + order.customer;
    const char* region = kRegions[block.region[order.customer]];
    const char* sales = kSalesChannels[order.sales_channel];
    for (std::uint32_t j = 0; j < order.line_count; ++j) {
      const Line& line = block.lines[order.first_line + j];
      const auto& product = ctx.catalog.products[line.product];
      if (block.first_sale.empty()) {
        block.first_sale.assign(ctx.catalog.products.size(),
                                std::numeric_limits<std::int32_t>::max());
      }
      block.first_sale[line.product] = std::min(block.first_sale[line.product], order.day);
      append_customer_id(b, index, ctx.id_width);
      b.push_back(',');
      append_date(b, ctx.dates[static_cast<std::size_t>(order.day)]);
      b.push_back(',');
      append_cents(b, line.cents);
      append(b, ",O");
      append_uint(b, order_id);
      b.push_back(',');
      append(b, product.name);
      b.push_back(',');
      append(b, kCategories[static_cast<std::size_t>(product.category)].name);
      b.push_back(',');
      append_uint(b, line.quantity);
      b.push_back(',');
      append(b, sales);
      b.push_back(',');
      append(b, region);
      b.push_back('\n');
      if (reordered) {
        block.line_ends.push_back(static_cast<std::uint32_t>(b.size()));
        block.line_keys.push_back(line_key(ctx.options, order.day, order_id, j));
      }
    }
  }
}

// ---- output files ------------------------------------------------------------------------------

class OutputFile {
 public:
  OutputFile() = default;
  void open(const std::filesystem::path& path) {
    path_ = path;
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) fail("cannot create");
    buffer_ = std::make_unique<char[]>(kBufferSize);
    std::setvbuf(file_, buffer_.get(), _IOFBF, kBufferSize);
  }
  bool is_open() const noexcept { return file_ != nullptr; }
  void write(const char* data, std::size_t size) {
    if (file_ == nullptr || size == 0) return;
    if (std::fwrite(data, 1, size, file_) != size) fail("cannot write");
    bytes_ += size;
  }
  void write(std::string_view text) { write(text.data(), text.size()); }
  void write(const fmt::memory_buffer& buffer) { write(buffer.data(), buffer.size()); }
  void close() {
    if (file_ == nullptr) return;
    const int rc = std::fclose(file_);
    file_ = nullptr;
    if (rc != 0) fail("cannot close");
  }
  std::uint64_t bytes() const noexcept { return bytes_; }
  ~OutputFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

 private:
  [[noreturn]] void fail(const char* what) {
    throw Error(fmt::format("{} {}: {}", what, path_.string(), std::strerror(errno)));
  }
  static constexpr std::size_t kBufferSize = 1 << 22;
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<char[]> buffer_;
  std::uint64_t bytes_ = 0;
};

/// A temporary file of the Reorderer, written through a small buffer.
class BucketFile {
 public:
  void open(const std::filesystem::path& p, std::size_t buffer) {
    path_ = p;
    file_ = std::fopen(p.c_str(), "wb");
    if (file_ == nullptr) fail("cannot create");
    buffer_ = std::make_unique<char[]>(buffer);
    std::setvbuf(file_, buffer_.get(), _IOFBF, buffer);
  }
  bool is_open() const noexcept { return file_ != nullptr; }
  void write(const char* data, std::size_t size) {
    if (std::fwrite(data, 1, size, file_) != size) fail("cannot write");
  }
  void close() {
    const int rc = std::fclose(file_);
    file_ = nullptr;
    if (rc != 0) fail("cannot close");
  }
  void close_quietly() noexcept {
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
  }

 private:
  [[noreturn]] void fail(const char* what) {
    throw Error(fmt::format("{} {}: {}", what, path_.string(), std::strerror(errno)));
  }
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<char[]> buffer_;
};

/// Puts transactions.csv in date or random order with bounded memory: lines go to temporary
/// bucket files by key (a range of keys each), then each bucket is read, sorted by key (stably)
/// and appended to the output.
class Reorderer {
 public:
  Reorderer(const Context& ctx, const std::filesystem::path& output) : ctx_(ctx), output_(output) {
    // At most about reorder_bucket_bytes per bucket (a simulated customer writes 400 to 800
    // bytes), at most one bucket per day for date order.
    const std::uint64_t bytes = ctx.options.customers * 800;
    const std::uint64_t per_bucket = std::max<std::uint64_t>(ctx.options.reorder_bucket_bytes, 1);
    buckets_ = static_cast<std::size_t>(std::clamp<std::uint64_t>(bytes / per_bucket, 1, 1024));
    if (ctx.options.order == RowOrder::date) {
      buckets_ = std::min(buckets_, static_cast<std::size_t>(ctx.period_days));
    }
    files_.resize(buckets_);
  }
  Reorderer(const Reorderer&) = delete;
  Reorderer& operator=(const Reorderer&) = delete;
  ~Reorderer() {
    for (std::size_t b = 0; b < files_.size(); ++b) {
      files_[b].close_quietly();
      std::error_code ec;
      std::filesystem::remove(path(b), ec);
    }
  }

  /// The lines of a block (in order of generation).
  void add(const Block& block) {
    std::uint32_t begin = 0;
    for (std::size_t i = 0; i < block.line_ends.size(); ++i) {
      const std::uint64_t key = block.line_keys[i];
      const std::uint32_t end = block.line_ends[i];
      const std::size_t b = bucket_of(ctx_.options, ctx_.period_days, buckets_, key);
      BucketFile& f = files_[b];
      if (!f.is_open()) f.open(path(b), 1 << 16);
      const std::uint32_t size = end - begin;
      f.write(reinterpret_cast<const char*>(&key), sizeof key);
      f.write(reinterpret_cast<const char*>(&size), sizeof size);
      f.write(block.transactions.data() + begin, size);
      begin = end;
    }
  }

  /// Appends the buckets, each sorted, to `out`, removing them.
  template <class Output>
  void finish(Output& out) {
    std::vector<char> bytes;
    struct Line {
      std::uint64_t key;
      std::size_t offset;
      std::uint32_t size;
    };
    std::vector<Line> lines;
    for (std::size_t b = 0; b < buckets_; ++b) {
      if (!files_[b].is_open()) continue;
      files_[b].close();
      read_all(path(b), bytes);
      std::filesystem::remove(path(b));
      lines.clear();
      for (std::size_t at = 0; at + 12 <= bytes.size();) {
        Line line;
        std::memcpy(&line.key, bytes.data() + at, 8);
        std::memcpy(&line.size, bytes.data() + at + 8, 4);
        line.offset = at + 12;
        lines.push_back(line);
        at = line.offset + line.size;
      }
      std::stable_sort(lines.begin(), lines.end(),
                       [](const Line& x, const Line& y) { return x.key < y.key; });
      for (const Line& line : lines) out.write(bytes.data() + line.offset, line.size);
    }
  }

 private:
  std::filesystem::path path(std::size_t b) const {
    return output_.string() + fmt::format(".part-{:04}", b);
  }
  static void read_all(const std::filesystem::path& p, std::vector<char>& bytes) {
    std::FILE* f = std::fopen(p.c_str(), "rb");
    if (f == nullptr)
      throw Error(fmt::format("cannot read {}: {}", p.string(), std::strerror(errno)));
    bytes.resize(static_cast<std::size_t>(std::filesystem::file_size(p)));
    const std::size_t got = std::fread(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    if (got != bytes.size()) throw Error(fmt::format("cannot read {}", p.string()));
  }

  const Context& ctx_;
  std::filesystem::path output_;
  std::size_t buckets_ = 1;
  std::vector<BucketFile> files_;
};

nlohmann::json make_truth(const Context& ctx, const SimulationCounts& counts,
                          const std::vector<std::uint64_t>& acquisitions) {
  const SimulationOptions& o = ctx.options;
  using nlohmann::json;
  json truth;
  truth["generator"] = fmt::format("ltv simulate {}", ltv::kVersion);
  truth["seed"] = o.seed;
  truth["customers"] = o.customers;
  truth["time_unit"] = "week";
  truth["start"] = format_day(o.start_day);
  truth["end"] = format_day(o.end_day);
  truth["period_days"] = ctx.period_days;
  truth["acquisition"] = {
      {"distribution", "uniform in continuous time"},
      {"window_days", ctx.acquisition_days},
      {"first_day", format_day(o.start_day)},
      {"note",
       "first purchase at acquisition; T = (period_days - acquisition_offset_days) / 7 "
       "weeks"}};
  truth["time_resolution"] =
      "purchases happen in continuous time and are written as dates (floor of the continuous "
      "time in days): repeat purchases on the same day as a previous purchase merge into one "
      "purchase day in day-level summaries (see counts.same_day_repeats); latent.csv holds the "
      "continuous-time x, t_x and T";
  truth["model"] = to_string(o.model);
  if (o.model == PurchaseModel::bg_nbd) {
    truth["params"] = {
        {"r", o.bg_nbd.r}, {"alpha", o.bg_nbd.alpha}, {"a", o.bg_nbd.a}, {"b", o.bg_nbd.b}};
    truth["process"] =
        "BG/NBD (Fader, Hardie & Lee 2005): lambda ~ Gamma(r, rate alpha), p ~ Beta(a, b); "
        "Poisson purchases at rate lambda; after each repeat purchase the customer drops out "
        "with probability p";
  } else {
    truth["params"] = {{"r", o.pareto_nbd.r},
                       {"alpha", o.pareto_nbd.alpha},
                       {"s", o.pareto_nbd.s},
                       {"beta", o.pareto_nbd.beta}};
    truth["process"] =
        "Pareto/NBD (Schmittlein, Morrison & Colombo 1987): lambda ~ Gamma(r, rate alpha), mu ~ "
        "Gamma(s, rate beta); Poisson purchases at rate lambda during an Exp(mu) lifetime";
  }
  truth["spend"] = {
      {"model", "gamma-gamma"},
      {"p", o.spend.p},
      {"q", o.spend.q},
      {"gamma", o.spend.gamma},
      {"mean_transaction_value",
       o.spend.q > 1 ? json(o.spend.p * o.spend.gamma / (o.spend.q - 1)) : json(nullptr)},
      {"note",
       "every order (first and repeat) has value z ~ Gamma(p, rate nu), nu ~ Gamma(q, "
       "rate gamma) per customer, times loyalty_factor for loyalty members, rounded to "
       "cents (at least 0.01) and split over the order's lines in proportion to product "
       "price x quantity"}};
  truth["loyalty"] = {{"share", o.loyalty_share}, {"spend_factor", o.loyalty_factor}};
  json channels = json::array();
  for (std::size_t c = 0; c < kAcquisitionChannels.size(); ++c) {
    channels.push_back({{"channel", kAcquisitionChannels[c]},
                        {"share", kAcquisitionWeight[c]},
                        {"cac", kCac[c]},
                        {"customers", acquisitions[c]}});
  }
  truth["acquisition_channels"] = channels;
  truth["marketing_spend_rule"] =
      "spend(channel, month) = cac(channel) x customers acquired (first purchase) in that channel "
      "and month; organic has no spend and no rows";
  json regions = json::array();
  for (std::size_t r = 0; r < kRegions.size(); ++r) {
    regions.push_back({{"region", kRegions[r]}, {"share", kRegionWeight[r]}});
  }
  truth["regions"] = regions;
  truth["demographics"] = {{"female_share", kFemaleShare},
                           {"age", "18 + 62 x Beta(2, 3.5) years at the start date"},
                           {"signup",
                            "first purchase date, or with probability 0.4 one to 30 "
                            "days earlier (not before the start date)"}};
  truth["potential"] =
      "52 x lambda x (p / nu) x loyalty spend factor x exp(0.5 N(0,1) - 0.125): a noisy estimate "
      "of the customer's 52-week spend while active";
  json sales = json::array();
  for (std::size_t s = 0; s < kSalesChannels.size(); ++s) {
    sales.push_back({{"channel", kSalesChannels[s]}, {"share", kSalesChannelWeight[s]}});
  }
  truth["sales_channels"] = {{"channels", sales},
                             {"preferred_probability", kPreferredSalesChannelProbability}};
  json categories = json::array();
  for (const auto& cat : kCategories) {
    categories.push_back({{"category", cat.name}, {"popularity", cat.popularity}});
  }
  json pairs = json::array();
  for (std::size_t p = 0; p < ctx.catalog.products.size(); ++p) {
    if (ctx.catalog.companion[p] < 0) continue;
    pairs.push_back(
        {{"product", ctx.catalog.products[p].name},
         {"companion",
          ctx.catalog.products[static_cast<std::size_t>(ctx.catalog.companion[p])].name},
         {"probability", ctx.catalog.companion_probability[p]}});
  }
  json sequences = json::array();
  for (const auto& rule : kSequenceRules) {
    sequences.push_back({{"after_category", rule.from},
                         {"next_order_category", rule.to},
                         {"probability", rule.probability}});
  }
  truth["catalog"] = {
      {"products", ctx.catalog.products.size()},
      {"categories", categories},
      {"preferred_category_probability", kPreferredCategoryProbability},
      {"lines_per_order", fmt::format("1 + Geometric: another line with probability {} up to {} "
                                      "lines; repeated products merge into quantity",
                                      kExtraLineProbability, o.max_lines)},
      {"companion_pairs", pairs},
      {"sequence_rules", sequences}};
  truth["nps"] = {
      {"response_rate", o.nps_rate},
      {"survey_day", "first purchase + 7..90 days; answers after the end date are not written"},
      {"score",
       fmt::format("round({} + {} u + {} v + {} N(0,1)) clamped to 0..10, u = 1 - prior CDF of the "
                   "customer's dropout parameter (p or mu), v = prior CDF of lambda",
                   kNpsBase, kNpsLoyalty, kNpsValue, kNpsNoiseSd)},
      {"comment_probability", kNpsCommentProbability}};
  truth["contacts"] = {{"rate_per_month", o.contact_rate},
                       {"process", "Poisson from the first purchase to the end date"}};
  if (o.campaign_day) {
    truth["campaign"] = {{"name", "uplift_test"},
                         {"date", format_day(*o.campaign_day)},
                         {"eligible", "customers whose first purchase is before the campaign date"},
                         {"share", o.campaign_share},
                         {"treated_probability", 0.5},
                         {"purchase_rate_factor", o.campaign_uplift}};
  } else {
    truth["campaign"] = nullptr;
  }
  truth["counts"] = {{"customers", counts.customers},
                     {"orders", counts.orders},
                     {"repeat_purchases", counts.repeat_purchases},
                     {"same_day_repeats", counts.same_day_repeats},
                     {"transaction_rows", counts.transaction_rows},
                     {"customer_rows", counts.customer_rows},
                     {"spend_rows", counts.spend_rows},
                     {"nps_rows", counts.nps_rows},
                     {"contact_rows", counts.contact_rows},
                     {"campaign_rows", counts.campaign_rows},
                     {"alive_at_end", counts.alive_at_end},
                     {"revenue", std::round(counts.revenue * 100.0) / 100.0}};
  truth["files"] = {{"transactions",
                     "customer_id,date,amount,order_id,product,category,quantity,"
                     "channel,region (channel = sales channel)"}};
  truth["transactions_order"] = std::string(to_string(o.order));
  return truth;
}

// Generates the customers block by block (blocks of a batch in parallel) and hands the blocks to
// `consume` in customer order, with order ids assigned and, when `format` is set, the
// transactions formatted.
template <class Consume>
void for_each_block(const Context& ctx, bool format, Consume&& consume) {
  const SimulationOptions& options = ctx.options;
  const std::size_t months = ctx.month_labels.size();
  const std::size_t batch_blocks = static_cast<std::size_t>(options.threads) * 4;
  std::vector<Block> blocks(batch_blocks);
  std::uint64_t next_order_id = 0;
  const std::uint64_t n = options.customers;
  for (std::uint64_t batch_first = 0; batch_first < n;
       batch_first += batch_blocks * kBlockCustomers) {
    std::size_t used = 0;
    for (; used < batch_blocks; ++used) {
      const std::uint64_t first = batch_first + used * kBlockCustomers;
      if (first >= n) break;
      blocks[used].reset(first, std::min<std::uint64_t>(kBlockCustomers, n - first), months);
    }
    const auto used_blocks = static_cast<std::int64_t>(used);
    ltv::detail::ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1) num_threads(options.threads)
    for (std::int64_t b = 0; b < used_blocks; ++b) {
      errors.run([&] { generate_block(ctx, blocks[static_cast<std::size_t>(b)]); });
    }
    errors.rethrow();
    for (std::size_t b = 0; b < used; ++b) {
      blocks[b].first_order_id = next_order_id;
      next_order_id += blocks[b].orders.size();
    }
    if (format) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(options.threads)
      for (std::int64_t b = 0; b < used_blocks; ++b) {
        errors.run([&] { format_transactions(ctx, blocks[static_cast<std::size_t>(b)]); });
      }
      errors.rethrow();
    }
    for (std::size_t b = 0; b < used; ++b) consume(blocks[b]);
  }
}

}  // namespace

SimulationCounts simulate_retailer(const SimulationOptions& options,
                                   const std::filesystem::path& dir) {
  validate(options);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(fmt::format("cannot create directory {}: {}", dir.string(), ec.message()));

  const Context ctx(options);
  const std::size_t months = ctx.month_labels.size();

  OutputFile transactions, customers, nps, contacts, campaigns, latent, spend;
  transactions.open(dir / "transactions.csv");
  transactions.write("customer_id,date,amount,order_id,product,category,quantity,channel,region\n");
  if (!options.transactions_only) {
    customers.open(dir / "customers.csv");
    customers.write(
        "customer_id,signup_date,birth_date,gender,region,acquisition_channel,loyalty_member,"
        "potential\n");
    nps.open(dir / "nps.csv");
    nps.write("customer_id,date,score,comment,channel\n");
    contacts.open(dir / "contacts.csv");
    contacts.write("customer_id,date,channel,type\n");
    if (options.campaign_day) {
      campaigns.open(dir / "campaigns.csv");
      campaigns.write("customer_id,campaign,date,group\n");
    }
  }
  if (options.write_latent) {
    latent.open(dir / "latent.csv");
    latent.write(
        "customer_id,acquisition_offset_days,T,x,t_x,lambda,dropout,nu,spend_factor,alive,"
        "campaign_group\n");
  }

  SimulationCounts total;
  std::vector<std::uint64_t> acquisitions(kAcquisitionChannels.size() * months, 0);
  std::vector<std::int32_t> first_sale(ctx.catalog.products.size(),
                                       std::numeric_limits<std::int32_t>::max());
  std::unique_ptr<Reorderer> reorderer;
  if (options.order != RowOrder::customer) {
    reorderer = std::make_unique<Reorderer>(ctx, dir / "transactions.csv");
  }
  for_each_block(ctx, true, [&](Block& block) {
    if (reorderer) {
      reorderer->add(block);
    } else {
      transactions.write(block.transactions);
    }
    customers.write(block.customers);
    nps.write(block.nps);
    contacts.write(block.contacts);
    campaigns.write(block.campaigns);
    latent.write(block.latent);
    const SimulationCounts& c = block.counts;
    total.customers += block.count;
    total.orders += c.orders;
    total.repeat_purchases += c.repeat_purchases;
    total.same_day_repeats += c.same_day_repeats;
    total.transaction_rows += c.transaction_rows;
    total.customer_rows += c.customer_rows;
    total.nps_rows += c.nps_rows;
    total.contact_rows += c.contact_rows;
    total.campaign_rows += c.campaign_rows;
    total.alive_at_end += c.alive_at_end;
    total.revenue += c.revenue;
    for (std::size_t i = 0; i < acquisitions.size(); ++i) acquisitions[i] += block.acquisitions[i];
    for (std::size_t i = 0; i < block.first_sale.size(); ++i) {
      first_sale[i] = std::min(first_sale[i], block.first_sale[i]);
    }
  });

  if (reorderer) reorderer->finish(transactions);
  std::vector<std::uint64_t> per_channel(kAcquisitionChannels.size(), 0);
  for (std::size_t c = 0; c < kAcquisitionChannels.size(); ++c) {
    for (std::size_t m = 0; m < months; ++m) per_channel[c] += acquisitions[c * months + m];
  }
  if (!options.transactions_only) {
    spend.open(dir / "spend.csv");
    spend.write("channel,period,spend\n");
    fmt::memory_buffer b;
    for (std::size_t c = 0; c < kAcquisitionChannels.size(); ++c) {
      if (kCac[c] <= 0) continue;
      for (std::size_t m = 0; m < months; ++m) {
        const auto cents =
            static_cast<std::int64_t>(std::llround(kCac[c] * 100.0) *
                                      static_cast<std::int64_t>(acquisitions[c * months + m]));
        fmt::format_to(std::back_inserter(b), "{},{},", kAcquisitionChannels[c],
                       ctx.month_labels[m]);
        append_cents(b, cents);
        b.push_back('\n');
        total.spend_rows++;
      }
    }
    spend.write(b);
  }
  // products.csv: the catalog with brands (the partner portal's scope) and each product's launch
  // date, the first day it was sold (empty when it never was).
  OutputFile products;
  if (!options.transactions_only) {
    products.open(dir / "products.csv");
    fmt::memory_buffer b;
    append(b, "product,category,brand,launch_date\n");
    for (std::size_t i = 0; i < ctx.catalog.products.size(); ++i) {
      const auto& product = ctx.catalog.products[i];
      fmt::format_to(std::back_inserter(b), "{},{},{},", product.name,
                     kCategories[static_cast<std::size_t>(product.category)].name, product.brand);
      if (first_sale[i] != std::numeric_limits<std::int32_t>::max()) {
        append_date(b, ctx.dates[static_cast<std::size_t>(first_sale[i])]);
      }
      b.push_back('\n');
    }
    products.write(b);
  }

  for (OutputFile* f :
       {&transactions, &customers, &nps, &contacts, &campaigns, &latent, &spend, &products}) {
    f->close();
    total.bytes_written += f->bytes();
  }
  const nlohmann::json truth = make_truth(ctx, total, per_channel);
  OutputFile truth_file;
  truth_file.open(dir / "truth.json");
  truth_file.write(truth.dump(2) + "\n");
  truth_file.close();
  total.bytes_written += truth_file.bytes();
  return total;
}

TransactionLog simulate_transaction_log(const SimulationOptions& options) {
  validate(options);
  SimulationOptions quiet = options;
  quiet.transactions_only = true;  // nothing but the orders is needed
  quiet.write_latent = false;
  const Context ctx(quiet);
  TransactionLog log;
  log.order = CategoricalColumn{"order_id", {}, {}};
  log.product = CategoricalColumn{"product", {}, {}};
  log.category = CategoricalColumn{"category", {}, {}};
  log.channel = CategoricalColumn{"channel", {}, {}};
  log.region = CategoricalColumn{"region", {}, {}};
  // Codes in order of first appearance, as the CSV reader assigns them.
  struct Interner {
    CategoricalColumn& column;
    std::vector<std::int64_t> code_of;
    void add(std::size_t id, const char* text) {
      if (code_of.size() <= id) code_of.resize(id + 1, -1);
      if (code_of[id] < 0) {
        code_of[id] = static_cast<std::int64_t>(column.values.size());
        column.values.emplace_back(text);
      }
      column.codes.push_back(static_cast<std::uint32_t>(code_of[id]));
    }
  };
  Interner products{*log.product, {}}, categories{*log.category, {}}, channels{*log.channel, {}},
      regions{*log.region, {}};
  std::vector<std::uint64_t> keys;  // of each row, when reordered
  for_each_block(ctx, false, [&](Block& block) {
    for (std::uint64_t local = 0; local < block.count; ++local) {
      fmt::memory_buffer id;
      append_customer_id(id, block.first_customer + local, ctx.id_width);
      log.customer_ids.emplace_back(id.data(), id.size());
    }
    std::uint64_t order_id = block.first_order_id;
    for (const Order& order : block.orders) {
      ++order_id;
      const auto order_code = static_cast<std::uint32_t>(log.order->values.size());
      log.order->values.push_back(fmt::format("O{}", order_id));
      const auto customer = static_cast<std::uint32_t>(block.first_customer + order.customer);
      for (std::uint32_t j = 0; j < order.line_count; ++j) {
        const Line& line = block.lines[order.first_line + j];
        const auto& product = ctx.catalog.products[line.product];
        if (quiet.order != RowOrder::customer)
          keys.push_back(line_key(quiet, order.day, order_id, j));
        log.customer.push_back(customer);
        log.day.push_back(quiet.start_day + order.day);
        log.amount.push_back(static_cast<double>(line.cents) / 100.0);
        log.quantity.push_back(line.quantity);
        log.order->codes.push_back(order_code);
        products.add(line.product, product.name.c_str());
        categories.add(static_cast<std::size_t>(product.category),
                       kCategories[static_cast<std::size_t>(product.category)].name);
        channels.add(order.sales_channel, kSalesChannels[order.sales_channel]);
        regions.add(block.region[order.customer], kRegions[block.region[order.customer]]);
      }
    }
  });
  if (quiet.order == RowOrder::customer) return log;
  // The rows in the order of the file (a stable sort by key is the file's bucket-by-bucket
  // order), every column's codes again in order of first appearance.
  std::vector<std::size_t> rows(log.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  std::stable_sort(rows.begin(), rows.end(),
                   [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  TransactionLog sorted;
  auto recode = [&](const std::vector<std::uint32_t>& codes, const std::vector<std::string>& values,
                    std::vector<std::uint32_t>& new_codes, std::vector<std::string>& new_values) {
    std::vector<std::uint32_t> code_of(values.size(), UINT32_MAX);
    new_codes.reserve(rows.size());
    for (std::size_t r : rows) {
      std::uint32_t& c = code_of[codes[r]];
      if (c == UINT32_MAX) {
        c = static_cast<std::uint32_t>(new_values.size());
        new_values.push_back(values[codes[r]]);
      }
      new_codes.push_back(c);
    }
  };
  recode(log.customer, log.customer_ids, sorted.customer, sorted.customer_ids);
  for (std::size_t r : rows) {
    sorted.day.push_back(log.day[r]);
    sorted.amount.push_back(log.amount[r]);
    sorted.quantity.push_back(log.quantity[r]);
  }
  auto recode_column = [&](const std::optional<CategoricalColumn>& from,
                           std::optional<CategoricalColumn>& to) {
    to = CategoricalColumn{from->name, {}, {}};
    recode(from->codes, from->values, to->codes, to->values);
  };
  recode_column(log.order, sorted.order);
  recode_column(log.product, sorted.product);
  recode_column(log.category, sorted.category);
  recode_column(log.channel, sorted.channel);
  recode_column(log.region, sorted.region);
  return sorted;
}

}  // namespace ltv::sim
