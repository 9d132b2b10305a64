#pragma once
/// Typed errors of ltvkit. Every error raised for bad user input goes through `input_error()`
/// so that all messages share one shape:
///   `FILE:LINE: column 'NAME': found 'TEXT', expected WHAT`
/// The faces (CLI, server, Python) translate these once: the CLI prints `ltv: error: <what()>`.

#include <cstdint>
#include <stdexcept>
#include <string>

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

/// Formats the one-line message used by InputError (exposed for row-problem reports).
std::string format_input_message(const SourceLocation& where, const std::string& found,
                                 const std::string& expected);

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
