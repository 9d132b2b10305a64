#pragma once
// Test-only reader of ../shared/data/online_retail/online_retail.csv.gz into a TransactionLog
// (rows with a CustomerID; quantity, amount = quantity * price, invoice, stock code). It stands
// in for the io loader so the recommendation tests do not depend on another branch.

#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "ltv/data/transaction_log.hpp"
#include "test_data.hpp"

namespace ltv::test {

inline std::int32_t civil_day(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

/// Splits one RFC-4180 line (no embedded newlines in this file) into fields.
inline std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  return fields;
}

class Interner {
 public:
  explicit Interner(CategoricalColumn& column) : column_(column) {}
  void add(const std::string& text) {
    auto [it, inserted] = ids_.emplace(text, static_cast<std::uint32_t>(column_.values.size()));
    if (inserted) column_.values.push_back(text);
    column_.codes.push_back(it->second);
  }

 private:
  CategoricalColumn& column_;
  std::unordered_map<std::string, std::uint32_t> ids_;
};

inline TransactionLog online_retail_log() {
  TransactionLog log;
  auto path = shared_data("online_retail/online_retail.csv.gz");
  FILE* pipe = ::popen(("gzip -dc '" + path.string() + "'").c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run gzip";
    return log;
  }
  log.order = CategoricalColumn{"InvoiceNo", {}, {}};
  log.product = CategoricalColumn{"StockCode", {}, {}};
  Interner orders(*log.order), products(*log.product);
  std::unordered_map<std::string, std::uint32_t> customers;
  std::string line;
  char buffer[65536];
  bool header = true;
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    line = buffer;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (header) {
      header = false;
      continue;
    }
    auto f = split_csv(line);
    if (f.size() != 8 || f[6].empty()) continue;  // rows without a customer are not used here
    auto [it, inserted] =
        customers.emplace(f[6], static_cast<std::uint32_t>(log.customer_ids.size()));
    if (inserted) log.customer_ids.push_back(f[6]);
    log.customer.push_back(it->second);
    log.day.push_back(civil_day(std::stoi(f[4].substr(0, 4)),
                                static_cast<unsigned>(std::stoi(f[4].substr(5, 2))),
                                static_cast<unsigned>(std::stoi(f[4].substr(8, 2)))));
    double quantity = std::stod(f[3]);
    log.quantity.push_back(quantity);
    log.amount.push_back(quantity * std::stod(f[5]));
    orders.add(f[0]);
    products.add(f[1]);
  }
  ::pclose(pipe);
  return log;
}

}  // namespace ltv::test
