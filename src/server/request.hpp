#pragma once
// The pure part of the server's request handling: a request's query parameters and JSON body
// turned into checked route arguments (query values, ids, dates, the partner query, the run
// parameters of POST /api/v1/runs), or a typed 4xx error. No connection, no store: the
// dispatcher and handlers (server.cpp) call these, and so does the fuzz target `server_params`.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "ltv/server/server.hpp"
#include "ltv/workspace/parameters.hpp"
#include "queries.hpp"

namespace ltv::server {

/// An answer other than 200, with the error body's code, message and parameter.
struct HttpError {
  int status;
  std::string code;
  std::string message;
  std::string parameter;
};

/// A request's query parameters by name (each once).
using QueryValues = std::map<std::string, std::string, std::less<>>;

/// The query parameters of a request (as the HTTP library decoded them, a name may repeat)
/// checked against the route: only the route's query parameters, each once, a value among the
/// parameter's choices when it has any. HttpError 400 (unknown_parameter, invalid_parameter).
QueryValues check_query(const RouteInfo& route,
                        const std::multimap<std::string, std::string>& params);

/// A positive whole number of at most 15 digits. HttpError 400 naming `name` otherwise.
std::int64_t parse_id(std::string_view name, std::string_view text);

/// A calendar date YYYY-MM-DD as a day number. HttpError 400 naming `name` otherwise.
std::int32_t parse_iso_date(std::string_view name, std::string_view text);

/// The partner query of the query values `from`, `to` (from <= to) and `product`.
PartnerQuery partner_query(const QueryValues& query, std::int64_t min_cell);

/// The run parameters (groups periods, clv, analyze, run) of POST /api/v1/runs from its body:
/// empty, or a JSON object (nested at most kDefaultJsonDepth deep) of parameter values by the
/// parameter table's keys. HttpError 400 (invalid_body, unknown_parameter); ParameterError for a
/// value the parameter table refuses.
Parameters run_parameters(std::string_view body);

/// The token of a sign-in (POST /api/v1/session): the body must be the JSON object
/// {"token": "..."} and nothing else. HttpError 400 naming `body`, `token` or the unknown key.
/// The token is not checked here (authenticate() does).
std::string login_token(std::string_view body);

/// "json|csv" as "json, csv".
std::string choices_text(std::string_view choices);

}  // namespace ltv::server
