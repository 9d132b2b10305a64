// Scopes of requests (see ltv/server/scope.hpp).
#include "ltv/server/scope.hpp"

#include <algorithm>
#include <stdexcept>

namespace ltv::server {

Scope Scope::of(const User& user) {
  Scope s;
  s.user_ = user.name;
  if (user.role == Role::partner) {
    if (user.brands.empty()) {
      throw std::logic_error("a partner without brands has no scope (fail closed)");
    }
    s.brands_ = user.brands;
  } else {
    s.everything_ = true;
  }
  return s;
}

bool Scope::covers(std::string_view brand) const noexcept {
  return everything_ || std::find(brands_.begin(), brands_.end(), brand) != brands_.end();
}

std::optional<Scope> Scope::narrowed_to(std::string_view brand) const {
  if (!covers(brand)) return std::nullopt;
  Scope s;
  s.user_ = user_;
  s.brands_ = {std::string(brand)};
  return s;
}

}  // namespace ltv::server
