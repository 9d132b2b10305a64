#include "ltv/recommend/association.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>
#include <unordered_map>

#include "ltv/error.hpp"

namespace ltv {

namespace {

__extension__ typedef unsigned __int128 u128;

[[noreturn]] void bad_ratio(const std::string& option, std::string_view text) {
  parameter_error(option, std::string(text),
                  "a number in [0, 1] (decimal such as 0.001, percentage such as 0.1%, or fraction "
                  "such as 1/3)");
}

bool parse_unsigned(std::string_view text, std::uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

}  // namespace

Ratio parse_ratio(std::string_view text, const std::string& option) {
  std::string_view s = text;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty()) bad_ratio(option, text);
  Ratio r;
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    if (!parse_unsigned(s.substr(0, slash), r.numerator) ||
        !parse_unsigned(s.substr(slash + 1), r.denominator) || r.denominator == 0) {
      bad_ratio(option, text);
    }
  } else {
    int scale = 0;  // value = digits / 10^scale
    if (s.back() == '%') {
      scale += 2;
      s.remove_suffix(1);
    }
    int exponent = 0;
    if (auto e = s.find_first_of("eE"); e != std::string_view::npos) {
      std::string_view exp_text = s.substr(e + 1);
      bool negative = false;
      if (!exp_text.empty() && (exp_text.front() == '-' || exp_text.front() == '+')) {
        negative = exp_text.front() == '-';
        exp_text.remove_prefix(1);
      }
      std::uint64_t magnitude = 0;
      if (!parse_unsigned(exp_text, magnitude) || magnitude > 40) bad_ratio(option, text);
      exponent = negative ? -static_cast<int>(magnitude) : static_cast<int>(magnitude);
      s = s.substr(0, e);
    }
    std::string digits;
    bool seen_point = false;
    bool any_digit = false;
    for (char c : s) {
      if (c == '.' && !seen_point) {
        seen_point = true;
      } else if (c >= '0' && c <= '9') {
        any_digit = true;
        if (!(digits.empty() && c == '0')) digits.push_back(c);
        if (seen_point) ++scale;
      } else {
        bad_ratio(option, text);
      }
    }
    if (!any_digit) bad_ratio(option, text);
    scale -= exponent;
    if (digits.size() > 18) bad_ratio(option, text);
    std::uint64_t mantissa = 0;
    if (!digits.empty() && !parse_unsigned(digits, mantissa)) bad_ratio(option, text);
    // Drop trailing zeros of the mantissa while the scale is positive.
    while (mantissa != 0 && mantissa % 10 == 0 && scale > 0) {
      mantissa /= 10;
      --scale;
    }
    if (mantissa == 0) return Ratio{0, 1};
    if (scale > 18) bad_ratio(option, text);
    std::uint64_t denominator = 1;
    while (scale < 0) {
      if (mantissa > 1'000'000'000'000'000'000ULL / 10) bad_ratio(option, text);
      mantissa *= 10;
      ++scale;
    }
    for (int k = 0; k < scale; ++k) denominator *= 10;
    r = Ratio{mantissa, denominator};
  }
  if (r.numerator > r.denominator) bad_ratio(option, text);
  std::uint64_t g = std::gcd(r.numerator, r.denominator);
  if (g > 1) {
    r.numerator /= g;
    r.denominator /= g;
  }
  return r;
}

bool at_least(std::uint64_t count, std::uint64_t total, Ratio threshold) noexcept {
  return static_cast<u128>(count) * threshold.denominator >=
         static_cast<u128>(threshold.numerator) * total;
}

std::uint64_t min_count_for(Ratio threshold, std::uint64_t total) noexcept {
  u128 product = static_cast<u128>(threshold.numerator) * total;
  u128 c = (product + threshold.denominator - 1) / threshold.denominator;
  return c < 1 ? 1 : static_cast<std::uint64_t>(c);
}

std::vector<std::size_t> FrequentItemsets::count_by_length() const {
  std::vector<std::size_t> result(1, 0);
  for (std::size_t i = 0; i < size(); ++i) {
    std::size_t k = offsets[i + 1] - offsets[i];
    if (result.size() <= k) result.resize(k + 1, 0);
    ++result[k];
  }
  return result;
}

namespace {

struct Node {
  std::uint32_t item;
  std::vector<std::uint32_t> tids;
};

struct Found {
  std::vector<std::uint32_t> items;
  std::uint64_t count;
};

/// Intersection of two sorted id lists, abandoned once it can no longer reach `min_count`.
bool intersect(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b,
               std::uint64_t min_count, std::vector<std::uint32_t>& out) {
  out.clear();
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (out.size() + std::min(a.size() - i, b.size() - j) < min_count) return false;
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      out.push_back(a[i]);
      ++i;
      ++j;
    }
  }
  return out.size() >= min_count;
}

/// Stops mining once more than `max_itemsets` (0 = no limit) itemsets are found.
bool over_budget(const std::vector<Found>& found, std::size_t max_itemsets) {
  return max_itemsets != 0 && found.size() > max_itemsets;
}

void eclat(std::vector<std::uint32_t>& prefix, std::vector<Node>& klass, std::uint64_t min_count,
           std::size_t max_length, std::size_t max_itemsets, std::vector<Found>& found) {
  std::vector<std::uint32_t> scratch;
  for (std::size_t i = 0; i < klass.size(); ++i) {
    if (over_budget(found, max_itemsets)) return;
    prefix.push_back(klass[i].item);
    Found f{prefix, klass[i].tids.size()};
    std::sort(f.items.begin(), f.items.end());
    found.push_back(std::move(f));
    if (max_length == 0 || prefix.size() < max_length) {
      std::vector<Node> next;
      for (std::size_t j = i + 1; j < klass.size(); ++j) {
        if (intersect(klass[i].tids, klass[j].tids, min_count, scratch)) {
          next.push_back(Node{klass[j].item, scratch});
        }
      }
      if (!next.empty()) eclat(prefix, next, min_count, max_length, max_itemsets, found);
    }
    prefix.pop_back();
    // The tid-list of klass[i] is no longer needed by later siblings.
    std::vector<std::uint32_t>().swap(klass[i].tids);
  }
}

std::string key_of(std::span<const std::uint32_t> items) {
  std::string key(items.size() * sizeof(std::uint32_t), '\0');
  if (!items.empty()) std::memcpy(key.data(), items.data(), key.size());
  return key;
}

}  // namespace

FrequentItemsets frequent_itemsets(const Baskets& baskets, const ItemsetOptions& options) {
  if (baskets.size() == 0) parameter_error("basket", "no baskets", "at least one basket");
  FrequentItemsets out;
  out.item_names = baskets.item_names;
  out.basket_count = baskets.size();
  out.min_count = std::max(min_count_for(options.min_support, out.basket_count), options.min_count);
  if (out.min_count == 0) out.min_count = 1;

  std::vector<std::vector<std::uint32_t>> tids(baskets.item_count());
  for (std::size_t b = 0; b < baskets.size(); ++b) {
    for (auto item : baskets.basket(b)) tids[item].push_back(static_cast<std::uint32_t>(b));
  }
  std::vector<Node> roots;
  for (std::uint32_t item = 0; item < tids.size(); ++item) {
    if (tids[item].size() >= out.min_count) roots.push_back(Node{item, std::move(tids[item])});
  }
  // Rare items first keeps the intersections short (the usual Eclat ordering).
  std::sort(roots.begin(), roots.end(), [](const Node& a, const Node& b) {
    return a.tids.size() != b.tids.size() ? a.tids.size() < b.tids.size() : a.item < b.item;
  });
  std::vector<Found> found;
  std::vector<std::uint32_t> prefix;
  // Pairs are counted directly from the baskets into a triangular matrix over the frequent
  // items (cheap: sum of squared basket sizes), so the second level only intersects the
  // tid-lists of pairs known to be frequent. Deeper levels intersect tid-lists (Eclat).
  const std::size_t nf = roots.size();
  constexpr std::size_t kMaxMatrixItems = 8192;
  if (nf > 1 && nf <= kMaxMatrixItems && options.max_length != 1) {
    std::vector<std::int32_t> rank(baskets.item_count(), -1);
    for (std::size_t r = 0; r < nf; ++r) rank[roots[r].item] = static_cast<std::int32_t>(r);
    auto tri = [nf](std::size_t a, std::size_t b) {  // a < b
      return a * (2 * nf - a - 1) / 2 + (b - a - 1);
    };
    std::vector<std::uint32_t> pair_count(nf * (nf - 1) / 2, 0);
    std::vector<std::uint32_t> ranks;
    for (std::size_t b = 0; b < baskets.size(); ++b) {
      ranks.clear();
      for (auto item : baskets.basket(b))
        if (rank[item] >= 0) ranks.push_back(static_cast<std::uint32_t>(rank[item]));
      std::sort(ranks.begin(), ranks.end());
      for (std::size_t i = 0; i < ranks.size(); ++i)
        for (std::size_t j = i + 1; j < ranks.size(); ++j) ++pair_count[tri(ranks[i], ranks[j])];
    }
    std::vector<std::uint32_t> scratch;
    for (std::size_t i = 0; i < nf && !over_budget(found, options.max_itemsets); ++i) {
      prefix.assign(1, roots[i].item);
      found.push_back(Found{prefix, roots[i].tids.size()});
      std::vector<Node> next;
      for (std::size_t j = i + 1; j < nf; ++j) {
        if (pair_count[tri(i, j)] < out.min_count) continue;
        intersect(roots[i].tids, roots[j].tids, 0, scratch);
        next.push_back(Node{roots[j].item, scratch});
      }
      if (!next.empty()) {
        eclat(prefix, next, out.min_count, options.max_length, options.max_itemsets, found);
      }
      std::vector<std::uint32_t>().swap(roots[i].tids);
    }
  } else {
    eclat(prefix, roots, out.min_count, options.max_length, options.max_itemsets, found);
  }
  out.complete = !over_budget(found, options.max_itemsets);
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return a.items.size() != b.items.size() ? a.items.size() < b.items.size() : a.items < b.items;
  });
  out.count.reserve(found.size());
  out.offsets.reserve(found.size() + 1);
  for (auto& f : found) {
    out.items.insert(out.items.end(), f.items.begin(), f.items.end());
    out.offsets.push_back(out.items.size());
    out.count.push_back(f.count);
  }
  return out;
}

double AssociationRules::support(std::size_t r) const noexcept {
  return static_cast<double>(count[r]) / static_cast<double>(basket_count);
}
double AssociationRules::confidence(std::size_t r) const noexcept {
  return static_cast<double>(count[r]) / static_cast<double>(antecedent_count[r]);
}
double AssociationRules::lift(std::size_t r) const noexcept {
  return static_cast<double>(count[r]) * static_cast<double>(basket_count) /
         (static_cast<double>(antecedent_count[r]) * static_cast<double>(consequent_count[r]));
}

AssociationRules association_rules(const FrequentItemsets& itemsets, const RuleOptions& options) {
  std::unordered_map<std::string, std::uint64_t> counts;
  counts.reserve(itemsets.size() * 2);
  for (std::size_t i = 0; i < itemsets.size(); ++i) {
    counts.emplace(key_of(itemsets.itemset(i)), itemsets.count[i]);
  }
  auto lookup = [&](std::span<const std::uint32_t> items) -> std::uint64_t {
    if (items.empty()) return itemsets.basket_count;
    auto it = counts.find(key_of(items));
    // Every subset of a frequent itemset is frequent (and was mined).
    return it == counts.end() ? 0 : it->second;
  };

  struct Rule {
    std::vector<std::uint32_t> antecedent;
    std::uint32_t consequent;
    std::uint64_t count, antecedent_count, consequent_count;
  };
  std::vector<Rule> rules;
  std::vector<std::uint32_t> antecedent;
  for (std::size_t i = 0; i < itemsets.size(); ++i) {
    auto set = itemsets.itemset(i);
    if (set.size() < options.min_antecedent + 1) continue;
    for (std::size_t j = 0; j < set.size(); ++j) {
      antecedent.assign(set.begin(), set.end());
      antecedent.erase(antecedent.begin() + static_cast<std::ptrdiff_t>(j));
      std::uint64_t ante = lookup(antecedent);
      if (ante == 0) continue;
      if (!at_least(itemsets.count[i], ante, options.min_confidence)) continue;
      std::uint32_t y = set[j];
      rules.push_back(Rule{antecedent, y, itemsets.count[i], ante, lookup({&y, 1})});
    }
  }
  // lift_a > lift_b  <=>  c_a * A_b * C_b > c_b * A_a * C_a (the basket count cancels).
  std::sort(rules.begin(), rules.end(), [](const Rule& a, const Rule& b) {
    u128 la = static_cast<u128>(a.count) * b.antecedent_count * b.consequent_count;
    u128 lb = static_cast<u128>(b.count) * a.antecedent_count * a.consequent_count;
    if (la != lb) return la > lb;
    u128 ca = static_cast<u128>(a.count) * b.antecedent_count;
    u128 cb = static_cast<u128>(b.count) * a.antecedent_count;
    if (ca != cb) return ca > cb;
    if (a.count != b.count) return a.count > b.count;
    if (a.antecedent != b.antecedent) return a.antecedent < b.antecedent;
    return a.consequent < b.consequent;
  });
  AssociationRules out;
  out.item_names = itemsets.item_names;
  out.basket_count = itemsets.basket_count;
  for (auto& r : rules) {
    out.antecedent_items.insert(out.antecedent_items.end(), r.antecedent.begin(),
                                r.antecedent.end());
    out.offsets.push_back(out.antecedent_items.size());
    out.consequent.push_back(r.consequent);
    out.count.push_back(r.count);
    out.antecedent_count.push_back(r.antecedent_count);
    out.consequent_count.push_back(r.consequent_count);
  }
  return out;
}

std::string format_itemset(std::span<const std::uint32_t> items,
                           const std::vector<std::string>& item_names) {
  std::vector<std::string_view> names;
  names.reserve(items.size());
  for (auto item : items) names.emplace_back(item_names[item]);
  std::sort(names.begin(), names.end());
  std::string text = "{";
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (k > 0) text += ',';
    text += names[k];
  }
  text += '}';
  return text;
}

}  // namespace ltv
