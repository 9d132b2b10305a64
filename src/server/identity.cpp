// Users and API tokens of the server (see ltv/server/identity.hpp), in the workspace's users and
// tokens tables (schema version 3, src/store/schema.cpp).
#include "ltv/server/identity.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "ltv/error.hpp"
#include "store/database.hpp"

namespace ltv::server {

namespace {

using store::SqlRow;
using store::SqlValue;
using store::Transaction;

void ensure_sodium() {
  static const int status = sodium_init();
  if (status < 0) throw std::runtime_error("libsodium failed to initialise");
}

/// UTC, ISO 8601, `offset_seconds` from now.
std::string utc_time(double offset_seconds = 0) {
  const auto now = std::chrono::system_clock::now() +
                   std::chrono::seconds(static_cast<std::int64_t>(std::llround(offset_seconds)));
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '@';
  });
}

User user_from_row(const SqlRow& r) {
  User u;
  u.name = std::string(r.text(0));
  u.role = parse_role(r.text(1));
  for (const auto& b : nlohmann::json::parse(r.text(2))) u.brands.push_back(b.get<std::string>());
  u.created_at = std::string(r.text(3));
  return u;
}

std::optional<User> find_user(store::Database& db, std::string_view name) {
  std::optional<User> out;
  const SqlValue p[] = {std::string(name)};
  db.scan("SELECT name, role, brands, created_at FROM users WHERE name = $1", p,
          [&](const SqlRow& r) { out = user_from_row(r); });
  return out;
}

TokenInfo token_from_row(const SqlRow& r) {
  TokenInfo t;
  t.id = r.integer(0);
  t.user = std::string(r.text(1));
  t.created_at = std::string(r.text(2));
  if (!r.is_null(3)) t.expires_at = std::string(r.text(3));
  if (!r.is_null(4)) t.revoked_at = std::string(r.text(4));
  return t;
}

}  // namespace

std::string_view to_string(Role role) noexcept {
  switch (role) {
    case Role::admin:
      return "admin";
    case Role::analyst:
      return "analyst";
    case Role::partner:
      return "partner";
  }
  return "partner";
}

Role parse_role(std::string_view text) {
  if (text == "admin") return Role::admin;
  if (text == "analyst") return Role::analyst;
  if (text == "partner") return Role::partner;
  parameter_error("role", std::string(text), "admin, analyst or partner");
}

std::vector<std::string> split_brands(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
    if (!part.empty() && std::find(out.begin(), out.end(), part) == out.end()) {
      out.emplace_back(part);
    }
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

User add_user(store::WorkspaceStore& workspace, std::string_view name, Role role,
              std::vector<std::string> brands) {
  if (!valid_name(name)) {
    parameter_error("name", std::string(name), "1 to 64 letters, digits, '.', '_', '-' or '@'");
  }
  if (role == Role::partner && brands.empty()) {
    parameter_error("brands", "", "a partner's brands, comma-separated (a partner sees only them)");
  }
  if (role != Role::partner && !brands.empty()) {
    parameter_error("brands", fmt::format("{}", fmt::join(brands, ",")),
                    "no brands for an admin or analyst (they see every brand)");
  }
  store::Database& db = workspace.database();
  Transaction tx(db, Transaction::Kind::write);
  if (find_user(db, name)) {
    parameter_error("name", std::string(name), "a user name that is not taken");
  }
  for (const std::string& brand : brands) {
    const SqlValue p[] = {brand};
    if (store::query_integer(db, "SELECT count(*) FROM products WHERE brand = $1", p, 0) == 0) {
      parameter_error("brands", brand,
                      fmt::format("a brand of the products table of {} (ltv ingest {} FILE "
                                  "--kind products)",
                                  workspace.name(), workspace.name()));
    }
  }
  User user{std::string(name), role, std::move(brands), utc_time()};
  const SqlValue p[] = {user.name, std::string(to_string(role)), nlohmann::json(user.brands).dump(),
                        user.created_at};
  db.execute("INSERT INTO users (name, role, brands, created_at) VALUES ($1, $2, $3, $4)", p);
  tx.commit();
  return user;
}

std::vector<User> users(store::WorkspaceStore& workspace) {
  std::vector<User> out;
  workspace.database().scan("SELECT name, role, brands, created_at FROM users ORDER BY name", {},
                            [&](const SqlRow& r) { out.push_back(user_from_row(r)); });
  return out;
}

std::string token_hash(std::string_view token) {
  ensure_sodium();
  unsigned char hash[crypto_generichash_BYTES];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return to_hex(hash, sizeof hash);
}

NewToken create_token(store::WorkspaceStore& workspace, std::string_view user,
                      std::optional<double> expires_seconds) {
  ensure_sodium();
  store::Database& db = workspace.database();
  Transaction tx(db, Transaction::Kind::write);
  if (!find_user(db, user)) {
    parameter_error("name", std::string(user),
                    fmt::format("a user of {} (ltv user add)", workspace.name()));
  }
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  NewToken out;
  out.token = to_hex(bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
  out.info.id = store::query_integer(db, "SELECT max(token_id) FROM tokens", {}, 0) + 1;
  out.info.user = std::string(user);
  out.info.created_at = utc_time();
  if (expires_seconds) out.info.expires_at = utc_time(*expires_seconds);
  const SqlValue p[] = {out.info.id, out.info.user, token_hash(out.token), out.info.created_at,
                        out.info.expires_at ? SqlValue(*out.info.expires_at) : SqlValue()};
  db.execute(
      "INSERT INTO tokens (token_id, user_name, hash, created_at, expires_at) VALUES ($1, $2, "
      "$3, $4, $5)",
      p);
  tx.commit();
  return out;
}

TokenInfo revoke_token(store::WorkspaceStore& workspace, std::int64_t id) {
  store::Database& db = workspace.database();
  Transaction tx(db, Transaction::Kind::write);
  const SqlValue p[] = {id, utc_time()};
  db.execute("UPDATE tokens SET revoked_at = $2 WHERE token_id = $1 AND revoked_at IS NULL", p);
  std::optional<TokenInfo> out;
  db.scan(
      "SELECT token_id, user_name, created_at, expires_at, revoked_at FROM tokens WHERE "
      "token_id = $1",
      std::span(p, 1), [&](const SqlRow& r) { out = token_from_row(r); });
  if (!out) {
    parameter_error("token_id", std::to_string(id),
                    fmt::format("a token id of {} (ltv token create prints it)", workspace.name()));
  }
  tx.commit();
  return *out;
}

std::optional<User> authenticate(store::WorkspaceStore& workspace, std::string_view token) {
  // A token is 64 hex digits; anything else is refused before touching the database.
  if (token.size() != 64 || !std::all_of(token.begin(), token.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    return std::nullopt;
  }
  return authenticate_hash(workspace, token_hash(token));
}

std::optional<User> authenticate_hash(store::WorkspaceStore& workspace, std::string_view hash) {
  std::optional<User> out;
  const SqlValue p[] = {std::string(hash), utc_time()};
  workspace.database().scan(
      "SELECT u.name, u.role, u.brands, u.created_at FROM tokens t JOIN users u ON u.name = "
      "t.user_name WHERE t.hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR "
      "t.expires_at > $2)",
      p, [&](const SqlRow& r) { out = user_from_row(r); });
  return out;
}

}  // namespace ltv::server
