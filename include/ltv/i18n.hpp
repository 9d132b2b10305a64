#pragma once
/// Languages and locale formatting (issue 27). The engine speaks English (the msgids, in the
/// code) and Russian (a GNU gettext catalogue, po/ru.po, compiled with msgfmt at build time and
/// embedded into the library; read with Boost.Locale's gettext reader, so no system locale is
/// needed and the installed binary needs no file beside it). docs/i18n.md tells a translator how
/// to extend the catalogue.
///
/// A job's language and formats form a Locale, chosen by the parameters `lang`, `number_format`
/// and `date_format_out`. Jobs install it for their thread with LocaleScope; tr() and the
/// format_* functions then follow it. Code that runs on worker threads translates before it
/// starts them (the current locale is per thread).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ltv {
class Parameters;
}

namespace ltv::i18n {

/// The languages of messages, reports and action reasons.
enum class Language : std::uint8_t { en, ru };

/// How numbers, dates and money are written.
struct Formats {
  std::string decimal_point = ".";    ///< "." (en) or "," (ru)
  std::string group_separator = ",";  ///< "," (en) or U+00A0 no-break space (ru, as CLDR)
  bool day_first_dates = false;       ///< false: 2026-12-07; true: 07.12.2026
  bool currency_after = false;        ///< false: $1,234; true: 1 234 ₽ (symbol after a space)
};

/// A job's language and formats.
struct Locale {
  Language language = Language::en;
  Formats formats;
};

/// "en" or "ru".
std::string_view language_code(Language language) noexcept;

/// The language the environment asks for: the first set of LC_ALL, LC_MESSAGES, LANG; ru when
/// it starts with "ru" (ru_RU.UTF-8, ru), else en.
Language language_from_environment();

/// The language named by a `lang` value: "en", "ru", or empty (from the environment).
/// ParameterError naming `key` for anything else.
Language parse_language(std::string_view text, std::string_view key = "lang");

/// The default formats of a language.
Formats default_formats(Language language);

/// The job's locale from its parameters: `lang` (empty = the environment), `number_format`
/// (en|ru, default: the language's) and `date_format_out` (yyyy-mm-dd|dd.mm.yyyy, default: the
/// language's), for the keys these parameters accept. ParameterError naming the key.
Locale locale_from_parameters(const Parameters& p);

/// The locale of this thread (English with English formats unless a LocaleScope is active).
const Locale& current_locale() noexcept;

/// Installs a locale for this thread while it lives (nests; restores the previous one).
class LocaleScope {
 public:
  explicit LocaleScope(Locale locale);
  ~LocaleScope();
  LocaleScope(const LocaleScope&) = delete;
  LocaleScope& operator=(const LocaleScope&) = delete;

 private:
  Locale previous_;
};

/// The translation of `msgid` into `language` (msgid itself for English, or when the catalogue
/// has no translation for it).
std::string translate(std::string_view msgid, Language language);

/// translate() into the current locale's language. The msgids are marked for xgettext by this
/// name (and trf): `tr("Headline")`.
std::string tr(std::string_view msgid);

/// Marks a msgid for xgettext without translating it (lists of names translated later by tr()).
constexpr std::string_view N_(std::string_view msgid) noexcept {
  return msgid;
}

/// True when the catalogue of `language` has a translation of `msgid` (English: always).
bool has_translation(std::string_view msgid, Language language);

/// Groups the integer part of a plain decimal text ("-1234567.891" -> "-1 234 567,891" in ru).
/// `text` is what fmt writes for a number: an optional '-', digits, optionally '.' and digits.
std::string localize_number_text(std::string_view text, const Formats& formats);

/// `value` with `decimals` decimals, grouped and with the formats' decimal point. NaN/Inf: "–".
std::string format_number(double value, int decimals, const Formats& formats);
std::string format_number(double value, int decimals);  ///< in the current locale

/// Money: "$1,234.50" or "1 234,50 ₽" (the symbol's side from the formats).
std::string format_money(double value, int decimals, std::string_view currency,
                         const Formats& formats);

/// A day number (days since 1970-01-01) as 2026-12-07 or 07.12.2026.
std::string format_day(std::int32_t day, const Formats& formats);
std::string format_day(std::int32_t day);  ///< in the current locale

/// An ISO date text (YYYY-MM-DD...) in the formats' date order; other text is returned as is.
std::string format_iso_date_text(std::string_view iso, const Formats& formats);

/// The default currency symbol of a language: "$" (en) or "₽" (ru).
std::string_view default_currency(Language language) noexcept;

}  // namespace ltv::i18n
