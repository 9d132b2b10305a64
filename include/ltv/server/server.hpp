#pragma once
/// The HTTP server of `ltv serve`: a JSON API over a workspace's stored runs (cpp-httplib,
/// TCP_NODELAY), with identities from the workspace (Bearer tokens) and a partner scope enforced
/// in one query layer. One route table (routes()) drives both the dispatcher and the OpenAPI 3
/// document served at /api/v1/openapi.json, so the two cannot drift. docs/api.md describes the
/// routes.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ltv::server {

/// Who may call a route. `unclassified` is never valid: the dispatcher refuses such a route
/// (404) and the route-inventory test fails on it.
enum class Access : std::uint8_t {
  unclassified,
  public_route,  ///< anyone, no token (health, the OpenAPI document)
  admin,         ///< role admin
  analyst,       ///< roles analyst and admin (customer-level data)
  partner,       ///< any role, through the partner scope (aggregates of the caller's brands)
};
/// "public", "admin", "analyst", "partner-scoped", "unclassified".
std::string_view to_string(Access access) noexcept;

/// A parameter of a route.
struct RouteParameter {
  std::string_view name;
  std::string_view in;       ///< "path" or "query"
  std::string_view type;     ///< "string", "integer" or "date" (YYYY-MM-DD)
  std::string_view choices;  ///< alternatives separated by '|', or empty
  std::string_view description;
  bool required = false;
};

/// One route: how it is matched, who may call it, what it takes and what it answers.
struct RouteInfo {
  std::string_view method;  ///< GET, POST, ...
  /// Path pattern: literal segments and `{name}` parameters; a last `{name+}` takes the rest of
  /// the path (slashes included).
  std::string_view path;
  Access access = Access::unclassified;
  std::string_view summary;
  std::vector<RouteParameter> parameters;
  std::string_view produces;  ///< "application/json", "text/html", ...
};

/// The route table (without handlers), in dispatch order.
std::span<const RouteInfo> routes();

/// The OpenAPI 3 document of the route table.
nlohmann::ordered_json openapi_document();

/// How the server runs.
struct ServerOptions {
  std::string workspace;  ///< SQLite file or postgresql:// URL of the workspace
  std::string host = "127.0.0.1";
  int port = 8080;                 ///< 0: any free port (see Server::port())
  std::int64_t min_cell = 10;      ///< partner cells with fewer distinct customers are suppressed
  int threads = 64;                ///< request threads (one per open keep-alive connection)
  std::size_t max_body = 1 << 20;  ///< larger request bodies get 413
  /// --recalc-every, in seconds (0: no timer): a recalculation starts when the newest committed
  /// run is older than this (checked at start and then every min(interval, 60 s)).
  double recalc_every = 0;
  /// Marks the dashboard's session cookie Secure (sent over HTTPS only). This server speaks
  /// plain HTTP: set it when a TLS-terminating proxy serves it to browsers (--secure-cookies).
  bool secure_cookies = false;
  /// Receives one line per request (time, method, route, status, ms, user). Default: stderr.
  std::function<void(const std::string&)> log;
};

/// Parses "HOST:PORT" (listen). ParameterError (`listen`) otherwise.
void parse_listen(std::string_view text, std::string& host, int& port);

class Server {
 public:
  /// Opens the workspace (DatabaseError when it cannot be opened).
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts serving in a background thread. Error when the address cannot be bound.
  void start();
  /// The port listened on (after start()).
  int port() const noexcept;
  /// Stops accepting, finishes the requests in flight and joins the thread. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ltv::server
