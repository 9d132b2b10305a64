#pragma once
// The fixed vocabularies of the retailer simulation: product catalog with co-purchase and
// sequence rules, regions, channels, NPS phrases, contact types and the constants of the
// attribute models. truth.json reports all of them.

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace ltv::sim::detail {

struct CategorySpec {
  const char* name;
  double popularity;
  double base_price;
  std::array<const char*, 6> items;
};

constexpr std::array<CategorySpec, 12> kCategories{{
    {"coffee",
     12,
     9.0,
     {"espresso beans", "arabica ground", "instant coffee", "coffee capsules", "cold brew",
      "decaf beans"}},
    {"tea", 8, 6.0, {"green tea", "black tea", "herbal tea", "oolong tea", "matcha", "chai blend"}},
    {"sweets",
     10,
     4.0,
     {"dark chocolate", "milk chocolate", "caramel candies", "marshmallows", "cookies",
      "gummy bears"}},
    {"bakery", 10, 2.5, {"croissant", "rye bread", "bagel", "muffin", "baguette", "cinnamon roll"}},
    {"dairy", 12, 2.0, {"milk", "yogurt", "kefir", "cottage cheese", "butter", "cheddar"}},
    {"sports goods",
     6,
     45.0,
     {"running shoes", "yoga mat", "dumbbells", "tennis racket", "bicycle helmet", "jump rope"}},
    {"accessories",
     7,
     15.0,
     {"water bottle", "sports socks", "headband", "gym bag", "phone armband", "sunglasses"}},
    {"books", 6, 14.0, {"novel", "cookbook", "travel guide", "picture book", "comic", "biography"}},
    {"toys", 5, 20.0, {"building blocks", "puzzle", "plush bear", "toy car", "board game", "doll"}},
    {"cosmetics",
     8,
     12.0,
     {"face cream", "shampoo", "lipstick", "hand cream", "shower gel", "sunscreen"}},
    {"household",
     9,
     5.0,
     {"dish soap", "paper towels", "laundry detergent", "sponges", "trash bags", "air freshener"}},
    {"electronics",
     4,
     40.0,
     {"headphones", "phone charger", "power bank", "usb cable", "smart speaker", "e-reader"}},
}};

constexpr std::array<const char*, 3> kVariants{"basic", "standard", "premium"};

// Brands (suppliers): item i of category k is made by brand (2k + i) mod 8, so every category
// holds several brands and every brand several categories (the partner portal's scope).
constexpr std::array<const char*, 8> kBrands{"Aurora",    "Borealis", "Cedar",   "Dawnlight",
                                             "Evergreen", "Fable",    "Granite", "Harbor"};
inline const char* brand_of(std::size_t category, std::size_t item) {
  return kBrands[(2 * category + item) % kBrands.size()];
}
constexpr std::array<double, 3> kVariantWeight{0.3, 0.5, 0.2};
constexpr std::array<double, 3> kVariantPrice{0.7, 1.0, 1.6};

// Products bought together: item k < 3 of `from` brings item k ("standard") of `to`.
struct PairRule {
  const char* from;
  const char* to;
  double probability;
};
constexpr std::array<PairRule, 4> kPairRules{{
    {"coffee", "bakery", 0.5},
    {"tea", "sweets", 0.5},
    {"electronics", "accessories", 0.4},
    {"dairy", "bakery", 0.3},
}};
// Sequences: an order containing `from` makes the next order start in `to`.
constexpr std::array<PairRule, 2> kSequenceRules{{
    {"sports goods", "accessories", 0.5},
    {"toys", "books", 0.4},
}};
constexpr double kPreferredCategoryProbability = 0.6;
constexpr double kExtraLineProbability = 0.4;
constexpr std::array<double, 3> kQuantityWeight{0.75, 0.18, 0.07};  // 1, 2, 3

constexpr std::array<const char*, 6> kRegions{"Moscow",      "Saint Petersburg", "Kazan",
                                              "Novosibirsk", "Yekaterinburg",    "Krasnodar"};
constexpr std::array<double, 6> kRegionWeight{0.35, 0.20, 0.12, 0.12, 0.13, 0.08};

constexpr std::array<const char*, 5> kAcquisitionChannels{"organic", "search", "social", "email",
                                                          "referral"};
constexpr std::array<double, 5> kAcquisitionWeight{0.30, 0.25, 0.20, 0.10, 0.15};
constexpr std::array<double, 5> kCac{0.0, 25.0, 18.0, 6.0, 12.0};  // currency per customer

constexpr std::array<const char*, 3> kSalesChannels{"online", "store", "app"};
constexpr std::array<double, 3> kSalesChannelWeight{0.50, 0.35, 0.15};
constexpr double kPreferredSalesChannelProbability = 0.8;

constexpr std::array<const char*, 4> kNpsChannels{"email", "sms", "app", "web"};
constexpr std::array<double, 4> kNpsChannelWeight{0.5, 0.15, 0.2, 0.15};
constexpr double kNpsCommentProbability = 0.6;
constexpr std::array<const char*, 5> kPromoterPhrases{"great prices", "fast delivery",
                                                      "friendly staff", "love the loyalty program",
                                                      "good selection"};
constexpr std::array<const char*, 4> kPassivePhrases{"ok overall", "delivery could be faster",
                                                     "prices are fine", "app is convenient"};
constexpr std::array<const char*, 5> kDetractorPhrases{"delivery was slow", "too expensive",
                                                       "item was out of stock", "rude support",
                                                       "wrong item delivered"};

struct ContactChannel {
  const char* name;
  double weight;
  std::array<const char*, 3> types;
  int type_count;
};
constexpr std::array<ContactChannel, 4> kContactChannels{{
    {"email", 0.5, {"promo", "reminder", "webinar"}, 3},
    {"sms", 0.2, {"promo", "reminder", ""}, 2},
    {"push", 0.2, {"promo", "reminder", ""}, 2},
    {"phone", 0.1, {"call", "ticket", ""}, 2},
}};

constexpr double kFemaleShare = 0.54;
constexpr double kEarlySignupProbability = 0.4;  // signup 1..30 days before the first purchase
constexpr double kPotentialNoiseSd = 0.5;        // log-normal noise of `potential`
// NPS score = round(kNpsBase + kNpsLoyalty*u + kNpsValue*v + kNpsNoiseSd*N(0,1)) clamped to 0..10
constexpr double kNpsBase = 4.0, kNpsLoyalty = 4.5, kNpsValue = 2.0, kNpsNoiseSd = 1.2;

template <std::size_t N>
constexpr std::array<double, N> cumulative(const std::array<double, N>& w) {
  std::array<double, N> c{};
  double s = 0;
  for (std::size_t i = 0; i < N; ++i) c[i] = (s += w[i]);
  return c;
}

struct Catalog {
  struct Product {
    std::string name;
    int category;
    double price;
    const char* brand;
  };
  std::vector<Product> products;
  std::vector<double> category_cumulative;
  std::vector<std::vector<int>> by_category;
  std::vector<std::vector<double>> within_cumulative;
  std::vector<int> companion;  // product -> companion product or -1
  std::vector<double> companion_probability;
  std::vector<int> follow_category;  // category -> category of the next order or -1
  std::vector<double> follow_probability;
};

inline int category_index(const char* name) {
  for (std::size_t i = 0; i < kCategories.size(); ++i) {
    if (std::strcmp(kCategories[i].name, name) == 0) return static_cast<int>(i);
  }
  return -1;
}

inline Catalog make_catalog() {
  Catalog c;
  double total = 0;
  c.by_category.resize(kCategories.size());
  c.within_cumulative.resize(kCategories.size());
  for (std::size_t k = 0; k < kCategories.size(); ++k) {
    const auto& cat = kCategories[k];
    c.category_cumulative.push_back(total += cat.popularity);
    double within = 0;
    for (std::size_t item = 0; item < cat.items.size(); ++item) {
      for (std::size_t v = 0; v < kVariants.size(); ++v) {
        c.by_category[k].push_back(static_cast<int>(c.products.size()));
        c.products.push_back(
            {fmt::format("{} {}", cat.items[item], kVariants[v]), static_cast<int>(k),
             cat.base_price * (1.0 + 0.15 * static_cast<double>(item)) * kVariantPrice[v],
             brand_of(k, item)});
        within += kVariantWeight[v] / (1.0 + static_cast<double>(item));
        c.within_cumulative[k].push_back(within);
      }
    }
  }
  c.companion.assign(c.products.size(), -1);
  c.companion_probability.assign(c.products.size(), 0.0);
  for (const auto& rule : kPairRules) {
    const int from = category_index(rule.from), to = category_index(rule.to);
    for (int item = 0; item < 3; ++item) {
      for (int v = 0; v < 3; ++v) {
        const int product = c.by_category[from][static_cast<std::size_t>(item * 3 + v)];
        c.companion[static_cast<std::size_t>(product)] =
            c.by_category[to][static_cast<std::size_t>(item * 3 + 1)];
        c.companion_probability[static_cast<std::size_t>(product)] = rule.probability;
      }
    }
  }
  c.follow_category.assign(kCategories.size(), -1);
  c.follow_probability.assign(kCategories.size(), 0.0);
  for (const auto& rule : kSequenceRules) {
    const auto from = static_cast<std::size_t>(category_index(rule.from));
    c.follow_category[from] = category_index(rule.to);
    c.follow_probability[from] = rule.probability;
  }
  return c;
}

}  // namespace ltv::sim::detail
