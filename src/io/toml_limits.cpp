// Bounds on TOML configuration text, checked before toml++ parses it (see toml_reader.hpp).
#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "io/toml_reader.hpp"
#include "ltv/error.hpp"

namespace ltv::detail {

namespace {

/// Skips the string starting at text[i] (a quote); returns the index of its last character (or
/// of the line end / text end where an unterminated string stops). Counts line breaks of
/// multi-line strings into `line` / `line_start`.
std::size_t skip_string(std::string_view text, std::size_t i, std::int64_t& line,
                        std::size_t& line_start) {
  const char quote = text[i];
  const bool basic = quote == '"';
  const bool multi = text.substr(i, 3) == std::string_view(quote == '"' ? "\"\"\"" : "'''");
  std::size_t j = i + (multi ? 3 : 1);
  for (; j < text.size(); ++j) {
    const char c = text[j];
    if (basic && c == '\\') {
      if (j + 1 < text.size() && text[j + 1] == '\n') {
        ++line;
        line_start = j + 2;
      }
      ++j;  // the escaped character
      continue;
    }
    if (c == '\n') {
      if (!multi) return j - 1;  // unterminated: toml++ reports it
      ++line;
      line_start = j + 1;
      continue;
    }
    if (c != quote) continue;
    if (!multi) return j;
    if (text.substr(j, 3) == std::string_view(quote == '"' ? "\"\"\"" : "'''")) {
      // Up to two more quotes may end the string's content ("""a"""").
      std::size_t end = j + 2;
      while (end + 1 < text.size() && text[end + 1] == quote && end - j < 4) ++end;
      return end;
    }
  }
  return text.size() - 1;
}

}  // namespace

void check_toml_limits(std::string_view text, const std::string& file) {
  if (text.size() > kMaxTomlBytes) {
    input_error(SourceLocation{file, 0, ""}, fmt::format("{} bytes", text.size()),
                fmt::format("a TOML configuration of at most {} bytes", kMaxTomlBytes));
  }
  // The depth of a value is the number of tables and arrays around it: the [table.header]'s
  // parts, the parts of a dotted key (a.b.c = 1), and the arrays and inline tables it sits in.
  // A linear scan over everything but strings and comments finds the deepest one.
  std::vector<std::size_t> depth;  // depth of each open '[' / '{' value
  std::vector<char> kind;          // '[' or '{'
  std::size_t table_depth = 0;     // depth of the current [table]
  std::size_t value_depth = 0;     // depth of the value after the last '='
  std::size_t key_parts = 1;       // parts of the key being read
  bool key_context = true;         // reading a key (line start, or in an inline table)
  bool line_has_content = false;
  std::int64_t line = 1;
  std::size_t line_start = 0;
  auto check = [&](std::size_t d, std::size_t at) {
    if (d <= kMaxTomlDepth) return;
    input_error(SourceLocation{file, line, "", static_cast<std::int64_t>(at - line_start) + 1},
                fmt::format("a key or value {} tables/arrays deep", d),
                fmt::format("tables and arrays nested at most {} levels deep (the configuration "
                            "is nested too deeply)",
                            kMaxTomlDepth));
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
      line_has_content = false;
      if (depth.empty()) {
        key_context = true;
        key_parts = 1;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') continue;
    const bool first_on_line = !line_has_content;
    line_has_content = true;
    if (c == '#') {  // a comment, to the end of the line
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      i = skip_string(text, i, line, line_start);
      continue;
    }
    if (depth.empty() && key_context && first_on_line && c == '[') {
      // A [table] or [[array.of.tables]] header.
      std::size_t j = i + 1;
      std::size_t parts = 1;
      if (j < text.size() && text[j] == '[') ++j, ++parts;
      for (; j < text.size() && text[j] != ']' && text[j] != '\n'; ++j) {
        if (text[j] == '"' || text[j] == '\'') {
          j = skip_string(text, j, line, line_start);
        } else if (text[j] == '.') {
          ++parts;
        }
      }
      check(parts, i);
      table_depth = parts;
      i = j;
      while (i + 1 < text.size() && text[i + 1] == ']') ++i;
      continue;
    }
    if (key_context) {
      if (c == '.') {
        ++key_parts;
      } else if (c == '=') {
        key_context = false;
        value_depth = (depth.empty() ? table_depth : depth.back()) + key_parts;
        check(value_depth, i);
      } else if (c == '}' && !depth.empty()) {  // an empty inline table, or a trailing comma
        depth.pop_back();
        kind.pop_back();
        key_context = false;
      }
      continue;
    }
    if (c == '[' || c == '{') {
      const std::size_t d = depth.empty() || kind.back() == '{' ? value_depth : depth.back() + 1;
      check(d, i);
      depth.push_back(d);
      kind.push_back(c);
      if (c == '{') {
        key_context = true;
        key_parts = 1;
      }
    } else if ((c == ']' || c == '}') && !depth.empty()) {
      depth.pop_back();
      kind.pop_back();
    } else if (c == ',' && !depth.empty() && kind.back() == '{') {
      key_context = true;
      key_parts = 1;
    }
  }
}

}  // namespace ltv::detail
