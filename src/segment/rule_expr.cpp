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
    input_error(
        where_, found,
        fmt::format("{} at character {} of rule \"{}\"", expected, token.position + 1, text_));
  }

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
      next();
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
    return rule;
  }
  auto where_msg = [&](const Node& n) {
    return fmt::format("at character {} of rule \"{}\"", n.position + 1, text_);
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
  rule.root_ = static_cast<std::uint32_t>(nodes_.size() - 1);
  return rule;
}

bool BoundRule::eval(std::uint32_t node, std::size_t row) const {
  const Op& op = ops_[node];
  switch (op.kind) {
    case Op::kAnd:
      return eval(op.a, row) && eval(op.b, row);
    case Op::kOr:
      return eval(op.a, row) || eval(op.b, row);
    case Op::kNot:
      return !eval(op.a, row);
    case Op::kTrue:
      return true;
    case Op::kFalse:
      return false;
    case Op::kText:
      return op.code_hits[op.codes[row]] != 0;
    case Op::kNum: {
      double v = op.numbers[row];
      if (std::isnan(v)) return false;
      switch (op.cmp) {
        case Cmp::eq:
          return v == op.value;
        case Cmp::ne:
          return v != op.value;
        case Cmp::lt:
          return v < op.value;
        case Cmp::le:
          return v <= op.value;
        case Cmp::gt:
          return v > op.value;
        case Cmp::ge:
          return v >= op.value;
      }
      return false;
    }
    case Op::kBetween: {
      double v = op.numbers[row];
      return v >= op.value && v <= op.high;  // false for NaN
    }
    case Op::kNumIn: {
      double v = op.numbers[row];
      if (std::isnan(v)) return false;
      return std::binary_search(op.set.begin(), op.set.end(), v) != op.negate;
    }
  }
  return false;
}

void BoundRule::evaluate_block(std::size_t begin, std::size_t count, std::uint8_t* out) const {
  eval_block(root_, begin, count, out);
}

void BoundRule::eval_block(std::uint32_t node, std::size_t begin, std::size_t count,
                           std::uint8_t* out) const {
  const Op& op = ops_[node];
  switch (op.kind) {
    case Op::kAnd:
    case Op::kOr: {
      eval_block(op.a, begin, count, out);
      std::uint8_t tmp[kBlockSize];
      eval_block(op.b, begin, count, tmp);
      if (op.kind == Op::kAnd) {
        for (std::size_t j = 0; j < count; ++j) out[j] &= tmp[j];
      } else {
        for (std::size_t j = 0; j < count; ++j) out[j] |= tmp[j];
      }
      return;
    }
    case Op::kNot:
      eval_block(op.a, begin, count, out);
      for (std::size_t j = 0; j < count; ++j) out[j] ^= 1;
      return;
    case Op::kTrue:
      std::fill(out, out + count, 1);
      return;
    case Op::kFalse:
      std::fill(out, out + count, 0);
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
      for (std::size_t j = 0; j < count; ++j) out[j] = eval(node, begin + j);
      return;
  }
}

}  // namespace ltv
