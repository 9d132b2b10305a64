#pragma once
/// The scope of a request: what data an identity may see. Every data query of the server takes a
/// Scope (src/server/queries.hpp: no query function exists without one), and a Scope exists only
/// for an authenticated user: an admin or analyst sees everything; a partner sees "purchases of
/// its brands' products (transactions joined to products on product id, brand in its brands),
/// by the customers who made them", as aggregates. A scope can be narrowed (one of its brands)
/// but never widened.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/server/identity.hpp"

namespace ltv::server {

class Scope {
 public:
  /// The scope of an authenticated user: everything for admin and analyst, the brands of a
  /// partner. std::logic_error for a partner without brands (add_user refuses those; a scope
  /// that would see everything by mistake is never made).
  static Scope of(const User& user);

  /// True for an admin's or analyst's scope (every customer, every brand).
  bool everything() const noexcept { return everything_; }
  /// The brands a partner scope covers (empty for `everything()`).
  const std::vector<std::string>& brands() const noexcept { return brands_; }
  /// The user it belongs to (for logs).
  const std::string& user() const noexcept { return user_; }
  /// True when `brand` is within the scope.
  bool covers(std::string_view brand) const noexcept;

  /// The same scope restricted to one brand. For a partner: nullopt when the brand is not
  /// its own (callers answer 404, as for any object of another tenant). For an analyst: the
  /// brand (any brand).
  std::optional<Scope> narrowed_to(std::string_view brand) const;

 private:
  Scope() = default;
  bool everything_ = false;
  std::vector<std::string> brands_;
  std::string user_;
};

}  // namespace ltv::server
