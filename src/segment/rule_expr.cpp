#include "ltv/segment/rule_expr.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

namespace ltv {

namespace {

enum class Cmp { eq, ne, lt, le, gt, ge };

struct Literal {
  bool is_text = false;
  double number = 0;
  std::string text;
  std::string spelling;  // as written, for messages
};

enum class TokenKind { end, word, number, text, op, lparen, rparen, lbracket, rbracket, comma };

struct Token {
  TokenKind kind = TokenKind::end;
  std::string text;
  double number = 0;
  std::size_t position = 0;  // 0-based character offset in the rule
};

bool is_word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// The rule as shown in a message: whole when short, else about 100 characters around
/// `position` (cut at UTF-8 character boundaries), so that a long rule never floods the message.
std::string rule_excerpt(std::string_view text, std::size_t position) {
  constexpr std::size_t kWhole = 120, kSide = 50;
  if (text.size() <= kWhole) return std::string(text);
  auto boundary = [&](std::size_t i) {
    while (i > 0 && i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
    return i;
  };
  const std::size_t from = boundary(position > kSide ? position - kSide : 0);
  const std::size_t to = boundary(std::min(text.size(), position + kSide));
  return fmt::format("{}{}{}", from > 0 ? "..." : "", text.substr(from, to - from),
                     to < text.size() ? "..." : "");
}

}  // namespace

struct RuleExpr::Node {
  enum Kind { kAnd, kOr, kNot, kTrue, kFalse, kCompare, kIn, kBetween } kind = kTrue;
  std::uint32_t a = 0, b = 0;  // children (and/or: both; not: a)
  std::string field;
  Cmp cmp = Cmp::eq;
  bool negate = false;  // for "not in"
  std::vector<Literal> literals;
  std::size_t position = 0;
};

struct BoundRule::Op {
  enum Kind { kAnd, kOr, kNot, kTrue, kFalse, kNum, kNumIn, kBetween, kText } kind = kTrue;
  std::uint32_t a = 0, b = 0;
  std::span<const double> numbers;
  std::span<const std::uint32_t> codes;
  Cmp cmp = Cmp::eq;
  double value = 0, high = 0;
  std::vector<double> set;      // kNumIn, sorted
  std::vector<char> code_hits;  // kText: 1 when the code satisfies the test
  bool negate = false;
};

namespace {

class Parser {
 public:
  Parser(std::string_view text, const SourceLocation& where, std::vector<RuleExpr::Node>& nodes)
      : text_(text), where_(where), nodes_(nodes) {
    if (text_.size() > RuleExpr::kMaxLength) {
      input_error(where_, fmt::format("a rule of {} characters", text_.size()),
                  fmt::format("a rule of at most {} characters (the rule is too long): \"{}\"",
                              RuleExpr::kMaxLength, rule_excerpt(text_, 0)));
    }
    tokenize();
  }

  std::uint32_t parse_all() {
    if (tokens_.size() == 1) fail(tokens_[0], "a rule (e.g. \"r >= 4 and f >= 4\")");
    std::uint32_t root = parse_or();
    if (peek().kind != TokenKind::end) fail(peek(), "'and', 'or' or the end of the rule");
    return root;
  }

 private:
  [[noreturn]] void fail(const Token& token, const std::string& expected) const {
    std::string found = token.kind == TokenKind::end ? "end of rule" : token.text;
    input_error(where_, found,
                fmt::format("{} at character {} of rule \"{}\"", expected, token.position + 1,
                            rule_excerpt(text_, token.position)));
  }

  /// One more level of parentheses or 'not' while it lives: the parser recurses once per level,
  /// so the depth is bounded (a deeper rule is an error, never a stack overflow).
  class Nesting {
   public:
    Nesting(Parser& parser, const Token& token) : parser_(parser) {
      if (++parser_.depth_ > RuleExpr::kMaxDepth) {
        parser_.fail(token, fmt::format("at most {} nested parentheses and 'not's (the rule is "
                                        "nested too deeply)",
                                        RuleExpr::kMaxDepth));
      }
    }
    ~Nesting() { --parser_.depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser& parser_;
  };

  void tokenize() {
    std::size_t i = 0;
    const std::size_t n = text_.size();
    while (i < n) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      Token t;
      t.position = i;
      if (is_word_start(c)) {
        std::size_t j = i;
        while (j < n && is_word_char(text_[j])) ++j;
        t.kind = TokenKind::word;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 ((c == '-' || c == '+' || c == '.') && i + 1 < n &&
                  (std::isdigit(static_cast<unsigned char>(text_[i + 1])) ||
                   text_[i + 1] == '.'))) {
        std::size_t j = i + 1;
        while (j < n && (std::isdigit(static_cast<unsigned char>(text_[j])) || text_[j] == '.' ||
                         text_[j] == 'e' || text_[j] == 'E' ||
                         ((text_[j] == '-' || text_[j] == '+') &&
                          (text_[j - 1] == 'e' || text_[j - 1] == 'E'))))
          ++j;
        t.text = std::string(text_.substr(i, j - i));
        const char* first = t.text.data() + (t.text[0] == '+' ? 1 : 0);
        auto [ptr, ec] = std::from_chars(first, t.text.data() + t.text.size(), t.number);
        if (ec != std::errc() || ptr != t.text.data() + t.text.size() || !std::isfinite(t.number))
          fail(t, "a number");
        // A number glued to letters ("25abc") is an error, not two tokens.
        if (j < n && is_word_char(text_[j])) {
          t.text = std::string(text_.substr(i, j + 1 - i));
          fail(t, "a number, a field name or a quoted value");
        }
        t.kind = TokenKind::number;
        i = j;
      } else if (c == '\'' || c == '"') {
        std::size_t j = i + 1;
        std::string value;
        while (j < n && text_[j] != c) value += text_[j++];
        if (j >= n) {
          t.text = std::string(text_.substr(i));
          fail(t, fmt::format("a closing {} quote", c));
        }
        t.kind = TokenKind::text;
        t.text = value;
        i = j + 1;
      } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',') {
        t.kind = c == '('   ? TokenKind::lparen
                 : c == ')' ? TokenKind::rparen
                 : c == '[' ? TokenKind::lbracket
                 : c == ']' ? TokenKind::rbracket
                            : TokenKind::comma;
        t.text = std::string(1, c);
        ++i;
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        std::size_t j = i + 1;
        if (j < n && (text_[j] == '=' || (c == '<' && text_[j] == '>'))) ++j;
        t.kind = TokenKind::op;
        t.text = std::string(text_.substr(i, j - i));
        if (t.text == "!") fail(t, "'!=' (use 'not' for negation)");
        i = j;
      } else {
        t.text = std::string(1, c);
        fail(t, "a field name, a value, an operator (= != < <= > >= in between) or a parenthesis");
      }
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.position = n;
    tokens_.push_back(end);
  }

  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool keyword(const Token& t, std::string_view k) const {
    return t.kind == TokenKind::word && lower(t.text) == k;
  }
  bool is_reserved(const Token& t) const {
    static const char* const kWords[] = {"and", "or", "not", "in", "between", "true", "false"};
    for (const char* k : kWords)
      if (keyword(t, k)) return true;
    return false;
  }

  std::uint32_t add(RuleExpr::Node node) {
    nodes_.push_back(std::move(node));
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  std::uint32_t parse_or() {
    std::uint32_t left = parse_and();
    while (keyword(peek(), "or")) {
      next();
      RuleExpr::Node n;
      n.kind = RuleExpr::Node::kOr;
      n.a = left;
      n.b = parse_and();
      left = add(std::move(n));
    }
    return left;
  }

  std::uint32_t parse_and() {
    std::uint32_t left = parse_not();
    while (keyword(peek(), "and")) {
      next();
      RuleExpr::Node n;
      n.kind = RuleExpr::Node::kAnd;
      n.a = left;
      n.b = parse_not();
      left = add(std::move(n));
    }
    return left;
  }

  std::uint32_t parse_not() {
    if (keyword(peek(), "not")) {
      const Nesting level(*this, next());
      RuleExpr::Node n;
      n.kind = RuleExpr::Node::kNot;
      n.a = parse_not();
      return add(std::move(n));
    }
    return parse_primary();
  }

  Literal parse_value() {
    const Token& t = next();
    Literal lit;
    lit.spelling = t.text;
    if (t.kind == TokenKind::number) {
      lit.number = t.number;
    } else if (t.kind == TokenKind::text) {
      lit.is_text = true;
      lit.text = t.text;
      lit.spelling = "'" + t.text + "'";
    } else if (t.kind == TokenKind::word && !is_reserved(t)) {
      lit.is_text = true;
      lit.text = t.text;
    } else {
      fail(t, "a value (a number, a word or a quoted text)");
    }
    return lit;
  }

  std::uint32_t parse_primary() {
    const Token& t = next();
    if (t.kind == TokenKind::lparen) {
      const Nesting level(*this, t);
      std::uint32_t inner = parse_or();
      if (peek().kind != TokenKind::rparen) fail(peek(), "')'");
      next();
      return inner;
    }
    if (keyword(t, "true") || keyword(t, "false")) {
      RuleExpr::Node n;
      n.kind = keyword(t, "true") ? RuleExpr::Node::kTrue : RuleExpr::Node::kFalse;
      return add(std::move(n));
    }
    if (t.kind != TokenKind::word || is_reserved(t)) fail(t, "a field name or '('");
    RuleExpr::Node n;
    n.field = t.text;
    n.position = t.position;
    const Token& op = next();
    if (op.kind == TokenKind::op) {
      n.kind = RuleExpr::Node::kCompare;
      if (op.text == "=" || op.text == "==")
        n.cmp = Cmp::eq;
      else if (op.text == "!=" || op.text == "<>")
        n.cmp = Cmp::ne;
      else if (op.text == "<")
        n.cmp = Cmp::lt;
      else if (op.text == "<=")
        n.cmp = Cmp::le;
      else if (op.text == ">")
        n.cmp = Cmp::gt;
      else if (op.text == ">=")
        n.cmp = Cmp::ge;
      else
        fail(op, "a comparison operator (= != < <= > >=)");
      n.literals.push_back(parse_value());
      return add(std::move(n));
    }
    bool negate = false;
    const Token* kw = &op;
    if (keyword(op, "not")) {
      negate = true;
      kw = &next();
      if (!keyword(*kw, "in")) fail(*kw, "'in' after 'not'");
    }
    if (keyword(*kw, "in")) {
      n.kind = RuleExpr::Node::kIn;
      n.negate = negate;
      const Token& open = next();
      if (open.kind != TokenKind::lbracket && open.kind != TokenKind::lparen)
        fail(open, "'[' or '(' starting the list after 'in'");
      TokenKind close = open.kind == TokenKind::lbracket ? TokenKind::rbracket : TokenKind::rparen;
      n.literals.push_back(parse_value());
      while (peek().kind == TokenKind::comma) {
        next();
        n.literals.push_back(parse_value());
      }
      if (peek().kind != close)
        fail(peek(), close == TokenKind::rbracket ? "',' or ']'" : "',' or ')'");
      next();
      return add(std::move(n));
    }
    if (keyword(*kw, "between")) {
      n.kind = RuleExpr::Node::kBetween;
      n.literals.push_back(parse_value());
      if (!keyword(peek(), "and")) fail(peek(), "'and' in 'between LOW and HIGH'");
      next();
      n.literals.push_back(parse_value());
      return add(std::move(n));
    }
    fail(*kw, fmt::format("an operator after field '{}' (= != < <= > >= in between)", n.field));
  }

  std::string_view text_;
  const SourceLocation& where_;
  std::vector<RuleExpr::Node>& nodes_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;  // open parentheses and 'not's around the current token
};

}  // namespace

RuleExpr::RuleExpr() = default;
RuleExpr::~RuleExpr() = default;
RuleExpr::RuleExpr(const RuleExpr&) = default;
RuleExpr& RuleExpr::operator=(const RuleExpr&) = default;
RuleExpr::RuleExpr(RuleExpr&&) noexcept = default;
RuleExpr& RuleExpr::operator=(RuleExpr&&) noexcept = default;
BoundRule::BoundRule() = default;
BoundRule::~BoundRule() = default;
BoundRule::BoundRule(const BoundRule&) = default;
BoundRule& BoundRule::operator=(const BoundRule&) = default;
BoundRule::BoundRule(BoundRule&&) noexcept = default;
BoundRule& BoundRule::operator=(BoundRule&&) noexcept = default;

RuleExpr RuleExpr::parse(std::string_view text, SourceLocation where) {
  RuleExpr expr;
  expr.text_ = std::string(text);
  expr.where_ = std::move(where);
  Parser parser(expr.text_, expr.where_, expr.nodes_);
  std::uint32_t root = parser.parse_all();
  // Keep the root last so bind() can find it without storing it separately.
  if (root != expr.nodes_.size() - 1) {
    Node copy = expr.nodes_[root];
    expr.nodes_.push_back(std::move(copy));
  }
  return expr;
}

std::vector<std::string> RuleExpr::fields() const {
  std::vector<std::string> out;
  // Nodes are stored children-first, so source order is position order.
  std::vector<std::pair<std::size_t, std::string>> uses;
  for (const Node& n : nodes_)
    if (!n.field.empty()) uses.emplace_back(n.position, n.field);
  std::sort(uses.begin(), uses.end());
  for (auto& [pos, f] : uses)
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  return out;
}

BoundRule RuleExpr::bind(const FieldResolver& resolve,
                         std::span<const std::string> known_fields) const {
  BoundRule rule;
  if (nodes_.empty()) {
    BoundRule::Op op;
    op.kind = BoundRule::Op::kTrue;
    rule.ops_.push_back(op);
    rule.program_.push_back(0);
    rule.max_stack_ = 1;
    return rule;
  }
  auto where_msg = [&](const Node& n) {
    return fmt::format("at character {} of rule \"{}\"", n.position + 1,
                       rule_excerpt(text_, n.position));
  };
  rule.ops_.resize(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    BoundRule::Op& op = rule.ops_[i];
    op.a = n.a;
    op.b = n.b;
    switch (n.kind) {
      case Node::kAnd:
        op.kind = BoundRule::Op::kAnd;
        continue;
      case Node::kOr:
        op.kind = BoundRule::Op::kOr;
        continue;
      case Node::kNot:
        op.kind = BoundRule::Op::kNot;
        continue;
      case Node::kTrue:
        op.kind = BoundRule::Op::kTrue;
        continue;
      case Node::kFalse:
        op.kind = BoundRule::Op::kFalse;
        continue;
      default:
        break;
    }
    const FieldColumn* column = resolve(n.field);
    if (column == nullptr) {
      std::string expected = "a known field " + where_msg(n);
      if (!known_fields.empty()) {
        expected += "; known fields: ";
        for (std::size_t k = 0; k < known_fields.size(); ++k)
          expected += (k ? ", " : "") + known_fields[k];
      }
      input_error(where_, n.field, expected);
    }
    bool text = n.literals.front().is_text;
    for (const Literal& lit : n.literals) {
      if (lit.is_text != text)
        input_error(where_, lit.spelling,
                    fmt::format("values of one type (all numbers or all text) for field '{}' {}",
                                n.field, where_msg(n)));
    }
    if (text && !column->has_text())
      input_error(where_, n.literals.front().spelling,
                  fmt::format("a number: field '{}' is numeric {}", n.field, where_msg(n)));
    if (!text && !column->has_numbers())
      input_error(where_, n.literals.front().spelling,
                  fmt::format("a text value: field '{}' is text {}", n.field, where_msg(n)));
    if (text) {
      if (n.kind == Node::kBetween ||
          (n.kind == Node::kCompare && n.cmp != Cmp::eq && n.cmp != Cmp::ne))
        input_error(where_, n.literals.front().spelling,
                    fmt::format("a number: field '{}' is text and supports only =, != and in {}",
                                n.field, where_msg(n)));
      op.kind = BoundRule::Op::kText;
      op.codes = column->codes;
      op.code_hits.assign(column->values.size(), 0);
      for (std::size_t c = 0; c < column->values.size(); ++c) {
        bool hit = false;
        for (const Literal& lit : n.literals) hit = hit || column->values[c] == lit.text;
        bool negate = n.negate || (n.kind == Node::kCompare && n.cmp == Cmp::ne);
        op.code_hits[c] = static_cast<char>(hit != negate);
      }
      continue;
    }
    op.numbers = column->numbers;
    if (n.kind == Node::kCompare) {
      op.kind = BoundRule::Op::kNum;
      op.cmp = n.cmp;
      op.value = n.literals.front().number;
    } else if (n.kind == Node::kBetween) {
      op.kind = BoundRule::Op::kBetween;
      op.value = n.literals[0].number;
      op.high = n.literals[1].number;
      if (op.value > op.high)
        input_error(where_,
                    fmt::format("{} and {}", n.literals[0].spelling, n.literals[1].spelling),
                    fmt::format("LOW <= HIGH in 'between LOW and HIGH' {}", where_msg(n)));
    } else {
      op.kind = BoundRule::Op::kNumIn;
      op.negate = n.negate;
      for (const Literal& lit : n.literals) op.set.push_back(lit.number);
      std::sort(op.set.begin(), op.set.end());
    }
  }
  rule.compile(static_cast<std::uint32_t>(nodes_.size() - 1));
  return rule;
}

void BoundRule::compile(std::uint32_t root) {
  // Post-order walk from the root with an explicit stack (no recursion, whatever the shape).
  program_.clear();
  std::vector<std::pair<std::uint32_t, bool>> todo{{root, false}};  // (op, children pushed)
  while (!todo.empty()) {
    auto [node, expanded] = todo.back();
    todo.pop_back();
    const Op& op = ops_[node];
    const bool binary = op.kind == Op::kAnd || op.kind == Op::kOr;
    if (expanded || !(binary || op.kind == Op::kNot)) {
      program_.push_back(node);
      continue;
    }
    todo.emplace_back(node, true);
    if (binary) todo.emplace_back(op.b, false);
    todo.emplace_back(op.a, false);
  }
  // The deepest the value stack gets: a leaf pushes one value, and/or pop two and push one.
  std::size_t depth = 0;
  max_stack_ = 1;
  for (std::uint32_t node : program_) {
    const Op::Kind kind = ops_[node].kind;
    if (kind == Op::kAnd || kind == Op::kOr) {
      --depth;
    } else if (kind != Op::kNot) {
      max_stack_ = std::max(max_stack_, ++depth);
    }
  }
}

namespace {

bool compare(Cmp cmp, double v, double x) {
  switch (cmp) {
    case Cmp::eq:
      return v == x;
    case Cmp::ne:
      return v != x;
    case Cmp::lt:
      return v < x;
    case Cmp::le:
      return v <= x;
    case Cmp::gt:
      return v > x;
    case Cmp::ge:
      return v >= x;
  }
  return false;
}

}  // namespace

bool BoundRule::leaf(const Op& op, std::size_t row) const {
  switch (op.kind) {
    case Op::kTrue:
      return true;
    case Op::kText:
      return op.code_hits[op.codes[row]] != 0;
    case Op::kNum: {
      const double v = op.numbers[row];
      return !std::isnan(v) && compare(op.cmp, v, op.value);
    }
    case Op::kBetween: {
      const double v = op.numbers[row];
      return v >= op.value && v <= op.high;  // false for NaN
    }
    case Op::kNumIn: {
      const double v = op.numbers[row];
      if (std::isnan(v)) return false;
      return std::binary_search(op.set.begin(), op.set.end(), v) != op.negate;
    }
    default:  // kFalse (and/or/not are not leaves)
      return false;
  }
}

bool BoundRule::evaluate(std::size_t row) const {
  // The program is in post-order: a stack machine, so any depth of rule is evaluated without
  // recursion. The value stack lives in a small array unless the rule is deeply nested.
  constexpr std::size_t kInline = 64;
  std::uint8_t inline_stack[kInline];
  std::vector<std::uint8_t> heap_stack;
  std::uint8_t* stack = inline_stack;
  if (max_stack_ > kInline) {
    heap_stack.resize(max_stack_);
    stack = heap_stack.data();
  }
  std::size_t depth = 0;
  for (std::uint32_t node : program_) {
    const Op& op = ops_[node];
    switch (op.kind) {
      case Op::kAnd:
        --depth;
        stack[depth - 1] &= stack[depth];
        break;
      case Op::kOr:
        --depth;
        stack[depth - 1] |= stack[depth];
        break;
      case Op::kNot:
        stack[depth - 1] ^= 1;
        break;
      default:
        stack[depth++] = leaf(op, row);
    }
  }
  return depth > 0 && stack[depth - 1] != 0;
}

void BoundRule::evaluate_block(std::size_t begin, std::size_t count, std::uint8_t* out) const {
  // Stack machine over blocks of rows: slot 0 is `out`, deeper slots live in a per-thread
  // scratch buffer (max_stack_ - 1 blocks), so the stack size never depends on the rule's shape.
  if (program_.empty()) {  // a default-constructed rule holds for no row
    std::fill(out, out + count, 0);
    return;
  }
  static thread_local std::vector<std::uint8_t> scratch;
  if (max_stack_ > 1 && scratch.size() < (max_stack_ - 1) * kBlockSize) {
    scratch.resize((max_stack_ - 1) * kBlockSize);
  }
  auto slot = [&](std::size_t k) { return k == 0 ? out : scratch.data() + (k - 1) * kBlockSize; };
  std::size_t depth = 0;
  for (std::uint32_t node : program_) {
    const Op& op = ops_[node];
    if (op.kind == Op::kAnd || op.kind == Op::kOr) {
      std::uint8_t* a = slot(depth - 2);
      const std::uint8_t* b = slot(depth - 1);
      if (op.kind == Op::kAnd) {
        for (std::size_t j = 0; j < count; ++j) a[j] &= b[j];
      } else {
        for (std::size_t j = 0; j < count; ++j) a[j] |= b[j];
      }
      --depth;
      continue;
    }
    if (op.kind == Op::kNot) {
      std::uint8_t* a = slot(depth - 1);
      for (std::size_t j = 0; j < count; ++j) a[j] ^= 1;
      continue;
    }
    leaf_block(op, begin, count, slot(depth++));
  }
}

void BoundRule::leaf_block(const Op& op, std::size_t begin, std::size_t count,
                           std::uint8_t* out) const {
  switch (op.kind) {
    case Op::kTrue:
      std::fill(out, out + count, 1);
      return;
    case Op::kText: {
      const std::uint32_t* c = op.codes.data() + begin;
      for (std::size_t j = 0; j < count; ++j)
        out[j] = static_cast<std::uint8_t>(op.code_hits[c[j]]);
      return;
    }
    case Op::kNum: {
      // NaN compares false under every IEEE operator except !=, handled explicitly.
      const double* v = op.numbers.data() + begin;
      const double x = op.value;
      switch (op.cmp) {
        case Cmp::eq:
          for (std::size_t j = 0; j < count; ++j) out[j] = v[j] == x;
          return;
        case Cmp::ne:
          for (std::size_t j = 0; j < count; ++j) out[j] = v[j] != x && v[j] == v[j];
          return;
        case Cmp::lt:
          for (std::size_t j = 0; j < count; ++j) out[j] = v[j] < x;
          return;
        case Cmp::le:
          for (std::size_t j = 0; j < count; ++j) out[j] = v[j] <= x;
          return;
        case Cmp::gt:
          for (std::size_t j = 0; j < count; ++j) out[j] = v[j] > x;
          return;
        case Cmp::ge:
          for (std::size_t j = 0; j < count; ++j) out[j] = v[j] >= x;
          return;
      }
      return;
    }
    case Op::kBetween: {
      const double* v = op.numbers.data() + begin;
      for (std::size_t j = 0; j < count; ++j) out[j] = v[j] >= op.value && v[j] <= op.high;
      return;
    }
    case Op::kNumIn:
      for (std::size_t j = 0; j < count; ++j) out[j] = leaf(op, begin + j);
      return;
    default:  // kFalse
      std::fill(out, out + count, 0);
      return;
  }
}

}  // namespace ltv
