// Bad-input messages in a language (include/ltv/i18n_errors.hpp). The shape follows
// format_input_message() in src/error.cpp; its words are msgids of po/ru.po.
#include "ltv/i18n_errors.hpp"

#include <fmt/format.h>

#include <cctype>

namespace ltv::i18n {
namespace {

constexpr std::size_t kMaxPartChars = 1000;

template <typename... Args>
std::string trl(Language language, std::string_view msgid, const Args&... args) {
  return fmt::vformat(translate(msgid, language), fmt::make_format_args(args...));
}

bool is_option(const std::string& name) {
  return name.rfind("--", 0) == 0 ||
         (name.size() == 2 && name[0] == '-' && std::isalpha(static_cast<unsigned char>(name[1])));
}

}  // namespace

std::string format_input_message(const SourceLocation& where, const std::string& found,
                                 const std::string& expected, Language language) {
  std::string prefix;
  if (!where.file.empty()) {
    prefix = escape_for_message(where.file, kMaxPartChars);
    if (where.line > 0) prefix += fmt::format(":{}", where.line);
    if (where.line > 0 && where.position > 0) prefix += fmt::format(":{}", where.position);
    prefix += ": ";
  } else if (where.line > 0) {
    prefix = where.position > 0 ? trl(language, "line {}:{}: ", where.line, where.position)
                                : trl(language, "line {}: ", where.line);
  }
  if (!where.column.empty()) {
    const std::string column = escape_for_message(where.column, kMaxPartChars);
    prefix += is_option(where.column) ? trl(language, "option {}: ", column)
                                      : trl(language, "column '{}': ", column);
  }
  return prefix + trl(language, "found '{}', expected {}",
                      escape_for_message(found, kMaxFoundChars),
                      escape_for_message(expected, 2 * kMaxPartChars));
}

std::string input_error_message(const InputError& error, Language language) {
  if (error.kind() == InputError::Kind::parameter) {
    return trl(language, "parameter {}: ", escape_for_message(error.where().column, 1000)) +
           trl(language, "found '{}', expected {}", escape_for_message(error.found(), 80),
               escape_for_message(error.expected(), 2000));
  }
  return format_input_message(error.where(), error.found(), error.expected(), language);
}

}  // namespace ltv::i18n
