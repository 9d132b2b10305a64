#pragma once
/// Reading JSON from outside (model files, report inputs, request bodies) with bounded nesting
/// and one-line errors.
///
/// nlohmann's parser itself is iterative, but a document nested thousands of levels deep still
/// overflows the stack wherever it is later walked recursively (`dump()`, comparisons, copies
/// into other structures), and its exception texts repeat the token read so far (a huge string
/// literal, in full). These functions check the nesting before parsing and turn every parse
/// error into an InputError `FILE:LINE:COL: found 'TOKEN', expected valid JSON: WHAT`.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ltv {

/// Deepest nesting of arrays and objects accepted by default (a model file is 3 levels deep).
inline constexpr std::size_t kDefaultJsonDepth = 64;
/// Largest JSON file read_json_file() accepts by default (bytes).
inline constexpr std::uint64_t kDefaultJsonBytes = std::uint64_t{256} << 20;

/// Parses `text` as JSON. `source_name` names it in errors (a file name, "-", "request body").
/// Throws InputError naming the source, line and character position for a syntax error (what was
/// found there, capped, and what was expected) and for arrays/objects nested deeper than
/// `max_depth` (the opening bracket that goes too deep: "nested too deeply").
nlohmann::json parse_json(std::string_view text, const std::string& source_name,
                          std::size_t max_depth = kDefaultJsonDepth);
/// As parse_json, keeping the order of object keys.
nlohmann::ordered_json parse_ordered_json(std::string_view text, const std::string& source_name,
                                          std::size_t max_depth = kDefaultJsonDepth);

/// read_text_file(path, max_bytes) (ltv/io/files.hpp: a regular file or stdin, of bounded size)
/// then parse_json().
nlohmann::json read_json_file(const std::string& path, std::size_t max_depth = kDefaultJsonDepth,
                              std::uint64_t max_bytes = kDefaultJsonBytes);

}  // namespace ltv
