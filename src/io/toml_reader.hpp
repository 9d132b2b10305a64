#pragma once
// Shared pieces of the TOML configuration readers (segments, CVM playbook): parsing with the
// file and line of a syntax error, locating a node, showing a value, and rejecting unknown keys.
// Every problem is an InputError naming the file, the line, the key and what was expected.
#include <fmt/format.h>

#include <toml++/toml.h>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>

#include "ltv/error.hpp"

namespace ltv::detail {

/// Largest configuration text accepted (bytes).
inline constexpr std::size_t kMaxTomlBytes = std::size_t{1} << 20;
/// Deepest nesting of tables and arrays accepted: a dotted key or [table.header] with thousands
/// of parts builds a tree that deep, and toml++ destroys (and walks) its trees recursively.
inline constexpr std::size_t kMaxTomlDepth = 64;

/// Throws InputError (file, line, position) for text longer than kMaxTomlBytes or nested deeper
/// than kMaxTomlDepth (a linear scan that skips strings and comments; the parser is not called).
void check_toml_limits(std::string_view text, const std::string& file);

/// Parses TOML text; a syntax error becomes an InputError at its line and position, as does text
/// past the limits of check_toml_limits().
inline toml::table parse_toml(std::string_view text, const std::string& file) {
  check_toml_limits(text, file);
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    input_error(SourceLocation{file, static_cast<std::int64_t>(e.source().begin.line), "",
                               static_cast<std::int64_t>(e.source().begin.column)},
                std::string(e.description()), "valid TOML");
  }
}

class TomlReader {
 public:
  explicit TomlReader(std::string file) : file_(std::move(file)) {}

  SourceLocation at(const toml::node& node, const std::string& key) const {
    return SourceLocation{file_, static_cast<std::int64_t>(node.source().begin.line), key};
  }

  [[noreturn]] void fail(const toml::node& node, const std::string& key, std::string found,
                         std::string expected) const {
    input_error(at(node, key), std::move(found), std::move(expected));
  }

  /// A value as the user wrote it (scalars), or what kind of node it is.
  static std::string show(const toml::node& node) {
    if (auto* s = node.as_string()) return s->get();
    if (auto* i = node.as_integer()) return std::to_string(i->get());
    if (auto* f = node.as_floating_point()) return fmt::format("{}", f->get());
    if (auto* b = node.as_boolean()) return b->get() ? "true" : "false";
    if (node.is_table()) return "a table";
    if (node.is_array()) return "an array";
    return "a date/time";
  }

  /// Fails on the first key of `table` not in `allowed`; the error's key is `key_prefix` + key
  /// and the message says "a known key in <where> (<allowed>)".
  void check_keys(const toml::table& table, const std::string& key_prefix, const std::string& where,
                  std::initializer_list<const char*> allowed) const {
    const std::set<std::string> ok(allowed.begin(), allowed.end());
    for (const auto& [key, node] : table) {
      const std::string k(key.str());
      if (ok.count(k)) continue;
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(node, key_prefix + k, k, fmt::format("a known key in {} ({})", where, list));
    }
  }

 private:
  std::string file_;
};

}  // namespace ltv::detail
