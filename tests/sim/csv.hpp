#pragma once
// Reads the simulator's CSV files in tests. The simulator never writes commas or quotes inside
// fields, so a plain split is exact.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace ltv::test {

struct Csv {
  std::string header;
  std::vector<std::vector<std::string>> rows;
};

inline Csv read_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  Csv csv;
  std::getline(in, csv.header);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::size_t pos = 0;
    for (;;) {
      const std::size_t comma = line.find(',', pos);
      fields.push_back(line.substr(pos, comma - pos));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    csv.rows.push_back(std::move(fields));
  }
  return csv;
}

}  // namespace ltv::test
