#pragma once
// Dashboard sessions (POST /api/v1/session): a browser signs in once with an API token and then
// carries a session cookie instead. Kept in the server's memory only (a restart signs everyone
// out). A session holds the hash of the token it was opened with, never the token: every request
// re-authenticates that hash against the workspace, so revoking or expiring the token ends its
// sessions at once, and the identity goes through exactly the same Scope as a Bearer token.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ltv::server {

class Sessions {
 public:
  using Clock = std::chrono::steady_clock;

  /// Sessions end after `idle` without a request, or `lifetime` after sign-in, whichever comes
  /// first. At most `max_sessions` live at once (the oldest is ended to make room).
  explicit Sessions(std::chrono::seconds idle = std::chrono::hours(2),
                    std::chrono::seconds lifetime = std::chrono::hours(12),
                    std::size_t max_sessions = 10000);

  /// What a sign-in gives the browser: the session id (the cookie's value) and the CSRF token
  /// (in the JSON answer; sent back in the X-CSRF-Token header of state-changing requests). Both
  /// are 32 random bytes from libsodium, as 64 hex digits.
  struct Opened {
    std::string id;
    std::string csrf;
  };
  Opened open(std::string token_hash, std::string user);

  /// A live session.
  struct Session {
    std::string token_hash;  ///< the stored hash of the token it was opened with
    std::string user;
    std::string csrf;
  };
  /// The session of cookie value `id` (refreshing its idle timer), or nullopt when the id is
  /// malformed, unknown or expired.
  std::optional<Session> find(std::string_view id);

  /// Ends the session of `id`; false when there was none.
  bool end(std::string_view id);

  /// The longest a session lives, in seconds (the cookie's Max-Age).
  std::int64_t lifetime_seconds() const noexcept { return lifetime_.count(); }

  /// Live sessions (for tests).
  std::size_t size();

  /// True when `a` equals `b`, compared in constant time for equal lengths (libsodium).
  static bool same_secret(std::string_view a, std::string_view b);

 private:
  struct Entry {
    Session session;
    Clock::time_point opened, last_seen;
  };
  /// Sessions are kept by the hash of their id, so a memory dump does not give usable cookies
  /// and a lookup compares hashes, not the secrets themselves.
  static std::string key_of(std::string_view id);
  void purge(Clock::time_point now);

  std::chrono::seconds idle_, lifetime_;
  std::size_t max_;
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace ltv::server
