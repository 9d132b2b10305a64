// End-to-end tests of `ltv serve` (src/server): a real server on 127.0.0.1 (an ephemeral port,
// started and stopped by each test suite) over a real SQLite workspace built with the CLI
// (ltv init / ingest / run / user add / token create) from a hand-written data set with products
// of three brands, queried with cpp-httplib's client.
//
// Isolation: partners A (brand Alpha) and B (brand Zyxcanary) have disjoint brands; B's data
// holds canary values (its brand name, a product name and the amount 987654.32) that occur
// nowhere else. For every route of the route table and every output format, partner A must see
// no canary, get 403 on analyst/admin routes, and KPI totals equal to totals computed here from
// the test's own rows restricted to A's products.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "ltv/dates.hpp"
#include "ltv/server/identity.hpp"
#include "ltv/server/server.hpp"
#include "ltv/store/store.hpp"
#include "server/queries.hpp"  // src/server: the query layer (complementary suppression)
#include "server/session.hpp"  // src/server: dashboard sessions
#include "store/database.hpp"  // src/store: the jobs table and the stored rows of each run
#include "test_data.hpp"

namespace {

using ltv::test::cli;
using ltv::test::run;
using Json = nlohmann::json;

constexpr const char* kCanaryBrand = "Zyxcanary";
constexpr const char* kCanaryProductName = "Qwertycanary Lotion";
constexpr const char* kCanaryAmount = "987654.32";
constexpr std::int64_t kMinCell = 10;

struct Line {
  std::string customer;
  std::int32_t day;
  std::string order;
  std::string product;
  double amount;
};

struct Product {
  const char* id;
  const char* name;
  const char* brand;
  const char* category;
};

// Alpha (partner A), Zyxcanary (partner B, the canaries), Gamma (no partner).
const Product kProducts[] = {
    {"A1", "Alpha Soap", "Alpha", "care"},
    {"A2", "Alpha Shampoo", "Alpha", "care"},
    {"A3", "Alpha Gel", "Alpha", "care"},  // launched during the data (first sold after day 70)
    {"B1", kCanaryProductName, kCanaryBrand, "care"},
    {"B2", "Zyx Cream", kCanaryBrand, "care"},
    {"G1", "Gamma Tea", "Gamma", "food"},
    {"G2", "Gamma Coffee", "Gamma", "food"},
};

bool is_alpha(const std::string& product) {
  return product[0] == 'A';
}

/// 240 customers, 1 to 4 orders each over 2024, 1 to 3 lines per order; deterministic.
std::vector<Line> make_lines() {
  std::vector<Line> lines;
  const std::int32_t start = ltv::days_from_civil(2024, 1, 1);
  int order_number = 0;
  for (int i = 0; i < 240; ++i) {
    const std::string customer = fmt::format("C{:04}", i);
    const int orders = 1 + i % 4;
    for (int j = 0; j < orders; ++j) {
      const std::int32_t day = (i * 7 + j * 53) % 330;
      const std::string order = fmt::format("O{:05}", ++order_number);
      const int line_count = 1 + (i + j) % 3;
      for (int k = 0; k < line_count; ++k) {
        std::string product = kProducts[(i + 2 * j + 3 * k) % 7].id;
        if (product == "A3" && day < 70) product = "A1";  // A3 is launched on day 70
        const double amount = 10 + (i * 13 + j * 7 + k * 3) % 50 + 0.25;
        lines.push_back({customer, start + day, order, product, amount});
      }
    }
  }
  // The canary amount: one line of B's canary product, by a customer who also buys Alpha.
  lines.push_back({"C0001", start + 200, "O99999", "B1", 987654.32});
  // Small months planted for the differencing tests, before the rest of the data (so that the
  // models' end of data stays where it was): in November 2023, 12 buyers of Alpha and 2 of Gamma
  // (a Gamma month below min_cell beside an Alpha month above it); in December 2023, 3 buyers of
  // Alpha (an Alpha month below min_cell).
  const std::int32_t november = ltv::days_from_civil(2023, 11, 1);
  const std::int32_t december = ltv::days_from_civil(2023, 12, 1);
  for (int i = 0; i < 12; ++i) {
    // A1 and A2 (not new products: sold from the brand's first month); A3 stays the new one.
    lines.push_back({fmt::format("C{:04}", 100 + i), november + 2 + i, fmt::format("ON{:03}", i),
                     i % 2 == 0 ? "A1" : "A2", 21.5 + i});
  }
  lines.push_back({"C0120", november + 5, "OG001", "G1", 44.75});
  lines.push_back({"C0121", november + 9, "OG002", "G2", 31.25});
  for (int i = 0; i < 3; ++i) {
    lines.push_back({fmt::format("C{:04}", 130 + i), december + 3 + 4 * i,
                     fmt::format("OD{:03}", i), "A1", 55.5 + 10 * i});
  }
  return lines;
}

std::string csv_of(const std::vector<Line>& lines) {
  std::string out = "customer_id,date,order_id,product,amount\n";
  for (const Line& l : lines) {
    out += fmt::format("{},{},{},{},{:.2f}\n", l.customer, ltv::format_date(l.day), l.order,
                       l.product, l.amount);
  }
  return out;
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::string q(const std::filesystem::path& p) {
  return fmt::format("'{}'", p.string());
}

struct Fixture {
  std::filesystem::path dir, workspace;
  std::vector<Line> lines;
  std::string analyst, admin, partner_a, partner_b, partner_ag;
  std::unique_ptr<ltv::server::Server> server;
  std::vector<std::string> log;
  std::mutex log_mutex;
};

Fixture* fx = nullptr;

std::string token_for(const std::string& user) {
  const auto r = run(cli() + " token create " + q(fx->workspace) + " " + user);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string token = r.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

class Server : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fx = new Fixture;
    fx->dir = ltv::test::temp_dir("server");
    fx->workspace = fx->dir / "ws.db";
    fx->lines = make_lines();
    write(fx->dir / "transactions.csv", csv_of(fx->lines));
    std::string products = "product_id,name,brand,category\n";
    for (const Product& p : kProducts) {
      products += fmt::format("{},{},{},{}\n", p.id, p.name, p.brand, p.category);
    }
    write(fx->dir / "products.csv", products);
    const std::string ws = q(fx->workspace);
    for (const std::string& command :
         {" init " + ws,
          " ingest " + ws + " " + q(fx->dir / "transactions.csv") +
              " --customer customer_id --date date --order order_id --product product --amount "
              "amount -q",
          " ingest " + ws + " " + q(fx->dir / "products.csv") + " --kind products",
          // One model: on this small hand-written set the automatic choice's bgnbd / pnbd fits
          // take 60-90 s (mbgnbd, penalised: 0.4 s); the server reads whatever run is stored.
          " run " + ws + " --model mbgnbd -q", " user add " + ws + " ann --role analyst",
          " user add " + ws + " root --role admin",
          " user add " + ws + " alpha --role partner --brands Alpha",
          " user add " + ws + " ag --role partner --brands Alpha,Gamma",
          " user add " + ws + " zyx --role partner --brands " + std::string(kCanaryBrand)}) {
      const auto r = run(cli() + command);
      ASSERT_EQ(r.exit_code, 0) << command << "\n" << r.err << r.out;
    }
    fx->analyst = token_for("ann");
    fx->admin = token_for("root");
    fx->partner_a = token_for("alpha");
    fx->partner_b = token_for("zyx");
    fx->partner_ag = token_for("ag");
    ltv::server::ServerOptions options;
    options.workspace = fx->workspace.string();
    options.port = 0;
    options.min_cell = kMinCell;
    options.threads = 4;
    options.log = [](const std::string& line) {
      std::lock_guard lock(fx->log_mutex);
      fx->log.push_back(line);
    };
    fx->server = std::make_unique<ltv::server::Server>(options);
    fx->server->start();
  }
  static void TearDownTestSuite() {
    fx->server->stop();
    delete fx;
    fx = nullptr;
  }

  static httplib::Result get(const std::string& path, const std::string& token) {
    httplib::Client client("127.0.0.1", fx->server->port());
    client.set_url_encode(false);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.Get(path, headers);
  }
  static Json json_of(const httplib::Result& r) { return Json::parse(r->body); }
  /// A request of the route's method (POST with an empty JSON object as body).
  static httplib::Result call(std::string_view method, const std::string& path,
                              const std::string& token) {
    if (method == "GET") return get(path, token);
    httplib::Client client("127.0.0.1", fx->server->port());
    client.set_url_encode(false);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    if (method == "DELETE") return client.Delete(path, headers);
    return client.Post(path, headers, "{}", "application/json");
  }
};

/// Expects the JSON error shape and nothing else in the body.
void expect_error(const httplib::Result& r, int status, const std::string& parameter) {
  ASSERT_TRUE(r) << "no response";
  EXPECT_EQ(r->status, status) << r->body;
  const Json body = Json::parse(r->body);
  ASSERT_EQ(body.size(), 1u) << r->body;
  ASSERT_TRUE(body.contains("error")) << r->body;
  const Json& e = body["error"];
  EXPECT_EQ(e.size(), 3u) << r->body;
  EXPECT_TRUE(e["code"].is_string() && !e["code"].get<std::string>().empty()) << r->body;
  EXPECT_TRUE(e["message"].is_string()) << r->body;
  if (parameter.empty()) {
    EXPECT_TRUE(e["parameter"].is_null()) << r->body;
  } else {
    EXPECT_EQ(e["parameter"], parameter) << r->body;
  }
}

// ------------------------------------------------------------------------- route inventory

TEST(ServerRoutes, EveryRouteIsClassifiedAndListedInOpenApi) {
  // The expected classification of every route. A route added to the table without being
  // classified here (public, admin, analyst or partner-scoped) fails this test.
  const std::map<std::string, std::string> expected = {
      {"GET /", "public"},
      {"GET /app/{asset+}", "public"},
      {"POST /api/v1/session", "public"},
      {"GET /api/v1/session", "partner-scoped"},
      {"DELETE /api/v1/session", "partner-scoped"},
      {"GET /api/v1/customers", "analyst"},
      {"GET /api/v1/customers/{customer_id}/history", "analyst"},
      {"GET /api/v1/ltv/histogram", "analyst"},
      {"GET /api/v1/ltv/top", "analyst"},
      {"GET /api/v1/health", "public"},
      {"GET /api/v1/openapi.json", "public"},
      {"GET /api/v1/users", "admin"},
      {"GET /api/v1/runs", "analyst"},
      {"POST /api/v1/runs", "analyst"},
      {"GET /api/v1/jobs/{job_id}", "analyst"},
      {"GET /api/v1/runs/latest", "analyst"},
      {"GET /api/v1/runs/{run_id}", "analyst"},
      {"GET /api/v1/runs/{run_id}/tables", "analyst"},
      {"GET /api/v1/runs/{run_id}/tables/{table+}", "analyst"},
      {"GET /api/v1/kpis/headline", "analyst"},
      {"GET /api/v1/customers/{customer_id}", "analyst"},
      {"GET /api/v1/report", "analyst"},
      {"GET /api/v1/partner/brands", "partner-scoped"},
      {"GET /api/v1/partner/kpis", "partner-scoped"},
      {"GET /api/v1/partner/cohorts", "partner-scoped"},
      {"GET /api/v1/partner/products", "partner-scoped"},
      {"GET /api/v1/partner/ltv", "partner-scoped"},
      {"GET /api/v1/partner/segments", "partner-scoped"},
      {"GET /api/v1/partner/penetration", "partner-scoped"},
  };
  std::map<std::string, std::string> actual;
  for (const auto& r : ltv::server::routes()) {
    EXPECT_NE(r.access, ltv::server::Access::unclassified) << r.method << " " << r.path;
    actual[fmt::format("{} {}", r.method, r.path)] = std::string(to_string(r.access));
  }
  EXPECT_EQ(actual, expected);

  // openapi.json lists exactly the route table, with each route's class.
  const Json doc = Json::parse(ltv::server::openapi_document().dump());
  EXPECT_EQ(doc["openapi"], "3.0.3");
  std::map<std::string, std::string> listed;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(c));
      // The last parameter that takes the rest of the path is {table+} in the route table.
      std::string pattern = path == "/api/v1/runs/{run_id}/tables/{table}"
                                ? "/api/v1/runs/{run_id}/tables/{table+}"
                                : path;
      if (pattern == "/app/{asset}") pattern = "/app/{asset+}";
      listed[m + " " + pattern] = op["x-access"].get<std::string>();
    }
  }
  EXPECT_EQ(listed, expected);
}

TEST_F(Server, OpenApiIsServedAndEqualsTheGeneratedDocument) {
  const auto r = get("/api/v1/openapi.json", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json::parse(r->body), Json::parse(ltv::server::openapi_document().dump()));
}

// ------------------------------------------------------------------------------ auth (401)

TEST_F(Server, MissingExpiredRevokedAndForgedTokensGet401WithNoData) {
  auto ws = ltv::store::WorkspaceStore::open(fx->workspace.string());
  const auto expired = ltv::server::create_token(ws, "ann", -60.0);  // expired a minute ago
  const auto revoked = ltv::server::create_token(ws, "ann", std::nullopt);
  ltv::server::revoke_token(ws, revoked.info.id);
  std::string forged = fx->analyst;
  forged[0] = forged[0] == 'a' ? 'b' : 'a';  // one digit changed: a well-formed unknown token
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"missing", ""},    {"expired", expired.token},   {"revoked", revoked.token},
      {"forged", forged}, {"malformed", "not-a-token"},
  };
  for (const auto& route : ltv::server::routes()) {
    if (route.access == ltv::server::Access::public_route) continue;
    std::string path(route.path);
    path = std::regex_replace(path, std::regex("\\{run_id\\}"), "1");
    path = std::regex_replace(path, std::regex("\\{table\\+\\}"), "customers");
    path = std::regex_replace(path, std::regex("\\{customer_id\\}"), "C0001");
    path = std::regex_replace(path, std::regex("\\{job_id\\}"), "1");
    for (const auto& [what, token] : cases) {
      SCOPED_TRACE(what + " " + std::string(route.method) + " " + path);
      const auto r = call(route.method, path, token);
      expect_error(r, 401, "Authorization");
      EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
      EXPECT_EQ(r->body.find("C0001"), std::string::npos);
    }
  }
  // A Basic header is not a token either.
  httplib::Client client("127.0.0.1", fx->server->port());
  const auto basic = client.Get("/api/v1/runs", {{"Authorization", "Basic YW5uOmFubg=="}});
  expect_error(basic, 401, "Authorization");
  // The valid token still works (the cases above were refused for their own reasons).
  EXPECT_EQ(get("/api/v1/runs", fx->analyst)->status, 200);
}

// ---------------------------------------------------------------------------------- isolation

/// A's figures computed here from the test's own rows, restricted to A's products.
struct Totals {
  double revenue = 0;
  std::set<std::string> orders, buyers;
  std::map<std::string, double> revenue_by_month;
  std::map<std::string, std::set<std::string>> buyers_by_month;
  std::map<std::string, std::string> first_month;  ///< by customer
  std::map<std::string, std::set<std::string>> months_of;
};

/// A's figures over the months `months` (every month when empty).
Totals alpha_totals(const std::vector<Line>& lines, const std::set<std::string>& months = {}) {
  Totals t;
  for (const Line& l : lines) {
    if (!is_alpha(l.product)) continue;
    if (!months.empty() && months.count(ltv::format_date(l.day).substr(0, 7)) == 0) continue;
    t.revenue += l.amount;
    t.orders.insert(l.order);
    t.buyers.insert(l.customer);
    const std::string month = ltv::format_date(l.day).substr(0, 7);
    t.revenue_by_month[month] += l.amount;
    t.buyers_by_month[month].insert(l.customer);
    auto [it, added] = t.first_month.emplace(l.customer, month);
    if (!added && month < it->second) it->second = month;
    t.months_of[l.customer].insert(month);
  }
  return t;
}

/// The day number of a YYYY-MM-DD date.
std::int32_t day_of(const std::string& date) {
  return ltv::days_from_civil(std::stoi(date.substr(0, 4)), std::stoi(date.substr(5, 2)),
                              std::stoi(date.substr(8, 2)));
}

/// The months of `all` with at least min_cell buyers (a one-brand scope's shown months).
std::set<std::string> shown_alpha_months(const Totals& all) {
  std::set<std::string> out;
  for (const auto& [month, buyers] : all.buyers_by_month) {
    if (buyers.size() >= static_cast<std::size_t>(kMinCell)) out.insert(month);
  }
  return out;
}

TEST_F(Server, PartnerSeesNoCanaryOnAnyRouteInAnyFormat) {
  int partner_routes = 0, refused = 0;
  for (const auto& route : ltv::server::routes()) {
    std::vector<std::string> formats = {""};
    for (const auto& p : route.parameters) {
      if (p.name == "format") formats = {"json", "csv"};
    }
    std::string path(route.path);
    // Path parameters that point at B's data where they can.
    path = std::regex_replace(path, std::regex("\\{run_id\\}"), "1");
    path = std::regex_replace(path, std::regex("\\{table\\+\\}"), "basket/recommendations");
    path = std::regex_replace(path, std::regex("\\{customer_id\\}"), "C0001");
    path = std::regex_replace(path, std::regex("\\{job_id\\}"), "1");
    path = std::regex_replace(path, std::regex("\\{asset\\+\\}"), "dashboard.html");
    bool has_brand = false;
    for (const auto& p : route.parameters) has_brand = has_brand || p.name == "brand";
    for (const std::string& format : formats) {
      const std::string url = format.empty() ? path : path + "?format=" + format;
      SCOPED_TRACE(std::string(route.method) + " " + url);
      const auto r = call(route.method, url, fx->partner_a);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->body.find(kCanaryBrand), std::string::npos) << r->body;
      EXPECT_EQ(r->body.find(kCanaryProductName), std::string::npos) << r->body;
      // The amount as a number (not digits inside another number: 26/81 = 0.3209876543...).
      EXPECT_FALSE(std::regex_search(r->body, std::regex("(^|[^0-9.])987654"))) << r->body;
      EXPECT_EQ(r->body.find("B1"), std::string::npos) << r->body;
      switch (route.access) {
        case ltv::server::Access::admin:
        case ltv::server::Access::analyst:
          expect_error(r, 403, "");
          ++refused;
          break;
        case ltv::server::Access::partner:
          EXPECT_EQ(r->status, 200) << r->body;
          ++partner_routes;
          // Never a customer id in a partner's answer.
          EXPECT_EQ(r->body.find("C0"), std::string::npos) << r->body;
          break;
        default:
          // Public: the sign-in takes a token in its body (`{}` has none), the rest answer.
          if (route.method == std::string_view("POST")) {
            expect_error(r, 400, "token");
          } else {
            EXPECT_EQ(r->status, 200);
          }
      }
      // B's brand named in a query parameter cannot widen A's scope: 404, nothing echoed.
      if (route.access == ltv::server::Access::partner && has_brand) {
        const auto widened =
            get(path + "?brand=" + kCanaryBrand + (format.empty() ? "" : "&format=" + format),
                fx->partner_a);
        expect_error(widened, 404, "brand");
        EXPECT_EQ(widened->body.find(kCanaryBrand), std::string::npos);
      }
    }
  }
  // brands, the session (GET, DELETE) + (kpis, cohorts, products, penetration, ltv, segments)
  // x 2 formats
  EXPECT_EQ(partner_routes, 3 + 6 * 2);
  EXPECT_GE(refused, 10);
  // The same routes answer B with its own data (the canaries are really there to be leaked).
  const auto b = get("/api/v1/partner/products?format=csv", fx->partner_b);
  EXPECT_NE(b->body.find(kCanaryProductName), std::string::npos) << b->body;
  const auto b_kpis = json_of(get("/api/v1/partner/kpis", fx->partner_b));
  EXPECT_GT(b_kpis["rows"].back()["revenue"].get<double>(), 987654.32);
}

TEST_F(Server, PartnerKpiTotalsEqualTotalsOfItsOwnScope) {
  // The total counts the months A's table shows (at least min_cell buyers): the planted December
  // 2023 (3 buyers) is suppressed and counts in no total.
  const Totals all = alpha_totals(fx->lines);
  ASSERT_LT(all.buyers_by_month.at("2023-12").size(), static_cast<std::size_t>(kMinCell));
  const Totals expected = alpha_totals(fx->lines, shown_alpha_months(all));
  const Json kpis = json_of(get("/api/v1/partner/kpis", fx->partner_a));
  EXPECT_EQ(kpis["brands"], Json::array({"Alpha"}));
  EXPECT_EQ(kpis["min_cell"], kMinCell);
  const Json& rows = kpis["rows"];
  ASSERT_FALSE(rows.empty());
  const Json& total = rows.back();
  ASSERT_EQ(total["month"], "total");
  EXPECT_EQ(total["suppressed"], false);
  EXPECT_NEAR(total["revenue"].get<double>(), expected.revenue, 1e-6);
  EXPECT_EQ(total["orders"].get<std::size_t>(), expected.orders.size());
  EXPECT_EQ(total["buyers"].get<std::size_t>(), expected.buyers.size());
  std::size_t repeaters = 0;
  for (const auto& [c, months] : expected.months_of) repeaters += months.size() >= 2 ? 1 : 0;
  EXPECT_NEAR(total["repeat_buyer_rate"].get<double>(),
              static_cast<double>(repeaters) / static_cast<double>(expected.buyers.size()), 1e-12);
  EXPECT_NEAR(total["average_check"].get<double>(),
              expected.revenue / static_cast<double>(expected.orders.size()), 1e-9);
  EXPECT_LT(expected.revenue, all.revenue);
  // Month by month: the month's revenue, or suppressed when fewer than min_cell buyers.
  std::size_t months = 0, suppressed = 0;
  for (const Json& row : rows) {
    if (row["month"] == "total") continue;
    const std::string month = row["month"];
    ASSERT_TRUE(all.revenue_by_month.count(month)) << month;
    ++months;
    if (all.buyers_by_month.at(month).size() < static_cast<std::size_t>(kMinCell)) {
      EXPECT_EQ(row["suppressed"], true) << month;
      EXPECT_TRUE(row["revenue"].is_null() && row["buyers"].is_null()) << row.dump();
      ++suppressed;
    } else {
      EXPECT_EQ(row["suppressed"], false) << month;
      EXPECT_NEAR(row["revenue"].get<double>(), expected.revenue_by_month.at(month), 1e-6);
      EXPECT_EQ(row["buyers"].get<std::size_t>(), expected.buyers_by_month.at(month).size());
      // Returning buyers: bought Alpha in an earlier month.
      std::size_t returning = 0;
      for (const std::string& c : expected.buyers_by_month.at(month)) {
        returning += all.first_month.at(c) < month ? 1 : 0;
      }
      EXPECT_NEAR(row["repeat_buyer_rate"].get<double>(),
                  static_cast<double>(returning) /
                      static_cast<double>(expected.buyers_by_month.at(month).size()),
                  1e-12)
          << month;
    }
  }
  EXPECT_EQ(months, all.revenue_by_month.size());
  EXPECT_GE(suppressed, 1u);
  // CSV holds the same total row.
  const auto csv = get("/api/v1/partner/kpis?format=csv", fx->partner_a);
  EXPECT_EQ(csv->get_header_value("Content-Type").rfind("text/csv", 0), 0u);
  EXPECT_NE(csv->body.find(fmt::format("total,{:.2f}", expected.revenue).substr(0, 12)),
            std::string::npos)
      << csv->body;
  // A window of days: the total counts the window's purchases only.
  double window_revenue = 0;
  std::set<std::string> window_buyers;
  const std::int32_t from = ltv::days_from_civil(2024, 3, 1),
                     to = ltv::days_from_civil(2024, 5, 31);
  // (the window's months are all shown)
  for (const Line& l : fx->lines) {
    if (!is_alpha(l.product) || l.day < from || l.day > to) continue;
    window_revenue += l.amount;
    window_buyers.insert(l.customer);
  }
  const Json window =
      json_of(get("/api/v1/partner/kpis?from=2024-03-01&to=2024-05-31", fx->partner_a));
  EXPECT_NEAR(window["rows"].back()["revenue"].get<double>(), window_revenue, 1e-6);
  EXPECT_EQ(window["rows"].back()["buyers"].get<std::size_t>(), window_buyers.size());
  // Narrowing to its own brand gives the same figures.
  const Json narrowed = json_of(get("/api/v1/partner/kpis?brand=Alpha", fx->partner_a));
  EXPECT_EQ(narrowed["rows"], rows);
  (void)suppressed;
}

TEST_F(Server, PartnerProductsCohortsAndPenetrationAreItsOwn) {
  const Json products = json_of(get("/api/v1/partner/products", fx->partner_a));
  std::set<std::string> ids;
  for (const Json& p : products["rows"]) ids.insert(p["product_id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"A1", "A2", "A3"}));

  // Cohorts: every shown cell has at least min_cell customers; cohort sizes (period 0) of the
  // shown cohorts add up to at most A's buyers, and all of them when none is suppressed.
  const Totals expected = alpha_totals(fx->lines);
  const Json cohorts = json_of(get("/api/v1/partner/cohorts", fx->partner_a));
  std::size_t period0 = 0;
  bool any_suppressed_cohort = false;
  for (const Json& c : cohorts["rows"]) {
    if (c["suppressed"] == true) {
      EXPECT_TRUE(c["customers"].is_null());
      if (c["period"] == 0) any_suppressed_cohort = true;
      continue;
    }
    EXPECT_GE(c["customers"].get<std::int64_t>(), kMinCell) << c.dump();
    if (c["period"] == 0) {
      period0 += c["customers"].get<std::size_t>();
      EXPECT_EQ(c["retention"], 1.0);
    }
  }
  if (!any_suppressed_cohort) {
    EXPECT_EQ(period0, expected.buyers.size());
  } else {
    EXPECT_LT(period0, expected.buyers.size());
  }

  // Penetration: A3 (first sold on day 70) is A's only new product; its last week's buyers are
  // every buyer of A3, over every buyer of Alpha since A3's launch (its first sale).
  std::int32_t launch = std::numeric_limits<std::int32_t>::max();
  for (const Line& l : fx->lines) {
    if (l.product == "A3") launch = std::min(launch, l.day);
  }
  std::set<std::string> a3, alpha_since;
  for (const Line& l : fx->lines) {
    if (l.product == "A3") a3.insert(l.customer);
    if (is_alpha(l.product) && l.day >= launch) alpha_since.insert(l.customer);
  }
  const Json pen = json_of(get("/api/v1/partner/penetration", fx->partner_a));
  ASSERT_FALSE(pen["rows"].empty());
  for (const Json& row : pen["rows"]) EXPECT_EQ(row["product_id"], "A3") << row.dump();
  const Json& last = pen["rows"].back();
  EXPECT_EQ(last["launch_date"], ltv::format_date(launch));
  EXPECT_EQ(last["buyers"].get<std::size_t>(), a3.size());
  EXPECT_EQ(last["brand_buyers"].get<std::size_t>(), alpha_since.size());
  EXPECT_NEAR(last["penetration"].get<double>(),
              static_cast<double>(a3.size()) / static_cast<double>(alpha_since.size()), 1e-9);
  // Among the category's buyers: every customer who bought a "care" product of any brand (A's
  // and B's) since A3's launch, up to A's last day (the last week's end).
  std::set<std::string> care_since;
  std::int32_t last_day = launch;
  for (const Line& l : fx->lines) {
    if (is_alpha(l.product)) last_day = std::max(last_day, l.day);
  }
  for (const Line& l : fx->lines) {
    const bool care = l.product[0] == 'A' || l.product[0] == 'B';
    if (care && l.day >= launch && l.day <= last_day) care_since.insert(l.customer);
  }
  EXPECT_EQ(last["category"], "care");
  EXPECT_EQ(last["category_suppressed"], false);
  EXPECT_EQ(last["category_buyers"].get<std::size_t>(), care_since.size());
  EXPECT_NEAR(last["category_penetration"].get<double>(),
              static_cast<double>(a3.size()) / static_cast<double>(care_since.size()), 1e-9);
  // A category count is shown only when at least min_cell of its buyers are not A's buyers
  // (else the category minus the brand would count a few of another brand's buyers).
  std::size_t weeks_checked = 0;
  for (const Json& row : pen["rows"]) {
    if (row["category_suppressed"] == true) {
      EXPECT_TRUE(row["category_buyers"].is_null()) << row.dump();
      continue;
    }
    const std::int32_t end = day_of(row["week_start"].get<std::string>()) + 6;
    std::set<std::string> care, alpha;
    for (const Line& l : fx->lines) {
      if (l.day < launch || l.day > end) continue;
      if (l.product[0] == 'A' || l.product[0] == 'B') care.insert(l.customer);
      if (is_alpha(l.product)) alpha.insert(l.customer);
    }
    std::size_t others = 0;
    for (const std::string& c : care) others += alpha.count(c) == 0 ? 1 : 0;
    EXPECT_EQ(row["category_buyers"].get<std::size_t>(), care.size()) << row.dump();
    EXPECT_GE(others, static_cast<std::size_t>(kMinCell)) << row.dump();
    ++weeks_checked;
  }
  EXPECT_GT(weeks_checked, 0u);
  // Another tenant's product is not found, not forbidden.
  expect_error(get("/api/v1/partner/penetration?product=B1", fx->partner_a), 404, "product");
}

// ------------------------------------------------------ differencing: the partner's own tables

TEST(PartnerSuppression, ComplementaryCellsLeaveNoLoneOrSmallSuppressedGroup) {
  using ltv::server::complementary_suppression;
  // One suppressed cell beside a total: the smallest shown cell is suppressed with it.
  std::vector<std::int64_t> n = {3, 40, 12, 25};
  std::vector<bool> s = {true, false, false, false};
  EXPECT_TRUE(complementary_suppression(n, s, 10));
  EXPECT_EQ(s, (std::vector<bool>{true, false, true, false}));
  // Two suppressed cells holding fewer than min_cell customers together: a third joins them.
  n = {3, 4, 40, 12};
  s = {true, true, false, false};
  EXPECT_TRUE(complementary_suppression(n, s, 10));
  EXPECT_EQ(s, (std::vector<bool>{true, true, false, true}));
  // Nothing suppressed, or two suppressed cells holding min_cell together: unchanged.
  n = {30, 40};
  s = {false, false};
  EXPECT_FALSE(complementary_suppression(n, s, 10));
  n = {6, 5, 40};
  s = {true, true, false};
  EXPECT_FALSE(complementary_suppression(n, s, 10));
  EXPECT_EQ(s, (std::vector<bool>{true, true, false}));
  // Every cell suppressed already: nothing left to add.
  n = {3};
  s = {true};
  EXPECT_FALSE(complementary_suppression(n, s, 10));
}

/// The rows of a partner table by their month column.
std::map<std::string, Json> by_month(const Json& rows) {
  std::map<std::string, Json> out;
  for (const Json& r : rows) out[r["month"].get<std::string>()] = r;
  return out;
}

/// The total revenue of a partner KPI answer, and the revenue of its shown months.
std::pair<double, double> total_and_shown(const Json& rows) {
  double shown = 0;
  for (const Json& r : rows) {
    if (r["month"] != "total" && r["suppressed"] == false) shown += r["revenue"].get<double>();
  }
  const Json& total = rows.back();
  EXPECT_EQ(total["month"], "total");
  return {total["revenue"].is_null() ? 0.0 : total["revenue"].get<double>(), shown};
}

TEST_F(Server, NoSuppressedMonthIsTheTotalMinusTheShownMonths) {
  // Leak 1 (secondary suppression): December 2023 has 3 buyers of Alpha and is suppressed; a
  // total over every month would give it back as the total minus the shown months.
  const Totals all = alpha_totals(fx->lines);
  const double small = all.revenue_by_month.at("2023-12");
  ASSERT_GT(small, 0);
  for (const std::string window : {"", "?from=2023-12-01", "?from=2023-11-01&to=2024-01-31"}) {
    SCOPED_TRACE(window);
    const Json rows = json_of(get("/api/v1/partner/kpis" + window, fx->partner_a))["rows"];
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(by_month(rows)["2023-12"]["suppressed"], true);
    const auto [total, shown] = total_and_shown(rows);
    EXPECT_GT(std::abs(total - shown - small), 0.005) << "December's revenue is derivable";
    EXPECT_NEAR(total - shown, 0.0, 1e-6);
  }
}

TEST_F(Server, NoSuppressedCohortCellIsAMonthsBuyersMinusTheShownCells) {
  // Every buyer of a month belongs to one cohort, so a month's buyers in the KPIs are the sum of
  // the cohort cells of that calendar month (a diagonal of the matrix), and the cohort sizes add
  // up to the buyers. The true cells, computed here from A's own lines:
  const Totals all = alpha_totals(fx->lines);
  std::map<std::pair<std::string, std::string>, std::size_t> truth;  // (cohort, month)
  for (const auto& [customer, months] : all.months_of) {
    for (const std::string& m : months) ++truth[{all.first_month.at(customer), m}];
  }
  const auto month_after = [](const std::string& cohort, int period) {
    const int m = std::stoi(cohort.substr(0, 4)) * 12 + std::stoi(cohort.substr(5, 2)) - 1 + period;
    return fmt::format("{:04}-{:02}", m / 12, m % 12 + 1);
  };
  const Json kpis = json_of(get("/api/v1/partner/kpis", fx->partner_a))["rows"];
  const Json cohorts = json_of(get("/api/v1/partner/cohorts", fx->partner_a))["rows"];
  struct Sums {
    std::size_t shown = 0, hidden = 0, hidden_cells = 0;
  };
  std::map<std::string, Sums> diagonals;
  Sums sizes;
  for (const Json& c : cohorts) {
    const std::string cohort = c["cohort"];
    const int period = c["period"];
    const std::string month = month_after(cohort, period);
    const auto it = truth.find({cohort, month});
    const std::size_t n = it == truth.end() ? 0 : it->second;
    for (Sums* line : {&diagonals[month], period == 0 ? &sizes : nullptr}) {
      if (line == nullptr) continue;
      if (c["suppressed"] == true) {
        line->hidden += n;
        ++line->hidden_cells;
      } else {
        EXPECT_EQ(c["customers"].get<std::size_t>(), n) << c.dump();
        line->shown += n;
      }
    }
  }
  std::size_t checked = 0, with_hidden = 0;
  for (const auto& [month, row] : by_month(kpis)) {
    if (month == "total" || row["suppressed"] == true) continue;
    SCOPED_TRACE(month);
    const Sums& d = diagonals[month];
    EXPECT_EQ(d.shown + d.hidden, row["buyers"].get<std::size_t>());
    if (d.hidden_cells > 0) {
      ++with_hidden;
      EXPECT_GE(d.hidden_cells, 2u);
      EXPECT_GE(d.hidden, static_cast<std::size_t>(kMinCell));
    }
    ++checked;
  }
  EXPECT_GT(checked, 5u);
  EXPECT_GT(with_hidden, 0u);  // the rule was exercised
  EXPECT_EQ(sizes.shown + sizes.hidden, all.buyers.size());
  if (sizes.hidden_cells > 0) {
    EXPECT_GE(sizes.hidden_cells, 2u);
    EXPECT_GE(sizes.hidden, static_cast<std::size_t>(kMinCell));
  }
}

TEST_F(Server, PartnerWindowsAreWholeMonthsAndTheirDifferencesHoldNoSmallMonth) {
  // Leak 2 (window differencing): windows that differ by a day would isolate that day.
  const std::string& a = fx->partner_a;
  for (const char* route : {"kpis", "cohorts", "penetration", "ltv", "segments"}) {
    SCOPED_TRACE(route);
    const std::string path = std::string("/api/v1/partner/") + route;
    expect_error(get(path + "?from=2024-05-10", a), 400, "from");
    expect_error(get(path + "?to=2024-05-09", a), 400, "to");
    expect_error(get(path + "?from=2024-05-01&to=2024-05-01", a), 400, "to");
    EXPECT_EQ(get(path + "?from=2024-05-01&to=2024-05-31", a)->status, 200);
  }
  // The message says what is expected.
  const auto e = get("/api/v1/partner/kpis?to=2024-02-10", a);
  expect_error(e, 400, "to");
  EXPECT_NE(e->body.find("2024-02-29"), std::string::npos) << e->body;
  // Two windows a month apart differ by a whole shown month, never by the suppressed December
  // 2023 (3 buyers).
  const Totals all = alpha_totals(fx->lines);
  const double small = all.revenue_by_month.at("2023-12");
  const auto total_of = [&](const std::string& window) {
    return total_and_shown(json_of(get("/api/v1/partner/kpis?" + window, a))["rows"]).first;
  };
  const double wide = total_of("from=2023-12-01&to=2024-01-31");
  const double narrow = total_of("from=2024-01-01&to=2024-01-31");
  EXPECT_GT(std::abs(wide - narrow - small), 0.005) << "December's revenue is derivable";
  EXPECT_NEAR(wide - narrow, 0.0, 1e-6);
  EXPECT_NEAR(narrow, all.revenue_by_month.at("2024-01"), 1e-6);
  // The same for the LTV route's revenue.
  const auto ltv_of = [&](const std::string& window) {
    const Json rows = json_of(get("/api/v1/partner/ltv?" + window, a))["rows"];
    return rows.empty() || rows[0]["revenue"].is_null() ? 0.0 : rows[0]["revenue"].get<double>();
  };
  EXPECT_NEAR(ltv_of("from=2023-12-01&to=2024-01-31") - ltv_of("from=2024-01-01&to=2024-01-31"),
              0.0, 1e-6);
  // A window of the small month alone: suppressed.
  const Json alone = json_of(get("/api/v1/partner/kpis?from=2023-12-01&to=2023-12-31", a));
  EXPECT_EQ(alone["rows"].back()["suppressed"], true);
}

TEST_F(Server, BrandNarrowingCannotIsolateASmallMonthOfOneBrand) {
  // Leak 3 (brand narrowing): partner ag holds Alpha and Gamma. In November 2023 Alpha has 12
  // buyers and Gamma 2; Gamma's November is suppressed in ?brand=Gamma, so the union's November
  // (14 buyers) minus Alpha's November would give Gamma's back.
  const std::string& p = fx->partner_ag;
  const auto both = by_month(json_of(get("/api/v1/partner/kpis", p))["rows"]);
  const auto alpha = by_month(json_of(get("/api/v1/partner/kpis?brand=Alpha", p))["rows"]);
  const auto gamma = by_month(json_of(get("/api/v1/partner/kpis?brand=Gamma", p))["rows"]);
  ASSERT_TRUE(both.count("2023-11") && alpha.count("2023-11") && gamma.count("2023-11"));
  EXPECT_EQ(alpha.at("2023-11")["suppressed"], false);
  EXPECT_EQ(gamma.at("2023-11")["suppressed"], true);
  EXPECT_EQ(both.at("2023-11")["suppressed"], true);
  // Every month the union shows is the sum of the brands' months, each shown: the union minus
  // one brand is the other brand's published figure, nothing more.
  std::size_t months = 0;
  for (const auto& [month, row] : both) {
    if (month == "total" || row["suppressed"] == true) continue;
    SCOPED_TRACE(month);
    double sum = 0;
    for (const auto* one : {&alpha, &gamma}) {
      if (!one->count(month)) continue;
      ASSERT_EQ(one->at(month)["suppressed"], false);
      sum += one->at(month)["revenue"].get<double>();
    }
    EXPECT_NEAR(row["revenue"].get<double>(), sum, 1e-6);
    ++months;
  }
  EXPECT_GT(months, 5u);
  // The union's total is its shown months (November 2023 is in no total of the union).
  const auto [total, shown] = total_and_shown(json_of(get("/api/v1/partner/kpis", p))["rows"]);
  EXPECT_NEAR(total, shown, 1e-6);
  // LTV per brand and in total: the total is the brands' sum, and equals the KPI total.
  const Json ltv = json_of(get("/api/v1/partner/ltv", p))["rows"];
  ASSERT_EQ(ltv.size(), 3u) << ltv.dump();
  EXPECT_EQ(ltv[0]["brand"], "Alpha");
  EXPECT_EQ(ltv[1]["brand"], "Gamma");
  EXPECT_EQ(ltv[2]["brand"], "total");
  EXPECT_NEAR(ltv[2]["revenue"].get<double>(),
              ltv[0]["revenue"].get<double>() + ltv[1]["revenue"].get<double>(), 1e-6);
  EXPECT_NEAR(ltv[2]["revenue"].get<double>(), total, 1e-6);
}

TEST_F(Server, PartnerLtvAndSegmentSharesAreOfItsOwnBuyers) {
  const Totals all = alpha_totals(fx->lines);
  const std::set<std::string> months = shown_alpha_months(all);
  const Totals mine = alpha_totals(fx->lines, months);
  std::map<std::string, std::set<std::string>> orders_of;
  for (const Line& l : fx->lines) {
    if (is_alpha(l.product) && months.count(ltv::format_date(l.day).substr(0, 7))) {
      orders_of[l.customer].insert(l.order);
    }
  }
  std::size_t repeaters = 0;
  for (const auto& [c, o] : orders_of) repeaters += o.size() >= 2 ? 1 : 0;
  const double buyers = static_cast<double>(mine.buyers.size());
  const Json ltv = json_of(get("/api/v1/partner/ltv", fx->partner_a));
  ASSERT_EQ(ltv["rows"].size(), 1u) << ltv.dump();
  const Json& row = ltv["rows"][0];
  EXPECT_EQ(row["brand"], "Alpha");
  EXPECT_EQ(row["suppressed"], false);
  EXPECT_EQ(row["buyers"].get<std::size_t>(), mine.buyers.size());
  EXPECT_EQ(row["orders"].get<std::size_t>(), mine.orders.size());
  EXPECT_NEAR(row["revenue"].get<double>(), mine.revenue, 1e-6);
  EXPECT_NEAR(row["historical_ltv"].get<double>(), mine.revenue / buyers, 1e-9);
  EXPECT_NEAR(row["orders_per_buyer"].get<double>(),
              static_cast<double>(mine.orders.size()) / buyers, 1e-12);
  EXPECT_NEAR(row["repeat_rate"].get<double>(), static_cast<double>(repeaters) / buyers, 1e-12);

  // Segment shares: the segments of A's buyers in the newest run's customers table, as the
  // analyst reads it.
  const std::int64_t run = json_of(get("/api/v1/runs/latest", fx->analyst))["run_id"];
  const Json customers =
      json_of(get(fmt::format("/api/v1/runs/{}/tables/customers", run), fx->analyst))["rows"];
  std::map<std::string, std::map<std::string, std::size_t>> expected;
  for (const Json& c : customers) {
    if (!mine.buyers.count(c["customer_id"].get<std::string>())) continue;
    ++expected["rfm"][c["rfm_segment"].get<std::string>()];
    ++expected["lifecycle"][c["stage"].get<std::string>()];
  }
  const auto r = get("/api/v1/partner/segments", fx->partner_a);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body.find("C0"), std::string::npos);
  std::map<std::string, std::size_t> hidden, hidden_cells, shown, totals;
  const Json segments = json_of(r);
  for (const Json& s : segments["rows"]) {
    const std::string scheme = s["scheme"], segment = s["segment"];
    SCOPED_TRACE(s.dump());
    ASSERT_TRUE(expected.count(scheme));
    if (segment == "total") {
      EXPECT_EQ(s["buyers"].get<std::size_t>(), mine.buyers.size());
      totals[scheme] = s["buyers"];
      continue;
    }
    ASSERT_TRUE(expected[scheme].count(segment));
    const std::size_t n = expected[scheme][segment];
    if (s["suppressed"] == true) {
      EXPECT_TRUE(s["buyers"].is_null() && s["share"].is_null());
      hidden[scheme] += n;
      ++hidden_cells[scheme];
    } else {
      EXPECT_EQ(s["buyers"].get<std::size_t>(), n);
      EXPECT_GE(n, static_cast<std::size_t>(kMinCell));
      EXPECT_NEAR(s["share"].get<double>(), static_cast<double>(n) / buyers, 1e-12);
      shown[scheme] += n;
    }
  }
  for (const char* scheme : {"rfm", "lifecycle"}) {
    SCOPED_TRACE(scheme);
    EXPECT_EQ(totals[scheme], mine.buyers.size()) << r->body;
    EXPECT_EQ(shown[scheme] + hidden[scheme], mine.buyers.size());
    // Suppressed segments: none, or at least two holding min_cell buyers together.
    if (hidden_cells[scheme] > 0) {
      EXPECT_GE(hidden_cells[scheme], 2u);
      EXPECT_GE(hidden[scheme], static_cast<std::size_t>(kMinCell));
    }
  }
}

TEST_F(Server, AnalystReadsStoredRunsTablesCustomersAndReport) {
  const Json runs = json_of(get("/api/v1/runs", fx->analyst));
  ASSERT_GE(runs["runs"].size(), 1u);
  EXPECT_EQ(runs["runs"][0]["run_id"], 1);
  const Json headline = json_of(get("/api/v1/kpis/headline", fx->analyst));
  EXPECT_EQ(headline["customers"], 240);  // the canary line's customer C0001 is one of them
  const auto table = get("/api/v1/runs/1/tables/analytics/kpis?format=csv", fx->analyst);
  EXPECT_EQ(table->status, 200);
  EXPECT_EQ(table->body.rfind("group,period,", 0), 0u) << table->body.substr(0, 100);
  const Json customer = json_of(get("/api/v1/customers/C0001", fx->analyst));
  EXPECT_EQ(customer["customer"]["customer_id"], "C0001");
  EXPECT_TRUE(customer.contains("actions"));
  expect_error(get("/api/v1/customers/NOPE", fx->analyst), 404, "customer_id");
  const auto report = get("/api/v1/report", fx->analyst);
  EXPECT_EQ(report->status, 200);
  EXPECT_NE(report->body.find("<html"), std::string::npos);
  // Admin-only route: an analyst is refused, an admin answered; no token hash in it.
  expect_error(get("/api/v1/users", fx->analyst), 403, "");
  const auto users = get("/api/v1/users", fx->admin);
  EXPECT_EQ(users->status, 200);
  EXPECT_EQ(json_of(users)["users"].size(), 5u);
  EXPECT_EQ(users->body.find("hash"), std::string::npos);
  // Analysts read a partner view by naming the brand.
  expect_error(get("/api/v1/partner/kpis", fx->analyst), 400, "brand");
  EXPECT_EQ(json_of(get("/api/v1/partner/kpis?brand=Alpha", fx->analyst))["rows"],
            json_of(get("/api/v1/partner/kpis", fx->partner_a))["rows"]);
}

// ------------------------------------------------------------------------------ bad requests

TEST_F(Server, BadRequestsGet4xxNamingTheParameterNever500) {
  const std::string& t = fx->analyst;
  expect_error(get("/api/v1/runs?limit=5", t), 400, "limit");
  expect_error(get("/api/v1/runs?format=xml", t), 400, "format");
  expect_error(get("/api/v1/runs?format=json&format=csv", t), 400, "format");
  expect_error(get("/api/v1/runs/abc", t), 400, "run_id");
  expect_error(get("/api/v1/runs/0", t), 400, "run_id");
  expect_error(get("/api/v1/runs/99999999999999999999", t), 400, "run_id");
  expect_error(get("/api/v1/runs/42", t), 404, "run_id");
  expect_error(get("/api/v1/kpis/headline?run=-1", t), 400, "run");
  // Path traversal in table names: matched against the run's tables only.
  for (const char* name : {"../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "customers/../actions",
                           "r_customers", "customers;DROP%20TABLE%20runs", "%00"}) {
    SCOPED_TRACE(name);
    expect_error(get(std::string("/api/v1/runs/1/tables/") + name, t), 404, "table");
  }
  // Invalid dates.
  const std::string& a = fx->partner_a;
  expect_error(get("/api/v1/partner/kpis?from=2024-02-30", a), 400, "from");
  expect_error(get("/api/v1/partner/kpis?from=yesterday", a), 400, "from");
  expect_error(get("/api/v1/partner/kpis?to=2024-13-01", a), 400, "to");
  expect_error(get("/api/v1/partner/kpis?from=2024-06-01&to=2024-05-01", a), 400, "to");
  EXPECT_EQ(get("/api/v1/partner/kpis?from=2024-03-01&to=2024-05-31", a)->status, 200);
  // A huge body.
  httplib::Client client("127.0.0.1", fx->server->port());
  const auto huge = client.Post("/api/v1/runs", {{"Authorization", "Bearer " + t}},
                                std::string(2 << 20, 'x'), "application/json");
  ASSERT_TRUE(huge);
  expect_error(huge, 413, "body");
  // Unknown routes and methods.
  expect_error(get("/api/v1/nothing", t), 404, "");
  expect_error(client.Delete("/api/v1/runs", {{"Authorization", "Bearer " + t}}), 405, "");
  // Every answer above was logged with its route and user, never with the token.
  std::lock_guard lock(fx->log_mutex);
  ASSERT_FALSE(fx->log.empty());
  for (const std::string& line : fx->log) {
    EXPECT_EQ(line.find(fx->analyst), std::string::npos) << line;
    EXPECT_EQ(line.find(fx->partner_a), std::string::npos) << line;
    EXPECT_EQ(line.find(" 500 "), std::string::npos) << line;
  }
}

// ------------------------------------------------------------------ dashboard and sessions

/// The value of the session cookie set by a sign-in answer ("" when none).
std::string session_cookie_of(const httplib::Result& r) {
  const std::string set = r->get_header_value("Set-Cookie");
  const std::smatch m = [&] {
    std::smatch out;
    std::regex_search(set, out, std::regex("^ltv_session=([0-9a-f]*);"));
    return out;
  }();
  return m.empty() ? std::string() : m[1].str();
}

/// A request with the session cookie (and the CSRF header when `csrf` is not empty).
httplib::Result with_cookie(const std::string& method, const std::string& path,
                            const std::string& cookie, const std::string& csrf,
                            const std::string& body = "") {
  httplib::Client client("127.0.0.1", fx->server->port());
  client.set_url_encode(false);
  httplib::Headers headers = {{"Cookie", "theme=dark; ltv_session=" + cookie}};
  if (!csrf.empty()) headers.emplace("X-CSRF-Token", csrf);
  if (method == "GET") return client.Get(path, headers);
  if (method == "DELETE") return client.Delete(path, headers);
  return client.Post(path, headers, body, "application/json");
}

httplib::Result sign_in(const std::string& body,
                        const std::string& content_type = "application/json") {
  httplib::Client client("127.0.0.1", fx->server->port());
  return client.Post("/api/v1/session", body, content_type);
}

TEST_F(Server, DashboardFilesAreCompiledInWithStrictHeaders) {
  const auto index = get("/", "");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("id=\"login-form\""), std::string::npos);
  // No inline script or style in any page (the CSP below would block them).
  for (const char* page : {"/", "/app/dashboard.html"}) {
    const auto r = get(page, "");
    ASSERT_EQ(r->status, 200) << page;
    EXPECT_FALSE(std::regex_search(r->body, std::regex("<script(?![^>]*\\bsrc=)[^>]*>"))) << page;
    EXPECT_EQ(r->body.find(" style="), std::string::npos) << page;
    EXPECT_EQ(r->body.find("<style"), std::string::npos) << page;
    EXPECT_EQ(r->body.find("http://"), std::string::npos) << page;  // nothing from elsewhere
    EXPECT_EQ(r->body.find("https://"), std::string::npos) << page;
  }
  // Every answer, pages and API alike, carries the same strict headers.
  for (const auto& [path, token] :
       std::vector<std::pair<std::string, std::string>>{{"/", ""},
                                                        {"/app/dashboard.js", ""},
                                                        {"/api/v1/kpis/headline", fx->analyst},
                                                        {"/api/v1/runs", ""},
                                                        {"/api/v1/nothing", ""}}) {
    SCOPED_TRACE(path);
    const auto r = get(path, token);
    ASSERT_TRUE(r);
    const std::string csp = r->get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("style-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r->get_header_value("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(r->get_header_value("X-Frame-Options"), "DENY");
  }
  EXPECT_EQ(get("/api/v1/kpis/headline", fx->analyst)->get_header_value("Cache-Control"),
            "no-store");
  // The run's HTML report has an inline style sheet: its policy allows that, and no script.
  const auto report = get("/api/v1/report", fx->analyst);
  ASSERT_EQ(report->status, 200);
  EXPECT_EQ(report->get_header_value_count("Content-Security-Policy"), 1u);
  const std::string report_csp = report->get_header_value("Content-Security-Policy");
  EXPECT_NE(report_csp.find("default-src 'none'"), std::string::npos) << report_csp;
  EXPECT_EQ(report_csp.find("script-src"), std::string::npos) << report_csp;
  EXPECT_NE(report_csp.find("frame-ancestors 'none'"), std::string::npos) << report_csp;
  EXPECT_EQ(report->body.find("<script"), std::string::npos);
  // Chart.js is Debian's file, byte for byte.
  std::ifstream in("/usr/share/javascript/chart.js/chart.min.js", std::ios::binary);
  ASSERT_TRUE(in) << "Debian's libjs-chart.js is not installed (scripts/deps.sh)";
  const std::string debian((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto chart = get("/app/chart.min.js", "");
  ASSERT_EQ(chart->status, 200);
  EXPECT_EQ(chart->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(chart->body.size(), debian.size());
  EXPECT_TRUE(chart->body == debian);
  EXPECT_NE(chart->body.find("Chart.js v3.9.1"), std::string::npos);
  // Only the embedded files: anything else is 404 naming the asset, never a file of the disk.
  for (const char* name : {"nothing.js", "..%2F..%2Fetc%2Fpasswd", "../CMakeCache.txt",
                           "style.css%00.js", "dashboard.js/"}) {
    SCOPED_TRACE(name);
    expect_error(get(std::string("/app/") + name, ""), 404, "asset");
  }
}

TEST_F(Server, SignInGivesAStrictSessionCookieAndTheSameScopeAsTheToken) {
  const auto r = sign_in(Json{{"token", fx->analyst}}.dump());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string set = r->get_header_value("Set-Cookie");
  const std::string cookie = session_cookie_of(r);
  EXPECT_EQ(cookie.size(), 64u) << set;
  EXPECT_NE(set.find("; HttpOnly"), std::string::npos) << set;
  EXPECT_NE(set.find("; SameSite=Strict"), std::string::npos) << set;
  EXPECT_NE(set.find("; Path=/;"), std::string::npos) << set;
  EXPECT_EQ(set.find("Secure"), std::string::npos) << set;  // plain HTTP without --secure-cookies
  const Json body = json_of(r);
  EXPECT_EQ(body["user"], "ann");
  EXPECT_EQ(body["role"], "analyst");
  const std::string csrf = body["csrf_token"].get<std::string>();
  EXPECT_TRUE(std::regex_match(csrf, std::regex("[0-9a-f]{64}"))) << csrf;
  EXPECT_NE(csrf, cookie);
  EXPECT_EQ(body.dump().find(fx->analyst), std::string::npos);  // the token is not echoed
  EXPECT_EQ(body.dump().find(cookie), std::string::npos);       // nor the cookie (HttpOnly)

  // The cookie reads what the token reads, byte for byte.
  for (const char* path : {"/api/v1/kpis/headline", "/api/v1/customers/C0007",
                           "/api/v1/runs/1/tables/segments?format=csv"}) {
    SCOPED_TRACE(path);
    const auto by_cookie = with_cookie("GET", path, cookie, "");
    const auto by_token = get(path, fx->analyst);
    ASSERT_EQ(by_cookie->status, 200) << by_cookie->body;
    EXPECT_EQ(by_cookie->body, by_token->body);
  }
  const Json who = json_of(with_cookie("GET", "/api/v1/session", cookie, ""));
  EXPECT_EQ(who["csrf_token"], csrf);
  EXPECT_EQ(who["authenticated_by"], "cookie");
  const Json who_token = json_of(get("/api/v1/session", fx->analyst));
  EXPECT_TRUE(who_token["csrf_token"].is_null());
  EXPECT_EQ(who_token["authenticated_by"], "token");

  // CSRF: a state-changing request with the cookie needs the session's token.
  expect_error(with_cookie("POST", "/api/v1/runs", cookie, "", R"({"horizon": "abc"})"), 403,
               "X-CSRF-Token");
  expect_error(
      with_cookie("POST", "/api/v1/runs", cookie, std::string(64, '0'), R"({"horizon": "abc"})"),
      403, "X-CSRF-Token");
  expect_error(with_cookie("POST", "/api/v1/runs", cookie, csrf.substr(1), R"({"horizon": "abc"})"),
               403, "X-CSRF-Token");
  // With it, the request reaches the route (whose check of the body then refuses "abc").
  expect_error(with_cookie("POST", "/api/v1/runs", cookie, csrf, R"({"horizon": "abc"})"), 400,
               "horizon");
  // Bearer callers need none (the same request reaches the route).
  httplib::Client client("127.0.0.1", fx->server->port());
  expect_error(client.Post("/api/v1/runs", {{"Authorization", "Bearer " + fx->analyst}},
                           R"({"horizon": "abc"})", "application/json"),
               400, "horizon");

  // A forged or malformed cookie: 401 and no data.
  std::string forged = cookie;
  forged[0] = forged[0] == 'a' ? 'b' : 'a';
  for (const std::string& bad : {forged, std::string("x"), std::string(), csrf}) {
    expect_error(with_cookie("GET", "/api/v1/kpis/headline", bad, ""), 401, "Authorization");
  }

  // Sign-out: needs the CSRF token, ends the session, clears the cookie.
  expect_error(with_cookie("DELETE", "/api/v1/session", cookie, ""), 403, "X-CSRF-Token");
  EXPECT_EQ(with_cookie("GET", "/api/v1/kpis/headline", cookie, "")->status, 200);
  const auto out = with_cookie("DELETE", "/api/v1/session", cookie, csrf);
  ASSERT_EQ(out->status, 200) << out->body;
  EXPECT_EQ(json_of(out)["ended"], true);
  EXPECT_NE(out->get_header_value("Set-Cookie").find("ltv_session=; Path=/; Max-Age=0"),
            std::string::npos);
  expect_error(with_cookie("GET", "/api/v1/kpis/headline", cookie, ""), 401, "Authorization");

  // Neither the cookie nor the CSRF token is ever logged.
  std::lock_guard lock(fx->log_mutex);
  for (const std::string& line : fx->log) {
    EXPECT_EQ(line.find(cookie), std::string::npos) << line;
    EXPECT_EQ(line.find(csrf), std::string::npos) << line;
  }
}

TEST_F(Server, SecureCookiesAddTheSecureAttribute) {
  ltv::server::ServerOptions options;
  options.workspace = fx->workspace.string();
  options.port = 0;
  options.threads = 2;
  options.secure_cookies = true;
  options.log = [](const std::string&) {};
  ltv::server::Server secure(options);
  secure.start();
  httplib::Client client("127.0.0.1", secure.port());
  const auto r =
      client.Post("/api/v1/session", Json{{"token", fx->analyst}}.dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string set = r->get_header_value("Set-Cookie");
  EXPECT_NE(set.find("; HttpOnly; SameSite=Strict; Secure"), std::string::npos) << set;
  secure.stop();
}

TEST(ServerSessions, ExpireWhenIdleOrOldAndMakeRoomForNewOnes) {
  using namespace std::chrono_literals;
  ltv::server::Sessions sessions(2s, 4s, 2);
  const auto a = sessions.open("hash-a", "ann");
  EXPECT_TRUE(std::regex_match(a.id, std::regex("[0-9a-f]{64}")));
  EXPECT_TRUE(std::regex_match(a.csrf, std::regex("[0-9a-f]{64}")));
  EXPECT_NE(a.id, a.csrf);
  const auto found = sessions.find(a.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->token_hash, "hash-a");
  EXPECT_EQ(found->user, "ann");
  EXPECT_EQ(found->csrf, a.csrf);
  EXPECT_FALSE(sessions.find(a.csrf));          // the CSRF token is not a session id
  EXPECT_FALSE(sessions.find(a.id.substr(1)));  // malformed
  // At most two: a third sign-in ends the oldest session.
  const auto b = sessions.open("hash-b", "bob");
  const auto c = sessions.open("hash-c", "cid");
  EXPECT_EQ(sessions.size(), 2u);
  EXPECT_FALSE(sessions.find(a.id));
  EXPECT_TRUE(sessions.find(b.id));
  // Idle for more than 2 s: ended.
  std::this_thread::sleep_for(2200ms);
  EXPECT_FALSE(sessions.find(b.id));
  EXPECT_FALSE(sessions.find(c.id));
  EXPECT_EQ(sessions.size(), 0u);
  // Kept alive by requests (never idle 2 s), a session still ends 4 s after sign-in.
  const auto d = sessions.open("hash-d", "dan");
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(500ms);
    EXPECT_TRUE(sessions.find(d.id)) << i;
  }
  std::this_thread::sleep_for(1700ms);  // 4.2 s after sign-in, idle 1.7 s
  EXPECT_FALSE(sessions.find(d.id));
  // Sign-out.
  const auto e = sessions.open("hash-e", "eve");
  EXPECT_TRUE(sessions.end(e.id));
  EXPECT_FALSE(sessions.end(e.id));
  EXPECT_FALSE(sessions.find(e.id));
  EXPECT_TRUE(ltv::server::Sessions::same_secret(e.csrf, e.csrf));
  EXPECT_FALSE(ltv::server::Sessions::same_secret(e.csrf, e.id));
  EXPECT_FALSE(ltv::server::Sessions::same_secret("", ""));
}

TEST_F(Server, SignInRefusesBadBodiesAndRevokingTheTokenEndsItsSessions) {
  expect_error(sign_in(Json{{"token", std::string(64, 'f')}}.dump()), 401, "token");
  expect_error(sign_in(Json{{"token", "short"}}.dump()), 401, "token");
  expect_error(sign_in(""), 400, "token");
  expect_error(sign_in("{}"), 400, "token");
  expect_error(sign_in(R"({"token": 5})"), 400, "token");
  expect_error(sign_in("{bad"), 400, "body");
  expect_error(sign_in(R"(["x"])"), 400, "body");
  expect_error(sign_in(Json{{"token", fx->analyst}, {"role", "admin"}}.dump()), 400, "role");
  expect_error(sign_in("token=" + fx->analyst, "application/x-www-form-urlencoded"), 415,
               "Content-Type");
  // A failed sign-in sets no cookie.
  EXPECT_EQ(sign_in(Json{{"token", std::string(64, 'f')}}.dump())->get_header_value("Set-Cookie"),
            "");

  // A session lives only as long as its token: revoked, the next request is refused.
  auto ws = ltv::store::WorkspaceStore::open(fx->workspace.string());
  const auto token = ltv::server::create_token(ws, "ann", std::nullopt);
  const auto r = sign_in(Json{{"token", token.token}}.dump());
  ASSERT_EQ(r->status, 200);
  const std::string cookie = session_cookie_of(r);
  EXPECT_EQ(with_cookie("GET", "/api/v1/runs", cookie, "")->status, 200);
  ltv::server::revoke_token(ws, token.info.id);
  expect_error(with_cookie("GET", "/api/v1/runs", cookie, ""), 401, "Authorization");
}

TEST_F(Server, APartnersSessionGoesThroughItsScope) {
  const auto r = sign_in(Json{{"token", fx->partner_a}}.dump());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json_of(r)["brands"], Json::array({"Alpha"}));
  const std::string cookie = session_cookie_of(r);
  // The same answers as with the partner's token, and the same refusals.
  for (const char* path : {"/api/v1/partner/kpis", "/api/v1/partner/cohorts?format=csv",
                           "/api/v1/partner/penetration", "/api/v1/partner/products"}) {
    SCOPED_TRACE(path);
    const auto by_cookie = with_cookie("GET", path, cookie, "");
    ASSERT_EQ(by_cookie->status, 200) << by_cookie->body;
    EXPECT_EQ(by_cookie->body, get(path, fx->partner_a)->body);
    EXPECT_EQ(by_cookie->body.find(kCanaryBrand), std::string::npos);
    EXPECT_EQ(by_cookie->body.find(kCanaryProductName), std::string::npos);
  }
  for (const auto& route : ltv::server::routes()) {
    if (route.access != ltv::server::Access::analyst && route.access != ltv::server::Access::admin)
      continue;
    if (route.method != std::string_view("GET")) continue;
    std::string path(route.path);
    path = std::regex_replace(path, std::regex("\\{run_id\\}"), "1");
    path = std::regex_replace(path, std::regex("\\{table\\+\\}"), "customers");
    path = std::regex_replace(path, std::regex("\\{customer_id\\}"), "C0001");
    path = std::regex_replace(path, std::regex("\\{job_id\\}"), "1");
    SCOPED_TRACE(path);
    expect_error(with_cookie("GET", path, cookie, ""), 403, "");
  }
  const auto widened =
      with_cookie("GET", std::string("/api/v1/partner/kpis?brand=") + kCanaryBrand, cookie, "");
  expect_error(widened, 404, "brand");
  EXPECT_EQ(widened->body.find(kCanaryBrand), std::string::npos);
  const Json who = json_of(with_cookie("GET", "/api/v1/session", cookie, ""));
  EXPECT_EQ(who["user"], "alpha");
  EXPECT_EQ(who["brands"], Json::array({"Alpha"}));
}

TEST_F(Server, AnalystViewsAgreeWithTheStoredCustomersTable) {
  // The stored customers table, read through the table route: the independent source.
  const Json table = json_of(get("/api/v1/runs/1/tables/customers", fx->analyst));
  std::vector<std::pair<double, std::string>> clv;
  std::vector<std::string> ids;
  for (const Json& row : table["rows"]) {
    ids.push_back(row["customer_id"].get<std::string>());
    if (row["clv"].is_number()) clv.emplace_back(row["clv"].get<double>(), ids.back());
  }
  ASSERT_EQ(ids.size(), 240u);
  std::sort(clv.begin(), clv.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  const Json top = json_of(get("/api/v1/ltv/top?run=1&limit=7", fx->analyst));
  ASSERT_EQ(top["rows"].size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(top["rows"][i]["customer_id"], clv[i].second) << i;
    EXPECT_DOUBLE_EQ(top["rows"][i]["clv"].get<double>(), clv[i].first) << i;
  }
  // The histogram: every customer with a CLV in exactly one bin, each bin's count as counted
  // here from the bounds it states.
  const Json hist = json_of(get("/api/v1/ltv/histogram?run=1&bins=10", fx->analyst));
  EXPECT_EQ(hist["customers_without_clv"].get<std::size_t>(), ids.size() - clv.size());
  std::int64_t binned = 0;
  const Json& bins = hist["rows"];
  ASSERT_GE(bins.size(), 10u) << hist.dump();
  ASSERT_LE(bins.size(), 11u);
  for (std::size_t b = 0; b < bins.size(); ++b) {
    const double from = bins[b]["from"].get<double>();
    const bool open = bins[b]["to"].is_null();
    const bool last_closed = !open && (b + 1 == bins.size() || bins[b + 1]["to"].is_null());
    std::int64_t expected = 0;
    for (const auto& [v, id] : clv) {
      if (open ? v > from
               : (v >= from - 1e-9 && (last_closed ? v <= bins[b]["to"].get<double>() + 1e-9
                                                   : v < bins[b]["to"].get<double>()))) {
        ++expected;
      }
    }
    EXPECT_EQ(bins[b]["customers"].get<std::int64_t>(), expected) << b;
    binned += bins[b]["customers"].get<std::int64_t>();
  }
  EXPECT_EQ(binned, static_cast<std::int64_t>(clv.size()));
  // The search: ids starting with q, in id order, at most limit.
  const Json found = json_of(get("/api/v1/customers?q=C01&limit=5", fx->analyst));
  std::vector<std::string> expected_ids;
  for (const auto& id : ids) {
    if (id.rfind("C01", 0) == 0) expected_ids.push_back(id);
  }
  std::sort(expected_ids.begin(), expected_ids.end());
  ASSERT_GT(expected_ids.size(), 5u);
  ASSERT_EQ(found["rows"].size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(found["rows"][i]["customer_id"], expected_ids[i]);
  EXPECT_EQ(found["more"], true);
  const Json one = json_of(get("/api/v1/customers?q=C0239", fx->analyst));
  ASSERT_EQ(one["rows"].size(), 1u);
  EXPECT_EQ(one["more"], false);
  EXPECT_TRUE(json_of(get("/api/v1/customers?q=nobody", fx->analyst))["rows"].empty());
  // One customer's history: per month, from the test's own lines of that customer.
  for (const std::string customer : {"C0007", "C0001"}) {
    SCOPED_TRACE(customer);
    std::map<std::string, std::tuple<std::set<std::string>, std::int64_t, double>> months;
    for (const Line& l : fx->lines) {
      if (l.customer != customer) continue;
      auto& [orders, lines, revenue] = months[ltv::format_date(l.day).substr(0, 7)];
      orders.insert(l.order);
      ++lines;
      revenue += l.amount;
    }
    const Json history =
        json_of(get("/api/v1/customers/" + customer + "/history?run=1", fx->analyst));
    ASSERT_EQ(history["rows"].size(), months.size()) << history.dump();
    std::size_t i = 0;
    for (const auto& [month, m] : months) {
      const Json& row = history["rows"][i++];
      EXPECT_EQ(row["month"], month);
      EXPECT_EQ(row["orders"].get<std::size_t>(), std::get<0>(m).size()) << month;
      EXPECT_EQ(row["lines"].get<std::int64_t>(), std::get<1>(m)) << month;
      EXPECT_NEAR(row["revenue"].get<double>(), std::get<2>(m), 1e-6) << month;
    }
  }
  expect_error(get("/api/v1/customers/NOBODY/history", fx->analyst), 404, "customer_id");
  // Bad parameters name themselves.
  expect_error(get("/api/v1/customers", fx->analyst), 400, "q");
  expect_error(get("/api/v1/customers?q=", fx->analyst), 400, "q");
  expect_error(get("/api/v1/customers?q=C0&limit=0", fx->analyst), 400, "limit");
  expect_error(get("/api/v1/ltv/top?limit=5000", fx->analyst), 400, "limit");
  expect_error(get("/api/v1/ltv/histogram?bins=x", fx->analyst), 400, "bins");
  expect_error(get("/api/v1/ltv/histogram?bins=201", fx->analyst), 400, "bins");
  expect_error(get("/api/v1/ltv/top?run=99", fx->analyst), 404, "run_id");
}

// ------------------------------------------------------------------------- recalculation

TEST_F(Server, RecalculationRunsInTheBackgroundAndCommitsANewRun) {
  httplib::Client client("127.0.0.1", fx->server->port());
  const httplib::Headers auth = {{"Authorization", "Bearer " + fx->analyst}};
  // Bad requests first: a parameter the run does not take, a bad value, malformed JSON, a form.
  expect_error(client.Post("/api/v1/runs", auth, R"({"modl": "x"})", "application/json"), 400,
               "modl");
  expect_error(client.Post("/api/v1/runs", auth, R"({"horizon": "abc"})", "application/json"), 400,
               "horizon");
  expect_error(client.Post("/api/v1/runs", auth, "{bad", "application/json"), 400, "body");
  expect_error(
      client.Post("/api/v1/runs", auth, "model=mbgnbd", "application/x-www-form-urlencoded"), 415,
      "Content-Type");
  const std::int64_t runs_before =
      static_cast<std::int64_t>(json_of(get("/api/v1/runs", fx->analyst))["runs"].size());
  const auto started =
      client.Post("/api/v1/runs", auth, R"({"model": "mbgnbd", "horizon": 6})", "application/json");
  ASSERT_TRUE(started);
  ASSERT_EQ(started->status, 202) << started->body;
  const std::int64_t job = json_of(started)["job_id"].get<std::int64_t>();
  Json status;
  for (int i = 0; i < 600; ++i) {  // up to 60 s
    status = json_of(get(fmt::format("/api/v1/jobs/{}", job), fx->analyst));
    if (status["status"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(status["status"], "committed") << status.dump();
  EXPECT_EQ(status["run_id"], runs_before + 1);
  const Json latest = json_of(get("/api/v1/runs/latest", fx->analyst));
  EXPECT_EQ(latest["run_id"], runs_before + 1);
  EXPECT_EQ(json_of(get("/api/v1/kpis/headline", fx->analyst))["horizon_months"], 6.0);
  expect_error(get("/api/v1/jobs/999", fx->analyst), 404, "job_id");
}

// ---- Recalculation timer and restart safety (issue 19, h13-recalc): each test builds its own
// workspace (the fixture's data set) and starts its own servers.

/// A workspace of the fixture's data set with one run (--model mbgnbd) and an analyst `ann`;
/// returns the analyst's token.
std::string make_workspace(const std::filesystem::path& dir, const std::filesystem::path& ws) {
  write(dir / "transactions.csv", csv_of(make_lines()));
  std::string products = "product_id,name,brand,category\n";
  for (const Product& p : kProducts) {
    products += fmt::format("{},{},{},{}\n", p.id, p.name, p.brand, p.category);
  }
  write(dir / "products.csv", products);
  for (const std::string& command :
       {" init " + q(ws),
        " ingest " + q(ws) + " " + q(dir / "transactions.csv") +
            " --customer customer_id --date date --order order_id --product product --amount "
            "amount -q",
        " ingest " + q(ws) + " " + q(dir / "products.csv") + " --kind products",
        " run " + q(ws) + " --model mbgnbd -q", " user add " + q(ws) + " ann --role analyst"}) {
    const auto r = run(cli() + command);
    EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.err << r.out;
  }
  const auto r = run(cli() + " token create " + q(ws) + " ann");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string token = r.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

/// Every committed run's tables as stored: "run/table -> rows listed in run_tables / rows
/// present in the result table", and the count of result rows of runs that are not committed.
struct StoredRuns {
  std::map<std::string, std::string> tables;
  std::int64_t orphan_rows = 0;
  std::int64_t runs = 0;
};

StoredRuns stored_runs(const std::filesystem::path& ws_path) {
  namespace st = ltv::store;
  st::WorkspaceStore ws = st::WorkspaceStore::open(ws_path.string());
  st::Database& db = ws.database();
  StoredRuns out;
  out.runs = st::query_integer(db, "SELECT count(*) FROM runs", {}, -1);
  std::vector<std::tuple<std::int64_t, std::string, std::string, std::int64_t>> listed;
  db.scan(
      "SELECT run_id, table_key, sql_table, row_count FROM run_tables ORDER BY run_id, "
      "table_key",
      {}, [&](const st::SqlRow& row) {
        listed.emplace_back(row.integer(0), std::string(row.text(1)), std::string(row.text(2)),
                            row.integer(3));
      });
  std::set<std::string> sql_tables;
  for (const auto& [run_id, key, table, rows] : listed) {
    const st::SqlValue p[] = {run_id};
    const std::int64_t present = st::query_integer(
        db, fmt::format("SELECT count(*) FROM {} WHERE run_id = $1", st::quote_identifier(table)),
        p, -1);
    out.tables[fmt::format("{}/{}", run_id, key)] = fmt::format("{}/{}", rows, present);
    sql_tables.insert(table);
  }
  for (const std::string& table : sql_tables) {
    out.orphan_rows += st::query_integer(
        db,
        fmt::format("SELECT count(*) FROM {} WHERE run_id NOT IN (SELECT run_id FROM runs)",
                    st::quote_identifier(table)),
        {}, -1);
  }
  return out;
}

Json wait_for_job(int port, const std::string& token, std::int64_t job) {
  httplib::Client client("127.0.0.1", port);
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  Json status;
  for (int i = 0; i < 1800; ++i) {  // up to 180 s
    const auto r = client.Get(fmt::format("/api/v1/jobs/{}", job), auth);
    if (r && r->status == 200) {
      status = Json::parse(r->body);
      if (status["status"] != "running") break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return status;
}

TEST(ServerRecalc, TimerRecalculatesAStaleWorkspaceWithoutARequest) {
  const auto dir = ltv::test::temp_dir("server_recalc_timer");
  const auto ws = dir / "ws.db";
  make_workspace(dir, ws);
  ASSERT_EQ(stored_runs(ws).runs, 1);
  std::vector<std::string> log;
  std::mutex log_mutex;
  ltv::server::ServerOptions options;
  options.workspace = ws.string();
  options.port = 0;
  options.threads = 2;
  options.log = [&](const std::string& line) {
    std::lock_guard lock(log_mutex);
    log.push_back(line);
  };
  const auto has_line = [&](const std::string& part) {
    std::lock_guard lock(log_mutex);
    return std::any_of(log.begin(), log.end(),
                       [&](const std::string& l) { return l.find(part) != std::string::npos; });
  };
  {
    // A fresh run and a day's interval: the timer starts nothing.
    options.recalc_every = 86400;
    ltv::server::Server server(options);
    server.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    server.stop();
    EXPECT_EQ(stored_runs(ws).runs, 1);
    EXPECT_FALSE(has_line("recalculation job")) << "the timer started a job on a fresh run";
  }
  // One second: the run is stale (at the latest) a second after it committed; no request.
  options.recalc_every = 1;
  ltv::server::Server server(options);
  server.start();
  for (int i = 0; i < 1200 && !has_line("recalculation job 1 committed run 2"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  server.stop();  // waits for a job the timer may have started since
  EXPECT_TRUE(has_line("recalculation job 1 started by (timer)"));
  EXPECT_TRUE(has_line("recalculation job 1 committed run 2"));
  namespace st = ltv::store;
  st::WorkspaceStore store = st::WorkspaceStore::open(ws.string());
  const auto second = store.run(2);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->model, store.run(1)->model) << "the timer keeps the newest run's parameters";
  EXPECT_EQ(second->options.value("model", std::string()), "mbgnbd");
  const st::SqlValue p[] = {std::int64_t{1}};
  EXPECT_EQ(st::query_text(store.database(),
                           "SELECT status || ' ' || started_by || ' ' || CAST(run_id AS TEXT) "
                           "FROM jobs WHERE job_id = $1",
                           p),
            "committed (timer) 2");
  // Nothing is left running once the server has stopped.
  EXPECT_EQ(st::query_integer(store.database(),
                              "SELECT count(*) FROM jobs WHERE status = 'running'", {}, -1),
            0);
}

/// Kills a child server that a failed assertion left running (its stderr would hold the test's
/// output pipe open).
struct ChildGuard {
  pid_t pid = -1;
  ~ChildGuard() {
    if (pid > 0 && waitpid(pid, nullptr, WNOHANG) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

/// `ltv serve` as a child process on an ephemeral port, stderr to `log`; the port it listens on.
pid_t spawn_server(const std::filesystem::path& ws, const std::filesystem::path& log, int& port) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    const std::string binary = cli();
    execl(binary.c_str(), binary.c_str(), "serve", ws.c_str(), "--listen", "127.0.0.1:0",
          "--threads", "4", static_cast<char*>(nullptr));
    _exit(127);
  }
  port = 0;
  const std::regex listening(R"(http://127\.0\.0\.1:(\d+)/)");
  for (int i = 0; i < 300 && port == 0; ++i) {  // up to 30 s
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream in(log);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::smatch m;
    if (std::regex_search(text, m, listening)) port = std::stoi(m[1]);
  }
  return pid;
}

TEST(ServerRecalc, AJobInterruptedBySigkillIsReportedFailedAndCommittedRunsStayIntact) {
  const auto dir = ltv::test::temp_dir("server_recalc_kill");
  const auto ws = dir / "ws.db";
  const std::string token = make_workspace(dir, ws);
  const StoredRuns before = stored_runs(ws);
  ASSERT_EQ(before.runs, 1);
  ASSERT_FALSE(before.tables.empty());
  ASSERT_EQ(before.orphan_rows, 0);

  int port = 0;
  const pid_t pid = spawn_server(ws, dir / "serve1.log", port);
  ChildGuard guard1{pid};
  ASSERT_GT(pid, 0);
  ASSERT_GT(port, 0) << "the server did not start";
  httplib::Client client("127.0.0.1", port);
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  // The automatic model choice: on this set its bgnbd / pnbd fits take a minute (see the
  // fixture), so the job is still running when it is killed.
  const auto started = client.Post("/api/v1/runs", auth, "{}", "application/json");
  ASSERT_TRUE(started);
  ASSERT_EQ(started->status, 202) << started->body;
  const std::int64_t job = Json::parse(started->body)["job_id"].get<std::int64_t>();
  Json status;
  for (int i = 0; i < 300; ++i) {  // until it is past its first step (up to 30 s)
    const auto r = client.Get(fmt::format("/api/v1/jobs/{}", job), auth);
    ASSERT_TRUE(r);
    status = Json::parse(r->body);
    if (status["status"] != "running" || !status["step"].is_null()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(status["status"], "running") << status.dump();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus));
  EXPECT_EQ(WTERMSIG(wstatus), SIGKILL);

  // Restarted: every committed run as it was, nothing of the interrupted one.
  const pid_t again = spawn_server(ws, dir / "serve2.log", port);
  ChildGuard guard2{again};
  ASSERT_GT(again, 0);
  ASSERT_GT(port, 0) << "the server did not restart";
  const StoredRuns after = stored_runs(ws);
  EXPECT_EQ(after.runs, before.runs);
  EXPECT_EQ(after.tables, before.tables);
  EXPECT_EQ(after.orphan_rows, 0);
  httplib::Client client2("127.0.0.1", port);
  const auto runs = client2.Get("/api/v1/runs", auth);
  ASSERT_TRUE(runs);
  EXPECT_EQ(Json::parse(runs->body)["runs"].size(), 1u) << runs->body;
  // The interrupted job is reported failed.
  const auto killed = client2.Get(fmt::format("/api/v1/jobs/{}", job), auth);
  ASSERT_TRUE(killed);
  ASSERT_EQ(killed->status, 200) << killed->body;
  const Json k = Json::parse(killed->body);
  EXPECT_EQ(k["status"], "failed") << k.dump();
  EXPECT_NE(k["error"].get<std::string>().find("interrupted"), std::string::npos) << k.dump();
  EXPECT_TRUE(k["finished_at"].is_string()) << k.dump();
  // A new recalculation succeeds, with the next job id, and commits run 2.
  const auto next =
      client2.Post("/api/v1/runs", auth, R"({"model": "mbgnbd"})", "application/json");
  ASSERT_TRUE(next);
  ASSERT_EQ(next->status, 202) << next->body;
  const std::int64_t next_job = Json::parse(next->body)["job_id"].get<std::int64_t>();
  EXPECT_EQ(next_job, job + 1);
  const Json done = wait_for_job(port, token, next_job);
  EXPECT_EQ(done["status"], "committed") << done.dump();
  EXPECT_EQ(done["run_id"], 2) << done.dump();
  // SIGTERM: a clean stop (exit 0).
  ASSERT_EQ(kill(again, SIGTERM), 0);
  ASSERT_EQ(waitpid(again, &wstatus, 0), again);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  std::ifstream in(dir / "serve2.log");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(fmt::format("recalculation job {} failed: interrupted", job)),
            std::string::npos)
      << text;
  EXPECT_EQ(stored_runs(ws).tables.size() > before.tables.size(), true);
}

}  // namespace
