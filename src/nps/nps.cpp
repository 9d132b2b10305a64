#include "ltv/nps/nps.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_set>

#include "ltv/error.hpp"

namespace ltv {

namespace {

// Days since 1970-01-01 of a civil date (H. Hinnant, "chrono-compatible low-level date
// algorithms", days_from_civil).
std::int32_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

struct Civil {
  int y;
  unsigned m, d;
};

Civil civil_from_days(std::int32_t z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

/// Decimal digits; a value past INT_MAX saturates there (a score of 20 digits is out of range,
/// not a signed overflow).
bool parse_digits(std::string_view s, int& out) {
  if (s.empty()) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const int digit = c - '0';
    out = out > (std::numeric_limits<int>::max() - digit) / 10 ? std::numeric_limits<int>::max()
                                                               : out * 10 + digit;
  }
  return true;
}

/// yyyy-mm-dd, optionally followed by 'T' or ' ' and a time (ignored).
std::optional<std::int32_t> parse_day(std::string_view text) {
  if (text.size() < 10) return std::nullopt;
  if (text.size() > 10 && text[10] != ' ' && text[10] != 'T') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (text[4] != '-' || text[7] != '-' || !parse_digits(text.substr(0, 4), y) ||
      !parse_digits(text.substr(5, 2), m) || !parse_digits(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return std::nullopt;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string format_day(std::int32_t day) {
  auto c = civil_from_days(day);
  return fmt::format("{:04d}-{:02d}-{:02d}", c.y, c.m, c.d);
}

/// The latest answer of every customer of `customer_ids` who answered (a later day wins; on the
/// same day the later line): customer row -> answer index.
std::unordered_map<std::size_t, std::size_t> latest_answers(
    const NpsAnswers& answers, std::span<const std::string> customer_ids) {
  std::unordered_map<std::string_view, std::size_t> index;
  index.reserve(customer_ids.size());
  for (std::size_t c = 0; c < customer_ids.size(); ++c) index.emplace(customer_ids[c], c);
  std::unordered_map<std::size_t, std::size_t> latest;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    auto it = index.find(answers.customer[i]);
    if (it == index.end()) continue;
    auto [slot, inserted] = latest.emplace(it->second, i);
    if (!inserted && (answers.day[i] > answers.day[slot->second] ||
                      (answers.day[i] == answers.day[slot->second] && i > slot->second))) {
      slot->second = i;
    }
  }
  return latest;
}

std::optional<std::size_t> find_nps_column(const std::vector<std::string>& header,
                                           const std::string& name) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  for (std::size_t i = 0; i < header.size(); ++i)
    if (lower(header[i]) == name) return i;
  return std::nullopt;
}

}  // namespace

std::vector<NpsRow> read_nps_rows(CsvReader& reader, const NpsColumns& columns,
                                  const std::function<void(const CsvRecord&)>& each) {
  std::vector<NpsRow> rows;
  CsvRecord record;
  while (reader.next(record)) {
    auto field = [&](std::optional<std::size_t> i) {
      return i && *i < record.size() ? std::string(record[*i]) : std::string();
    };
    rows.push_back(NpsRow{record.line, field(columns.customer), field(columns.date),
                          field(columns.score), field(columns.comment), field(columns.channel)});
    if (each) each(record);
  }
  return rows;
}

std::vector<NpsRow> read_nps_rows(const std::string& path) {
  CsvReader reader(path);
  auto require = [&](const std::string& name) {
    auto index = find_nps_column(reader.header(), name);
    if (!index) {
      std::string names;
      for (const auto& h : reader.header()) names += (names.empty() ? "" : ", ") + h;
      input_error({path, 1, name}, "no such column in the --nps file",
                  "a header with customer_id,date,score[,comment,channel]; found: " + names);
    }
    return *index;
  };
  NpsColumns columns;
  columns.customer = require("customer_id");
  columns.date = require("date");
  columns.score = require("score");
  columns.comment = find_nps_column(reader.header(), "comment");
  columns.channel = find_nps_column(reader.header(), "channel");
  return read_nps_rows(reader, columns);
}

NpsParseResult validate_nps_rows(std::span<const NpsRow> rows, const std::string& source,
                                 std::span<const std::string> known) {
  NpsParseOptions po;
  po.known_customers = known;
  NpsParseResult parsed = parse_nps_rows(rows, po);
  for (const auto& p : parsed.problems) {
    if (p.kind == "missing_customer") {
      input_error({source, p.line, "customer_id"}, p.detail, "a customer id");
    } else if (p.kind == "bad_date") {
      input_error({source, p.line, "date"}, p.detail, "a date yyyy-mm-dd");
    } else if (p.kind == "bad_score" || p.kind == "score_out_of_range") {
      input_error({source, p.line, "score"}, p.detail, "an integer score from 0 to 10");
    }
  }
  return parsed;
}

NpsParseResult read_nps_file(const std::string& path, std::span<const std::string> known) {
  return validate_nps_rows(read_nps_rows(path), path, known);
}

NpsParseResult parse_nps_rows(std::span<const NpsRow> rows, const NpsParseOptions& options) {
  NpsParseResult result;
  std::unordered_set<std::string_view> known(options.known_customers.begin(),
                                             options.known_customers.end());
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> first_line;
  auto problem = [&](const NpsRow& row, std::string kind, std::string detail) {
    result.problems.push_back(NpsProblem{row.line, std::move(kind), std::move(detail)});
  };
  for (const auto& row : rows) {
    std::string_view customer = trim(row.customer);
    if (customer.empty()) {
      problem(row, "missing_customer", "empty customer id");
      continue;
    }
    std::string_view score_text = trim(row.score);
    int score = 0;
    bool negative = !score_text.empty() && score_text.front() == '-';
    if (!parse_digits(negative ? score_text.substr(1) : score_text, score) ||
        score_text.size() > 4) {
      problem(row, "bad_score", fmt::format("score '{}' is not an integer", row.score));
      continue;
    }
    if (negative || score > 10) {
      problem(row, "score_out_of_range", fmt::format("score {} outside 0..10", row.score));
      continue;
    }
    auto day = parse_day(trim(row.date));
    if (!day) {
      problem(row, "bad_date", fmt::format("date '{}' is not yyyy-mm-dd", row.date));
      continue;
    }
    auto [it, inserted] = first_line.emplace(std::make_pair(std::string(customer), *day), row.line);
    if (!inserted) {
      problem(row, "duplicate",
              fmt::format("second answer of customer '{}' on {} (first on line {})", customer,
                          format_day(*day), it->second));
      continue;
    }
    bool is_known = known.empty() || known.count(customer) > 0;
    if (!is_known) {
      problem(row, "unknown_customer",
              fmt::format("customer '{}' is not in the customer list (answer kept)", customer));
    }
    auto& a = result.answers;
    a.customer.emplace_back(customer);
    a.day.push_back(*day);
    a.score.push_back(score);
    a.comment.push_back(row.comment);
    a.channel.emplace_back(trim(row.channel));
    a.line.push_back(row.line);
    a.known_customer.push_back(is_known);
  }
  return result;
}

NpsClass classify_score(int score) {
  if (score < 0 || score > 10) {
    input_error({"", 0, "score"}, std::to_string(score), "an NPS score from 0 to 10");
  }
  if (score <= 6) return NpsClass::detractor;
  if (score <= 8) return NpsClass::passive;
  return NpsClass::promoter;
}

std::string_view to_string(NpsClass cls) noexcept {
  switch (cls) {
    case NpsClass::detractor:
      return "detractor";
    case NpsClass::passive:
      return "passive";
    case NpsClass::promoter:
      return "promoter";
  }
  return "passive";
}

NpsEstimate estimate_nps(std::uint64_t promoters, std::uint64_t passives, std::uint64_t detractors,
                         double z) {
  NpsEstimate e;
  e.promoters = promoters;
  e.passives = passives;
  e.detractors = detractors;
  e.answers = promoters + passives + detractors;
  if (e.answers == 0) return e;
  const double n = static_cast<double>(e.answers);
  const double p = static_cast<double>(promoters) / n;
  const double d = static_cast<double>(detractors) / n;
  const double diff = p - d;
  // Multinomial: Var(p^) = p(1-p)/n, Var(d^) = d(1-d)/n, Cov(p^, d^) = -pd/n, so
  // Var(p^ - d^) = (p + d - (p - d)^2) / n. Clamp tiny negative rounding to 0.
  const double variance = std::max(0.0, (p + d - diff * diff) / n);
  const double se = 100.0 * std::sqrt(variance);
  e.nps = 100.0 * diff;
  e.standard_error = se;
  e.ci_low = std::max(-100.0, *e.nps - z * se);
  e.ci_high = std::min(100.0, *e.nps + z * se);
  return e;
}

NpsEstimate estimate_nps(std::span<const int> scores, double z) {
  std::uint64_t counts[3] = {0, 0, 0};
  for (int s : scores) ++counts[static_cast<int>(classify_score(s))];
  return estimate_nps(counts[2], counts[1], counts[0], z);
}

NpsGroupTable nps_by_group(const NpsAnswers& answers, std::span<const std::string> group_of_answer,
                           std::span<const std::string> extra_groups, double z) {
  if (group_of_answer.size() != answers.size()) {
    input_error({}, std::to_string(group_of_answer.size()) + " group labels",
                std::to_string(answers.size()) + " (one per answer)");
  }
  std::map<std::string, std::array<std::uint64_t, 3>> counts;
  for (const auto& g : extra_groups) counts.try_emplace(g, std::array<std::uint64_t, 3>{0, 0, 0});
  for (std::size_t i = 0; i < answers.size(); ++i) {
    auto& c =
        counts.try_emplace(group_of_answer[i], std::array<std::uint64_t, 3>{0, 0, 0}).first->second;
    ++c[static_cast<int>(classify_score(answers.score[i]))];
  }
  NpsGroupTable table;
  for (const auto& [group, c] : counts) {
    table.group.push_back(group);
    table.estimate.push_back(estimate_nps(c[2], c[1], c[0], z));
  }
  return table;
}

NpsPeriod parse_nps_period(std::string_view text) {
  if (text == "week") return NpsPeriod::week;
  if (text == "month") return NpsPeriod::month;
  if (text == "quarter") return NpsPeriod::quarter;
  if (text == "year") return NpsPeriod::year;
  parameter_error("period", std::string(text), "one of week, month, quarter, year");
}

std::string period_label(std::int32_t day, NpsPeriod period) {
  auto c = civil_from_days(day);
  switch (period) {
    case NpsPeriod::week: {
      // ISO 8601 week: the week belongs to the year of its Thursday. 1970-01-01 was a Thursday.
      int weekday = static_cast<int>(((day % 7) + 7 + 3) % 7);  // Monday = 0
      std::int32_t thursday = day - weekday + 3;
      auto t = civil_from_days(thursday);
      std::int32_t jan1 = days_from_civil(t.y, 1, 1);
      int week = (thursday - jan1) / 7 + 1;
      return fmt::format("{:04d}-W{:02d}", t.y, week);
    }
    case NpsPeriod::month:
      return fmt::format("{:04d}-{:02d}", c.y, c.m);
    case NpsPeriod::quarter:
      return fmt::format("{:04d}-Q{}", c.y, (c.m - 1) / 3 + 1);
    case NpsPeriod::year:
      return fmt::format("{:04d}", c.y);
  }
  return {};
}

std::vector<FollowUp> follow_ups(const NpsAnswers& answers, const FollowUpOptions& options) {
  if (options.below < 1 || options.below > 11) {
    parameter_error("follow_up_below", std::to_string(options.below), "an integer from 1 to 11");
  }
  std::vector<FollowUp> items;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (answers.score[i] >= options.below) continue;
    FollowUp f;
    f.customer = answers.customer[i];
    f.day = answers.day[i];
    f.score = answers.score[i];
    f.comment = answers.comment[i];
    f.channel = answers.channel[i];
    auto owner = options.owner_by_channel.find(f.channel);
    f.owner = owner != options.owner_by_channel.end() ? owner->second : options.default_owner;
    bool detractor = classify_score(f.score) == NpsClass::detractor;
    f.due_day = f.day + (detractor ? options.detractor_due_days : options.other_due_days);
    f.priority = detractor ? "high" : "normal";
    f.line = answers.line[i];
    items.push_back(std::move(f));
  }
  std::stable_sort(items.begin(), items.end(), [](const FollowUp& a, const FollowUp& b) {
    if (a.score != b.score) return a.score < b.score;
    if (a.day != b.day) return a.day < b.day;
    return a.line < b.line;
  });
  return items;
}

std::vector<TermCount> top_terms(std::span<const std::string> comments, std::size_t top_n,
                                 std::size_t min_length) {
  static const std::unordered_set<std::string_view> kStop = {
      "the",     "and",   "for",   "was",    "were",  "are",   "but",    "not",    "with",  "this",
      "that",    "you",   "your",  "have",   "has",   "had",   "they",   "them",   "their", "there",
      "from",    "all",   "any",   "can",    "could", "would", "should", "will",   "just",  "very",
      "too",     "out",   "about", "what",   "when",  "which", "who",    "why",    "how",   "been",
      "being",   "into",  "than",  "then",   "also",  "our",   "ours",   "its",    "it's",  "his",
      "her",     "she",   "him",   "did",    "does",  "doing", "don",    "didn",   "isn",   "wasn",
      "more",    "most",  "some",  "such",   "only",  "own",   "same",   "each",   "few",   "other",
      "off",     "over",  "under", "again",  "once",  "here",  "where",  "both",   "these", "those",
      "because", "while", "after", "before", "get",   "got",   "one",    "really", "much",  "even"};
  std::unordered_map<std::string, std::uint64_t> counts;
  std::unordered_set<std::string> seen;
  for (const auto& comment : comments) {
    seen.clear();
    std::size_t i = 0;
    while (i < comment.size()) {
      bool tag = comment[i] == '#';
      std::size_t start = tag ? i + 1 : i;
      std::size_t j = start;
      std::string term;
      while (j < comment.size()) {
        unsigned char c = static_cast<unsigned char>(comment[j]);
        if (std::isalnum(c) || c >= 0x80 || (tag && (c == '_' || c == '-'))) {
          term.push_back(static_cast<char>(c < 0x80 ? std::tolower(c) : c));
          ++j;
        } else {
          break;
        }
      }
      if (j == start) {
        i = start + 1;
        continue;
      }
      i = j;
      if (tag) {
        seen.insert("#" + term);
      } else if (term.size() >= min_length && kStop.count(term) == 0) {
        seen.insert(term);
      }
    }
    for (const auto& t : seen) ++counts[t];
  }
  std::vector<TermCount> terms;
  terms.reserve(counts.size());
  for (auto& [t, c] : counts) terms.push_back(TermCount{t, c});
  std::sort(terms.begin(), terms.end(), [](const TermCount& a, const TermCount& b) {
    return a.comments != b.comments ? a.comments > b.comments : a.term < b.term;
  });
  if (terms.size() > top_n) terms.resize(top_n);
  return terms;
}

std::vector<NpsValueRow> nps_value_link(const NpsAnswers& answers, const TransactionLog& log,
                                        const NpsValueOptions& options,
                                        const std::unordered_map<std::string, double>& ltv) {
  if (log.size() == 0) input_error({"", 0, "transactions"}, "an empty log", "at least one row");
  if (options.horizon_days < 1) {
    parameter_error("horizon", std::to_string(options.horizon_days), "a positive number of days");
  }
  const std::int32_t last_day = *std::max_element(log.day.begin(), log.day.end());
  const auto latest = latest_answers(answers, log.customer_ids);
  // Per respondent: answer day, then sums over the log.
  const std::size_t n_customers = log.customer_count();
  std::vector<std::int32_t> answer_day(n_customers, 0);
  std::vector<std::int8_t> cls(n_customers, -1);
  for (auto [c, i] : latest) {
    if (answers.day[i] + options.horizon_days > last_day) continue;  // window not complete
    answer_day[c] = answers.day[i];
    cls[c] = static_cast<std::int8_t>(classify_score(answers.score[i]));
  }
  std::vector<double> before(n_customers, 0.0), after(n_customers, 0.0);
  std::vector<std::uint8_t> bought_after(n_customers, 0);
  for (std::size_t r = 0; r < log.size(); ++r) {
    auto c = log.customer[r];
    if (cls[c] < 0) continue;
    double value = log.has_amount() ? log.amount[r] : 1.0;
    if (log.day[r] <= answer_day[c]) {
      before[c] += value;
    } else if (log.day[r] <= answer_day[c] + options.horizon_days) {
      after[c] += value;
      bought_after[c] = 1;
    }
  }
  std::vector<NpsValueRow> rows(3);
  std::array<double, 3> sum_after{}, sum_before{}, sum_ltv{};
  std::array<std::uint64_t, 3> ltv_count{};
  for (int k = 0; k < 3; ++k) rows[k].cls = static_cast<NpsClass>(k);
  for (std::size_t c = 0; c < n_customers; ++c) {
    if (cls[c] < 0) continue;
    auto k = static_cast<std::size_t>(cls[c]);
    ++rows[k].customers;
    rows[k].retained += bought_after[c];
    sum_after[k] += after[c];
    sum_before[k] += before[c];
    if (auto it = ltv.find(log.customer_ids[c]); it != ltv.end() && std::isfinite(it->second)) {
      sum_ltv[k] += it->second;
      ++ltv_count[k];
    }
  }
  for (std::size_t k = 0; k < 3; ++k) {
    if (rows[k].customers == 0) continue;
    double n = static_cast<double>(rows[k].customers);
    rows[k].retention = static_cast<double>(rows[k].retained) / n;
    rows[k].value_after = sum_after[k] / n;
    rows[k].value_before = sum_before[k] / n;
    if (ltv_count[k] > 0) rows[k].mean_ltv = sum_ltv[k] / static_cast<double>(ltv_count[k]);
  }
  return rows;
}

std::vector<NpsClassMean> nps_class_means(const NpsAnswers& answers,
                                          std::span<const std::string> customer_ids,
                                          std::span<const double> value) {
  if (value.size() != customer_ids.size()) {
    input_error({}, std::to_string(value.size()) + " values",
                std::to_string(customer_ids.size()) + " (one per customer)");
  }
  const auto latest = latest_answers(answers, customer_ids);
  std::vector<NpsClassMean> rows(3);
  std::array<double, 3> sum{0, 0, 0};
  for (int k = 0; k < 3; ++k) rows[static_cast<std::size_t>(k)].cls = static_cast<NpsClass>(k);
  for (auto [c, i] : latest) {
    const auto k = static_cast<std::size_t>(classify_score(answers.score[i]));
    ++rows[k].customers;
    if (std::isfinite(value[c])) {
      ++rows[k].valued;
      sum[k] += value[c];
    }
  }
  for (std::size_t k = 0; k < 3; ++k) {
    if (rows[k].valued > 0) rows[k].mean = sum[k] / static_cast<double>(rows[k].valued);
  }
  return rows;
}

}  // namespace ltv
