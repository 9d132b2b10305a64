#pragma once
// Reading parameters of the analytics, uplift, NPS and simulator jobs (internal): side tables
// named by path parameters, lists, and 64-bit seeds.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/error.hpp"
#include "ltv/io/table.hpp"
#include "ltv/workspace/parameters.hpp"

namespace ltv::detail {

/// The table at the path parameter `key`, when these parameters take it and it is set.
inline std::optional<Table> read_side_table(const Parameters& p, std::string_view key) {
  if (!p.accepts(key)) return std::nullopt;
  const std::string path = p.text(key);
  if (path.empty()) return std::nullopt;
  return read_table(path);
}

/// The items of a list parameter: its values (a repeated parameter's values are separated by
/// kListSeparator), each of which may itself be comma-separated; empty items are left out.
inline std::vector<std::string> list_parameter(const Parameters& p, std::string_view key) {
  std::vector<std::string> items;
  const std::string text = p.text(key);
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find_first_of(std::string_view(",\n"), begin);
    if (end == std::string::npos) end = text.size();
    if (end > begin) items.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return items;
}

/// An unsigned 64-bit parameter (a random seed), read exactly: the table checks it as a number,
/// which a double cannot hold to the last digit.
inline std::uint64_t seed_parameter(const Parameters& p, std::string_view key) {
  p.integer(key);  // the table's check: a whole number in range
  const std::string text = p.text(key);
  std::string_view digits = text;
  while (!digits.empty() && (digits.front() == ' ' || digits.front() == '\t')) {
    digits.remove_prefix(1);
  }
  while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t'))
    digits.remove_suffix(1);
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    parameter_error(std::string(key), text, "a whole number in 0..18446744073709551615");
  }
  return value;
}

}  // namespace ltv::detail
