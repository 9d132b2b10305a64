// libFuzzer entry of the fuzz target `server_params` (see fuzz_targets.hpp; preset `fuzz`).
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ltv::fuzz::server_params(data, size);
}
