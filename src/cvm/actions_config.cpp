// TOML playbook -> ActionConfig. Every problem is reported as an InputError naming the file, the
// line and what was expected.
#include <fmt/format.h>

#include <toml++/toml.h>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "io/toml_reader.hpp"
#include "ltv/cvm/actions.hpp"
#include "ltv/io/files.hpp"

namespace ltv {
namespace {

class Reader : public detail::TomlReader {
 public:
  using TomlReader::TomlReader;

  void check_keys(const toml::table& table, const std::string& where,
                  std::initializer_list<const char*> allowed) const {
    TomlReader::check_keys(table, "", where, allowed);
  }
  double number(const toml::table& t, const char* key, double dflt, double lo, double hi,
                bool whole = false) const {
    const toml::node* n = t.get(key);
    if (!n) return dflt;
    std::optional<double> v;
    if (auto* i = n->as_integer()) v = static_cast<double>(i->get());
    if (auto* f = n->as_floating_point(); f && !whole) v = f->get();
    if (!v || !std::isfinite(*v) || *v < lo || *v > hi)
      fail(*n, key, show(*n),
           fmt::format("{} in [{}, {}]", whole ? "a whole number" : "a number", lo, hi));
    return *v;
  }
  std::string text(const toml::table& t, const toml::node& owner, const char* key, bool required,
                   const std::string& example) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) fail(owner, key, "nothing", fmt::format("{} = {}", key, example));
      return {};
    }
    if (!n->is_string() || (required && n->as_string()->get().empty()))
      fail(*n, key, show(*n), fmt::format("a quoted string, e.g. {} = {}", key, example));
    return n->as_string()->get();
  }
  const toml::table* table_of(const toml::node& n, const std::string& key,
                              const std::string& example) const {
    if (!n.is_table()) fail(n, key, show(n), example);
    return n.as_table();
  }
};

}  // namespace

ActionConfig parse_action_config(std::string_view toml_text, const std::string& file) {
  const toml::table root = detail::parse_toml(toml_text, file);
  Reader in(file);
  ActionConfig config;
  config.source = file;
  in.check_keys(root, "the top level", {"settings", "rule", "cap", "cadence"});

  if (const toml::node* n = root.get("settings")) {
    const toml::table* s = in.table_of(*n, "settings", "a [settings] table");
    in.check_keys(*s, "[settings]",
                  {"max_actions_per_customer", "hunter_tenure_days", "min_intervals"});
    config.max_actions_per_customer =
        static_cast<std::size_t>(in.number(*s, "max_actions_per_customer", 1, 1, 100, true));
    config.hunter_tenure_days = in.number(*s, "hunter_tenure_days", 90, 0, 1e6);
    config.min_intervals = static_cast<int>(in.number(*s, "min_intervals", 3, 1, 1000, true));
  }

  auto array_of = [&](const char* key) -> const toml::array* {
    const toml::node* n = root.get(key);
    if (!n) return nullptr;
    if (!n->is_array_of_tables())
      in.fail(*n, key, Reader::show(*n), fmt::format("[[{}]] tables", key));
    return n->as_array();
  };

  std::set<std::string> ids;
  if (const toml::array* rules = array_of("rule")) {
    for (const toml::node& node : *rules) {
      const toml::table& t = *node.as_table();
      in.check_keys(t, "[[rule]]",
                    {"id", "action", "channel", "priority", "campaign", "control_share", "when",
                     "reason", "params"});
      ActionRule r;
      r.line = static_cast<std::int64_t>(node.source().begin.line);
      r.id = in.text(t, node, "id", true, "\"winback\"");
      if (!ids.insert(r.id).second)
        in.fail(*t.get("id"), "id", r.id, "a rule id not used by an earlier rule");
      r.action = in.text(t, node, "action", true, "\"winback_discount\"");
      r.channel = in.text(t, node, "channel", true, "\"email\"");
      r.priority = static_cast<int>(in.number(t, "priority", 100, 0, 1e6, true));
      r.campaign = in.text(t, node, "campaign", false, "\"spring_winback\"");
      if (r.campaign.empty()) r.campaign = r.id;
      r.control_share = in.number(t, "control_share", 0.1, 0, 1);
      const std::string when =
          in.text(t, node, "when", true, "\"stage = 'lapsing' and p_alive >= 0.2\"");
      r.when = RuleExpr::parse(when, in.at(*t.get("when"), "when"));
      r.reason = in.text(t, node, "reason", false, "\"no purchase for {recency_days} days\"");
      if (const toml::node* p = t.get("params")) {
        const toml::table* pt =
            in.table_of(*p, "params", "an inline table, e.g. params = { discount_percent = 10 }");
        for (const auto& [key, value] : *pt) {
          if (value.is_table() || value.is_array())
            in.fail(value, "params." + std::string(key.str()), Reader::show(value),
                    "a string, number or boolean");
          r.params.emplace_back(std::string(key.str()), Reader::show(value));
        }
      }
      config.rules.push_back(std::move(r));
    }
  }
  if (config.rules.size() > 65535)
    input_error(SourceLocation{file, 0, "rule"}, std::to_string(config.rules.size()),
                "at most 65535 rules");

  if (const toml::array* caps = array_of("cap")) {
    for (const toml::node& node : *caps) {
      const toml::table& t = *node.as_table();
      in.check_keys(t, "[[cap]]", {"channel", "max_contacts", "window_days"});
      FrequencyCap c;
      c.channel = in.text(t, node, "channel", true, "\"*\"");
      c.max_contacts = static_cast<int>(in.number(t, "max_contacts", 1, 0, 1e6, true));
      c.window_days = static_cast<int>(in.number(t, "window_days", 30, 1, 1e5, true));
      config.caps.push_back(c);
    }
  }
  if (const toml::array* cadences = array_of("cadence")) {
    for (const toml::node& node : *cadences) {
      const toml::table& t = *node.as_table();
      in.check_keys(t, "[[cadence]]", {"name", "when", "every_days"});
      Cadence c;
      c.line = static_cast<std::int64_t>(node.source().begin.line);
      c.name = in.text(t, node, "name", true, "\"vip\"");
      const std::string when = in.text(t, node, "when", true, "\"stage = 'vip'\"");
      c.when = RuleExpr::parse(when, in.at(*t.get("when"), "when"));
      c.every_days = static_cast<int>(in.number(t, "every_days", 30, 1, 1e5, true));
      config.cadences.push_back(std::move(c));
    }
  }
  return config;
}

namespace {
constexpr std::string_view kCvmFields[] = {"days_since_last_purchase",
                                           "usual_interval_days",
                                           "expected_next_purchase",
                                           "days_past_expected",
                                           "overdue_ratio",
                                           "p_purchase_7",
                                           "p_purchase_30",
                                           "p_purchase_90",
                                           "own_p_purchase_7",
                                           "own_p_purchase_30",
                                           "own_p_purchase_90",
                                           "days_to_birthday",
                                           "nps",
                                           "nps_group",
                                           "days_since_last_contact"};

/// Field names between braces of a reason template ({name} or {name:spec}).
std::vector<std::string> template_fields(const std::string& t) {
  std::vector<std::string> out;
  for (std::size_t i = t.find('{'); i != std::string::npos; i = t.find('{', i + 1)) {
    const std::size_t close = t.find('}', i);
    if (close == std::string::npos) break;
    std::string name = t.substr(i + 1, close - i - 1);
    out.push_back(name.substr(0, name.find(':')));
  }
  return out;
}
}  // namespace

std::span<const std::string_view> cvm_field_names() noexcept {
  return kCvmFields;
}

void check_playbook_fields(const ActionConfig& config, std::span<const std::string> known) {
  std::set<std::string, std::less<>> names(known.begin(), known.end());
  auto check = [&](const std::string& field, std::int64_t line, const char* key) {
    if (names.count(field)) return;
    std::string list;
    std::size_t shown = 0;
    for (const auto& n : names) {
      if (shown++ == 12) {
        list += ", ...";
        break;
      }
      list += (list.empty() ? "" : ", ") + n;
    }
    input_error(SourceLocation{config.source, line, key}, field,
                fmt::format("a known field ({})", list));
  };
  for (const ActionRule& r : config.rules) {
    for (const auto& f : r.when.fields()) check(f, r.line, "when");
    for (const auto& f : template_fields(r.reason)) check(f, r.line, "reason");
  }
  for (const Cadence& c : config.cadences)
    for (const auto& f : c.when.fields()) check(f, c.line, "when");
}

ActionConfig load_action_config(const std::filesystem::path& path) {
  return parse_action_config(read_text_file(path.string(), detail::kMaxTomlBytes), path.string());
}

ActionConfig default_action_config() {
  return parse_action_config(default_action_config_text(), "<built-in>");
}

}  // namespace ltv
