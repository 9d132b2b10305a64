#pragma once
// Reader for tests/reference/pnbd_reference.txt (made by make_pnbd_reference.py with mpmath):
// lines "kind arg1 arg2 ... ; value1 value2 ...".

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ltv::test {

struct ReferenceRow {
  std::string kind;
  std::vector<double> args;
  std::vector<double> values;
};

inline std::vector<ReferenceRow> pnbd_reference(const std::string& kind) {
  const std::string path = std::string(LTV_TEST_SOURCE_DIR) + "/reference/pnbd_reference.txt";
  std::ifstream in(path);
  if (!in) ADD_FAILURE() << "missing reference file " << path;
  std::vector<ReferenceRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    ReferenceRow row;
    ls >> row.kind;
    if (row.kind != kind) continue;
    std::string token;
    bool values = false;
    while (ls >> token) {
      if (token == ";") {
        values = true;
        continue;
      }
      (values ? row.values : row.args).push_back(std::stod(token));
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) ADD_FAILURE() << "no reference rows of kind " << kind << " in " << path;
  return rows;
}

}  // namespace ltv::test
