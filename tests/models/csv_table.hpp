#pragma once
// Minimal reader for the small numeric CSV files the model tests use (header + rows). Text
// columns are kept as strings; numeric access parses on demand.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace ltv::test {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
  std::vector<double> numbers(const std::string& name) const {
    const std::size_t c = column(name);
    std::vector<double> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(std::stod(r.at(c)));
    return out;
  }
};

inline CsvTable read_csv(const std::filesystem::path& path) {
  CsvTable t;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) fields.push_back(f);
    if (first) {
      t.header = fields;
      first = false;
    } else {
      t.rows.push_back(fields);
    }
  }
  return t;
}

}  // namespace ltv::test
