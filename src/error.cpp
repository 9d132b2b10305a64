#include "ltv/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ltv {

namespace {
std::string shorten(const std::string& text) {
  constexpr std::size_t kMax = 80;
  if (text.size() <= kMax) return text;
  return text.substr(0, kMax) + "...";
}
}  // namespace

std::string format_input_message(const SourceLocation& where, const std::string& found,
                                 const std::string& expected) {
  std::string prefix;
  if (!where.file.empty()) {
    prefix = where.file;
    if (where.line > 0) prefix += fmt::format(":{}", where.line);
    prefix += ": ";
  } else if (where.line > 0) {
    prefix = fmt::format("line {}: ", where.line);
  }
  if (!where.column.empty()) {
    if (where.column.rfind("--", 0) == 0) {
      prefix += fmt::format("option {}: ", where.column);
    } else {
      prefix += fmt::format("column '{}': ", where.column);
    }
  }
  return fmt::format("{}found '{}', expected {}", prefix, shorten(found), expected);
}

namespace {
std::string input_message(const SourceLocation& where, const std::string& found,
                          const std::string& expected, InputError::Kind kind) {
  if (kind == InputError::Kind::parameter) {
    return fmt::format("parameter {}: found '{}', expected {}", where.column, shorten(found),
                       expected);
  }
  return format_input_message(where, found, expected);
}
}  // namespace

InputError::InputError(SourceLocation where, std::string found, std::string expected, Kind kind)
    : Error(input_message(where, found, expected, kind)),
      where_(std::move(where)),
      found_(std::move(found)),
      expected_(std::move(expected)),
      kind_(kind) {}

void input_error(SourceLocation where, std::string found, std::string expected) {
  throw InputError(std::move(where), std::move(found), std::move(expected));
}

ParameterError::ParameterError(std::string key, std::string found, std::string expected)
    : InputError(SourceLocation{"", 0, std::move(key)}, std::move(found), std::move(expected),
                 Kind::parameter) {}

void parameter_error(std::string key, std::string found, std::string expected) {
  // Keys are snake_case; a caller passing an option's spelling (`--date-format`) is normalised.
  if (key == "-o") key = "output";
  key.erase(0, key.find_first_not_of('-'));
  std::replace(key.begin(), key.end(), '-', '_');
  throw ParameterError(std::move(key), std::move(found), std::move(expected));
}

}  // namespace ltv
