#pragma once
// trf(msgid, args...): the translation of a fmt format string, formatted. The msgid and its
// translation use the same {} placeholders in the same order (tests/i18n checks the catalogue).
#include <fmt/format.h>

#include <string>
#include <string_view>

#include "ltv/i18n.hpp"

namespace ltv::i18n {

template <typename... Args>
std::string trf(std::string_view msgid, const Args&... args) {
  return fmt::vformat(tr(msgid), fmt::make_format_args(args...));
}

}  // namespace ltv::i18n
