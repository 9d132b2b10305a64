// Dashboard sessions (see session.hpp).
#include "session.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace ltv::server {

namespace {

std::string random_hex32() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(hex, 2 * sizeof bytes);
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

Sessions::Sessions(std::chrono::seconds idle, std::chrono::seconds lifetime,
                   std::size_t max_sessions)
    : idle_(idle), lifetime_(lifetime), max_(std::max<std::size_t>(max_sessions, 1)) {}

std::string Sessions::key_of(std::string_view id) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  unsigned char hash[crypto_generichash_BYTES];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(id.data()),
                     id.size(), nullptr, 0);
  char hex[2 * sizeof hash + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return std::string(hex, 2 * sizeof hash);
}

void Sessions::purge(Clock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    const bool expired = now - it->second.last_seen > idle_ || now - it->second.opened > lifetime_;
    it = expired ? entries_.erase(it) : std::next(it);
  }
}

Sessions::Opened Sessions::open(std::string token_hash, std::string user) {
  Opened out{random_hex32(), random_hex32()};
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  purge(now);
  while (entries_.size() >= max_) {
    auto oldest = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.opened < b.second.opened; });
    entries_.erase(oldest);
  }
  entries_[key_of(out.id)] =
      Entry{Session{std::move(token_hash), std::move(user), out.csrf}, now, now};
  return out;
}

std::optional<Sessions::Session> Sessions::find(std::string_view id) {
  if (!is_hex64(id)) return std::nullopt;
  const std::string key = key_of(id);
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (now - it->second.last_seen > idle_ || now - it->second.opened > lifetime_) {
    entries_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second.session;
}

bool Sessions::end(std::string_view id) {
  if (!is_hex64(id)) return false;
  const std::string key = key_of(id);
  std::lock_guard lock(mutex_);
  return entries_.erase(key) > 0;
}

std::size_t Sessions::size() {
  std::lock_guard lock(mutex_);
  purge(Clock::now());
  return entries_.size();
}

bool Sessions::same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ltv::server
