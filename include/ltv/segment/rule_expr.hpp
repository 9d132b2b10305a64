#pragma once
/// A small boolean rule language over per-row fields, shared by segments and CVM triggers.
///
/// Grammar (keywords are case-insensitive):
///   rule       := or_expr
///   or_expr    := and_expr ("or" and_expr)*
///   and_expr   := not_expr ("and" not_expr)*
///   not_expr   := "not" not_expr | primary
///   primary    := "(" rule ")" | "true" | "false" | comparison
///   comparison := FIELD op value
///               | FIELD ["not"] "in" ("[" | "(") value ("," value)* ("]" | ")")
///               | FIELD "between" value "and" value          (inclusive at both ends)
///   op         := "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
///   value      := NUMBER | 'text' | "text" | bare_word
/// FIELD is a name like `recency_days` or `region`. A bare word on the right-hand side is text
/// (`region = Moscow`). Numbers compare numerically, text compares exactly (case-sensitive);
/// text supports only =, !=, in. A comparison involving a missing value (NaN number, empty text
/// for `<`-style operators) is false; `not` turns it into true.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/error.hpp"

namespace ltv {

/// A read-only view of one field over all rows. A field may offer a numeric view, a text view,
/// or both (e.g. an attribute column "age" read from CSV). Missing numbers are NaN; missing text
/// is the empty string.
struct FieldColumn {
  std::span<const double> numbers;       ///< one per row, or empty when the field is not numeric
  std::span<const std::uint32_t> codes;  ///< one per row, or empty when the field is not text
  std::span<const std::string> values;   ///< text of each code
  bool numeric = false;                  ///< offers a numeric view even when there are no rows
  bool text = false;                     ///< offers a text view even when there are no rows
  bool has_numbers() const noexcept { return numeric || !numbers.empty(); }
  bool has_text() const noexcept { return text || !codes.empty(); }
};

/// Finds a field by name; returns nullptr when there is no such field. The returned column must
/// stay valid while a BoundRule made from it is used.
using FieldResolver = std::function<const FieldColumn*(std::string_view name)>;

class BoundRule;

/// A parsed rule (syntax only; fields are resolved by bind()).
class RuleExpr {
 public:
  /// Longest rule text accepted, in bytes (a longer one is an InputError "too long").
  static constexpr std::size_t kMaxLength = 100000;
  /// Deepest nesting of parentheses and `not`s accepted (a deeper rule is an InputError "nested
  /// too deeply"). Chains of `and` / `or` terms are not nesting: any number of them is fine.
  static constexpr std::size_t kMaxDepth = 100;

  /// Parses `text`. `where` names the file, line and key the rule came from; syntax errors throw
  /// InputError naming it, the offending token, its character position and what was expected
  /// (with the part of the rule around it), as do a rule longer than kMaxLength and one nested
  /// deeper than kMaxDepth. Parsing recurses at most kMaxDepth levels; evaluation and destruction
  /// do not recurse at all.
  static RuleExpr parse(std::string_view text, SourceLocation where = {});

  /// Resolves fields and literal types. Throws InputError for an unknown field (listing
  /// `known_fields` when given), a text literal against a numeric-only field or vice versa, or
  /// an ordering operator on text.
  BoundRule bind(const FieldResolver& resolve,
                 std::span<const std::string> known_fields = {}) const;

  /// Field names used by the rule, in order of first use.
  std::vector<std::string> fields() const;
  /// The rule text as given.
  const std::string& text() const noexcept { return text_; }

  struct Node;  ///< syntax tree node (internal)
  RuleExpr();
  ~RuleExpr();
  RuleExpr(const RuleExpr&);
  RuleExpr& operator=(const RuleExpr&);
  RuleExpr(RuleExpr&&) noexcept;
  RuleExpr& operator=(RuleExpr&&) noexcept;

 private:
  std::string text_;
  SourceLocation where_;
  std::vector<Node> nodes_;  // nodes_.back() is the root
};

/// A rule bound to columns; evaluate() is cheap and thread-safe. Evaluation runs the rule as a
/// post-order program on a value stack (no recursion, whatever the rule's shape).
class BoundRule {
 public:
  /// True when the rule holds for `row`.
  bool evaluate(std::size_t row) const;
  /// Evaluates rows [begin, begin + count) into out[0..count) (1 = holds); count <= kBlockSize.
  /// Much faster than evaluate() per row for whole columns.
  void evaluate_block(std::size_t begin, std::size_t count, std::uint8_t* out) const;
  /// Largest `count` accepted by evaluate_block().
  static constexpr std::size_t kBlockSize = 4096;

  struct Op;  ///< compiled node (internal)
  BoundRule();
  ~BoundRule();
  BoundRule(const BoundRule&);
  BoundRule& operator=(const BoundRule&);
  BoundRule(BoundRule&&) noexcept;
  BoundRule& operator=(BoundRule&&) noexcept;

 private:
  friend class RuleExpr;
  void compile(std::uint32_t root);
  bool leaf(const Op& op, std::size_t row) const;
  void leaf_block(const Op& op, std::size_t begin, std::size_t count, std::uint8_t* out) const;
  std::vector<Op> ops_;
  std::vector<std::uint32_t> program_;  // ops_ indices in post-order
  std::size_t max_stack_ = 1;           // deepest value stack of program_
};

}  // namespace ltv
