// Derived CVM fields: next-purchase timing (model and own intervals), birthdays, NPS, contacts.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "ltv/cvm/actions.hpp"
#include "ltv/io/dates.hpp"
#include "math/parallel.hpp"

namespace ltv {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::unordered_map<std::string_view, std::uint32_t> index_of(std::span<const std::string> ids) {
  std::unordered_map<std::string_view, std::uint32_t> index;
  index.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], static_cast<std::uint32_t>(i));
  return index;
}

/// Days from `as_of` to the next birthday (0 = today) of a birth date, or NaN.
double days_to_birthday(const std::string& text, std::int32_t as_of) {
  if (text.empty()) return kNaN;
  DateFormat iso;
  iso.kind = DateFormat::Kind::iso;
  const auto parsed = parse_datetime(text, iso);
  if (!parsed) return kNaN;
  const CivilDate born = civil_from_days(parsed->day);
  const CivilDate today = civil_from_days(as_of);
  for (int year = today.year; year <= today.year + 1; ++year) {
    int month = born.month, day = born.day;
    if (!is_valid_date(year, month, day)) day = 28;  // 29 February in a common year
    const std::int32_t d = days_from_civil(year, month, day);
    if (d >= as_of) return d - as_of;
  }
  return kNaN;
}

}  // namespace

ContactHistory align_contacts(std::span<const std::string> row_ids,
                              std::span<const std::string> contact_ids,
                              std::span<const std::int32_t> days,
                              std::span<const std::string> channels, std::size_t* unmatched) {
  const auto index = index_of(row_ids);
  ContactHistory h;
  std::size_t missing = 0;
  for (std::size_t i = 0; i < contact_ids.size(); ++i) {
    auto it = index.find(contact_ids[i]);
    if (it == index.end()) {
      ++missing;
      continue;
    }
    h.row.push_back(it->second);
    h.day.push_back(days[i]);
    h.channel.push_back(i < channels.size() ? channels[i] : std::string());
  }
  if (unmatched) *unmatched = missing;
  return h;
}

std::vector<double> latest_scores(std::span<const std::string> row_ids,
                                  std::span<const std::string> ids,
                                  std::span<const std::int32_t> days,
                                  std::span<const double> scores) {
  const auto index = index_of(row_ids);
  std::vector<double> out(row_ids.size(), kNaN);
  std::vector<std::int32_t> when(row_ids.size(), std::numeric_limits<std::int32_t>::min());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto it = index.find(ids[i]);
    if (it == index.end() || !std::isfinite(scores[i])) continue;
    if (days[i] >= when[it->second]) {  // later answers (and later lines on the same day) win
      when[it->second] = days[i];
      out[it->second] = scores[i];
    }
  }
  return out;
}

void add_cvm_fields(SegmentFields& fields, const CvmFieldInputs& in) {
  const CustomerSummary& s = *in.summary;
  const std::size_t n = s.size();
  const double as_of = in.as_of_day;
  std::vector<double> since(n), usual(n, kNaN), next(n, kNaN), past(n, kNaN), ratio(n, kNaN);
  for (std::size_t i = 0; i < n; ++i) {
    since[i] = as_of - s.last_purchase[i];
    if (s.frequency[i] > 0) {
      usual[i] = (s.last_purchase[i] - s.first_purchase[i]) / s.frequency[i];
      next[i] = s.last_purchase[i] + usual[i];
      past[i] = as_of - next[i];
      if (usual[i] > 0) ratio[i] = since[i] / usual[i];
    }
  }

  // Model timing.
  const int horizons[3] = {7, 30, 90};
  if (in.model != nullptr) {
    const double unit = days_per_unit(s.time_unit);
    std::vector<double> p[3] = {std::vector<double>(n), std::vector<double>(n),
                                std::vector<double>(n)};
    // T measured to the run day rather than the calibration end.
    const double shift = (as_of - s.calibration_end) / unit;
    if (n > 0)  // throws ModelError for an unsupported model here, not inside the parallel loop
      (void)in.model->probability_of_purchase(1.0, s.frequency[0], s.recency[0], s.T[0] + shift);
    detail::ParallelErrors errors;
#pragma omp parallel for schedule(static, 4096)
    for (std::size_t i = 0; i < n; ++i) {
      errors.run([&] {
        for (int h = 0; h < 3; ++h) {
          const double v = in.model->probability_of_purchase(horizons[h] / unit, s.frequency[i],
                                                             s.recency[i], s.T[i] + shift);
          p[h][i] = std::isfinite(v) ? v : kNaN;
        }
      });
    }
    errors.rethrow();
    for (int h = 0; h < 3; ++h)
      fields.add_numeric(fmt::format("p_purchase_{}", horizons[h]), std::move(p[h]));
  }

  // Own inter-purchase gaps from the log.
  if (in.log != nullptr) {
    const TransactionLog& log = *in.log;
    std::vector<std::uint32_t> row_of(log.customer_count(),
                                      std::numeric_limits<std::uint32_t>::max());
    for (std::size_t i = 0; i < n; ++i) row_of[s.customer[i]] = static_cast<std::uint32_t>(i);
    std::vector<std::pair<std::uint32_t, std::int32_t>> days;
    days.reserve(log.size());
    for (std::size_t k = 0; k < log.size(); ++k) {
      const std::uint32_t row = row_of[log.customer[k]];
      if (row == std::numeric_limits<std::uint32_t>::max() || log.day[k] > s.calibration_end)
        continue;
      days.emplace_back(row, log.day[k]);
    }
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    std::vector<double> own[3] = {std::vector<double>(n, kNaN), std::vector<double>(n, kNaN),
                                  std::vector<double>(n, kNaN)};
    std::vector<double> gaps;
    for (std::size_t k = 0; k < days.size();) {
      std::size_t e = k;
      while (e < days.size() && days[e].first == days[k].first) ++e;
      const std::uint32_t row = days[k].first;
      gaps.clear();
      for (std::size_t j = k + 1; j < e; ++j) gaps.push_back(days[j].second - days[j - 1].second);
      k = e;
      if (static_cast<int>(gaps.size()) < in.min_intervals) continue;
      const double d = since[row];
      std::size_t longer = 0;
      for (double g : gaps) longer += g > d;
      if (longer == 0) continue;
      for (int h = 0; h < 3; ++h) {
        std::size_t within = 0;
        for (double g : gaps) within += g > d && g <= d + horizons[h];
        own[h][row] = static_cast<double>(within) / static_cast<double>(longer);
      }
    }
    for (int h = 0; h < 3; ++h)
      fields.add_numeric(fmt::format("own_p_purchase_{}", horizons[h]), std::move(own[h]));
  }

  // Birthday.
  std::vector<double> birthday(n, kNaN);
  if (const FieldColumn* b = fields.find("birth_date"); b && b->has_text() && !b->codes.empty()) {
    std::vector<double> by_code(b->values.size());
    for (std::size_t c = 0; c < b->values.size(); ++c)
      by_code[c] = days_to_birthday(b->values[c], in.as_of_day);
    for (std::size_t i = 0; i < n; ++i) birthday[i] = by_code[b->codes[i]];
  }

  // NPS.
  std::vector<double> nps(n, kNaN);
  std::vector<std::uint32_t> nps_code(n, 0);
  if (in.nps.size() == n) {
    for (std::size_t i = 0; i < n; ++i) {
      nps[i] = in.nps[i];
      if (std::isfinite(nps[i])) nps_code[i] = nps[i] >= 9 ? 1 : nps[i] >= 7 ? 2 : 3;
    }
  }

  // Contacts.
  std::vector<double> last_contact(n, kNaN);
  if (in.contacts != nullptr) {
    const ContactHistory& h = *in.contacts;
    for (std::size_t k = 0; k < h.row.size(); ++k) {
      if (h.day[k] > in.as_of_day) continue;
      const double d = as_of - h.day[k];
      double& v = last_contact[h.row[k]];
      if (!(v <= d)) v = d;
    }
  }

  fields.add_numeric("days_since_last_purchase", std::move(since));
  fields.add_numeric("usual_interval_days", std::move(usual));
  fields.add_numeric("expected_next_purchase", std::move(next));
  fields.add_numeric("days_past_expected", std::move(past));
  fields.add_numeric("overdue_ratio", std::move(ratio));
  fields.add_numeric("days_to_birthday", std::move(birthday));
  fields.add_numeric("nps", std::move(nps));
  fields.add_text("nps_group", std::move(nps_code), {"", "promoter", "passive", "detractor"});
  fields.add_numeric("days_since_last_contact", std::move(last_contact));
}

}  // namespace ltv
