#pragma once
/// Strict number parsing for input files: no NaN, no infinity, no trailing garbage.

#include <optional>
#include <string_view>

namespace ltv {

/// Parses a decimal number (`12`, `-3.5`, `+1e3`, `.5`); surrounding blanks are ignored.
/// With `decimal_comma`, `,` is the decimal mark and blanks, NBSP (U+00A0), thin space (U+2009)
/// and narrow NBSP (U+202F) are accepted as thousands separators: `1 234,56` -> 1234.56.
/// Returns nullopt for empty text, garbage, `nan`, `inf`, or values that overflow a double.
std::optional<double> parse_number(std::string_view text, bool decimal_comma = false) noexcept;

}  // namespace ltv
