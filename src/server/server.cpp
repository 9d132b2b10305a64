// The HTTP server (see ltv/server/server.hpp): the route table, the dispatcher generated from it,
// the OpenAPI document generated from it, authentication, errors and the request log.
#include "ltv/server/server.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "assets.hpp"
#include "ltv/dates.hpp"
#include "ltv/error.hpp"
#include "ltv/server/identity.hpp"
#include "ltv/server/scope.hpp"
#include "ltv/store/run.hpp"
#include "ltv/store/store.hpp"
#include "ltv/version.hpp"
#include "queries.hpp"
#include "request.hpp"
#include "session.hpp"
#include "store/database.hpp"

namespace ltv::server {

namespace {

using Json = nlohmann::ordered_json;

std::string error_body(std::string_view code, std::string_view message,
                       std::string_view parameter) {
  Json e;
  e["code"] = code;
  e["message"] = message;
  e["parameter"] = parameter.empty() ? Json(nullptr) : Json(parameter);
  Json body;
  body["error"] = std::move(e);
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers (Set-Cookie)
};

// What the request log line needs, set by the dispatcher on the thread serving the request.
thread_local std::string t_route;
thread_local std::string t_user;
thread_local std::chrono::steady_clock::time_point t_start;
thread_local bool t_started = false;

/// The dashboard's session cookie.
constexpr std::string_view kSessionCookie = "ltv_session";

Reply json_reply(const Json& j) {
  return Reply{200, "application/json", j.dump(-1, ' ', false, Json::error_handler_t::replace), {}};
}

std::string utc_now_millis();

/// Recalculations (POST /api/v1/runs and the --recalc-every timer): the main job in a background
/// thread, one at a time, on its own workspace connection. A run id is given when the run commits
/// (readers never see half a run), so a recalculation has a job id; its status names the run
/// once committed. Every job is a row of the workspace's `jobs` table, written when it starts and
/// when it ends: a job interrupted by a crash (SIGKILL) is still 'running' there, and recover()
/// (at server start) marks it failed, so that it is reported, not lost. The running job's step
/// is kept in memory only.
class Jobs {
 public:
  explicit Jobs(std::string workspace, const ServerOptions& options)
      : workspace_(std::move(workspace)), options_(options) {}
  ~Jobs() { join(); }

  /// At server start, before any job: the jobs left 'running' by a server that stopped without
  /// finishing them are marked failed; job ids continue after the stored ones.
  void recover(store::WorkspaceStore& ws) {
    store::Database& db = ws.database();
    store::Transaction tx(db, store::Transaction::Kind::write);
    std::vector<std::int64_t> interrupted;
    db.scan("SELECT job_id FROM jobs WHERE status = 'running' ORDER BY job_id", {},
            [&](const store::SqlRow& row) { interrupted.push_back(row.integer(0)); });
    const store::SqlValue p[] = {now(), std::string(kInterrupted)};
    db.execute(
        "UPDATE jobs SET status = 'failed', finished_at = $1, error = $2 WHERE status = "
        "'running'",
        p);
    const std::int64_t last = store::query_integer(db, "SELECT max(job_id) FROM jobs", {}, 0);
    tx.commit();
    std::lock_guard lock(mutex_);
    last_id_ = last;
    for (const std::int64_t id : interrupted) {
      options_.log(
          fmt::format("{} recalculation job {} failed: {}", utc_now_millis(), id, kInterrupted));
    }
  }

  /// Starts a run with `options` for `user` ("(timer)" for --recalc-every). nullopt when a job is
  /// already running (its id in `running`). The job's row is stored before this returns.
  std::optional<std::int64_t> start(store::RunOptions options, std::string user,
                                    std::int64_t& running) {
    std::lock_guard lock(mutex_);
    if (running_id_ != 0) {
      running = running_id_;
      return std::nullopt;
    }
    if (thread_.joinable()) thread_.join();
    const std::int64_t id = last_id_ + 1;
    Json job;
    job["job_id"] = id;
    job["status"] = "running";
    job["user"] = user;
    job["started_at"] = now();
    job["step"] = nullptr;
    job["run_id"] = nullptr;
    job["error"] = nullptr;
    {
      store::WorkspaceStore ws = store::WorkspaceStore::open(workspace_);
      store::Database& db = ws.database();
      store::Transaction tx(db, store::Transaction::Kind::write);
      const store::SqlValue p[] = {id, user, job["started_at"].get<std::string>()};
      db.execute(
          "INSERT INTO jobs (job_id, started_by, status, started_at) VALUES ($1, $2, "
          "'running', $3)",
          p);
      tx.commit();
    }
    last_id_ = id;
    running_id_ = id;
    jobs_[id] = std::move(job);
    options_.log(fmt::format("{} recalculation job {} started by {}", utc_now_millis(), id, user));
    thread_ =
        std::thread([this, id, options = std::move(options)]() mutable { work(id, options); });
    return id;
  }

  /// True while a job runs.
  bool busy() const {
    std::lock_guard lock(mutex_);
    return running_id_ != 0;
  }

  /// A job's status: from memory (jobs of this server), else from the workspace (jobs of an
  /// earlier server, e.g. one marked failed by recover()).
  std::optional<Json> status(std::int64_t id, store::WorkspaceStore& ws) const {
    {
      std::lock_guard lock(mutex_);
      const auto it = jobs_.find(id);
      if (it != jobs_.end()) return it->second;
    }
    std::optional<Json> out;
    const store::SqlValue p[] = {id};
    ws.database().scan(
        "SELECT job_id, status, started_by, started_at, step, run_id, error, finished_at, note "
        "FROM jobs WHERE job_id = $1",
        p, [&](const store::SqlRow& row) {
          const auto text = [&](std::size_t c) {
            return row.is_null(c) ? Json(nullptr) : Json(std::string(row.text(c)));
          };
          Json job;
          job["job_id"] = row.integer(0);
          job["status"] = text(1);
          job["user"] = text(2);
          job["started_at"] = text(3);
          job["step"] = text(4);
          job["run_id"] = row.is_null(5) ? Json(nullptr) : Json(row.integer(5));
          job["error"] = text(6);
          job["finished_at"] = text(7);
          if (!row.is_null(8)) job["note"] = text(8);
          out = std::move(job);
        });
    return out;
  }

  /// Waits for the running job (server shutdown).
  void join() {
    std::thread t;
    {
      std::lock_guard lock(mutex_);
      t = std::move(thread_);
    }
    if (t.joinable()) t.join();
  }

 private:
  static constexpr std::string_view kInterrupted =
      "interrupted: the server stopped (killed or crashed) while this job ran; nothing of its "
      "run was committed";

  static std::string now() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
  }

  void work(std::int64_t id, const store::RunOptions& options) {
    Json result;
    const auto started = std::chrono::steady_clock::now();
    std::optional<store::WorkspaceStore> ws;
    try {
      ws.emplace(store::WorkspaceStore::open(workspace_));
      const store::RunOutcome outcome = store::run_workspace(
          *ws, options, [this, id](int step, int steps, std::string_view what) {
            std::lock_guard lock(mutex_);
            jobs_[id]["step"] = fmt::format("{}/{} {}", step, steps, what);
          });
      result["status"] = outcome.skipped ? "skipped" : "committed";
      if (!outcome.skipped) result["run_id"] = outcome.run.id;
      if (!outcome.note.empty()) result["note"] = outcome.note;
    } catch (const std::exception& e) {
      result["status"] = "failed";
      result["error"] = e.what();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    Json job;
    {
      std::lock_guard lock(mutex_);
      Json& j = jobs_[id];
      for (auto& [key, value] : result.items()) j[key] = value;
      j["finished_at"] = now();
      job = j;
    }
    // The job's row; a failure here is logged (the run, if any, is committed already).
    try {
      if (!ws) ws.emplace(store::WorkspaceStore::open(workspace_));
      store::Database& db = ws->database();
      const auto text = [&](const char* key) -> store::SqlValue {
        if (!job.contains(key) || job[key].is_null()) return std::monostate{};
        return job[key].get<std::string>();
      };
      const store::SqlValue p[] = {id,
                                   text("status"),
                                   text("finished_at"),
                                   text("step"),
                                   job["run_id"].is_null()
                                       ? store::SqlValue{}
                                       : store::SqlValue{job["run_id"].get<std::int64_t>()},
                                   text("error"),
                                   text("note")};
      store::Transaction tx(db, store::Transaction::Kind::write);
      db.execute(
          "UPDATE jobs SET status = $2, finished_at = $3, step = $4, run_id = $5, error = $6, "
          "note = $7 WHERE job_id = $1",
          p);
      tx.commit();
    } catch (const std::exception& e) {
      options_.log(fmt::format("{} recalculation job {}: cannot record its end: {}",
                               utc_now_millis(), id, e.what()));
    }
    std::string what = job["status"].get<std::string>();
    if (job["status"] == "committed")
      what += fmt::format(" run {}", job["run_id"].get<std::int64_t>());
    if (job["status"] == "failed") what += ": " + job["error"].get<std::string>();
    if (job["status"] == "skipped") what += ": " + job.value("note", std::string());
    options_.log(
        fmt::format("{} recalculation job {} {} ({:.1f} s)", utc_now_millis(), id, what, seconds));
    std::lock_guard lock(mutex_);
    running_id_ = 0;
  }

  std::string workspace_;
  const ServerOptions& options_;
  mutable std::mutex mutex_;
  std::map<std::int64_t, Json> jobs_;
  std::int64_t last_id_ = 0;
  std::int64_t running_id_ = 0;
  std::thread thread_;
};

/// What a handler gets: the workspace connection, the caller and the request's parameters
/// (already checked against the route's parameters).
struct Context {
  store::WorkspaceStore& ws;
  const ServerOptions& options;
  Jobs& jobs;
  Sessions& sessions;
  const httplib::Request& request;
  std::optional<User> user;
  std::optional<Scope> scope_;
  std::map<std::string, std::string, std::less<>> path;
  std::map<std::string, std::string, std::less<>> query;
  /// The session cookie's value when the caller was authenticated by it (not by a token).
  std::optional<std::string> session_id;

  /// The caller's scope. A route without one gets no data (fail closed).
  const Scope& scope() const {
    if (!scope_) throw HttpError{401, "unauthorized", "a valid API token is required", ""};
    return *scope_;
  }
  std::optional<std::string> query_value(std::string_view name) const {
    const auto it = query.find(name);
    if (it == query.end()) return std::nullopt;
    return it->second;
  }
};

using Handler = Reply (*)(Context&);

struct Route {
  RouteInfo info;
  Handler handler;
};

// ---- parameter parsing (strict; a bad value is a 400 naming the parameter)

std::int64_t run_parameter(const Context& c) {
  if (auto it = c.path.find("run_id"); it != c.path.end()) return parse_id("run_id", it->second);
  if (auto v = c.query_value("run")) return parse_id("run", *v);
  return 0;
}

bool wants_csv(const Context& c) {
  return c.query_value("format").value_or("json") == "csv";
}

Reply table_reply(const Context& c, const ResultTable& table, Json meta) {
  if (wants_csv(c)) return Reply{200, "text/csv; charset=utf-8", to_csv(table), {}};
  Json columns = Json::array();
  for (const ColumnSpec& s : table.spec().columns) {
    columns.push_back({{"name", s.name}, {"type", to_string(s.type)}});
  }
  meta["columns"] = std::move(columns);
  meta["rows"] = to_json(table);
  return json_reply(meta);
}

Json run_json(const store::RunInfo& r) {
  Json j;
  j["run_id"] = r.id;
  j["kind"] = r.kind;
  j["started_at"] = r.started_at;
  j["finished_at"] = r.finished_at;
  j["seconds"] = r.seconds;
  j["watermark"] = r.watermark;
  j["customers"] = r.customers;
  j["transactions"] = r.transactions;
  j["model"] = r.model;
  j["tables"] = r.tables;
  return j;
}

// ---- handlers

Reply health(Context&) {
  return json_reply(Json{{"status", "ok"}, {"version", kVersion}});
}

Reply openapi(Context&) {
  return json_reply(openapi_document());
}

Reply get_users(Context& c) {
  Json out = Json::array();
  for (const User& u : list_users(c.ws, c.scope())) {
    out.push_back({{"name", u.name},
                   {"role", to_string(u.role)},
                   {"brands", u.brands},
                   {"created_at", u.created_at}});
  }
  return json_reply(Json{{"users", std::move(out)}});
}

Reply get_runs(Context& c) {
  const auto runs = list_runs(c.ws, c.scope());
  if (wants_csv(c)) {
    ResultTable t = c.ws.workspace_table("runs");
    return Reply{200, "text/csv; charset=utf-8", to_csv(t), {}};
  }
  Json out = Json::array();
  for (const auto& r : runs) out.push_back(run_json(r));
  return json_reply(Json{{"runs", std::move(out)}});
}

Reply get_run(Context& c) {
  return json_reply(run_json(find_run(c.ws, c.scope(), run_parameter(c))));
}

Reply get_headline(Context& c) {
  return json_reply(headline(c.ws, c.scope(), run_parameter(c)));
}

Reply get_tables(Context& c) {
  const std::int64_t run = find_run(c.ws, c.scope(), run_parameter(c)).id;
  Json out = Json::array();
  for (const auto& [key, rows] : run_table_list(c.ws, c.scope(), run)) {
    out.push_back({{"name", key}, {"rows", rows}});
  }
  return json_reply(Json{{"run_id", run}, {"tables", std::move(out)}});
}

Reply get_table(Context& c) {
  const std::int64_t run = find_run(c.ws, c.scope(), run_parameter(c)).id;
  const std::string& key = c.path.at("table");
  const ResultTable table = run_table(c.ws, c.scope(), run, key);
  return table_reply(c, table, Json{{"run_id", run}, {"table", key}});
}

Reply get_customer(Context& c) {
  return json_reply(customer(c.ws, c.scope(), run_parameter(c), c.path.at("customer_id")));
}

Reply get_report(Context& c) {
  Reply r{200, "text/html; charset=utf-8", report_html(c.ws, c.scope(), run_parameter(c)), {}};
  // The report is one self-contained page with an inline style sheet and inline SVG, and no
  // script: its own policy allows inline style and nothing else (no script at all).
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                         "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  return r;
}

Reply post_run(Context& c) {
  const Scope& scope = c.scope();
  if (!scope.everything()) throw NotFound("", "not found");  // fail closed
  // The body: empty, or a JSON object of run parameters by the parameter table's keys (groups
  // periods, clv, analyze, run), as `ltv run` takes them.
  const Parameters parameters = run_parameters(c.request.body);
  const store::RunOptions options =
      store::run_options(parameters, c.ws.has_input(store::InputKind::customers));
  std::int64_t running = 0;
  const auto id = c.jobs.start(options, scope.user(), running);
  if (!id) {
    throw HttpError{409, "conflict",
                    fmt::format("a recalculation is running (GET /api/v1/jobs/{})", running), ""};
  }
  Reply reply = json_reply(*c.jobs.status(*id, c.ws));
  reply.status = 202;
  return reply;
}

Reply get_job(Context& c) {
  if (!c.scope().everything()) throw NotFound("", "not found");
  const std::int64_t id = parse_id("job_id", c.path.at("job_id"));
  auto job = c.jobs.status(id, c.ws);
  if (!job) throw NotFound("job_id", fmt::format("no job {}", id));
  return json_reply(*job);
}

/// The scope of a partner route: the caller's, narrowed by ?brand= (which can never widen it:
/// another brand answers 404). Admins and analysts name a brand.
Scope partner_scope(const Context& c) {
  const Scope& scope = c.scope();
  const auto brand = c.query_value("brand");
  if (!brand) {
    if (scope.everything()) {
      throw HttpError{400, "missing_parameter",
                      "brand: admins and analysts name the brand whose partner view they read",
                      "brand"};
    }
    return scope;
  }
  auto narrowed = scope.narrowed_to(*brand);
  if (!narrowed) throw NotFound("brand", "brand: not found");
  return *narrowed;
}

PartnerQuery partner_query(const Context& c) {
  return ltv::server::partner_query(c.query, c.options.min_cell);
}

Json partner_meta(const Scope& scope, const PartnerQuery& q) {
  return Json{{"brands", scope.brands()}, {"min_cell", q.min_cell}};
}

Reply get_partner_brands(Context& c) {
  const Scope scope = partner_scope(c);
  return json_reply(Json{{"brands", scope.brands()}});
}

Reply get_partner_kpis(Context& c) {
  const Scope scope = partner_scope(c);
  const PartnerQuery q = partner_query(c);
  return table_reply(c, partner_kpis(c.ws, scope, q), partner_meta(scope, q));
}

Reply get_partner_cohorts(Context& c) {
  const Scope scope = partner_scope(c);
  const PartnerQuery q = partner_query(c);
  return table_reply(c, partner_cohorts(c.ws, scope, q), partner_meta(scope, q));
}

Reply get_partner_products(Context& c) {
  const Scope scope = partner_scope(c);
  return table_reply(c, partner_products(c.ws, scope), Json{{"brands", scope.brands()}});
}

Reply get_partner_ltv(Context& c) {
  const Scope scope = partner_scope(c);
  const PartnerQuery q = partner_query(c);
  return table_reply(c, partner_ltv(c.ws, scope, q), partner_meta(scope, q));
}

Reply get_partner_segments(Context& c) {
  const Scope scope = partner_scope(c);
  const PartnerQuery q = partner_query(c);
  return table_reply(c, partner_segments(c.ws, scope, q), partner_meta(scope, q));
}

Reply get_partner_penetration(Context& c) {
  const Scope scope = partner_scope(c);
  const PartnerQuery q = partner_query(c);
  return table_reply(c, partner_penetration(c.ws, scope, q), partner_meta(scope, q));
}

// ---- the dashboard: static files, sign-in and sign-out

Reply asset_reply(const Asset& a) {
  Reply r{200,
          std::string(a.content_type),
          std::string(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size()),
          {}};
  // The files change only with the binary; a browser revalidates them.
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

Reply get_index(Context&) {
  const Asset* a = find_asset("index.html");
  if (a == nullptr) throw NotFound("", "the dashboard is not built in");
  return asset_reply(*a);
}

Reply get_asset(Context& c) {
  const std::string& name = c.path.at("asset");
  // Only ever compared with the names of the embedded files (no path is built from it).
  const Asset* a = find_asset(name);
  if (a == nullptr) throw NotFound("asset", "asset: no such file of the dashboard");
  return asset_reply(*a);
}

std::string session_cookie(std::string_view value, std::int64_t max_age, bool secure) {
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                     value, max_age, secure ? "; Secure" : "");
}

Json session_json(const User& user, const Json& csrf, std::string_view via) {
  return Json{{"user", user.name},
              {"role", to_string(user.role)},
              {"brands", user.brands},
              {"authenticated_by", via},
              {"csrf_token", csrf}};
}

/// Sign-in: a token in the body gives a session cookie (HttpOnly, SameSite=Strict, Secure with
/// --secure-cookies) and, in the answer, the CSRF token that state-changing requests made with
/// the cookie must carry in X-CSRF-Token.
Reply post_session(Context& c) {
  const std::string token = login_token(c.request.body);
  const auto user = authenticate(c.ws, token);
  if (!user) {
    throw HttpError{401, "unauthorized",
                    "token: not a valid API token (it is malformed, unknown, expired or revoked)",
                    "token"};
  }
  t_user = user->name;
  const Sessions::Opened opened = c.sessions.open(token_hash(token), user->name);
  Reply r = json_reply(session_json(*user, opened.csrf, "cookie"));
  r.headers.emplace_back("Set-Cookie", session_cookie(opened.id, c.sessions.lifetime_seconds(),
                                                      c.options.secure_cookies));
  return r;
}

/// Who the caller is (the dashboard asks after a reload) and, for a cookie session, its CSRF
/// token. Only the caller's own identity and brands: nothing another tenant could not see.
Reply get_session(Context& c) {
  const User& user = *c.user;
  Json csrf = nullptr;
  if (c.session_id) {
    if (const auto s = c.sessions.find(*c.session_id)) csrf = s->csrf;
  }
  return json_reply(session_json(user, csrf, c.session_id ? "cookie" : "token"));
}

/// Sign-out: ends the cookie's session and clears the cookie. A token caller has no session.
Reply delete_session(Context& c) {
  const bool ended = c.session_id && c.sessions.end(*c.session_id);
  Reply r = json_reply(Json{{"ended", ended}});
  if (c.session_id) {
    r.headers.emplace_back("Set-Cookie", session_cookie("", 0, c.options.secure_cookies));
  }
  return r;
}

// ---- analyst views of the dashboard (computed from the run's stored customers table)

std::int64_t limit_parameter(const Context& c, std::int64_t fallback) {
  const auto v = c.query_value("limit");
  if (!v) return fallback;
  const std::int64_t n = parse_id("limit", *v);
  if (n > 1000) {
    throw HttpError{400, "invalid_parameter", "limit: expected at most 1000", "limit"};
  }
  return n;
}

Reply get_ltv_histogram(Context& c) {
  int bins = 20;
  if (const auto v = c.query_value("bins")) {
    const std::int64_t n = parse_id("bins", *v);
    if (n > 200) throw HttpError{400, "invalid_parameter", "bins: expected at most 200", "bins"};
    bins = static_cast<int>(n);
  }
  const std::int64_t run = find_run(c.ws, c.scope(), run_parameter(c)).id;
  std::int64_t without = 0;
  const ResultTable t = clv_histogram(c.ws, c.scope(), run, bins, without);
  return table_reply(c, t, Json{{"run_id", run}, {"customers_without_clv", without}});
}

Reply get_ltv_top(Context& c) {
  const std::int64_t run = find_run(c.ws, c.scope(), run_parameter(c)).id;
  const ResultTable t = top_customers(c.ws, c.scope(), run, limit_parameter(c, 20));
  return table_reply(c, t, Json{{"run_id", run}});
}

Reply get_customer_history(Context& c) {
  const std::int64_t run = find_run(c.ws, c.scope(), run_parameter(c)).id;
  const ResultTable t = customer_history(c.ws, c.scope(), run, c.path.at("customer_id"));
  return table_reply(c, t, Json{{"run_id", run}, {"customer_id", c.path.at("customer_id")}});
}

Reply get_customer_search(Context& c) {
  const auto prefix = c.query_value("q");
  if (!prefix || prefix->empty()) {
    throw HttpError{400, "missing_parameter", "q: the beginning of a customer id is required", "q"};
  }
  const std::int64_t run = find_run(c.ws, c.scope(), run_parameter(c)).id;
  bool more = false;
  const ResultTable t =
      search_customers(c.ws, c.scope(), run, *prefix, limit_parameter(c, 20), more);
  return table_reply(c, t, Json{{"run_id", run}, {"more", more}});
}

// ---- the route table: the dispatcher and the OpenAPI document are both generated from it

constexpr RouteParameter kFormat{
    "format", "query", "string", "json|csv", "Output format (default json)", false};
constexpr RouteParameter kRun{
    "run", "query", "integer", "", "Run id (default: the newest committed run)", false};
constexpr RouteParameter kRunId{"run_id", "path", "integer", "", "Run id", true};
constexpr RouteParameter kBrand{"brand",
                                "query",
                                "string",
                                "",
                                "One of the caller's brands (narrows the view; required for "
                                "admins and analysts, who may name any brand)",
                                false};
constexpr RouteParameter kFrom{"from",
                               "query",
                               "date",
                               "",
                               "First purchase day counted: the first day of a month "
                               "(YYYY-MM-01; whole calendar months only)",
                               false};
constexpr RouteParameter kTo{"to",
                             "query",
                             "date",
                             "",
                             "Last purchase day counted: the last day of a month (YYYY-MM-DD; "
                             "whole calendar months only)",
                             false};

constexpr RouteParameter kLimit{
    "limit", "query", "integer", "", "Rows at most (default 20, at most 1000)", false};

const std::vector<Route>& route_table() {
  static const std::vector<Route> table = {
      {{"GET",
        "/",
        Access::public_route,
        "The dashboard's sign-in page (static, compiled into the binary; no data)",
        {},
        "text/html"},
       get_index},
      {{"GET",
        "/app/{asset+}",
        Access::public_route,
        "The dashboard's static files (HTML, JavaScript, CSS, Chart.js; no data)",
        {{"asset", "path", "string", "", "File name (dashboard.html, dashboard.js, ...)", true}},
        "text/html"},
       get_asset},
      {{"POST",
        "/api/v1/session",
        Access::public_route,
        "Sign in with an API token (body {\"token\": \"...\"}): sets the session cookie "
        "(HttpOnly, SameSite=Strict) and answers the CSRF token that state-changing requests "
        "made with the cookie must send in X-CSRF-Token",
        {},
        "application/json"},
       post_session},
      {{"GET",
        "/api/v1/session",
        Access::partner,
        "The caller's own identity (user, role, brands) and, for a cookie session, its CSRF "
        "token",
        {},
        "application/json"},
       get_session},
      {{"DELETE",
        "/api/v1/session",
        Access::partner,
        "Sign out: ends the cookie's session and clears the cookie (X-CSRF-Token required)",
        {},
        "application/json"},
       delete_session},
      {{"GET",
        "/api/v1/health",
        Access::public_route,
        "Liveness: status and version",
        {},
        "application/json"},
       health},
      {{"GET",
        "/api/v1/openapi.json",
        Access::public_route,
        "This API's OpenAPI 3 document (generated from the route table)",
        {},
        "application/json"},
       openapi},
      {{"GET",
        "/api/v1/users",
        Access::admin,
        "Users of the workspace (never their tokens)",
        {},
        "application/json"},
       get_users},
      {{"GET",
        "/api/v1/runs",
        Access::analyst,
        "Committed runs, oldest first",
        {kFormat},
        "application/json"},
       get_runs},
      {{"POST",
        "/api/v1/runs",
        Access::analyst,
        "Start a recalculation (the main job) in the background; body: optional JSON object of "
        "run parameters by key (e.g. {\"horizon\": \"6\"}); 202 with the job, 409 while one "
        "runs",
        {},
        "application/json"},
       post_run},
      {{"GET",
        "/api/v1/jobs/{job_id}",
        Access::analyst,
        "Status of a recalculation: running (with its step), committed (with the run id), "
        "skipped or failed (with the error)",
        {{"job_id", "path", "integer", "", "Job id (POST /api/v1/runs gives it)", true}},
        "application/json"},
       get_job},
      {{"GET",
        "/api/v1/runs/latest",
        Access::analyst,
        "The newest committed run",
        {},
        "application/json"},
       get_run},
      {{"GET",
        "/api/v1/runs/{run_id}",
        Access::analyst,
        "One committed run",
        {kRunId},
        "application/json"},
       get_run},
      {{"GET",
        "/api/v1/runs/{run_id}/tables",
        Access::analyst,
        "The result tables of a run, with row counts",
        {kRunId},
        "application/json"},
       get_tables},
      {{"GET",
        "/api/v1/runs/{run_id}/tables/{table+}",
        Access::analyst,
        "A result table of a run (customers, analytics/kpis, ...), as stored",
        {kRunId,
         {"table", "path", "string", "", "Table name as listed by the run (may hold '/')", true},
         kFormat},
        "application/json"},
       get_table},
      {{"GET",
        "/api/v1/kpis/headline",
        Access::analyst,
        "Headline KPIs of a run (default: the newest)",
        {kRun},
        "application/json"},
       get_headline},
      {{"GET",
        "/api/v1/customers/{customer_id}",
        Access::analyst,
        "One customer: summary row with scores and segments, and the actions with reasons",
        {{"customer_id", "path", "string", "", "Customer id", true}, kRun},
        "application/json"},
       get_customer},
      {{"GET", "/api/v1/report", Access::analyst, "The HTML report of a run", {kRun}, "text/html"},
       get_report},
      {{"GET",
        "/api/v1/customers/{customer_id}/history",
        Access::analyst,
        "One customer's purchases per month (orders, lines, revenue) in the batches the run "
        "included",
        {{"customer_id", "path", "string", "", "Customer id", true}, kRun, kFormat},
        "application/json"},
       get_customer_history},
      {{"GET",
        "/api/v1/customers",
        Access::analyst,
        "Customers whose id starts with q (the dashboard's customer search), in id order",
        {{"q", "query", "string", "", "Beginning of the customer id", true}, kRun, kLimit, kFormat},
        "application/json"},
       get_customer_search},
      {{"GET",
        "/api/v1/ltv/histogram",
        Access::analyst,
        "Distribution of the customers' predicted CLV: equal-width bins up to the 99th "
        "percentile and an open bin above it",
        {kRun,
         {"bins", "query", "integer", "", "Equal-width bins (default 20, at most 200)", false},
         kFormat},
        "application/json"},
       get_ltv_histogram},
      {{"GET",
        "/api/v1/ltv/top",
        Access::analyst,
        "The customers of largest predicted CLV",
        {kRun, kLimit, kFormat},
        "application/json"},
       get_ltv_top},
      {{"GET",
        "/api/v1/partner/brands",
        Access::partner,
        "The caller's brands",
        {kBrand},
        "application/json"},
       get_partner_brands},
      {{"GET",
        "/api/v1/partner/kpis",
        Access::partner,
        "KPIs of the caller's brands per month (revenue, orders, buyers, average check, "
        "repeat-buyer rate) and in total; small cells suppressed",
        {kBrand, kFrom, kTo, kFormat},
        "application/json"},
       get_partner_kpis},
      {{"GET",
        "/api/v1/partner/cohorts",
        Access::partner,
        "Cohort retention of the caller's brands' buyers; small cells suppressed",
        {kBrand, kFrom, kTo, kFormat},
        "application/json"},
       get_partner_cohorts},
      {{"GET",
        "/api/v1/partner/products",
        Access::partner,
        "The caller's brands' products (the product picker)",
        {kBrand, kFormat},
        "application/json"},
       get_partner_products},
      {{"GET",
        "/api/v1/partner/ltv",
        Access::partner,
        "Historical LTV (revenue per buyer), orders per buyer and repeat rate on the caller's "
        "brands, per brand and in total; small cells suppressed",
        {kBrand, kFrom, kTo, kFormat},
        "application/json"},
       get_partner_ltv},
      {{"GET",
        "/api/v1/partner/segments",
        Access::partner,
        "Shares of the caller's buyers in each RFM segment and life-cycle stage of the newest "
        "run; small cells and their complements suppressed",
        {kBrand, kFrom, kTo, kFormat},
        "application/json"},
       get_partner_segments},
      {{"GET",
        "/api/v1/partner/penetration",
        Access::partner,
        "Week-by-week penetration of the caller's products launched during the data among "
        "the brands' buyers and the category's buyers; small cells suppressed",
        {kBrand,
         {"product", "query", "string", "", "One of the caller's product ids", false},
         kFrom,
         kTo,
         kFormat},
        "application/json"},
       get_partner_penetration},
  };
  return table;
}

/// Matches `path` against a route pattern, filling the path parameters.
bool match(std::string_view pattern, std::string_view path,
           std::map<std::string, std::string, std::less<>>& params) {
  params.clear();
  while (!pattern.empty()) {
    if (path.empty() || pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pe = pattern.find('/');
    const std::string_view segment = pattern.substr(0, pe);
    pattern = pe == std::string_view::npos ? std::string_view() : pattern.substr(pe);
    if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}') {
      std::string_view name = segment.substr(1, segment.size() - 2);
      if (name.back() == '+') {  // the rest of the path
        if (path.empty()) return false;
        params.emplace(std::string(name.substr(0, name.size() - 1)), std::string(path));
        return pattern.empty();
      }
      const auto se = path.find('/');
      const std::string_view value = path.substr(0, se);
      if (value.empty()) return false;
      params.emplace(std::string(name), std::string(value));
      path = se == std::string_view::npos ? std::string_view() : path.substr(se);
    } else {
      const auto se = path.find('/');
      if (path.substr(0, se) != segment) return false;
      path = se == std::string_view::npos ? std::string_view() : path.substr(se);
    }
  }
  return path.empty();
}

std::string utc_now_millis() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, ms);
}

}  // namespace

std::string_view to_string(Access access) noexcept {
  switch (access) {
    case Access::public_route:
      return "public";
    case Access::admin:
      return "admin";
    case Access::analyst:
      return "analyst";
    case Access::partner:
      return "partner-scoped";
    case Access::unclassified:
      break;
  }
  return "unclassified";
}

std::span<const RouteInfo> routes() {
  static const std::vector<RouteInfo> infos = [] {
    std::vector<RouteInfo> out;
    for (const Route& r : route_table()) out.push_back(r.info);
    return out;
  }();
  return infos;
}

nlohmann::ordered_json openapi_document() {
  Json doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = {{"title", "ltvkit API"},
                 {"version", kVersion},
                 {"description",
                  "Customer lifetime value results of a workspace's stored runs, and partner "
                  "views scoped to a partner's brands. Every route is classified (x-access): "
                  "public, admin, analyst or partner-scoped."}};
  Json paths = Json::object();
  for (const RouteInfo& r : routes()) {
    std::string path(r.path);
    if (const auto plus = path.find("+}"); plus != std::string::npos) path.erase(plus, 1);
    Json op;
    op["summary"] = r.summary;
    op["operationId"] = fmt::format("{}{}", r.method, path);
    op["x-access"] = to_string(r.access);
    Json parameters = Json::array();
    for (const RouteParameter& p : r.parameters) {
      Json schema;
      if (p.type == "integer") {
        schema = {{"type", "integer"}, {"minimum", 1}};
      } else if (p.type == "date") {
        schema = {{"type", "string"}, {"format", "date"}};
      } else {
        schema = {{"type", "string"}};
      }
      if (!p.choices.empty()) {
        Json values = Json::array();
        std::string_view rest = p.choices;
        while (!rest.empty()) {
          const auto bar = rest.find('|');
          values.push_back(std::string(rest.substr(0, bar)));
          rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
        }
        schema["enum"] = std::move(values);
      }
      parameters.push_back({{"name", p.name},
                            {"in", p.in},
                            {"required", p.required || p.in == "path"},
                            {"description", p.description},
                            {"schema", std::move(schema)}});
    }
    op["parameters"] = std::move(parameters);
    op["security"] =
        r.access == Access::public_route
            ? Json::array()
            : Json::array({Json{{"bearer", Json::array()}}, Json{{"session", Json::array()}}});
    Json responses;
    if (r.method == "POST" && r.path == "/api/v1/session") {
      op["requestBody"] = {{"required", true},
                           {"description", "{\"token\": \"an API token (ltv token create)\"}"},
                           {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
      responses["200"] = {{"description",
                           "Signed in: Set-Cookie ltv_session, CSRF token in the "
                           "body"},
                          {"content", {{std::string(r.produces), Json::object()}}}};
      responses["401"] = {{"$ref", "#/components/responses/Error"}};
    } else if (r.method == "POST") {
      op["requestBody"] = {
          {"required", false},
          {"description", "A JSON object of parameters by the parameter table's keys"},
          {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
      responses["202"] = {{"description", "Accepted: started in the background"},
                          {"content", {{std::string(r.produces), Json::object()}}}};
      responses["409"] = {{"$ref", "#/components/responses/Error"}};
    } else {
      responses["200"] = {{"description", "OK"},
                          {"content", {{std::string(r.produces), Json::object()}}}};
    }
    const Json error_ref = {{"$ref", "#/components/responses/Error"}};
    responses["400"] = error_ref;
    if (r.access != Access::public_route) {
      responses["401"] = error_ref;
      if (r.access != Access::partner) responses["403"] = error_ref;
      responses["404"] = error_ref;
    }
    std::string method(r.method);
    std::transform(method.begin(), method.end(), method.begin(),
                   [](char ch) { return static_cast<char>(std::tolower(ch)); });
    op["responses"] = std::move(responses);
    paths[path][method] = std::move(op);
  }
  doc["paths"] = std::move(paths);
  doc["components"] = {
      {"securitySchemes",
       {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
        {"session",
         {{"type", "apiKey"},
          {"in", "cookie"},
          {"name", std::string(kSessionCookie)},
          {"description",
           "The dashboard's session (POST /api/v1/session); requests other than GET also "
           "send X-CSRF-Token"}}}}},
      {"schemas",
       {{"Error",
         {{"type", "object"},
          {"properties",
           {{"error",
             {{"type", "object"},
              {"properties",
               {{"code", {{"type", "string"}}},
                {"message", {{"type", "string"}}},
                {"parameter", {{"type", "string"}, {"nullable", true}}}}}}}}}}}}},
      {"responses",
       {{"Error",
         {{"description", "An error: {\"error\": {\"code\", \"message\", \"parameter\"}}"},
          {"content",
           {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}}}}}};
  return doc;
}

void parse_listen(std::string_view text, std::string& host, int& port) {
  const auto colon = text.rfind(':');
  const auto bad = [&]() {
    parameter_error("listen", std::string(text), "HOST:PORT, e.g. 127.0.0.1:8080");
  };
  if (colon == std::string_view::npos || colon == 0) bad();
  const std::string_view p = text.substr(colon + 1);
  if (p.empty() || p.size() > 5 ||
      !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    bad();
  }
  const int value = std::stoi(std::string(p));
  if (value > 65535) bad();
  host = std::string(text.substr(0, colon));
  port = value;
}

// ------------------------------------------------------------------------------ the server

/// Connections to the workspace, one per request in flight (a WorkspaceStore is not
/// thread-safe), kept for reuse.
class StorePool {
 public:
  explicit StorePool(std::string location) : location_(std::move(location)) {}
  std::unique_ptr<store::WorkspaceStore> acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        auto s = std::move(free_.back());
        free_.pop_back();
        return s;
      }
    }
    return std::make_unique<store::WorkspaceStore>(store::WorkspaceStore::open(location_));
  }
  void release(std::unique_ptr<store::WorkspaceStore> s) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(s));
  }

 private:
  std::string location_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<store::WorkspaceStore>> free_;
};

struct Server::Impl {
  ServerOptions options;
  StorePool pool;
  Jobs jobs;
  Sessions sessions;
  httplib::Server http;
  std::thread thread;
  int port = 0;
  std::atomic<bool> running{false};

  // The --recalc-every timer.
  std::thread timer;
  std::mutex timer_mutex;
  std::condition_variable timer_wake;
  bool timer_stop = false;

  explicit Impl(ServerOptions o)
      : options(std::move(o)), pool(options.workspace), jobs(options.workspace, options) {
    if (!options.log) {
      options.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    }
    // Fail at start when the workspace cannot be opened (and upgrade it once, here); the jobs an
    // earlier server left running (it was killed) are marked failed.
    auto first = pool.acquire();
    jobs.recover(*first);
    pool.release(std::move(first));
  }

  /// --recalc-every: starts a recalculation when the newest committed run is older than the
  /// interval (or there is none) and no job runs; checked at start and then every
  /// min(interval, 60 s). The run takes the parameters the newest run was made with (so the
  /// timer keeps its model and options). After a job started by the timer, the next one starts
  /// at least an interval later, so a job that fails is not retried in a loop.
  void timer_loop() {
    const double every = options.recalc_every;
    const auto period =
        std::chrono::milliseconds(static_cast<std::int64_t>(std::clamp(every, 0.1, 60.0) * 1000));
    std::optional<std::chrono::steady_clock::time_point> last_start;
    std::unique_lock lock(timer_mutex);
    while (!timer_stop) {
      lock.unlock();
      try {
        if (!last_start ||
            std::chrono::duration<double>(std::chrono::steady_clock::now() - *last_start).count() >=
                every) {
          if (start_if_stale(every)) last_start = std::chrono::steady_clock::now();
        }
      } catch (const std::exception& e) {
        last_start = std::chrono::steady_clock::now();
        options.log(fmt::format("{} recalculation (--recalc-every) not started: {}",
                                utc_now_millis(), e.what()));
      }
      lock.lock();
      timer_wake.wait_for(lock, period, [this] { return timer_stop; });
    }
  }

  /// One check of the timer: true when it started a job.
  bool start_if_stale(double every) {
    if (jobs.busy()) return false;
    auto store = pool.acquire();
    struct Release {
      StorePool& pool;
      std::unique_ptr<store::WorkspaceStore>& s;
      ~Release() { pool.release(std::move(s)); }
    } release{pool, store};
    const std::optional<store::RunInfo> newest = store->run(0);
    if (newest && age_seconds(newest->finished_at) < every) return false;
    Parameters parameters({"periods", "clv", "analyze", "run"});
    if (newest) {
      for (const auto& [key, value] : newest->options.items()) {
        if (!parameters.accepts(key) || key == "quiet" || key == "if_stale") continue;
        parameters.set(key, value.is_string() ? value.get<std::string>() : value.dump());
      }
    }
    parameters.validate();
    const store::RunOptions run =
        store::run_options(parameters, store->has_input(store::InputKind::customers));
    std::int64_t running = 0;
    return jobs.start(run, "(timer)", running).has_value();
  }

  /// Seconds since a UTC ISO 8601 time (YYYY-MM-DDTHH:MM:SSZ); a huge age when unreadable.
  static double age_seconds(const std::string& iso) {
    std::tm tm{};
    if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
      return 1e18;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const std::time_t then = timegm(&tm);
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    return std::difftime(now, then);
  }

  void send(httplib::Response& res, const Reply& reply) {
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers) {
      res.headers.erase(name);  // replaces a default of security_headers() (Cache-Control)
      res.set_header(name.c_str(), value.c_str());
    }
    res.set_content(reply.body, reply.content_type.c_str());
  }

  /// On every answer: the dashboard's content security policy (scripts, styles and data from
  /// this server only; no inline script; never framed) and no caching of data: an answer
  /// depends on who asked, so no shared cache may keep it.
  static void security_headers(httplib::Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' "
                   "data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
                   "frame-ancestors 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Cross-Origin-Opener-Policy", "same-origin");
    res.set_header("Cache-Control", "no-store");
  }

  /// The value of cookie `name` in the request's Cookie header, if any.
  static std::optional<std::string> cookie(const httplib::Request& req, std::string_view name) {
    const std::string header = req.get_header_value("Cookie");
    std::string_view rest = header;
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      std::string_view part = rest.substr(0, semi);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      if (part.size() > name.size() && part.substr(0, name.size()) == name &&
          part[name.size()] == '=') {
        return std::string(part.substr(name.size() + 1));
      }
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    }
    return std::nullopt;
  }
  void send_error(httplib::Response& res, const HttpError& e) {
    res.status = e.status;
    if (e.status == 401) res.set_header("WWW-Authenticate", "Bearer");
    res.set_content(error_body(e.code, e.message, e.parameter), "application/json");
  }

  void dispatch(const httplib::Request& req, httplib::Response& res) {
    t_route = "(no route)";  // the raw path of an unknown route is not logged
    security_headers(res);
    try {
      const Route* route = nullptr;
      bool path_known = false;
      std::map<std::string, std::string, std::less<>> path_params;
      for (const Route& r : route_table()) {
        if (!match(r.info.path, req.path, path_params)) continue;
        path_known = true;
        if (r.info.method == req.method) {
          route = &r;
          break;
        }
      }
      if (route == nullptr) {
        if (path_known) {
          throw HttpError{405, "method_not_allowed",
                          fmt::format("{} is not allowed on this path", req.method), ""};
        }
        throw HttpError{404, "not_found", "no such route (GET /api/v1/openapi.json lists them)",
                        ""};
      }
      match(route->info.path, req.path, path_params);
      t_route = std::string(route->info.path);
      if (route->info.access == Access::unclassified) {
        throw HttpError{404, "not_found", "no such route", ""};  // fail closed
      }
      // The connection returns to the pool however the request ends (a failed statement's
      // transaction has been rolled back by then).
      struct Lease {
        StorePool& pool;
        std::unique_ptr<store::WorkspaceStore> store;
        ~Lease() { pool.release(std::move(store)); }
      } held{pool, pool.acquire()};
      store::WorkspaceStore* lease = held.store.get();
      Context c{*lease, options,      jobs,         sessions,
                req,    std::nullopt, std::nullopt, std::move(path_params),
                {},     std::nullopt};
      // Authentication before anything else: without a valid token or session, nothing but 401.
      // A request with an Authorization header is judged by it alone; without one, by the
      // session cookie of the dashboard, whose session re-authenticates the hash of the token
      // it was opened with (a revoked or expired token ends it).
      if (route->info.access != Access::public_route) {
        const std::string header = req.get_header_value("Authorization");
        std::optional<Sessions::Session> session;
        if (!header.empty()) {
          std::string_view token;
          if (header.size() > 7 &&
              (header.compare(0, 7, "Bearer ") == 0 || header.compare(0, 7, "bearer ") == 0)) {
            token = std::string_view(header).substr(7);
          }
          c.user = token.empty() ? std::nullopt : authenticate(*lease, token);
        } else if (auto id = cookie(req, kSessionCookie)) {
          session = sessions.find(*id);
          if (session) {
            c.user = authenticate_hash(*lease, session->token_hash);
            if (c.user) {
              c.session_id = std::move(*id);
            } else {
              sessions.end(*id);  // its token was revoked or expired
            }
          }
        }
        if (!c.user) {
          throw HttpError{401, "unauthorized",
                          "a valid API token (Authorization: Bearer TOKEN) or dashboard session "
                          "(POST /api/v1/session) is required; it is missing, malformed, "
                          "unknown, expired or revoked",
                          "Authorization"};
        }
        t_user = c.user->name;
        // A state-changing request made with the cookie carries the session's CSRF token (a
        // page of another site can make the browser send the cookie, never this header).
        if (c.session_id && req.method != "GET" && req.method != "HEAD" &&
            req.method != "OPTIONS" &&
            !Sessions::same_secret(req.get_header_value("X-CSRF-Token"), session->csrf)) {
          throw HttpError{403, "csrf",
                          "X-CSRF-Token: a request that changes state with the session cookie "
                          "must send the session's CSRF token (POST or GET /api/v1/session "
                          "gives it)",
                          "X-CSRF-Token"};
        }
        const Role role = c.user->role;
        if ((route->info.access == Access::admin && role != Role::admin) ||
            (route->info.access == Access::analyst && role == Role::partner)) {
          throw HttpError{403, "forbidden",
                          fmt::format("this route is for {} users", to_string(route->info.access)),
                          ""};
        }
        c.scope_ = Scope::of(*c.user);
      }
      // A body is JSON (a form-encoded body would be read as query parameters).
      if (!req.body.empty() && req.method == "POST" &&
          req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
        throw HttpError{415, "unsupported_media_type",
                        "Content-Type: expected application/json for a request body",
                        "Content-Type"};
      }
      // Query parameters: only the route's, each once.
      c.query = check_query(route->info, req.params);
      if (!req.body.empty() && req.method != "POST") {
        throw HttpError{400, "invalid_request", "only POST requests take a body", "body"};
      }
      send(res, route->handler(c));
    } catch (const HttpError& e) {
      send_error(res, e);
    } catch (const NotFound& e) {
      send_error(res, HttpError{404, "not_found", e.what(), e.parameter()});
    } catch (const ParameterError& e) {
      send_error(res, HttpError{400, "invalid_parameter", e.what(), e.key()});
    } catch (const InputError& e) {
      send_error(res, HttpError{400, "invalid_input", e.what(), e.where().column});
    } catch (const std::exception& e) {
      // Not the caller's fault: logged, and answered without details.
      options.log(fmt::format("{} internal error on {} {}: {}", utc_now_millis(), req.method,
                              t_route, e.what()));
      send_error(res, HttpError{500, "internal", "internal error (see the server's log)", ""});
    }
  }

  void start() {
    http.set_tcp_nodelay(true);
    http.set_keep_alive_max_count(1000);
    http.set_keep_alive_timeout(5);
    http.set_payload_max_length(options.max_body);
    const int threads = options.threads;
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
      t_start = std::chrono::steady_clock::now();
      t_started = true;
      t_user.clear();
      t_route.clear();
      return httplib::Server::HandlerResponse::Unhandled;
    });
    const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      dispatch(req, res);
    };
    http.Get(".*", handler);
    http.Post(".*", handler);
    http.Put(".*", handler);
    http.Patch(".*", handler);
    http.Delete(".*", handler);
    http.Options(".*", handler);
    // Errors httplib answers itself (a body over the limit: 413; a malformed request: 400) get
    // the same JSON body as the dispatcher's.
    http.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          security_headers(res);
          const bool too_large = res.status == 413;
          res.set_content(error_body(too_large ? "payload_too_large" : "invalid_request",
                                     too_large ? "the request body is too large" : "bad request",
                                     too_large ? "body" : ""),
                          "application/json");
          return httplib::Server::HandlerResponse::Handled;
        }));
    http.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          res.status = 500;
          res.set_content(error_body("internal", "internal error (see the server's log)", ""),
                          "application/json");
        });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      const double ms = t_started ? std::chrono::duration<double, std::milli>(
                                        std::chrono::steady_clock::now() - t_start)
                                        .count()
                                  : 0.0;
      // Never the token, never the query string (it may name customers): the route pattern.
      options.log(fmt::format("{} {} {} {} {:.2f}ms {}", utc_now_millis(), req.method,
                              t_route.empty() ? std::string("-") : t_route, res.status, ms,
                              t_user.empty() ? std::string("-") : t_user));
      t_started = false;
      t_route.clear();
      t_user.clear();
    });
    if (options.port == 0) {
      port = http.bind_to_any_port(options.host);
      if (port < 0) throw Error(fmt::format("cannot listen on {}:<any port>", options.host));
    } else {
      if (!http.bind_to_port(options.host, options.port)) {
        throw Error(
            fmt::format("cannot listen on {}:{} (in use, or not an address of this "
                        "machine)",
                        options.host, options.port));
      }
      port = options.port;
    }
    running = true;
    thread = std::thread([this] { http.listen_after_bind(); });
    if (options.recalc_every > 0) timer = std::thread([this] { timer_loop(); });
  }

  void stop() {
    if (!running.exchange(false)) return;
    {
      std::lock_guard lock(timer_mutex);
      timer_stop = true;
    }
    timer_wake.notify_all();
    if (timer.joinable()) timer.join();  // the timer starts no job after this
    http.stop();
    if (thread.joinable()) thread.join();
    jobs.join();  // a recalculation in progress finishes (and commits) first
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() {
  stop();
}

void Server::start() {
  impl_->start();
}

int Server::port() const noexcept {
  return impl_->port;
}

void Server::stop() {
  impl_->stop();
}

}  // namespace ltv::server
