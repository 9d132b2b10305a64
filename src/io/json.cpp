#include "ltv/io/json.hpp"

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "ltv/io/files.hpp"

namespace ltv {

namespace {

/// Line and 1-based byte position within the line of byte `offset` of `text`.
std::pair<std::int64_t, std::int64_t> line_and_position(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::int64_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<std::int64_t>(offset - line_start) + 1};
}

/// Throws InputError when arrays / objects nest deeper than `max_depth`: a linear scan that
/// skips strings, run before nlohmann parses anything (so no deep document is ever built).
void check_depth(std::string_view text, const std::string& source, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        const auto [line, position] = line_and_position(text, i);
        input_error(SourceLocation{source, line, "", position},
                    fmt::format("'{}' opening level {}", c, depth),
                    fmt::format("JSON nested at most {} levels deep (the document is nested too "
                                "deeply)",
                                max_depth));
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

/// The parts of nlohmann's parse_error text: "[json.exception.parse_error.101] parse error at
/// line 1, column 5: syntax error while parsing value - invalid literal; last read: 'tru'". The
/// token read so far (which may be a whole long string) becomes the found text, capped later.
template <class Json>
Json parse_checked(std::string_view text, const std::string& source, std::size_t max_depth) {
  check_depth(text, source, max_depth);
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    const auto [line, position] = line_and_position(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    if (const auto colon = what.find(": ", what.find("parse error")); colon != std::string::npos) {
      what = what.substr(colon + 2);
    }
    std::string found = e.byte >= text.size() + 1 ? "end of input" : "invalid JSON";
    constexpr std::string_view kLastRead = "; last read: '";
    if (const auto lr = what.find(kLastRead); lr != std::string::npos) {
      const std::size_t begin = lr + kLastRead.size();
      std::size_t end = what.rfind("'; expected");
      if (end == std::string::npos || end < begin) end = what.rfind('\'');
      if (end == std::string::npos || end < begin) end = what.size();
      found = what.substr(begin, end - begin);
      if (found.empty()) found = "end of input";
      what = what.substr(0, lr) + (end + 1 < what.size() ? what.substr(end + 1) : "");
    }
    input_error(SourceLocation{source, line, "", position}, found, "valid JSON: " + what);
  } catch (const nlohmann::json::exception& e) {
    input_error(SourceLocation{source, 0, ""}, "invalid JSON",
                std::string("valid JSON: ") + e.what());
  }
}

}  // namespace

nlohmann::json parse_json(std::string_view text, const std::string& source_name,
                          std::size_t max_depth) {
  return parse_checked<nlohmann::json>(text, source_name, max_depth);
}

nlohmann::ordered_json parse_ordered_json(std::string_view text, const std::string& source_name,
                                          std::size_t max_depth) {
  return parse_checked<nlohmann::ordered_json>(text, source_name, max_depth);
}

nlohmann::json read_json_file(const std::string& path, std::size_t max_depth,
                              std::uint64_t max_bytes) {
  return parse_json(read_text_file(path, max_bytes), path, max_depth);
}

}  // namespace ltv
