#pragma once
/// Identities of the HTTP server (`ltv serve`), stored in the workspace (schema version 3): users
/// with a role (admin, analyst, partner; a partner is bound to a set of brands) and their API
/// tokens. A token is 32 random bytes (libsodium's randombytes_buf) shown once, as hex; the
/// workspace keeps only its libsodium generic hash (BLAKE2b-256), so a stolen database does not
/// give working tokens. Tokens expire and can be revoked.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/store/store.hpp"

namespace ltv::server {

/// What a user may see: admin (users, tokens, runs and everything an analyst sees), analyst
/// (everything about every customer), partner (aggregates over its brands only).
enum class Role : std::uint8_t { admin, analyst, partner };
/// "admin", "analyst", "partner".
std::string_view to_string(Role role) noexcept;
/// Parses a role; ParameterError (`role`) otherwise.
Role parse_role(std::string_view text);

/// A user of the server.
struct User {
  std::string name;
  Role role = Role::analyst;
  std::vector<std::string> brands;  ///< partners: their brands (never empty); others: empty
  std::string created_at;           ///< UTC, ISO 8601
};

/// Adds a user. ParameterError naming `name` (empty, too long, characters other than letters,
/// digits and . _ - @, or already a user), `role`, or `brands` (a partner without brands,
/// brands given to another role, or a brand that is not in the products table: the message
/// names it). DatabaseError when the workspace fails.
User add_user(store::WorkspaceStore& workspace, std::string_view name, Role role,
              std::vector<std::string> brands);
/// Every user, by name.
std::vector<User> users(store::WorkspaceStore& workspace);
/// Splits "B1,B2" into trimmed, non-empty, distinct brands (in the given order).
std::vector<std::string> split_brands(std::string_view text);

/// A token as stored (never the token itself).
struct TokenInfo {
  std::int64_t id = 0;
  std::string user;
  std::string created_at;                 ///< UTC, ISO 8601
  std::optional<std::string> expires_at;  ///< UTC, ISO 8601; nullopt: never
  std::optional<std::string> revoked_at;  ///< UTC, ISO 8601; nullopt: not revoked
};

/// A new token: what is stored, and the token itself (64 hex digits), which is shown once and
/// then exists nowhere.
struct NewToken {
  TokenInfo info;
  std::string token;
};

/// Creates a token for `user` that expires `expires_seconds` from now (nullopt: never).
/// ParameterError (`name`) for an unknown user; DatabaseError when the workspace fails.
NewToken create_token(store::WorkspaceStore& workspace, std::string_view user,
                      std::optional<double> expires_seconds);
/// Revokes token `id` (revoking a revoked token changes nothing). ParameterError (`token_id`)
/// for an unknown id.
TokenInfo revoke_token(store::WorkspaceStore& workspace, std::int64_t id);

/// The user a token belongs to, or nullopt when the token is malformed, unknown, expired or
/// revoked (the four are not told apart: a caller learns nothing about which).
std::optional<User> authenticate(store::WorkspaceStore& workspace, std::string_view token);
/// The same, from the stored form of a token (token_hash()): how a dashboard session, which
/// keeps the hash of the token it was opened with, re-authenticates on every request.
std::optional<User> authenticate_hash(store::WorkspaceStore& workspace, std::string_view hash);

/// The stored form of a token: hex of its 32-byte libsodium generic hash.
std::string token_hash(std::string_view token);

}  // namespace ltv::server
