#pragma once
/// Parameters defined once. Every option of the engine's jobs (the transaction source and its
/// columns, periods, the main job, fitting and prediction) has one entry in the parameter table:
/// its key, type, default, help and check. The faces derive their options from it — the CLI's
/// `--calibration-end` is the key `calibration_end`, the server reads the same key from JSON,
/// Python takes it as a keyword — and errors name the key (ParameterError), which each face
/// renders in its own language.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/error.hpp"

namespace ltv {

/// What a parameter's value is.
enum class ParameterType : std::uint8_t {
  text,     ///< free text (column names, titles)
  path,     ///< a file or folder name
  number,   ///< a finite real within [min, max]
  integer,  ///< a whole number within [min, max]
  flag,     ///< true / false (on the command line: present or not)
  date,     ///< a calendar date (YYYY-MM-DD, YYYYMMDD or DD.MM.YYYY)
  choice,   ///< one of `choices`
};

/// One entry of the parameter table.
struct ParameterSpec {
  std::string_view key;    ///< snake_case, unique within its group
  std::string_view group;  ///< which jobs take it (see parameter_groups())
  ParameterType type = ParameterType::text;
  std::string_view default_value;  ///< as text; empty = none
  std::string_view help;           ///< one sentence or two, shown by every face
  std::string_view section;        ///< heading under which faces list it ("Columns", ...)
  std::string_view choices;        ///< `choice`: alternatives separated by '|'
  double min = -1e308;             ///< number / integer: smallest allowed value
  double max = 1e308;              ///< number / integer: largest allowed value
  bool min_exclusive = false;      ///< the value must be > min (not >=)
  bool max_exclusive = false;      ///< the value must be < max (not <=)
  std::string_view expected;       ///< what a valid value is, for messages (generated if empty)
  std::string_view alias;          ///< a one-letter short name a face may offer ("o"), or empty
  bool positional = false;         ///< the command line takes it without a name (FILE, DIR)
  /// The parameter takes a list of values (repeatable on the command line, an array in JSON, a
  /// list in Python); `type`, ranges and choices apply to each value. Stored as one text with
  /// the values separated by kListSeparator (also in `default_value`).
  bool repeated = false;
};

/// Separates the values of a repeated parameter in its text ("5\n10").
inline constexpr char kListSeparator = '\n';

/// Groups of parameters: "source" (the transaction file, its columns and parsing), "periods",
/// "output" (where results go), "format" (csv or json), "model" (the model of fit and predict),
/// "fit" (optimizer tuning), "clv", "analyze" (the main job), "predict", "validate";
/// "segment", "cross_sell" (the item column shared by basket, recommend and penetration),
/// "basket", "recommend", "penetration", "actions", "report"; and one group per analytics,
/// uplift, NPS and simulator job, named after its command ("kpis", ...). A command takes the
/// parameters of several groups; a key is unique among the groups a command takes.
std::span<const std::string_view> parameter_groups() noexcept;
/// Every parameter, in the order faces list them.
std::span<const ParameterSpec> parameter_table() noexcept;
/// The parameters of the given groups, in table order.
std::vector<const ParameterSpec*> parameters_of(std::span<const std::string_view> groups);
/// The entry of `key` in `group`; std::logic_error when there is none (a programmer error).
const ParameterSpec& parameter_spec(std::string_view group, std::string_view key);

/// A job's own default for a parameter of another group: whoever takes `group` gets `value` as
/// the default of `key` (the cross-sell jobs drop returns: a return is not a purchase).
struct ParameterDefault {
  std::string_view group;
  std::string_view key;
  std::string_view value;
};
/// Every such default.
std::span<const ParameterDefault> parameter_defaults() noexcept;

/// The values of a repeated parameter's text (split at kListSeparator; empty text = none).
std::vector<std::string> split_list(std::string_view text);
/// The text of a repeated parameter's values.
std::string join_list(std::span<const std::string> values);

/// Parameter values as a face received them (text, as typed on a command line or converted from
/// JSON / Python), checked against the table of the groups it was created for. Typed getters
/// return the value or the default, and throw ParameterError naming the key.
class Parameters {
 public:
  /// Values for the parameters of `groups` (with the parameter_defaults() of these groups).
  explicit Parameters(std::vector<std::string_view> groups = {});

  /// Sets a value. ParameterError when `key` is not a parameter of these groups.
  void set(std::string_view key, std::string value);
  /// Sets the values of a repeated parameter.
  void set_list(std::string_view key, std::span<const std::string> values);
  /// Removes a value (the default applies again).
  void unset(std::string_view key);
  /// Replaces the table's default of `key` for these values (a job whose default differs, e.g.
  /// `ltv fit` writes JSON unless told otherwise).
  void set_default(std::string_view key, std::string value);
  /// True when a value was set.
  bool given(std::string_view key) const;
  /// True when `key` is a parameter of these groups.
  bool accepts(std::string_view key) const noexcept;
  /// The groups these values are for.
  const std::vector<std::string_view>& groups() const noexcept { return groups_; }
  /// The values that were set, by key.
  const std::map<std::string, std::string, std::less<>>& values() const noexcept { return values_; }

  /// The value as text (set, else the default, else empty).
  std::string text(std::string_view key) const;
  /// A number / integer / flag / date parameter. ParameterError for a value that does not parse
  /// or is out of range. `date` returns nullopt when neither set nor defaulted.
  double number(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;
  bool flag(std::string_view key) const;
  std::optional<std::int32_t> date(std::string_view key) const;
  /// A choice parameter's value (checked against its choices).
  std::string choice(std::string_view key) const;
  /// A repeated parameter's values (set, else the default), each checked against the spec.
  std::vector<std::string> list(std::string_view key) const;

  /// Checks every value that was set against its spec (types, ranges, choices), so that a bad
  /// option is reported before any work starts.
  void validate() const;

 private:
  const ParameterSpec& spec(std::string_view key) const;
  std::vector<std::string_view> groups_;
  std::map<std::string, std::string, std::less<>> values_;
  std::map<std::string, std::string, std::less<>> defaults_;  ///< overrides of the table's
};

/// Checks one value against its spec; throws ParameterError.
void check_parameter(const ParameterSpec& spec, std::string_view value);

/// The text of what a valid value of `spec` is ("a number > 0", "one of day, week, month").
std::string expected_value(const ParameterSpec& spec);

}  // namespace ltv
