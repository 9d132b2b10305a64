#pragma once
// Where the benchmarks find the real data sets: ../shared/data beside the repository (fixed at
// configure time, as for the tests), or the directory in $LTV_SHARED_DATA.
#include <cstdlib>
#include <filesystem>
#include <string>

namespace ltv::bench {

inline std::filesystem::path shared_data(const std::string& relative) {
  if (const char* dir = std::getenv("LTV_SHARED_DATA"))
    return std::filesystem::path(dir) / relative;
  return std::filesystem::path(LTV_SHARED_DATA_DIR) / relative;
}

}  // namespace ltv::bench
