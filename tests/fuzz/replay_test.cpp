// Replays every committed fuzz input through its target in the normal test suite: the seed
// corpus (tests/fuzz/corpus/<target>/) and the inputs of crashes found by fuzzing
// (tests/fuzz/regressions/<target>/, one file per crash, named after what it found). A target
// must end each with a result or an InputError of the right shape (see fuzz_targets.hpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_targets.hpp"

namespace ltv::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_of(const std::string& folder, const std::string& target) {
  std::vector<fs::path> out;
  const fs::path dir = fs::path(LTV_TEST_SOURCE_DIR) / "fuzz" / folder / target;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void replay(const Target& target, const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    target.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  } catch (const Violation& v) {
    ADD_FAILURE() << path << ": " << v.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << path << ": unexpected exception: " << e.what();
  }
}

TEST(FuzzReplay, EveryTargetHasASeedCorpus) {
  for (const Target& t : targets()) {
    EXPECT_GE(inputs_of("corpus", t.name).size(), 5u) << "seed corpus of " << t.name;
  }
}

TEST(FuzzReplay, SeedCorporaRunCleanly) {
  std::size_t n = 0;
  for (const Target& t : targets()) {
    for (const fs::path& p : inputs_of("corpus", t.name)) {
      replay(t, p);
      ++n;
    }
  }
  EXPECT_GT(n, 0u);
}

TEST(FuzzReplay, CrashRegressionsRunCleanly) {
  for (const Target& t : targets()) {
    for (const fs::path& p : inputs_of("regressions", t.name)) replay(t, p);
  }
}

}  // namespace
}  // namespace ltv::fuzz
