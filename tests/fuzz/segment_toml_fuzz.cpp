// libFuzzer entry of the fuzz target `segment_toml` (see fuzz_targets.hpp; preset `fuzz`).
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ltv::fuzz::segment_toml(data, size);
}
