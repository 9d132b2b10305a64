#pragma once
// A minimal, strict XML reader for tests of the SVG output: elements, attributes, text, the five
// predefined entities and numeric character references. Throws std::runtime_error on anything
// malformed (unclosed or mismatched tags, a raw '<' or '&' in text, unknown entities), so a test
// that parses the output also checks that it is well-formed and escaped.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ltv::test::xml {

struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::vector<std::unique_ptr<Element>> children;
  std::string text;  ///< concatenated direct text content (entities decoded)

  std::string attr(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
  }
  bool has_class(std::string_view cls) const {
    const std::string c = " " + attr("class") + " ";
    return c.find(" " + std::string(cls) + " ") != std::string::npos;
  }
  /// Every element in this subtree (self included) for which `pred` holds.
  std::vector<const Element*> find_all(const std::function<bool(const Element&)>& pred) const {
    std::vector<const Element*> out;
    std::function<void(const Element&)> walk = [&](const Element& e) {
      if (pred(e)) out.push_back(&e);
      for (const auto& c : e.children) walk(*c);
    };
    walk(*this);
    return out;
  }
  std::vector<const Element*> by_class(std::string_view cls) const {
    return find_all([&](const Element& e) { return e.has_class(cls); });
  }
  std::vector<const Element*> by_name(std::string_view name) const {
    return find_all([&](const Element& e) { return e.name == name; });
  }
  /// All text in the subtree.
  std::string all_text() const {
    std::string s = text;
    for (const auto& c : children) s += c->all_text();
    return s;
  }
};

namespace detail {

inline std::string decode(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '<') throw std::runtime_error("raw '<' in text: " + std::string(raw));
    if (c != '&') {
      out += c;
      continue;
    }
    const auto semi = raw.find(';', i);
    if (semi == std::string_view::npos) throw std::runtime_error("unterminated entity");
    const std::string_view ent = raw.substr(i + 1, semi - i - 1);
    if (ent == "amp")
      out += '&';
    else if (ent == "lt")
      out += '<';
    else if (ent == "gt")
      out += '>';
    else if (ent == "quot")
      out += '"';
    else if (ent == "apos")
      out += '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      const unsigned long cp = ent[1] == 'x' ? std::stoul(std::string(ent.substr(2)), nullptr, 16)
                                             : std::stoul(std::string(ent.substr(1)));
      if (cp < 0x80) {
        out += static_cast<char>(cp);
      } else {
        out += "?";  // enough for tests
      }
    } else {
      throw std::runtime_error("unknown entity &" + std::string(ent) + ";");
    }
    i = semi;
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  std::unique_ptr<Element> document() {
    skip_ws();
    auto root = element();
    skip_ws();
    if (pos_ != s_.size()) throw std::runtime_error("content after the root element");
    return root;
  }

 private:
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  void expect(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) {
      throw std::runtime_error(std::string("expected '") + c + "' at " + std::to_string(pos_));
    }
    ++pos_;
  }
  std::string name() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '-' || s_[pos_] == '_' || s_[pos_] == ':')) {
      ++pos_;
    }
    if (start == pos_) throw std::runtime_error("expected a name at " + std::to_string(pos_));
    return std::string(s_.substr(start, pos_ - start));
  }
  std::unique_ptr<Element> element() {
    expect('<');
    auto e = std::make_unique<Element>();
    e->name = name();
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size()) throw std::runtime_error("unterminated tag <" + e->name);
      if (s_[pos_] == '/') {
        ++pos_;
        expect('>');
        return e;
      }
      if (s_[pos_] == '>') {
        ++pos_;
        break;
      }
      const std::string key = name();
      expect('=');
      expect('"');
      const auto end = s_.find('"', pos_);
      if (end == std::string_view::npos) throw std::runtime_error("unterminated attribute");
      if (e->attributes.count(key)) throw std::runtime_error("duplicate attribute " + key);
      e->attributes[key] = decode(s_.substr(pos_, end - pos_));
      pos_ = end + 1;
    }
    for (;;) {
      const auto lt = s_.find('<', pos_);
      if (lt == std::string_view::npos) throw std::runtime_error("unclosed <" + e->name + ">");
      e->text += decode(s_.substr(pos_, lt - pos_));
      pos_ = lt;
      if (s_.substr(pos_, 2) == "</") {
        pos_ += 2;
        const std::string closing = name();
        if (closing != e->name) {
          throw std::runtime_error("</" + closing + "> closes <" + e->name + ">");
        }
        skip_ws();
        expect('>');
        return e;
      }
      e->children.push_back(element());
    }
  }
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace detail

/// Parses one XML element (e.g. an `<svg>`); throws std::runtime_error when malformed.
inline std::unique_ptr<Element> parse(std::string_view text) {
  return detail::Parser(text).document();
}

}  // namespace ltv::test::xml
