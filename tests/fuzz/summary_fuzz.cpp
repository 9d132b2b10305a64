// libFuzzer entry of the fuzz target `summary` (see fuzz_targets.hpp; preset `fuzz`).
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ltv::fuzz::summary(data, size);
}
