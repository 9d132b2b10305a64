#include "ltv/error.hpp"

#include <fmt/format.h>

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

InputError::InputError(SourceLocation where, std::string found, std::string expected)
    : Error(format_input_message(where, found, expected)),
      where_(std::move(where)),
      found_(std::move(found)),
      expected_(std::move(expected)) {}

void input_error(SourceLocation where, std::string found, std::string expected) {
  throw InputError(std::move(where), std::move(found), std::move(expected));
}

void option_error(const std::string& option, std::string found, std::string expected) {
  SourceLocation where;
  where.column = option.rfind("--", 0) == 0 ? option : "--" + option;
  throw InputError(std::move(where), std::move(found), std::move(expected));
}

}  // namespace ltv
