// TOML segment config -> SegmentConfig. Every problem is reported as an InputError naming the
// file, the line and what was expected.
#include <fmt/format.h>

#include <toml++/toml.h>
#include <fstream>
#include <set>
#include <sstream>

#include "io/toml_reader.hpp"
#include "ltv/io/files.hpp"
#include "ltv/segment/segment.hpp"

namespace ltv {

namespace {

class ConfigReader : public detail::TomlReader {
 public:
  using TomlReader::TomlReader;

  void check_keys(const toml::table& table, const std::string& prefix,
                  std::initializer_list<const char*> allowed) const {
    TomlReader::check_keys(
        table, prefix,
        fmt::format("[{}]", prefix.empty() ? "top level"
                                           : std::string_view(prefix).substr(0, prefix.size() - 1)),
        allowed);
  }

  double number(const toml::table& t, const std::string& prefix, const char* key, double dflt,
                double lo, double hi) const {
    const toml::node* n = t.get(key);
    if (!n) return dflt;
    std::optional<double> v;
    if (auto* i = n->as_integer()) v = static_cast<double>(i->get());
    if (auto* f = n->as_floating_point()) v = f->get();
    if (!v || !std::isfinite(*v) || *v < lo || *v > hi)
      fail(*n, prefix + key, show(*n), fmt::format("a number in [{}, {}]", lo, hi));
    return *v;
  }

  std::string text(const toml::table& t, const std::string& prefix, const char* key,
                   std::string dflt) const {
    const toml::node* n = t.get(key);
    if (!n) return dflt;
    if (!n->is_string()) fail(*n, prefix + key, show(*n), "a quoted string");
    return n->as_string()->get();
  }

  bool boolean(const toml::table& t, const std::string& prefix, const char* key, bool dflt) const {
    const toml::node* n = t.get(key);
    if (!n) return dflt;
    if (!n->is_boolean()) fail(*n, prefix + key, show(*n), "true or false");
    return n->as_boolean()->get();
  }

  std::vector<double> numbers(const toml::table& t, const std::string& prefix,
                              const std::string& key) const {
    const toml::node* n = t.get(key);
    if (!n) return {};
    const toml::array* a = n->as_array();
    if (!a) fail(*n, prefix + key, show(*n), "an array of numbers, e.g. [30, 90, 365]");
    std::vector<double> out;
    for (const toml::node& e : *a) {
      std::optional<double> v;
      if (auto* i = e.as_integer()) v = static_cast<double>(i->get());
      if (auto* f = e.as_floating_point()) v = f->get();
      if (!v || !std::isfinite(*v)) fail(e, prefix + key, show(e), "a finite number");
      if (!out.empty() && *v <= out.back())
        fail(e, prefix + key, show(e), "cut points in strictly ascending order");
      out.push_back(*v);
    }
    return out;
  }

  std::vector<std::string> strings(const toml::table& t, const std::string& prefix,
                                   const std::string& key) const {
    const toml::node* n = t.get(key);
    if (!n) return {};
    const toml::array* a = n->as_array();
    if (!a) fail(*n, prefix + key, show(*n), "an array of strings");
    std::vector<std::string> out;
    for (const toml::node& e : *a) {
      if (!e.is_string()) fail(e, prefix + key, show(e), "a quoted string");
      out.push_back(e.as_string()->get());
    }
    return out;
  }

  Threshold threshold(const toml::table& t, const std::string& prefix, const char* key,
                      Threshold dflt) const {
    const toml::node* n = t.get(key);
    if (!n) return dflt;
    const char* expected = "{ percentile = P } (0..100) or { value = V }, or \"median\"";
    if (auto* s = n->as_string()) {
      if (s->get() == "median") return Threshold{true, 50};
      fail(*n, prefix + key, s->get(), expected);
    }
    const toml::table* tt = n->as_table();
    if (!tt || tt->size() != 1) fail(*n, prefix + key, show(*n), expected);
    check_keys(*tt, prefix + key + ".", {"percentile", "value"});
    if (tt->contains("percentile"))
      return Threshold{true, number(*tt, prefix + key + ".", "percentile", 50, 0, 100)};
    return Threshold{false, number(*tt, prefix + key + ".", "value", 0, -1e300, 1e300)};
  }

  NamedRule named_rule(const toml::node& node, const std::string& prefix, bool need_purpose) const {
    const toml::table* t = node.as_table();
    if (!t) fail(node, prefix, show(node), "a table with name and rule");
    check_keys(*t, prefix + ".", {"name", "rule", "purpose", "description", "level"});
    NamedRule r;
    const toml::node* name = t->get("name");
    if (!name || !name->is_string() || name->as_string()->get().empty())
      fail(name ? *name : node, prefix + ".name", name ? show(*name) : "nothing",
           "a non-empty segment name");
    r.name = name->as_string()->get();
    const toml::node* rule = t->get("rule");
    if (!rule || !rule->is_string())
      fail(rule ? *rule : node, prefix + ".rule", rule ? show(*rule) : "nothing",
           fmt::format("a rule for segment '{}', e.g. rule = \"r >= 4 and f >= 4\"", r.name));
    r.rule = RuleExpr::parse(rule->as_string()->get(), at(*rule, prefix + ".rule"));
    r.purpose = text(*t, prefix + ".", "purpose", need_purpose ? "raise activity" : "");
    r.description = text(*t, prefix + ".", "description", "");
    r.level = static_cast<int>(number(*t, prefix + ".", "level", 0, -1000, 1000));
    return r;
  }

  RfmDimension dimension(const toml::table& t, const std::string& prefix,
                         const std::string& d) const {
    RfmDimension dim;
    dim.bins = static_cast<int>(number(t, prefix, (d + "_bins").c_str(), 5, 2, 10));
    if (const toml::node* n = t.get(d + "_bins"); n && !n->is_integer())
      fail(*n, prefix + d + "_bins", show(*n), "a whole number of scores from 2 to 10");
    dim.cuts = numbers(t, prefix, d + "_cuts");
    if (t.contains(d + "_cuts") && dim.cuts.empty())
      fail(*t.get(d + "_cuts"), prefix + d + "_cuts", "[]", "at least one cut point");
    if (dim.cuts.size() > 9)
      fail(*t.get(d + "_cuts"), prefix + d + "_cuts", fmt::format("{} cut points", dim.cuts.size()),
           "at most 9 cut points (10 scores)");
    dim.labels = strings(t, prefix, d + "_labels");
    std::size_t scores =
        dim.cuts.empty() ? static_cast<std::size_t>(dim.bins) : dim.cuts.size() + 1;
    if (!dim.labels.empty() && dim.labels.size() != scores)
      fail(*t.get(d + "_labels"), prefix + d + "_labels",
           fmt::format("{} labels", dim.labels.size()),
           fmt::format("one label per score ({} labels)", scores));
    return dim;
  }
};

}  // namespace

SegmentConfig parse_segment_config(std::string_view toml_text, const std::string& file) {
  const toml::table root = detail::parse_toml(toml_text, file);
  ConfigReader in(file);
  SegmentConfig config;
  config.source = file;
  in.check_keys(root, "",
                {"rfm", "abcdx", "lifecycle", "custom", "clusters", "lookalike", "fields"});

  auto table_of = [&](const char* key) -> const toml::table* {
    const toml::node* n = root.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) in.fail(*n, key, ConfigReader::show(*n), fmt::format("a [{}] table", key));
    return n->as_table();
  };

  if (const toml::table* fields = table_of("fields")) {
    in.check_keys(*fields, "fields.", {"birth_date"});
    config.birth_date_field = in.text(*fields, "fields.", "birth_date", config.birth_date_field);
  }

  if (const toml::table* rfm = table_of("rfm")) {
    in.check_keys(
        *rfm, "rfm.",
        {"recency_bins", "frequency_bins", "monetary_bins", "recency_cuts", "frequency_cuts",
         "monetary_cuts", "recency_labels", "frequency_labels", "monetary_labels",
         "frequency_measure", "monetary_measure", "segment", "recency_follows_stage"});
    config.rfm.recency = in.dimension(*rfm, "rfm.", "recency");
    config.rfm.frequency = in.dimension(*rfm, "rfm.", "frequency");
    config.rfm.monetary = in.dimension(*rfm, "rfm.", "monetary");
    config.rfm.frequency_measure = in.text(*rfm, "rfm.", "frequency_measure", "orders");
    if (config.rfm.frequency_measure != "orders" &&
        config.rfm.frequency_measure != "orders_per_year")
      in.fail(*rfm->get("frequency_measure"), "rfm.frequency_measure", config.rfm.frequency_measure,
              "\"orders\" or \"orders_per_year\"");
    config.rfm.recency_follows_stage =
        in.boolean(*rfm, "rfm.", "recency_follows_stage", config.rfm.recency_follows_stage);
    config.rfm.monetary_measure = in.text(*rfm, "rfm.", "monetary_measure", "revenue");
    if (config.rfm.monetary_measure != "revenue" && config.rfm.monetary_measure != "average_check")
      in.fail(*rfm->get("monetary_measure"), "rfm.monetary_measure", config.rfm.monetary_measure,
              "\"revenue\" or \"average_check\"");
    if (const toml::node* segs = rfm->get("segment")) {
      const toml::array* a = segs->as_array();
      if (!a) in.fail(*segs, "rfm.segment", ConfigReader::show(*segs), "[[rfm.segment]] tables");
      std::set<std::string> names;
      for (std::size_t i = 0; i < a->size(); ++i) {
        NamedRule r = in.named_rule((*a)[i], fmt::format("rfm.segment[{}]", i + 1), true);
        if (!names.insert(r.name).second)
          in.fail((*a)[i], fmt::format("rfm.segment[{}].name", i + 1), r.name,
                  "a unique segment name");
        config.rfm.segments.push_back(std::move(r));
      }
    }
  }

  if (const toml::table* ab = table_of("abcdx")) {
    in.check_keys(*ab, "abcdx.",
                  {"frequency", "check", "active_days", "potential_field", "potential", "low_spend",
                   "lookalike_features", "lookalike_min_score"});
    AbcdxConfig& c = config.abcdx;
    c.frequency = in.threshold(*ab, "abcdx.", "frequency", c.frequency);
    c.check = in.threshold(*ab, "abcdx.", "check", c.check);
    c.active_days = in.number(*ab, "abcdx.", "active_days", c.active_days, 1, 1e6);
    c.potential_field = in.text(*ab, "abcdx.", "potential_field", "");
    c.potential = in.threshold(*ab, "abcdx.", "potential", c.potential);
    c.low_spend = in.threshold(*ab, "abcdx.", "low_spend", c.low_spend);
    c.lookalike_features = in.strings(*ab, "abcdx.", "lookalike_features");
    c.lookalike_min_score =
        in.number(*ab, "abcdx.", "lookalike_min_score", c.lookalike_min_score, 0, 1);
  }

  if (const toml::table* lc = table_of("lifecycle")) {
    in.check_keys(
        *lc, "lifecycle.",
        {"new_days", "at_risk_ratio", "lapsing_ratio", "lost_ratio", "lost_days", "p_alive_at_risk",
         "p_alive_lapsing", "p_alive_lost", "vip_share", "default_interval_days"});
    LifecycleConfig& c = config.lifecycle;
    const std::string p = "lifecycle.";
    c.new_days = in.number(*lc, p, "new_days", c.new_days, 0, 1e6);
    c.at_risk_ratio = in.number(*lc, p, "at_risk_ratio", c.at_risk_ratio, 0, 1e6);
    c.lapsing_ratio = in.number(*lc, p, "lapsing_ratio", c.lapsing_ratio, 0, 1e6);
    c.lost_ratio = in.number(*lc, p, "lost_ratio", c.lost_ratio, 0, 1e6);
    c.lost_days = in.number(*lc, p, "lost_days", c.lost_days, 1, 1e6);
    c.p_alive_at_risk = in.number(*lc, p, "p_alive_at_risk", c.p_alive_at_risk, 0, 1);
    c.p_alive_lapsing = in.number(*lc, p, "p_alive_lapsing", c.p_alive_lapsing, 0, 1);
    c.p_alive_lost = in.number(*lc, p, "p_alive_lost", c.p_alive_lost, 0, 1);
    c.vip_share = in.number(*lc, p, "vip_share", c.vip_share, 0, 1);
    c.default_interval_days = in.number(*lc, p, "default_interval_days", 0, 0, 1e6);
    if (!(c.at_risk_ratio <= c.lapsing_ratio && c.lapsing_ratio <= c.lost_ratio))
      in.fail(*lc, "lifecycle",
              fmt::format("ratios {}, {}, {}", c.at_risk_ratio, c.lapsing_ratio, c.lost_ratio),
              "at_risk_ratio <= lapsing_ratio <= lost_ratio");
    if (!(c.p_alive_lost <= c.p_alive_lapsing && c.p_alive_lapsing <= c.p_alive_at_risk))
      in.fail(*lc, "lifecycle",
              fmt::format("P(alive) thresholds {}, {}, {}", c.p_alive_at_risk, c.p_alive_lapsing,
                          c.p_alive_lost),
              "p_alive_lost <= p_alive_lapsing <= p_alive_at_risk");
  }

  if (const toml::node* custom = root.get("custom")) {
    const toml::array* a = custom->as_array();
    if (!a) in.fail(*custom, "custom", ConfigReader::show(*custom), "[[custom]] tables");
    std::set<std::string> names;
    for (std::size_t i = 0; i < a->size(); ++i) {
      NamedRule r = in.named_rule((*a)[i], fmt::format("custom[{}]", i + 1), false);
      if (!names.insert(r.name).second)
        in.fail((*a)[i], fmt::format("custom[{}].name", i + 1), r.name, "a unique segment name");
      config.custom.push_back(std::move(r));
    }
  }

  if (const toml::table* cl = table_of("clusters")) {
    in.check_keys(*cl, "clusters.",
                  {"features", "k", "k_min", "k_max", "seed", "restarts", "max_iterations",
                   "silhouette_sample"});
    ClusterConfig c;
    c.features = in.strings(*cl, "clusters.", "features");
    if (c.features.empty()) in.fail(*cl, "clusters.features", "nothing", "at least one feature");
    c.k = static_cast<int>(in.number(*cl, "clusters.", "k", 0, 0, 1000));
    c.k_min = static_cast<int>(in.number(*cl, "clusters.", "k_min", 2, 2, 1000));
    c.k_max = static_cast<int>(in.number(*cl, "clusters.", "k_max", 8, 2, 1000));
    if (c.k_max < c.k_min)
      in.fail(*cl, "clusters.k_max", std::to_string(c.k_max), "k_max >= k_min");
    c.seed = static_cast<std::uint64_t>(in.number(*cl, "clusters.", "seed", 42, 0, 9e15));
    c.restarts = static_cast<int>(in.number(*cl, "clusters.", "restarts", 4, 1, 100));
    c.max_iterations =
        static_cast<int>(in.number(*cl, "clusters.", "max_iterations", 300, 1, 100000));
    c.silhouette_sample =
        static_cast<std::size_t>(in.number(*cl, "clusters.", "silhouette_sample", 3000, 10, 1e6));
    config.clusters = std::move(c);
  }

  if (const toml::table* lk = table_of("lookalike")) {
    in.check_keys(*lk, "lookalike.",
                  {"seed_segment", "seed_ids", "features", "top_n", "neighbors"});
    LookalikeConfig c;
    c.seed_segment = in.text(*lk, "lookalike.", "seed_segment", "");
    c.seed_ids = in.strings(*lk, "lookalike.", "seed_ids");
    if (c.seed_segment.empty() == c.seed_ids.empty())
      in.fail(*lk, "lookalike", "seed", "exactly one of seed_segment or seed_ids");
    c.features = in.strings(*lk, "lookalike.", "features");
    if (c.features.empty()) in.fail(*lk, "lookalike.features", "nothing", "at least one feature");
    c.top_n = static_cast<std::size_t>(in.number(*lk, "lookalike.", "top_n", 100, 1, 1e9));
    c.neighbors = static_cast<int>(in.number(*lk, "lookalike.", "neighbors", 10, 1, 1000));
    config.lookalike = std::move(c);
  }
  // A config without its own [[rfm.segment]] rules keeps the built-in ten.
  if (config.rfm.segments.empty() && file != "<built-in>")
    config.rfm.segments = default_segment_config().rfm.segments;
  return config;
}

SegmentConfig load_segment_config(const std::filesystem::path& path) {
  return parse_segment_config(read_text_file(path.string(), detail::kMaxTomlBytes), path.string());
}

SegmentConfig default_segment_config() {
  return parse_segment_config(default_segment_config_text(), "<built-in>");
}

}  // namespace ltv
