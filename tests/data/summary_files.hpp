#pragma once
// Transaction files for the tests of the streamed summaries (SummaryStream, SummaryTable).

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ltv/io/load.hpp"
#include "test_data.hpp"

namespace ltv::test {

/// Writes `text` to `name` in a temporary directory of the test `test` (one per test name).
inline std::string write_file(const std::string& test, const std::string& name,
                              const std::string& text) {
  static std::map<std::string, std::filesystem::path> dirs;
  auto it = dirs.find(test);
  if (it == dirs.end()) it = dirs.emplace(test, ltv::test::temp_dir(test)).first;
  const auto path = it->second / name;
  std::ofstream(path) << text;
  return path.string();
}

/// Customers in increasing id order (ids "C" + zero-padded number unless `id` is given), with
/// lines that exercise the summary: several lines on one day, days out of order within a
/// customer, returns (negative amount or quantity) before the purchase of their day, customers
/// with only holdout purchases or only a return, and one customer of 600 lines in the middle
/// (the split of a two-part read falls inside it).
inline std::string sorted_text(int customers, const std::function<std::string(int)>& id = {}) {
  std::string text = "customer,date,amount,quantity,cost\n";
  auto line = [&](int c, int day, double amount, int quantity) {
    text += id ? id(c) : fmt::format("C{:06}", c);
    text += fmt::format(",2021-{:02}-{:02},{:.2f},{},{:.2f}\n", 1 + day / 28, 1 + day % 28, amount,
                        quantity, amount * 0.6);
  };
  for (int c = 0; c < customers; ++c) {
    if (c == customers / 2) {
      for (int k = 0; k < 600; ++k) line(c, (k * 7) % 300, 1.25 + k % 13, 1 + k % 3);
      continue;
    }
    switch (c % 6) {
      case 0:  // one purchase
        line(c, c % 200, 10.1 + c % 7, 1);
        break;
      case 1:  // two lines on a day, then a later day
        line(c, 10 + c % 30, 3.3, 1);
        line(c, 10 + c % 30, 4.4, 2);
        line(c, 80 + c % 90, 7.05, 1);
        break;
      case 2:  // days out of order; a return before the purchase of its day
        line(c, 150, 12.0, 1);
        line(c, 20, -2.5, -1);
        line(c, 20, 9.99, 1);
        line(c, 95, 0.1, 1);
        break;
      case 3:  // only after day 250 (holdout with a calibration end before it)
        line(c, 260 + c % 30, 5.5, 1);
        line(c, 290, 6.5, 1);
        break;
      case 4:  // only a return
        line(c, 40, -8.0, 1);
        break;
      default:  // many days, a negative quantity with a positive amount
        for (int k = 0; k < 8; ++k) line(c, 5 + 31 * k, 0.7 * (k + 1), k == 3 ? -1 : 1);
        break;
    }
  }
  return text;
}

/// `part_bytes` > 0 makes a parallel read use parts of that size (up to 64), else two halves.
inline LoadOptions load_options(int threads, bool cost = false, std::size_t part_bytes = 0) {
  LoadOptions o;
  o.columns.customer = "customer";
  o.columns.date = "date";
  o.columns.amount = "amount";
  o.columns.quantity = "quantity";
  if (cost) o.columns.cost = "cost";
  o.threads = threads;
  o.parallel_min_bytes = 1;
  if (part_bytes > 0) o.part_bytes = part_bytes;
  return o;
}

/// The lines of `text` after its header line, rewritten in another order: "date" (stable by the
/// second column, as a date-ordered export), "shuffled" (a seeded shuffle) or "reversed".
inline std::string reordered(const std::string& text, const std::string& order, unsigned seed = 7) {
  const std::size_t header_end = text.find('\n') + 1;
  std::vector<std::string> lines;
  for (std::size_t at = header_end; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    lines.push_back(text.substr(at, end - at + 1));
    at = end + 1;
  }
  auto field = [](const std::string& line, int k) {
    std::size_t begin = 0;
    for (int i = 0; i < k; ++i) begin = line.find(',', begin) + 1;
    return line.substr(begin, line.find(',', begin) - begin);
  };
  if (order == "date") {
    std::stable_sort(lines.begin(), lines.end(), [&](const std::string& a, const std::string& b) {
      return field(a, 1) < field(b, 1);
    });
  } else if (order == "shuffled") {
    std::mt19937_64 rng(seed);
    std::shuffle(lines.begin(), lines.end(), rng);
  } else {
    std::reverse(lines.begin(), lines.end());
  }
  std::string out = text.substr(0, header_end);
  for (const std::string& line : lines) out += line;
  return out;
}

}  // namespace ltv::test
