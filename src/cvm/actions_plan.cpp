// Playbook evaluation: rule matches per block, conflicts (priority, N per customer, caps,
// suppression), deterministic control groups, reason texts; and the contact regime.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ltv/cvm/actions.hpp"
#include "ltv/i18n.hpp"
#include "ltv/io/dates.hpp"
#include "math/parallel.hpp"

namespace ltv {
namespace {

/// One piece of a reason template: literal text, or a field with a format.
struct Piece {
  std::string literal;
  const FieldColumn* field = nullptr;
  int decimals = -1;  ///< -1: automatic; -2: date
  /// A text field's values in the job's language (empty: as they are, English).
  std::vector<std::string> translated;
};

/// How a reason writes numbers and dates: the job's locale, taken on the calling thread (the
/// reasons are rendered on worker threads, which do not see it).
struct ReasonFormat {
  i18n::Formats formats;
  std::string not_available = "n/a";
};

std::string format_number(double v, int decimals, const ReasonFormat& f) {
  if (!std::isfinite(v)) return f.not_available;
  if (decimals == -2) return i18n::format_day(static_cast<std::int32_t>(std::lround(v)), f.formats);
  if (decimals < 0) decimals = std::fabs(v - std::round(v)) < 1e-9 ? 0 : 2;
  // Reasons go into CRM fields and CSV cells: digits are not grouped, only the decimal point
  // follows the language (94 дня, 12,50).
  std::string text = fmt::format("{:.{}f}", v, decimals);
  if (const auto dot = text.find('.'); dot != std::string::npos) {
    text.replace(dot, 1, f.formats.decimal_point);
  }
  return text;
}

std::vector<Piece> compile_template(const ActionRule& rule, const std::string& file,
                                    SegmentFields& fields) {
  std::vector<Piece> out;
  // The template in the job's language (po/ru.po translates the built-in playbook's reasons;
  // a user's own template without a translation stays as written).
  const std::string t = i18n::tr(rule.reason);
  const SourceLocation where{file, rule.line, "reason"};
  std::string literal;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '{') {
      literal += t[i];
      continue;
    }
    const std::size_t close = t.find('}', i);
    if (close == std::string::npos)
      input_error(where, t.substr(i), "a closing '}' after a field name in the reason template");
    std::string name = t.substr(i + 1, close - i - 1);
    int decimals = -1;
    if (auto colon = name.find(':'); colon != std::string::npos) {
      const std::string spec = name.substr(colon + 1);
      name = name.substr(0, colon);
      if (spec == "date") {
        decimals = -2;
      } else if (spec.size() == 1 && spec[0] >= '0' && spec[0] <= '9') {
        decimals = spec[0] - '0';
      } else {
        input_error(where, "{" + t.substr(i + 1, close - i - 1) + "}",
                    "a format of 0-9 decimals or 'date' after ':' (e.g. {p_alive:2})");
      }
    }
    const FieldColumn* column = fields.find(name);
    if (column == nullptr)
      input_error(where, name,
                  fmt::format("a known field in the reason of rule '{}' (e.g. recency_days, "
                              "p_alive, usual_interval_days)",
                              rule.id));
    out.push_back(Piece{std::move(literal), nullptr, -1, {}});
    literal.clear();
    Piece piece{{}, column, decimals, {}};
    if (i18n::current_locale().language != i18n::Language::en && !column->has_numbers()) {
      for (const std::string& v : column->values) piece.translated.push_back(i18n::tr(v));
    }
    out.push_back(std::move(piece));
    i = close;
  }
  out.push_back(Piece{std::move(literal), nullptr, -1, {}});
  return out;
}

std::string render(const std::vector<Piece>& pieces, std::size_t row, const ReasonFormat& f) {
  std::string s;
  for (const Piece& p : pieces) {
    if (p.field == nullptr) {
      s += p.literal;
    } else if (p.field->has_numbers() && !p.field->numbers.empty()) {
      s += format_number(p.field->numbers[row], p.decimals, f);
    } else if (!p.field->codes.empty()) {
      const auto code = p.field->codes[row];
      s += code < p.translated.size() ? p.translated[code] : p.field->values[code];
    }
  }
  return s;
}

BoundRule bind_rule(const RuleExpr& rule, SegmentFields& fields) {
  const std::vector<std::string> names = fields.names();
  return rule.bind(fields.resolver(), names);
}

/// FNV-1a 64 followed by the splitmix64 finaliser.
std::uint64_t hash_pair(std::string_view a, std::string_view b) {
  std::uint64_t h = 1469598103934665603ull;
  auto feed = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  feed(a);
  feed(std::string_view("\x1f", 1));
  feed(b);
  h += 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

}  // namespace

bool in_control_group(std::string_view customer_id, std::string_view campaign, double share) {
  if (!(share > 0)) return false;
  const double u = static_cast<double>(hash_pair(customer_id, campaign) >> 11) * 0x1.0p-53;
  return u < share;
}

std::string format_params(const ActionRule& rule) {
  std::string s;
  for (const auto& [k, v] : rule.params) s += (s.empty() ? "" : ";") + k + "=" + v;
  return s;
}

ActionList plan_actions(const ActionConfig& config, SegmentFields& fields,
                        std::span<const std::string> customer_ids, const PlanOptions& options) {
  const std::size_t n = fields.size();
  if (customer_ids.size() != n) throw std::logic_error("plan_actions: ids and fields differ");
  // Bind everything before running (errors name the playbook line).
  std::vector<BoundRule> bound;
  std::vector<std::vector<Piece>> templates;
  for (const ActionRule& r : config.rules) {
    bound.push_back(bind_rule(r.when, fields));
    templates.push_back(compile_template(r, config.source, fields));
  }
  // Rules in priority order (stable: file order among equal priorities).
  std::vector<std::uint16_t> order(config.rules.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::uint16_t a, std::uint16_t b) {
    return config.rules[a].priority < config.rules[b].priority;
  });
  const std::size_t max_n = options.max_actions_per_customer > 0 ? options.max_actions_per_customer
                                                                 : config.max_actions_per_customer;

  // Contacts per customer and cap within each cap's window.
  const std::size_t caps = config.caps.size();
  std::vector<std::uint32_t> cap_count;
  if (caps > 0) cap_count.assign(n * caps, 0);  // contacts planned in this run count too
  if (caps > 0 && options.contacts != nullptr) {
    const ContactHistory& h = *options.contacts;
    for (std::size_t k = 0; k < h.row.size(); ++k) {
      for (std::size_t c = 0; c < caps; ++c) {
        const FrequencyCap& cap = config.caps[c];
        if (cap.channel != "*" && cap.channel != h.channel[k]) continue;
        if (h.day[k] > options.as_of_day || h.day[k] <= options.as_of_day - cap.window_days)
          continue;
        ++cap_count[h.row[k] * caps + c];
      }
    }
  }
  // Which caps apply to each rule.
  std::vector<std::vector<std::size_t>> rule_caps(config.rules.size());
  for (std::size_t r = 0; r < config.rules.size(); ++r)
    for (std::size_t c = 0; c < caps; ++c)
      if (config.caps[c].channel == "*" || config.caps[c].channel == config.rules[r].channel)
        rule_caps[r].push_back(c);

  constexpr std::size_t B = BoundRule::kBlockSize;
  const std::size_t blocks = (n + B - 1) / B;
  struct BlockOut {
    std::vector<std::uint32_t> row;
    std::vector<std::uint16_t> rule;
    std::size_t suppressed = 0, capped = 0;
    std::vector<std::size_t> matched;  // per rule
  };
  std::vector<BlockOut> outs(blocks);
  const bool has_suppressed = options.suppressed.size() == n;

  detail::ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t b = 0; b < blocks; ++b) {
    errors.run([&] {
      const std::size_t begin = b * B, count = std::min(B, n - begin);
      std::vector<std::uint8_t> match(config.rules.size() * B);
      BlockOut& out = outs[b];
      out.matched.assign(config.rules.size(), 0);
      for (std::size_t r = 0; r < config.rules.size(); ++r) {
        bound[r].evaluate_block(begin, count, match.data() + r * B);
        for (std::size_t j = 0; j < count; ++j) out.matched[r] += match[r * B + j] != 0;
      }
      std::vector<std::uint32_t> used(caps);
      for (std::size_t j = 0; j < count; ++j) {
        const std::size_t row = begin + j;
        std::size_t taken = 0;
        bool any = false;
        if (!cap_count.empty())
          std::copy_n(cap_count.begin() + static_cast<std::ptrdiff_t>(row * caps), caps,
                      used.begin());
        for (std::uint16_t r : order) {
          if (!match[r * B + j]) continue;
          if (has_suppressed && options.suppressed[row]) {
            any = true;
            break;
          }
          bool blocked = false;
          if (!cap_count.empty())
            for (std::size_t c : rule_caps[r])
              blocked =
                  blocked || used[c] >= static_cast<std::uint32_t>(config.caps[c].max_contacts);
          if (blocked) {
            ++out.capped;
            continue;
          }
          if (!cap_count.empty())
            for (std::size_t c : rule_caps[r]) ++used[c];
          out.row.push_back(static_cast<std::uint32_t>(row));
          out.rule.push_back(r);
          if (++taken >= max_n) break;
        }
        out.suppressed += any;
      }
    });
  }
  errors.rethrow();

  ActionList list;
  std::size_t total = 0;
  for (const auto& o : outs) total += o.row.size();
  list.row.reserve(total);
  list.rule.reserve(total);
  for (auto& o : outs) {
    list.row.insert(list.row.end(), o.row.begin(), o.row.end());
    list.rule.insert(list.rule.end(), o.rule.begin(), o.rule.end());
    list.suppressed += o.suppressed;
    list.capped += o.capped;
  }
  list.matched.assign(config.rules.size(), 0);
  for (const auto& o : outs) {
    for (std::size_t r = 0; r < o.matched.size(); ++r) list.matched[r] += o.matched[r];
  }
  // Sort: priority, customer id, rule order. Keys hold the first 16 bytes of the id (big-endian
  // words compare like the bytes), so the sort rarely touches the id strings themselves.
  std::vector<std::uint16_t> rank(config.rules.size());
  for (std::size_t k = 0; k < order.size(); ++k) rank[order[k]] = static_cast<std::uint16_t>(k);
  struct Key {
    std::int64_t priority;
    std::uint64_t head, tail;
    std::uint32_t index;
  };
  std::vector<Key> keys(total);
  // No exception can leave this loop: it only reads and writes preallocated memory.
#pragma omp parallel for schedule(static, 4096)
  for (std::size_t k = 0; k < total; ++k) {
    const std::string& id = customer_ids[list.row[k]];
    std::uint64_t w[2] = {0, 0};
    for (std::size_t b = 0; b < 16 && b < id.size(); ++b)
      w[b / 8] |= static_cast<std::uint64_t>(static_cast<unsigned char>(id[b]))
                  << (56 - 8 * (b % 8));
    keys[k] = Key{config.rules[list.rule[k]].priority, w[0], w[1], static_cast<std::uint32_t>(k)};
  }
  std::sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    if (a.head != b.head) return a.head < b.head;
    if (a.tail != b.tail) return a.tail < b.tail;
    const int c = customer_ids[list.row[a.index]].compare(customer_ids[list.row[b.index]]);
    if (c != 0) return c < 0;
    return rank[list.rule[a.index]] < rank[list.rule[b.index]];
  });
  std::vector<std::uint32_t> idx(total);
  for (std::size_t k = 0; k < total; ++k) idx[k] = keys[k].index;
  keys = {};
  ActionList sorted;
  sorted.suppressed = list.suppressed;
  sorted.capped = list.capped;
  sorted.matched = std::move(list.matched);
  sorted.row.resize(total);
  sorted.rule.resize(total);
  sorted.control.resize(total);
  if (options.reasons) sorted.reason.resize(total);
  const ReasonFormat reason_format{i18n::current_locale().formats, i18n::tr("n/a")};
  detail::ParallelErrors sort_errors;
#pragma omp parallel for schedule(static, 4096)
  for (std::size_t k = 0; k < total; ++k) {
    sort_errors.run([&] {
      const std::uint32_t row = list.row[idx[k]];
      const std::uint16_t r = list.rule[idx[k]];
      sorted.row[k] = row;
      sorted.rule[k] = r;
      const ActionRule& rule = config.rules[r];
      sorted.control[k] = in_control_group(customer_ids[row], rule.campaign, rule.control_share);
      if (options.reasons) sorted.reason[k] = render(templates[r], row, reason_format);
    });
  }
  sort_errors.rethrow();
  return sorted;
}

std::vector<ActionSummaryRow> summarize_actions(const ActionConfig& config,
                                                const ActionList& list) {
  std::vector<ActionSummaryRow> rows(config.rules.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const ActionRule& rule = config.rules[r];
    rows[r].rule = rule.id;
    rows[r].action = rule.action;
    rows[r].channel = rule.channel;
    rows[r].priority = rule.priority;
  }
  for (std::size_t k = 0; k < list.size(); ++k) {
    ActionSummaryRow& row = rows[list.rule[k]];
    ++row.customers;
    if (list.control[k]) {
      ++row.control;
    } else {
      ++row.treated;
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.priority < b.priority; });
  return rows;
}

DueContacts due_contacts(const ActionConfig& config, SegmentFields& fields,
                         std::span<const std::string> customer_ids,
                         std::span<const Manager> managers) {
  const std::size_t n = fields.size();
  const FieldColumn* contact = fields.find("days_since_last_contact");
  const FieldColumn* tenure = fields.find("tenure_days");
  if (contact == nullptr || tenure == nullptr || contact->numbers.size() != n)
    throw std::logic_error("due_contacts needs days_since_last_contact (add_cvm_fields)");
  std::vector<BoundRule> bound;
  for (const Cadence& c : config.cadences) bound.push_back(bind_rule(c.when, fields));

  struct Due {
    std::uint32_t row;
    std::uint16_t cadence;
    double since, overdue;
  };
  std::vector<Due> due;
  constexpr std::size_t B = BoundRule::kBlockSize;
  std::vector<std::uint8_t> match(bound.size() * B);
  for (std::size_t begin = 0; begin < n; begin += B) {
    const std::size_t count = std::min(B, n - begin);
    for (std::size_t c = 0; c < bound.size(); ++c)
      bound[c].evaluate_block(begin, count, match.data() + c * B);
    for (std::size_t j = 0; j < count; ++j) {
      for (std::size_t c = 0; c < bound.size(); ++c) {
        if (!match[c * B + j]) continue;
        const std::size_t row = begin + j;
        const double since = contact->numbers[row];
        const double reference = std::isfinite(since) ? since : tenure->numbers[row];
        const double over = reference - config.cadences[c].every_days;
        if (over > 0)
          due.push_back(
              Due{static_cast<std::uint32_t>(row), static_cast<std::uint16_t>(c), since, over});
        break;  // first matching cadence only
      }
    }
  }
  std::sort(due.begin(), due.end(), [&](const Due& a, const Due& b) {
    if (a.overdue != b.overdue) return a.overdue > b.overdue;
    return customer_ids[a.row] < customer_ids[b.row];
  });
  std::vector<std::size_t> left;
  for (const Manager& m : managers) left.push_back(m.capacity);
  DueContacts out;
  for (const Due& d : due) {
    const std::string role =
        tenure->numbers[d.row] < config.hunter_tenure_days ? "hunter" : "farmer";
    const std::string& cadence = config.cadences[d.cadence].name;
    std::size_t best = managers.size();
    for (std::size_t m = 0; m < managers.size(); ++m) {
      const Manager& mg = managers[m];
      if (mg.role != role || left[m] == 0) continue;
      if (!mg.cadences.empty() &&
          std::find(mg.cadences.begin(), mg.cadences.end(), cadence) == mg.cadences.end())
        continue;
      if (best == managers.size() || left[m] > left[best] ||
          (left[m] == left[best] && mg.id < managers[best].id))
        best = m;
    }
    out.row.push_back(d.row);
    out.cadence.push_back(d.cadence);
    out.days_since_contact.push_back(d.since);
    out.days_overdue.push_back(d.overdue);
    out.role.push_back(role);
    if (best < managers.size()) {
      --left[best];
      out.manager.push_back(managers[best].id);
    } else {
      out.manager.emplace_back();
    }
  }
  return out;
}

}  // namespace ltv
