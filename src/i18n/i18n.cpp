// Languages and locale formatting (include/ltv/i18n.hpp). The Russian catalogue is po/ru.po,
// compiled by msgfmt at build time and embedded (cmake/i18n_catalogue.cmake, i18n/catalogue.hpp);
// Boost.Locale's GNU gettext reader loads it from memory through its file callback, so neither
// a system locale nor a file beside the binary is needed.
#include "ltv/i18n.hpp"

#include <fmt/format.h>

#include <boost/locale/gnu_gettext.hpp>
#include <boost/locale/message.hpp>
#include <cmath>
#include <cstdlib>
#include <locale>
#include <stdexcept>

#include "i18n/catalogue.hpp"
#include "ltv/dates.hpp"
#include "ltv/error.hpp"
#include "ltv/workspace/parameters.hpp"

namespace ltv::i18n {
namespace {

thread_local Locale t_current{};

/// The Russian message facet, built once from the embedded .mo. A facet is owned by a
/// std::locale (its destructor is protected), so the locale holding it is kept.
const boost::locale::message_format<char>& russian_catalogue() {
  static const std::locale holder = [] {
    namespace gt = boost::locale::gnu_gettext;
    gt::messages_info info;
    info.language = "ru";
    info.country = "RU";
    info.encoding = "UTF-8";
    info.domains.push_back(gt::messages_info::domain("ltvkit"));
    info.paths.push_back("embedded");
    // The reader asks for embedded/ru_RU/LC_MESSAGES/ltvkit.mo, then embedded/ru/...: both are
    // the embedded catalogue.
    info.callback = [](const std::string& file_name, const std::string&) {
      const std::span<const unsigned char> mo = detail::russian_mo();
      if (file_name.find("/LC_MESSAGES/ltvkit.mo") == std::string::npos) {
        return std::vector<char>();
      }
      return std::vector<char>(mo.begin(), mo.end());
    };
    return std::locale(std::locale::classic(), gt::create_messages_facet<char>(info));
  }();
  return std::use_facet<boost::locale::message_format<char>>(holder);
}

const char* lookup(std::string_view msgid) {
  const std::string id(msgid);
  return russian_catalogue().get(0, nullptr, id.c_str());
}

std::string group_digits(std::string_view digits, std::string_view separator) {
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += separator;
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string_view language_code(Language language) noexcept {
  return language == Language::ru ? "ru" : "en";
}

Language language_from_environment() {
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    const std::string_view v(value);
    return v.substr(0, 2) == "ru" ? Language::ru : Language::en;
  }
  return Language::en;
}

Language parse_language(std::string_view text, std::string_view key) {
  if (text.empty()) return language_from_environment();
  if (text == "en") return Language::en;
  if (text == "ru") return Language::ru;
  parameter_error(std::string(key), std::string(text), "one of en, ru");
}

Formats default_formats(Language language) {
  Formats f;
  if (language == Language::ru) {
    f.decimal_point = ",";
    f.group_separator = "\u00a0";
    f.day_first_dates = true;
    f.currency_after = true;
  }
  return f;
}

Locale locale_from_parameters(const Parameters& p) {
  Locale locale;
  locale.language = p.accepts("lang") ? parse_language(p.text("lang")) : Language::en;
  locale.formats = default_formats(locale.language);
  if (p.accepts("number_format") && !p.text("number_format").empty()) {
    const std::string v = p.text("number_format");
    if (v != "en" && v != "ru") parameter_error("number_format", v, "one of en, ru");
    const Formats numbers = default_formats(v == "ru" ? Language::ru : Language::en);
    locale.formats.decimal_point = numbers.decimal_point;
    locale.formats.group_separator = numbers.group_separator;
    locale.formats.currency_after = numbers.currency_after;
  }
  if (p.accepts("date_format_out") && !p.text("date_format_out").empty()) {
    const std::string v = p.text("date_format_out");
    if (v != "yyyy-mm-dd" && v != "dd.mm.yyyy") {
      parameter_error("date_format_out", v, "one of yyyy-mm-dd, dd.mm.yyyy");
    }
    locale.formats.day_first_dates = v == "dd.mm.yyyy";
  }
  return locale;
}

const Locale& current_locale() noexcept {
  return t_current;
}

LocaleScope::LocaleScope(Locale locale) : previous_(std::move(t_current)) {
  t_current = std::move(locale);
}

LocaleScope::~LocaleScope() {
  t_current = std::move(previous_);
}

std::string translate(std::string_view msgid, Language language) {
  if (language == Language::en || msgid.empty()) return std::string(msgid);
  const char* s = lookup(msgid);
  return s != nullptr && *s != '\0' ? std::string(s) : std::string(msgid);
}

std::string tr(std::string_view msgid) {
  return translate(msgid, t_current.language);
}

bool has_translation(std::string_view msgid, Language language) {
  if (language == Language::en) return true;
  const char* s = lookup(msgid);
  return s != nullptr && *s != '\0';
}

std::string localize_number_text(std::string_view text, const Formats& formats) {
  std::string out;
  if (!text.empty() && text.front() == '-') {
    out += '-';
    text.remove_prefix(1);
  }
  const std::size_t dot = text.find('.');
  const std::string_view integer = text.substr(0, dot);
  out += group_digits(integer, formats.group_separator);
  if (dot != std::string_view::npos)
    out += formats.decimal_point + std::string(text.substr(dot + 1));
  return out;
}

std::string format_number(double value, int decimals, const Formats& formats) {
  if (!std::isfinite(value)) return "\u2013";
  if (decimals < 0) decimals = 0;
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text.find_first_not_of("-0.") == std::string::npos && text.front() == '-') text.erase(0, 1);
  return localize_number_text(text, formats);
}

std::string format_number(double value, int decimals) {
  return format_number(value, decimals, t_current.formats);
}

std::string format_money(double value, int decimals, std::string_view currency,
                         const Formats& formats) {
  if (!std::isfinite(value)) return "\u2013";
  const std::string body = format_number(std::fabs(value), decimals, formats);
  const std::string sign =
      value < 0 && body.find_first_not_of("0.,\u00a0") != std::string::npos ? "-" : "";
  if (formats.currency_after) return sign + body + "\u00a0" + std::string(currency);
  return sign + std::string(currency) + body;
}

std::string format_day(std::int32_t day, const Formats& formats) {
  if (!formats.day_first_dates) return format_date(day);
  const CivilDate d = civil_from_days(day);
  return fmt::format("{:02d}.{:02d}.{:04d}", d.day, d.month, d.year);
}

std::string format_day(std::int32_t day) {
  return format_day(day, t_current.formats);
}

std::string format_iso_date_text(std::string_view iso, const Formats& formats) {
  const auto digit = [&](std::size_t i) { return iso[i] >= '0' && iso[i] <= '9'; };
  if (!formats.day_first_dates || iso.size() < 10 || iso[4] != '-' || iso[7] != '-') {
    return std::string(iso);
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!digit(i)) return std::string(iso);
  }
  std::string out = fmt::format("{}.{}.{}", iso.substr(8, 2), iso.substr(5, 2), iso.substr(0, 4));
  out += iso.substr(10);
  return out;
}

std::string_view default_currency(Language language) noexcept {
  return language == Language::ru ? "\u20bd" : "$";
}

}  // namespace ltv::i18n
