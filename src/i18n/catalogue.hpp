#pragma once
// The Russian message catalogue, po/ru.po compiled by msgfmt at build time and embedded with
// `xxd -i` (cmake/i18n_catalogue.cmake generates the definition into the build folder).

#include <span>

namespace ltv::i18n::detail {

/// The bytes of ru.mo (GNU gettext binary catalogue).
std::span<const unsigned char> russian_mo();

}  // namespace ltv::i18n::detail
