#pragma once
/// Typed errors of ltvkit. Every error raised for bad user input goes through `input_error()`
/// so that all messages share one shape:
///   `FILE:LINE: column 'NAME': found 'TEXT', expected WHAT`
/// The faces (CLI, server, Python) translate these once: the CLI prints `ltv: error: <what()>`.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ltv {

/// Base of every ltvkit error.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Where a piece of input came from. Any part may be empty / zero when unknown.
struct SourceLocation {
  std::string file;       ///< file name or "-" for stdin; empty when not from a file
  std::int64_t line = 0;  ///< 1-based physical line number; 0 when unknown
  std::string column;     ///< column name (or "#N" for a 1-based position); empty when unknown
  /// 1-based character (byte) position within the line, for syntax errors in JSON or TOML;
  /// 0 when unknown. Shown as FILE:LINE:POSITION.
  std::int64_t position = 0;
};

/// Bad user input: a file, a line, a field, an option value.
class InputError : public Error {
 public:
  /// What kind of input was bad: a file or value (`FILE:LINE: column 'NAME': ...`) or a
  /// parameter of a job (`parameter KEY: ...`, see ParameterError in ltv/workspace/parameters.hpp).
  enum class Kind { input, parameter };
  InputError(SourceLocation where, std::string found, std::string expected,
             Kind kind = Kind::input);
  Kind kind() const noexcept { return kind_; }
  const SourceLocation& where() const noexcept { return where_; }
  const std::string& found() const noexcept { return found_; }
  const std::string& expected() const noexcept { return expected_; }

 private:
  SourceLocation where_;
  std::string found_;
  std::string expected_;
  Kind kind_ = Kind::input;
};

/// A model cannot be applied to the given data or parameters (e.g. Gamma-Gamma with q <= 1).
class ModelError : public Error {
 public:
  using Error::Error;
};

/// An optimisation failed to converge; `what()` says why.
class ConvergenceError : public Error {
 public:
  using Error::Error;
};

/// An operating-system failure that is not the input's fault: a write to a full disk, an output
/// folder that cannot be created or renamed, a read error of the device. `what()` names the file
/// and the system's reason. The CLI exits with status 2 for it.
class SystemError : public Error {
 public:
  using Error::Error;
};

/// Formats the one-line message used by InputError (exposed for row-problem reports). The found
/// text is shown escaped and capped (control bytes, NUL and invalid UTF-8 as `\xHH`, at most
/// kMaxFoundChars characters then `...`); the other parts are escaped too, so the message is
/// always exactly one line.
std::string format_input_message(const SourceLocation& where, const std::string& found,
                                 const std::string& expected);

/// Characters of the found text shown in an error message.
inline constexpr std::size_t kMaxFoundChars = 80;

/// `text` made printable on one line: valid UTF-8 is kept; tab, CR and LF become `\t` `\r`
/// `\n`; other control bytes (NUL included), DEL, C1 controls and bytes that are not valid UTF-8
/// become `\xHH` (a backslash itself stays as it is). At most `max_chars` characters of `text`
/// are shown, then `...` when it was longer.
std::string escape_for_message(std::string_view text, std::size_t max_chars = SIZE_MAX);

/// Throws InputError. The single helper through which bad input is reported.
[[noreturn]] void input_error(SourceLocation where, std::string found, std::string expected);

/// A value that does not fit a parameter of a job. `key()` is the parameter table's key
/// (ltv/workspace/parameters.hpp, e.g. `calibration_end`); each face renders it (`option
/// --calibration-end` on the command line, the JSON field for the server, the keyword in Python).
/// what() reads `parameter calibration_end: found '...', expected ...`.
class ParameterError : public InputError {
 public:
  ParameterError(std::string key, std::string found, std::string expected);
  const std::string& key() const noexcept { return where().column; }
};

/// Throws ParameterError for `key` (snake_case, as in the parameter table). The single helper
/// through which the core reports a bad option value.
[[noreturn]] void parameter_error(std::string key, std::string found, std::string expected);

}  // namespace ltv
