// Embedding ltvkit: the main job from C++ through the installed package (find_package(ltvkit)).
// Usage: ltv_embed_example TRANSACTIONS.csv
// The file needs customer_id, date and amount columns (as `ltv simulate` writes). Prints the
// headline and the five customers with the highest CLV.
#include <ltv/ltv.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s TRANSACTIONS.csv\n", argv[0]);
    return 1;
  }
  try {
    ltv::LoadOptions load;
    load.columns.customer = "customer_id";
    load.columns.date = "date";
    load.columns.amount = "amount";
    ltv::Workspace workspace(ltv::TransactionSource::file(argv[1], load));
    const ltv::Analysis a = workspace.analyze(ltv::AnalyzeOptions{});
    std::printf("ltvkit %s\n", ltv::kVersion);
    std::printf("customers %zu, model %s, expected purchases %.1f\n", a.customers,
                a.model.model.c_str(), a.expected_purchases);
    if (a.clv_total) std::printf("CLV total %.2f\n", *a.clv_total);

    const ltv::ResultTable* customers = a.table("customers");
    if (customers == nullptr) return 2;
    const std::size_t id = customers->spec().index("customer_id");
    const std::size_t clv = customers->spec().index("clv");
    std::vector<std::size_t> rows(customers->rows());
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    const auto value = [&](std::size_t r) {
      return customers->is_null(clv, r) ? -1.0 : customers->real(clv, r);
    };
    const std::size_t top = std::min<std::size_t>(5, rows.size());
    std::partial_sort(rows.begin(), rows.begin() + top, rows.end(),
                      [&](std::size_t x, std::size_t y) { return value(x) > value(y); });
    for (std::size_t i = 0; i < top; ++i) {
      std::printf("%s %.2f\n", std::string(customers->text(id, rows[i])).c_str(), value(rows[i]));
    }
    return 0;
  } catch (const ltv::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
