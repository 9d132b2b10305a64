// Output: command output files, including large ones whose full blocks are written with O_DIRECT.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"
#include "test_data.hpp"

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Deterministic text of `n` bytes in pieces of varying length (rows of a CSV).
std::string sample_text(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string text;
  text.reserve(n);
  while (text.size() < n) {
    const unsigned id = rng() % 100000000, euros = rng() % 1000, cents = rng() % 100;
    text += fmt::format("C{},{}.{}\n", id, euros, cents);
  }
  text.resize(n);
  return text;
}

/// Writes `text` to `path` through Output in pieces of 1 to 40,000 bytes, flushing now and then
/// (a header is flushed on its own before the rows), and returns what the file then holds.
std::string write_in_pieces(const std::filesystem::path& path, const std::string& text) {
  ltv::Output out(path.string());
  std::mt19937 rng(7);
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t n = std::min<std::size_t>(text.size() - at, 1 + rng() % 40000);
    if (rng() % 3 == 0) {
      for (std::size_t k = 0; k < n; ++k) out.stream().put(text[at + k]);  // overflow()
    } else {
      out.stream().write(text.data() + at, static_cast<std::streamsize>(n));  // xsputn()
    }
    at += n;
    if (rng() % 50 == 0) out.stream().flush();
  }
  out.close();
  return read_file(path);
}

TEST(Output, SmallAndLargeFilesHoldExactlyWhatWasWritten) {
  const auto dir = ltv::test::temp_dir("output");
  // Sizes around the 8 MiB buffer and the 4 KiB blocks of direct writes, with unaligned tails.
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{4095}, std::size_t{4096},
                              (std::size_t{8} << 20) - 1, std::size_t{8} << 20,
                              (std::size_t{8} << 20) + 1, (std::size_t{20} << 20) + 4097}) {
    const std::string text = sample_text(n, static_cast<unsigned>(n));
    const auto path = dir / ("out_" + std::to_string(n) + ".csv");
    const std::string back = write_in_pieces(path, text);
    ASSERT_EQ(back.size(), text.size()) << n;
    EXPECT_TRUE(back == text) << "the file of " << n << " bytes differs from what was written";
  }
}

TEST(Output, ReplacesAnExistingLargerFile) {
  const auto dir = ltv::test::temp_dir("output_replace");
  const auto path = dir / "out.csv";
  write_in_pieces(path, sample_text(std::size_t{12} << 20, 1));
  const std::string text = sample_text((std::size_t{9} << 20) + 100, 2);
  EXPECT_TRUE(write_in_pieces(path, text) == text);
}

TEST(Output, WriteErrorsNameTheFileAndTheReason) {
  // /dev/full accepts the open and fails every write with ENOSPC.
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no writable /dev/full";
  for (const std::size_t n : {std::size_t{10}, std::size_t{9} << 20}) {
    ltv::Output out("/dev/full");
    const std::string text = sample_text(n, 3);
    out.stream().write(text.data(), static_cast<std::streamsize>(text.size()));
    try {
      out.close();
      ADD_FAILURE() << "writing " << n << " bytes to /dev/full did not fail";
    } catch (const ltv::Error& e) {
      EXPECT_NE(std::string(e.what()).find("'/dev/full'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("No space left on device"), std::string::npos)
          << e.what();
    }
  }
}

TEST(Output, AFileThatCannotBeCreatedIsAnOptionError) {
  try {
    ltv::Output out("/nonexistent-dir/out.csv");
    FAIL() << "no error for a file in a missing directory";
  } catch (const ltv::Error& e) {
    EXPECT_NE(std::string(e.what()).find("parameter output"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
  }
}

}  // namespace
