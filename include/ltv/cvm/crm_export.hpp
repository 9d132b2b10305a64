#pragma once
/// Export profiles of the action list: the CVM actions in the import layout a CRM documents for
/// tasks or leads (Bitrix24, amoCRM, Salesforce) or in a layout configured in TOML ("generic").
/// Control-group rows are never exported: they are the customers held out to measure the effect.
/// docs/cli.md (`ltv actions --export-profile`) names the documentation each profile follows.

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ltv {

/// Text encoding of an export file.
enum class TextEncoding {
  utf8,         ///< UTF-8 without a byte-order mark
  utf8_bom,     ///< UTF-8 with a byte-order mark (spreadsheets then detect UTF-8)
  windows1251,  ///< Windows-1251 (Cyrillic), converted with iconv
};

/// Parses "utf-8", "utf-8-bom" or "windows-1251"; false for anything else.
bool parse_text_encoding(std::string_view name, TextEncoding& out);

/// One column of an export file: its header and either a field of the action row or a constant.
struct ExportColumn {
  std::string name;   ///< header written in the file
  std::string field;  ///< a name of export_fields(); empty when `value` is a constant
  std::string value;  ///< constant text of every row (no `field`), else a prefix of the field
};

/// An export layout.
struct ExportProfile {
  std::string name;                      ///< "bitrix24", "amocrm", "salesforce" or "generic"
  std::vector<ExportColumn> columns;     ///< in file order
  std::string date_format = "%Y-%m-%d";  ///< %Y %y %m %d %e %% and literal text
  char delimiter = ',';
  TextEncoding encoding = TextEncoding::utf8;
  std::string line_ending = "\n";  ///< "\n" or "\r\n"
};

/// The fields an export column can take: customer_id, rule, action, channel, offer (the rule's
/// params `key=value;...`), reason, priority (the rule's, lower = more important), owner,
/// due_date, as_of (the run day), title ("<action> (<channel>): <customer_id>").
std::span<const std::string_view> export_fields();

/// The built-in profile names plus "generic".
std::span<const std::string_view> export_profile_names();

/// The built-in profile `name` (bitrix24, amocrm, salesforce). ParameterError for key
/// `export_profile` for any other name (generic needs load_export_profile).
ExportProfile builtin_export_profile(std::string_view name);

/// Parses a generic profile (TOML keys delimiter, encoding, date_format, line_ending and
/// [[column]] tables with name + field or value). InputError naming the file, the line and the
/// key for a syntax error, an unknown key or field, a bad encoding, delimiter or date format.
ExportProfile parse_export_profile(std::string_view text, const std::string& file);
/// Reads and parses a generic profile file; InputError when it cannot be read.
ExportProfile load_export_profile(const std::string& path);

/// One row of the action list as the export sees it.
struct CrmAction {
  std::string customer_id, rule, action, channel, offer, reason;
  std::int64_t priority = 0;
  bool control = false;  ///< held out as control: never exported
  std::string owner;     ///< responsible manager (empty: ExportOptions::owner)
};

/// Run-time settings of an export.
struct ExportOptions {
  std::int32_t as_of_day = 0;   ///< the run day (days since 1970-01-01)
  std::int32_t due_days = 3;    ///< due date = as_of_day + due_days
  std::string owner;            ///< responsible manager of rows without their own
  std::string file = "export";  ///< name of the output, for error messages
};

/// What an export wrote.
struct ExportResult {
  std::size_t rows = 0;             ///< task rows written (control rows excluded)
  std::size_t control_skipped = 0;  ///< control rows left out
  std::string note;                 ///< one line for the console ("... control rows not exported")
};

/// Formats a day with a date format of ExportProfile (`%Y-%m-%d`, `%d.%m.%Y`, ...).
std::string format_export_date(std::int32_t day, std::string_view format);

/// Converts UTF-8 text to `encoding` (BOM not included). InputError naming `where` when a
/// character cannot be encoded (or the text is not valid UTF-8).
std::string encode_text(std::string_view utf8, TextEncoding encoding, const std::string& where);

/// Writes the header and one row per non-control action in `profile`'s layout (delimiter,
/// quoting of fields holding the delimiter, quotes or line breaks, encoding, line ending).
/// InputError naming the row (1-based data row, with the customer id) and the column for a
/// character the encoding cannot hold; nothing is written to `out` then.
ExportResult write_crm_export(std::ostream& out, const ExportProfile& profile,
                              std::span<const CrmAction> actions, const ExportOptions& options);

}  // namespace ltv
