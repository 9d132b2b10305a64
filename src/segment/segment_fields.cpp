// SegmentFields: per-customer derived fields, built on first use.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>

#include "ltv/segment/segment.hpp"

namespace ltv {

namespace detail {

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int32_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

/// Parses "YYYY-MM-DD" (also "YYYY/MM/DD"); false when it is not a valid date.
bool parse_iso_date(std::string_view s, std::int32_t& day) {
  if (s.size() < 10) return false;
  int y = 0, m = 0, d = 0;
  auto num = [&](std::size_t from, std::size_t len, int& out) {
    auto [p, ec] = std::from_chars(s.data() + from, s.data() + from + len, out);
    return ec == std::errc() && p == s.data() + from + len;
  };
  if (!num(0, 4, y) || (s[4] != '-' && s[4] != '/') || !num(5, 2, m) || s[7] != s[4] ||
      !num(8, 2, d))
    return false;
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  day = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

void civil_from_days(std::int32_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

std::string_view cadence_of(double interval_days) {
  if (std::isnan(interval_days)) return "one-time";
  if (interval_days <= 10) return "weekly";
  if (interval_days <= 45) return "monthly";
  if (interval_days <= 100) return "quarterly";
  if (interval_days <= 200) return "half-yearly";
  if (interval_days <= 400) return "yearly";
  return "rare";
}

}  // namespace detail

namespace {

const char* const kBuiltins[] = {"recency_days",   "tenure_days",     "orders",
                                 "frequency",      "revenue",         "average_check",
                                 "monetary_value", "orders_per_year", "mean_interval_days",
                                 "cadence",        "recency",         "T"};

double parse_number(const std::string& s) {
  if (s.empty()) return std::nan("");
  double v = 0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  while (b < e && *b == ' ') ++b;
  while (e > b && e[-1] == ' ') --e;
  if (b < e && *b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e || !std::isfinite(v)) return std::nan("");
  return v;
}

}  // namespace

struct SegmentFields::Impl {
  struct Owned {
    std::vector<double> numbers;
    std::vector<std::uint32_t> codes;
    std::vector<std::string> values;
    FieldColumn view;
    bool numeric = false, text = false;
    void refresh() {
      view.numbers = numbers;
      view.codes = codes;
      view.values = values;
      view.numeric = numeric;
      view.text = text;
    }
  };
  const CustomerSummary& summary;
  const CustomerScores* scores;
  const Attributes* attributes;
  std::int32_t as_of;
  std::string birth_date_field;
  std::map<std::string, std::unique_ptr<Owned>, std::less<>> columns;

  Impl(const CustomerSummary& s, const CustomerScores* sc, const Attributes* a, std::int32_t day,
       std::string birth)
      : summary(s), scores(sc), attributes(a), as_of(day), birth_date_field(std::move(birth)) {}

  std::size_t n() const { return summary.size(); }

  const CategoricalColumn* attribute(std::string_view name) const {
    if (!attributes) return nullptr;
    for (const auto& c : attributes->columns)
      if (c.name == name) return &c;
    return nullptr;
  }

  Owned& make(std::string_view name) {
    auto owned = std::make_unique<Owned>();
    Owned& ref = *owned;
    columns[std::string(name)] = std::move(owned);
    return ref;
  }

  template <class F>
  const FieldColumn* numeric(std::string_view name, F&& f) {
    Owned& o = make(name);
    o.numeric = true;
    o.numbers.resize(n());
    for (std::size_t i = 0; i < n(); ++i) o.numbers[i] = f(i);
    o.refresh();
    return &o.view;
  }

  const FieldColumn* score_column(std::string_view name, const std::vector<double>& v) {
    if (v.empty()) return nullptr;
    return numeric(name, [&](std::size_t i) { return std::isfinite(v[i]) ? v[i] : std::nan(""); });
  }

  const FieldColumn* build(std::string_view name) {
    const CustomerSummary& s = summary;
    const double day = as_of;
    if (name == "recency_days")
      return numeric(name, [&](std::size_t i) { return day - s.last_purchase[i]; });
    if (name == "tenure_days")
      return numeric(name, [&](std::size_t i) { return day - s.first_purchase[i]; });
    if (name == "orders")
      return numeric(name, [&](std::size_t i) { return static_cast<double>(s.orders[i]); });
    if (name == "frequency") return numeric(name, [&](std::size_t i) { return s.frequency[i]; });
    if (name == "recency") return numeric(name, [&](std::size_t i) { return s.recency[i]; });
    if (name == "T") return numeric(name, [&](std::size_t i) { return s.T[i]; });
    if (name == "revenue")
      return numeric(name, [&](std::size_t i) { return s.revenue.empty() ? 0.0 : s.revenue[i]; });
    if (name == "monetary_value")
      return numeric(name, [&](std::size_t i) { return s.monetary_value[i]; });
    if (name == "average_check")
      return numeric(name, [&](std::size_t i) {
        return s.orders[i] > 0 && !s.revenue.empty() ? s.revenue[i] / s.orders[i] : std::nan("");
      });
    if (name == "orders_per_year")
      return numeric(name, [&](std::size_t i) {
        return s.orders[i] * 365.25 / std::max(30.0, day - s.first_purchase[i]);
      });
    if (name == "mean_interval_days")
      return numeric(name, [&](std::size_t i) {
        return s.frequency[i] > 0 ? (s.last_purchase[i] - s.first_purchase[i]) / s.frequency[i]
                                  : std::nan("");
      });
    if (name == "cadence") {
      static const std::vector<std::string> kCadences = {
          "one-time", "weekly", "monthly", "quarterly", "half-yearly", "yearly", "rare"};
      Owned& o = make(name);
      o.text = true;
      o.values = kCadences;
      o.codes.resize(n());
      for (std::size_t i = 0; i < n(); ++i) {
        double iv = s.frequency[i] > 0 ? (s.last_purchase[i] - s.first_purchase[i]) / s.frequency[i]
                                       : std::nan("");
        auto c = detail::cadence_of(iv);
        o.codes[i] = static_cast<std::uint32_t>(std::find(kCadences.begin(), kCadences.end(), c) -
                                                kCadences.begin());
      }
      o.refresh();
      return &o.view;
    }
    if (scores) {
      if (name == "p_alive") return score_column(name, scores->p_alive);
      if (name == "expected_purchases") return score_column(name, scores->expected_purchases);
      if (name == "predicted_clv") return score_column(name, scores->predicted_clv);
    }
    // Attributes come after the summary measures and scores, so a customers.csv column named
    // e.g. "revenue" cannot change how segments are computed.
    if (const CategoricalColumn* a = attribute(name)) {
      Owned& o = make(name);
      o.codes = a->codes;
      o.values = a->values;
      o.text = true;
      std::vector<double> by_code(a->values.size());
      bool any_number = false;
      for (std::size_t c = 0; c < a->values.size(); ++c) {
        by_code[c] = parse_number(a->values[c]);
        any_number = any_number || !std::isnan(by_code[c]);
      }
      if (any_number) {
        o.numeric = true;
        o.numbers.resize(n());
        for (std::size_t i = 0; i < n(); ++i) o.numbers[i] = by_code[o.codes[i]];
      }
      o.refresh();
      return &o.view;
    }
    const CategoricalColumn* birth = attribute(birth_date_field);
    if (birth && (name == "age" || name == "age_band")) {
      std::vector<double> age_by_code(birth->values.size(), std::nan(""));
      int ay = 0;
      unsigned am = 0, ad = 0;
      detail::civil_from_days(as_of, ay, am, ad);
      for (std::size_t c = 0; c < birth->values.size(); ++c) {
        std::int32_t bday = 0;
        if (!detail::parse_iso_date(birth->values[c], bday)) continue;
        int by = 0;
        unsigned bm = 0, bd = 0;
        detail::civil_from_days(bday, by, bm, bd);
        int age = ay - by - ((am < bm || (am == bm && ad < bd)) ? 1 : 0);
        if (age >= 0 && age < 150) age_by_code[c] = age;
      }
      if (name == "age")
        return numeric(name, [&](std::size_t i) { return age_by_code[birth->codes[i]]; });
      static const std::vector<std::string> kBands = {"",      "<18",   "18-24", "25-34",
                                                      "35-44", "45-54", "55-64", "65+"};
      Owned& o = make(name);
      o.text = true;
      o.values = kBands;
      o.codes.resize(n());
      for (std::size_t i = 0; i < n(); ++i) {
        double a = age_by_code[birth->codes[i]];
        o.codes[i] = std::isnan(a) ? 0
                     : a < 18      ? 1
                     : a < 25      ? 2
                     : a < 35      ? 3
                     : a < 45      ? 4
                     : a < 55      ? 5
                     : a < 65      ? 6
                                   : 7;
      }
      o.refresh();
      return &o.view;
    }
    return nullptr;
  }
};

SegmentFields::SegmentFields(const CustomerSummary& summary, const CustomerScores* scores,
                             const Attributes* attributes, std::int32_t as_of_day,
                             std::string birth_date_field)
    : impl_(std::make_unique<Impl>(summary, scores, attributes, as_of_day,
                                   std::move(birth_date_field))) {}

SegmentFields::~SegmentFields() = default;

const FieldColumn* SegmentFields::find(std::string_view name) {
  auto it = impl_->columns.find(name);
  if (it != impl_->columns.end()) return &it->second->view;
  return impl_->build(name);
}

FieldResolver SegmentFields::resolver() {
  return [this](std::string_view name) { return find(name); };
}

std::vector<std::string> SegmentFields::names() const {
  std::vector<std::string> out(std::begin(kBuiltins), std::end(kBuiltins));
  if (impl_->scores) {
    if (!impl_->scores->p_alive.empty()) out.push_back("p_alive");
    if (!impl_->scores->expected_purchases.empty()) out.push_back("expected_purchases");
    if (!impl_->scores->predicted_clv.empty()) out.push_back("predicted_clv");
  }
  if (impl_->attributes) {
    for (const auto& c : impl_->attributes->columns) out.push_back(c.name);
    if (impl_->attribute(impl_->birth_date_field)) {
      out.push_back("age");
      out.push_back("age_band");
    }
  }
  for (const auto& [name, col] : impl_->columns) out.push_back(name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void SegmentFields::add_numeric(const std::string& name, std::vector<double> values) {
  auto& o = impl_->make(name);
  o.numeric = true;
  o.numbers = std::move(values);
  o.refresh();
}

void SegmentFields::add_text(const std::string& name, std::vector<std::uint32_t> codes,
                             std::vector<std::string> values) {
  auto& o = impl_->make(name);
  o.text = true;
  o.codes = std::move(codes);
  o.values = std::move(values);
  o.refresh();
}

std::size_t SegmentFields::size() const noexcept {
  return impl_->n();
}
std::int32_t SegmentFields::as_of_day() const noexcept {
  return impl_->as_of;
}

}  // namespace ltv
