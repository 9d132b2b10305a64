#include "ltv/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ltv {

namespace {

/// Length of the valid UTF-8 sequence starting at text[i] (1 to 4), or 0 when the bytes there
/// are not one (overlong forms, surrogates and code points past U+10FFFF are not valid).
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

/// A command-line option name as SourceLocation::column: `--name`, or a short option `-x`.
bool is_option(const std::string& name) {
  return name.rfind("--", 0) == 0 ||
         (name.size() == 2 && name[0] == '-' && std::isalpha(static_cast<unsigned char>(name[1])));
}

}  // namespace

std::string escape_for_message(std::string_view text, std::size_t max_chars) {
  std::string out;
  out.reserve(std::min(text.size(), max_chars) + 8);
  std::size_t shown = 0;
  std::size_t i = 0;
  for (; i < text.size() && shown < max_chars; ++shown) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = utf8_length(text, i);
    if (n == 1 && c >= 0x20 && c != 0x7F) {
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      // C1 control characters (U+0080..U+009F): shown as their two bytes.
      out += fmt::format("\\x{:02X}\\x{:02X}", c, static_cast<unsigned char>(text[i + 1]));
    } else if (n > 1) {
      out.append(text.substr(i, n));
    } else {
      out += fmt::format("\\x{:02X}", c);  // a control byte, DEL, or not UTF-8
    }
    i += n == 0 ? 1 : n;
  }
  if (i < text.size()) out += "...";
  return out;
}

std::string format_input_message(const SourceLocation& where, const std::string& found,
                                 const std::string& expected) {
  // Parts other than the found text are ours or short names, but may carry user text (a file
  // name, a rule): escaped too, and capped generously, so the message is one line of bounded size.
  constexpr std::size_t kMaxPartChars = 1000;
  std::string prefix;
  if (!where.file.empty()) {
    prefix = escape_for_message(where.file, kMaxPartChars);
    if (where.line > 0) prefix += fmt::format(":{}", where.line);
    if (where.line > 0 && where.position > 0) prefix += fmt::format(":{}", where.position);
    prefix += ": ";
  } else if (where.line > 0) {
    prefix = fmt::format("line {}: ", where.line);
    if (where.position > 0) prefix = fmt::format("line {}:{}: ", where.line, where.position);
  }
  if (!where.column.empty()) {
    const std::string column = escape_for_message(where.column, kMaxPartChars);
    if (is_option(where.column)) {
      prefix += fmt::format("option {}: ", column);
    } else {
      prefix += fmt::format("column '{}': ", column);
    }
  }
  return fmt::format("{}found '{}', expected {}", prefix, escape_for_message(found, kMaxFoundChars),
                     escape_for_message(expected, 2 * kMaxPartChars));
}

namespace {
std::string input_message(const SourceLocation& where, const std::string& found,
                          const std::string& expected, InputError::Kind kind) {
  if (kind == InputError::Kind::parameter) {
    return fmt::format("parameter {}: found '{}', expected {}",
                       escape_for_message(where.column, 1000), escape_for_message(found, 80),
                       escape_for_message(expected, 2000));
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
