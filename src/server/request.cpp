// Query parameters and request bodies to checked route arguments (see request.hpp).
#include "request.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ltv/dates.hpp"
#include "ltv/error.hpp"
#include "ltv/io/json.hpp"

namespace ltv::server {
namespace {

/// A caller's name in a message: control bytes as \xNN, at most 80 bytes (one line, bounded).
std::string shown(std::string_view text) {
  std::string out;
  for (char ch : text.substr(0, 80)) {
    const auto u = static_cast<unsigned char>(ch);
    out += u < 0x20 || u == 0x7f ? fmt::format("\\x{:02x}", u) : std::string(1, ch);
  }
  if (text.size() > 80) out += "...";
  return out;
}

}  // namespace

QueryValues check_query(const RouteInfo& route,
                        const std::multimap<std::string, std::string>& params) {
  QueryValues out;
  for (const auto& param : params) {
    const std::string& name = param.first;  // named (a lambda cannot capture a binding in C++20)
    const std::string& value = param.second;
    const auto* p = [&]() -> const RouteParameter* {
      for (const RouteParameter& rp : route.parameters) {
        if (rp.in == "query" && rp.name == name) return &rp;
      }
      return nullptr;
    }();
    if (p == nullptr) {
      throw HttpError{400, "unknown_parameter",
                      fmt::format("{}: not a parameter of this route", shown(name)), shown(name)};
    }
    if (params.count(name) > 1) {
      throw HttpError{400, "invalid_parameter",
                      fmt::format("{}: given more than once", shown(name)), shown(name)};
    }
    if (!p->choices.empty()) {
      bool ok = false;
      std::string_view rest = p->choices;
      while (!rest.empty() && !ok) {
        const auto bar = rest.find('|');
        ok = rest.substr(0, bar) == value;
        rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
      }
      if (!ok) {
        throw HttpError{400, "invalid_parameter",
                        fmt::format("{}: expected one of {}", name, choices_text(p->choices)),
                        name};
      }
    }
    out.emplace(name, value);
  }
  return out;
}

std::int64_t parse_id(std::string_view name, std::string_view text) {
  if (text.empty() || text.size() > 15 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw HttpError{400, "invalid_parameter",
                    fmt::format("{}: expected a positive whole number", name), std::string(name)};
  }
  const std::int64_t v = std::stoll(std::string(text));
  if (v < 1) {
    throw HttpError{400, "invalid_parameter",
                    fmt::format("{}: expected a positive whole number", name), std::string(name)};
  }
  return v;
}

std::int32_t parse_iso_date(std::string_view name, std::string_view text) {
  const auto bad = [&]() -> HttpError {
    return HttpError{400, "invalid_parameter",
                     fmt::format("{}: expected a calendar date YYYY-MM-DD", name),
                     std::string(name)};
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') throw bad();
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') throw bad();
  }
  const int y = std::stoi(std::string(text.substr(0, 4)));
  const int m = std::stoi(std::string(text.substr(5, 2)));
  const int d = std::stoi(std::string(text.substr(8, 2)));
  if (!is_valid_date(y, m, d)) throw bad();
  return days_from_civil(y, m, d);
}

PartnerQuery partner_query(const QueryValues& query, std::int64_t min_cell) {
  const auto value = [&](std::string_view name) -> const std::string* {
    const auto it = query.find(name);
    return it == query.end() ? nullptr : &it->second;
  };
  PartnerQuery q;
  q.min_cell = min_cell;
  // Windows of whole calendar months only: two windows that differ by a day (or by part of a
  // month) would let their difference single out the purchases of that day.
  if (const auto* v = value("from")) {
    q.from_day = parse_iso_date("from", *v);
    if (civil_from_days(*q.from_day).day != 1) {
      throw HttpError{400, "invalid_parameter",
                      fmt::format("from: partner figures count whole calendar months: expected the "
                                  "first day of a month ({}-01), found {}",
                                  v->substr(0, 7), *v),
                      "from"};
    }
  }
  if (const auto* v = value("to")) {
    q.to_day = parse_iso_date("to", *v);
    if (civil_from_days(*q.to_day + 1).day != 1) {
      const CivilDate d = civil_from_days(*q.to_day);
      const std::int32_t last = d.month == 12 ? days_from_civil(d.year + 1, 1, 1) - 1
                                              : days_from_civil(d.year, d.month + 1, 1) - 1;
      throw HttpError{400, "invalid_parameter",
                      fmt::format("to: partner figures count whole calendar months: expected the "
                                  "last day of a month ({}), found {}",
                                  format_date(last), *v),
                      "to"};
    }
  }
  if (q.from_day && q.to_day && *q.to_day < *q.from_day) {
    throw HttpError{400, "invalid_parameter", "to: expected a date on or after from", "to"};
  }
  if (const auto* v = value("product")) q.product = *v;
  return q;
}

Parameters run_parameters(std::string_view body) {
  Parameters parameters({"periods", "clv", "analyze", "run"});
  if (body.empty()) return parameters;
  nlohmann::ordered_json given;
  try {
    // Depth-bounded: a body nested 500,000 levels deep is a 400, not a stack overflow when
    // a value is dumped below.
    given = parse_ordered_json(body, "body");
  } catch (const InputError&) {
    throw HttpError{400, "invalid_body", "body: expected a JSON object of run parameters", "body"};
  }
  if (!given.is_object()) {
    throw HttpError{400, "invalid_body", "body: expected a JSON object of run parameters", "body"};
  }
  for (const auto& [key, value] : given.items()) {
    if (!parameters.accepts(key) || key == "quiet") {
      throw HttpError{400, "unknown_parameter",
                      fmt::format("{}: not a parameter of a run", shown(key)), shown(key)};
    }
    parameters.set(key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  parameters.validate();
  return parameters;
}

std::string login_token(std::string_view body) {
  const HttpError bad{400, "invalid_body",
                      "body: expected a JSON object {\"token\": \"API token\"} (ltv token create)",
                      "body"};
  if (body.empty()) {
    throw HttpError{400, "missing_parameter", "token: an API token is required (ltv token create)",
                    "token"};
  }
  nlohmann::ordered_json given;
  try {
    given = parse_ordered_json(body, "body");
  } catch (const InputError&) {
    throw bad;
  }
  if (!given.is_object()) throw bad;
  for (const auto& [key, value] : given.items()) {
    if (key != "token") {
      throw HttpError{400, "unknown_parameter",
                      fmt::format("{}: not a parameter of a sign-in", shown(key)), shown(key)};
    }
  }
  if (!given.contains("token")) {
    throw HttpError{400, "missing_parameter", "token: an API token is required (ltv token create)",
                    "token"};
  }
  if (!given["token"].is_string()) {
    throw HttpError{400, "invalid_parameter", "token: expected a string", "token"};
  }
  return given["token"].get<std::string>();
}

std::string choices_text(std::string_view choices) {
  std::string out(choices);
  for (char& ch : out) {
    if (ch == '|') ch = ',';
  }
  std::string spaced;
  for (char ch : out) {
    spaced += ch;
    if (ch == ',') spaced += ' ';
  }
  return spaced;
}

}  // namespace ltv::server
