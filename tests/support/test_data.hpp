#pragma once
// Helpers shared by the tests: paths to the real data in ../shared/data (failing loudly when it
// is absent), the CLI binary, and running it.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace ltv::test {

/// Absolute path of a file under ../shared/data. Fails the calling test (loudly, with the path)
/// when the shared data is missing: these tests must never pass by skipping.
inline std::filesystem::path shared_data(const std::string& relative) {
  std::filesystem::path p = std::filesystem::path(LTV_SHARED_DATA_DIR) / relative;
  if (!std::filesystem::exists(p)) {
    ADD_FAILURE() << "shared data file missing: " << p
                  << " -- the real data sets must be checked out in ../shared/data beside the repo";
  }
  return p;
}

/// Path to the ltv CLI built by this tree.
inline std::string cli() {
  return LTV_CLI_PATH;
}

struct CommandResult {
  int exit_code = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

/// Runs a shell command line, capturing stdout and stderr.
inline CommandResult run(const std::string& command) {
  namespace fs = std::filesystem;
  static int counter = 0;
  fs::path err_path = fs::temp_directory_path() / ("ltv_test_stderr_" + std::to_string(::getpid()) +
                                                   "_" + std::to_string(counter++) + ".txt");
  CommandResult result;
  std::string full = command + " 2>" + err_path.string();
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (FILE* f = std::fopen(err_path.c_str(), "r")) {
    while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0)
      result.err.append(buffer.data(), n);
    std::fclose(f);
  }
  fs::remove(err_path);
  return result;
}

/// Temporary directories of this test process, removed when it exits (set LTV_KEEP_TEST_FILES
/// to keep them for a look after a failure).
struct TempDirs {
  std::vector<std::filesystem::path> dirs;
  ~TempDirs() {
    if (std::getenv("LTV_KEEP_TEST_FILES") != nullptr) return;
    std::error_code ec;
    for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
  }
};

/// A fresh temporary directory for one test (removed at exit).
inline std::filesystem::path temp_dir(const std::string& name) {
  static TempDirs registry;
  auto dir = std::filesystem::temp_directory_path() /
             ("ltv_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  registry.dirs.push_back(dir);
  return dir;
}

/// Records of a delimited text, read independently of ltvkit's writer: fields split on `delim`,
/// "..." quoted with "" for a quote, records ended by `eol`. A line feed outside quotes that does
/// not end a record, or text after the last record ending, fails the calling test.
inline std::vector<std::vector<std::string>> csv_records(const std::string& text, char delim = ',',
                                                         const std::string& eol = "\n") {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty()) {
      quoted = true;
    } else if (c == delim) {
      row.push_back(field);
      field.clear();
    } else if (text.compare(i, eol.size(), eol) == 0) {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      i += eol.size() - 1;
    } else {
      EXPECT_NE(c, '\n') << "a line feed outside quotes that does not end a record";
      field += c;
    }
  }
  EXPECT_TRUE(field.empty() && row.empty()) << "the text does not end with a record ending";
  return rows;
}

}  // namespace ltv::test
