#pragma once
// The dashboard's static files (web/dashboard/ and Debian's Chart.js), compiled into the binary
// at build time: CMake turns each file into a C array with `xxd -i` (assets.cpp, generated into
// the build folder), so `ltv serve` fetches nothing at run time and needs no Node.

#include <cstddef>
#include <span>
#include <string_view>

namespace ltv::server {

struct Asset {
  std::string_view name;          ///< served at /app/<name> (index.html also at /)
  std::string_view content_type;  ///< e.g. "text/javascript; charset=utf-8"
  std::span<const unsigned char> bytes;
};

/// Every embedded file.
std::span<const Asset> dashboard_assets();

/// The embedded file named `name` exactly, or nullptr (names are only compared, never used as a
/// path).
const Asset* find_asset(std::string_view name);

}  // namespace ltv::server
