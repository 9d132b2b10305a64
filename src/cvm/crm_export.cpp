// Export profiles of the action list (see ltv/cvm/crm_export.hpp; sources in docs/cli.md).
#include "ltv/cvm/crm_export.hpp"

#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <sstream>

#include "io/toml_reader.hpp"
#include "ltv/error.hpp"
#include "ltv/io/files.hpp"

namespace ltv {

namespace {

constexpr std::array<std::string_view, 11> kFields{"customer_id", "rule",   "action",   "channel",
                                                   "offer",       "reason", "priority", "owner",
                                                   "due_date",    "as_of",  "title"};
constexpr std::array<std::string_view, 4> kProfiles{"bitrix24", "amocrm", "salesforce", "generic"};

std::string join(std::span<const std::string_view> names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

ExportColumn col(std::string name, std::string field, std::string value = {}) {
  return ExportColumn{std::move(name), std::move(field), std::move(value)};
}

/// Checks a date format: only %Y %y %m %d %e %% conversions. Returns an empty string when fine,
/// else the offending conversion.
std::string bad_conversion(std::string_view format) {
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 == format.size()) return "%";
    const char c = format[++i];
    if (c != 'Y' && c != 'y' && c != 'm' && c != 'd' && c != 'e' && c != '%')
      return std::string("%") + c;
  }
  return {};
}

std::string iconv_name(TextEncoding e) {
  return e == TextEncoding::windows1251 ? "WINDOWS-1251" : "UTF-8";
}

}  // namespace

bool parse_text_encoding(std::string_view name, TextEncoding& out) {
  if (name == "utf-8") {
    out = TextEncoding::utf8;
  } else if (name == "utf-8-bom") {
    out = TextEncoding::utf8_bom;
  } else if (name == "windows-1251") {
    out = TextEncoding::windows1251;
  } else {
    return false;
  }
  return true;
}

std::span<const std::string_view> export_fields() {
  return kFields;
}
std::span<const std::string_view> export_profile_names() {
  return kProfiles;
}

ExportProfile builtin_export_profile(std::string_view name) {
  ExportProfile p;
  p.name = std::string(name);
  if (name == "bitrix24") {
    // Task fields of the Bitrix24 REST reference (TITLE, DESCRIPTION, DEADLINE, RESPONSIBLE_ID,
    // TAGS, UF_CRM_TASK with "C_<id>" = bound CRM contact); ';' and UTF-8 as in the CSV lesson
    // of the Bitrix24 training course.
    p.columns = {col("TITLE", "title"),       col("DESCRIPTION", "reason"),
                 col("DEADLINE", "due_date"), col("RESPONSIBLE_ID", "owner"),
                 col("TAGS", "action"),       col("UF_CRM_TASK", "customer_id", "C_")};
    p.delimiter = ';';
    p.date_format = "%Y-%m-%d";
  } else if (name == "amocrm") {
    // amoCRM's lead import (Leads > More > Import): columns are matched to fields in the import
    // dialogue; delimiter comma, semicolon or tab. Header names are the fields of a Russian
    // account; "Примечание" becomes the lead's note.
    p.columns = {col("Название сделки", "title"), col("Ответственный", "owner"),
                 col("Примечание", "reason"),     col("Срок", "due_date"),
                 col("Теги", "action"),           col("ID клиента", "customer_id")};
    p.delimiter = ';';
    p.date_format = "%d.%m.%Y";
  } else if (name == "salesforce") {
    // The Task object (Subject, Description = Comments, ActivityDate = Due Date, OwnerId =
    // Assigned To, Status, Priority, WhoId = Name) for Data Loader / Bulk API: comma, UTF-8,
    // line feed, dates yyyy-MM-dd.
    p.columns = {col("Subject", "title"),          col("Description", "reason"),
                 col("ActivityDate", "due_date"),  col("OwnerId", "owner"),
                 col("Status", "", "Not Started"), col("Priority", "", "Normal"),
                 col("WhoId", "customer_id")};
    p.delimiter = ',';
    p.date_format = "%Y-%m-%d";
  } else {
    parameter_error("export_profile", std::string(name),
                    name == "generic" ? "--profile-config FILE with the generic profile"
                                      : "one of " + join(kProfiles));
  }
  return p;
}

ExportProfile parse_export_profile(std::string_view text, const std::string& file) {
  const toml::table root = detail::parse_toml(text, file);
  const detail::TomlReader r(file);
  r.check_keys(root, "", "the export profile",
               {"delimiter", "encoding", "date_format", "line_ending", "column"});
  ExportProfile p;
  p.name = "generic";
  auto str = [&](const toml::table& t, const char* key, const std::string& where) -> std::string {
    const toml::node* n = t.get(key);
    if (!n) return {};
    if (!n->is_string()) r.fail(*n, where, detail::TomlReader::show(*n), "a string");
    return n->as_string()->get();
  };
  if (const toml::node* n = root.get("delimiter")) {
    const std::string d = str(root, "delimiter", "delimiter");
    if (d.size() != 1 || d == "\"" || d == "\n" || d == "\r")
      r.fail(*n, "delimiter", d,
             "one character other than a quote or line break (\",\" \";\" \"\\t\")");
    p.delimiter = d[0];
  }
  if (const toml::node* n = root.get("encoding")) {
    const std::string e = str(root, "encoding", "encoding");
    if (!parse_text_encoding(e, p.encoding))
      r.fail(*n, "encoding", e, "utf-8, utf-8-bom or windows-1251");
  }
  if (const toml::node* n = root.get("date_format")) {
    p.date_format = str(root, "date_format", "date_format");
    if (const std::string bad = bad_conversion(p.date_format);
        !bad.empty() || p.date_format.empty())
      r.fail(*n, "date_format", p.date_format,
             "a date format with %Y %y %m %d %e %% and literal text (e.g. \"%d.%m.%Y\")");
  }
  if (const toml::node* n = root.get("line_ending")) {
    const std::string e = str(root, "line_ending", "line_ending");
    if (e == "lf") {
      p.line_ending = "\n";
    } else if (e == "crlf") {
      p.line_ending = "\r\n";
    } else {
      r.fail(*n, "line_ending", e, "lf or crlf");
    }
  }
  const toml::node* columns = root.get("column");
  if (!columns)
    input_error(SourceLocation{file, 0, "column"}, "no [[column]] table",
                "at least one [[column]] with name and field (or value)");
  const toml::array* list = columns->as_array();
  if (!list || list->empty() || !list->is_array_of_tables())
    r.fail(*columns, "column", detail::TomlReader::show(*columns),
           "[[column]] tables with name and field (or value)");
  std::size_t k = 0;
  for (const toml::node& node : *list) {
    ++k;
    const toml::table& t = *node.as_table();
    const std::string where = fmt::format("column[{}]", k);
    r.check_keys(t, where + ".", "a [[column]]", {"name", "field", "value", "prefix"});
    ExportColumn c;
    c.name = str(t, "name", where + ".name");
    if (c.name.empty()) r.fail(t, where + ".name", "nothing", "the column's header name");
    c.field = str(t, "field", where + ".field");
    c.value = str(t, "value", where + ".value");
    const std::string prefix = str(t, "prefix", where + ".prefix");
    const toml::node* field = t.get("field");
    if (field && t.get("value"))
      r.fail(*field, where + ".field", c.field, "either field or value, not both");
    if (!field && !t.get("value"))
      r.fail(t, where, c.name, "a field (" + join(kFields) + ") or a constant value");
    if (field && std::find(kFields.begin(), kFields.end(), c.field) == kFields.end())
      r.fail(*field, where + ".field", c.field, "one of " + join(kFields));
    if (field) c.value = prefix;  // prefix before the field's text
    p.columns.push_back(std::move(c));
  }
  return p;
}

ExportProfile load_export_profile(const std::string& path) {
  return parse_export_profile(read_text_file(path, detail::kMaxTomlBytes + 1), path);
}

std::string format_export_date(std::int32_t day, std::string_view format) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    switch (format[++i]) {
      case 'Y':
        out += fmt::format("{:04d}", y);
        break;
      case 'y':
        out += fmt::format("{:02d}", ((y % 100) + 100) % 100);
        break;
      case 'm':
        out += fmt::format("{:02d}", m);
        break;
      case 'd':
        out += fmt::format("{:02d}", d);
        break;
      case 'e':
        out += fmt::format("{:2d}", d);
        break;
      case '%':
        out += '%';
        break;
      default:
        out += '%';
        out += format[i];
    }
  }
  return out;
}

std::string encode_text(std::string_view utf8, TextEncoding encoding, const std::string& where) {
  if (encoding != TextEncoding::windows1251) return std::string(utf8);
  iconv_t cd = iconv_open(iconv_name(encoding).c_str(), "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw SystemError(fmt::format("iconv cannot convert UTF-8 to {}", iconv_name(encoding)));
  std::string out(utf8.size() + 1, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* dst = out.data();
  std::size_t out_left = out.size();
  const std::size_t rc = iconv(cd, &in, &in_left, &dst, &out_left);
  const int err = errno;
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1)) {
    const std::size_t at = utf8.size() - in_left;
    std::size_t len = 1;  // the whole UTF-8 sequence of the character
    const auto lead = static_cast<unsigned char>(utf8[at]);
    if (lead >= 0xF0)
      len = 4;
    else if (lead >= 0xE0)
      len = 3;
    else if (lead >= 0xC0)
      len = 2;
    const std::string ch(utf8.substr(at, std::min(len, utf8.size() - at)));
    input_error(
        SourceLocation{where, 0, ""},
        err == EILSEQ ? fmt::format("'{}' in '{}'", ch, utf8) : std::string(utf8),
        "text that " + std::string("windows-1251 can encode (Cyrillic and Latin letters; "
                                   "use encoding utf-8 or utf-8-bom for other characters)"));
  }
  out.resize(out.size() - out_left);
  return out;
}

ExportResult write_crm_export(std::ostream& out, const ExportProfile& profile,
                              std::span<const CrmAction> actions, const ExportOptions& options) {
  const std::string as_of = format_export_date(options.as_of_day, profile.date_format);
  const std::string due =
      format_export_date(options.as_of_day + options.due_days, profile.date_format);
  std::string buffer;
  if (profile.encoding == TextEncoding::utf8_bom) buffer = "\xEF\xBB\xBF";
  auto cell = [&](std::string_view text, const std::string& where) {
    std::string t = encode_text(text, profile.encoding, where);
    const bool quote =
        t.find_first_of(std::string{'"', '\n', '\r', profile.delimiter}) != std::string::npos;
    if (!quote) return t;
    std::string q = "\"";
    for (char c : t) {
      if (c == '"') q += '"';
      q += c;
    }
    return q + '"';
  };
  for (std::size_t c = 0; c < profile.columns.size(); ++c) {
    if (c) buffer += profile.delimiter;
    buffer +=
        cell(profile.columns[c].name, fmt::format("{}: header, column {}", options.file, c + 1));
  }
  buffer += profile.line_ending;
  ExportResult result;
  for (const CrmAction& a : actions) {
    if (a.control) {
      ++result.control_skipped;
      continue;
    }
    ++result.rows;
    for (std::size_t c = 0; c < profile.columns.size(); ++c) {
      const ExportColumn& column = profile.columns[c];
      std::string value;
      const std::string& f = column.field;
      if (f.empty())
        value = column.value;
      else if (f == "customer_id")
        value = column.value + a.customer_id;
      else if (f == "rule")
        value = column.value + a.rule;
      else if (f == "action")
        value = column.value + a.action;
      else if (f == "channel")
        value = column.value + a.channel;
      else if (f == "offer")
        value = column.value + a.offer;
      else if (f == "reason")
        value = column.value + a.reason;
      else if (f == "priority")
        value = column.value + std::to_string(a.priority);
      else if (f == "owner")
        value = column.value + (a.owner.empty() ? options.owner : a.owner);
      else if (f == "due_date")
        value = column.value + due;
      else if (f == "as_of")
        value = column.value + as_of;
      else if (f == "title")
        value = column.value + fmt::format("{} ({}): {}", a.action, a.channel, a.customer_id);
      else
        throw std::logic_error("export field " + f);
      if (c) buffer += profile.delimiter;
      buffer += cell(value, fmt::format("{}: row {} (customer {}), column '{}'", options.file,
                                        result.rows, a.customer_id, column.name));
    }
    buffer += profile.line_ending;
  }
  out << buffer;
  result.note = fmt::format(
      "{} profile: {} task rows written; {} control-group rows not exported (held out to "
      "measure the effect)",
      profile.name, result.rows, result.control_skipped);
  return result;
}

}  // namespace ltv
