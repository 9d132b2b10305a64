// Contractual retention: survival CSVs, the sBG fit and its projection (see
// ltv/workspace/retention.hpp).
#include "ltv/workspace/retention.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/numbers.hpp"
#include "ltv/io/table.hpp"
#include "ltv/models/model_file.hpp"
#include "ltv/models/registry.hpp"
#include "ltv/workspace/model_input.hpp"

namespace ltv {

bool is_survival_csv(const std::string& path) {
  if (path.empty() || path == "-" || !std::filesystem::is_regular_file(path)) return false;
  try {
    const CsvReader reader(path);
    bool alive = false, frequency = false;
    for (const auto& name : reader.header()) {
      std::string lower;
      for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      alive = alive || lower == "alive";
      frequency = frequency || lower == "frequency";
    }
    return alive && !frequency;
  } catch (const Error&) {
    return false;  // not readable as CSV: the reader of the command reports the problem
  }
}

SurvivalData survival_data(const Table& t) {
  SurvivalData d;
  d.source = t.source;
  const std::size_t alive_col = t.require("alive");
  const std::optional<std::size_t> cohort_col = t.find("cohort");
  const std::optional<std::size_t> period_col = t.find("period");
  if (t.rows() == 0) {
    input_error(SourceLocation{t.source, 1, "alive"}, "no rows",
                "a survival table: the customers at period 0 and after each renewal");
  }
  const std::vector<double> alive = t.numbers("alive");
  std::vector<std::int64_t> period;
  if (period_col) period = t.integers("period");
  std::size_t row_of_cohort_start = 0;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const std::string name = cohort_col ? t.columns[*cohort_col][r] : std::string();
    const bool new_cohort = d.cohorts.empty() || name != d.names.back();
    if (new_cohort) {
      if (std::find(d.names.begin(), d.names.end(), name) != d.names.end()) {
        t.fail(r, *cohort_col,
               "the rows of each cohort together (cohort '" + name + "' appeared earlier)");
      }
      if (!d.cohorts.empty() && d.cohorts.back().alive.size() < 2) {
        t.fail(row_of_cohort_start, alive_col,
               "a cohort observed for at least one period after period 0");
      }
      d.names.push_back(name);
      d.cohorts.emplace_back();
      row_of_cohort_start = r;
    }
    std::vector<double>& a = d.cohorts.back().alive;
    if (period_col && period[r] != static_cast<std::int64_t>(a.size())) {
      t.fail(r, *period_col,
             fmt::format("period {} of cohort{} (periods count 0, 1, 2, ... in order)", a.size(),
                         name.empty() ? std::string() : " '" + name + "'"));
    }
    const double v = alive[r];
    if (!(v >= 0) || !std::isfinite(v)) {
      t.fail(r, alive_col, "a number of customers >= 0");
    }
    if (a.empty() && !(v > 0)) {
      t.fail(r, alive_col, "a positive number of customers at period 0");
    }
    if (!a.empty() && v > a.back()) {
      t.fail(r, alive_col,
             fmt::format("at most {} (the count of the period before: customers who left do not "
                         "come back in a survival table)",
                         a.back()));
    }
    a.push_back(v);
  }
  if (d.cohorts.back().alive.size() < 2) {
    t.fail(row_of_cohort_start, alive_col,
           "a cohort observed for at least one period after period 0");
  }
  return d;
}

SurvivalData read_survival_csv(const std::string& path) {
  return survival_data(read_table(path));
}

SurvivalData SurvivalData::first_periods(std::int64_t periods) const {
  if (periods < 1) {
    input_error(SourceLocation{source, 0, "period"}, std::to_string(periods),
                "at least one period after period 0 to fit on");
  }
  SurvivalData out = *this;
  for (auto& c : out.cohorts) {
    if (static_cast<std::int64_t>(c.alive.size()) > periods + 1) c.alive.resize(periods + 1);
  }
  return out;
}

FitResult fit_retention(const SurvivalData& data, std::int64_t calibration_periods,
                        const FitOptions& options) {
  const SurvivalData used =
      calibration_periods > 0 ? data.first_periods(calibration_periods) : data;
  try {
    return sbg::fit(used.cohorts, options);
  } catch (const InputError& e) {
    // The model names the cohort and column; the file is known here.
    if (!e.where().file.empty() || e.kind() != InputError::Kind::input) throw;
    SourceLocation where = e.where();
    where.file = data.source;
    input_error(std::move(where), e.found(), e.expected());
  }
}

FitResult fit_retention(const Parameters& p) {
  return fit_retention(read_survival_csv(p.text("file")), p.integer("calibration_periods"),
                       fit_options(p));
}

ResultTable retention_projection(const FitResult& fit, const SurvivalData& data,
                                 const RetentionProjectionOptions& o) {
  const SbgParams params = sbg::params(fit);
  std::int64_t horizon = o.horizon;
  if (horizon <= 0) {
    for (const auto& c : data.cohorts) {
      horizon = std::max<std::int64_t>(horizon, static_cast<std::int64_t>(c.alive.size()) - 1);
    }
  }
  TableSpec spec;
  spec.name = "retention";
  spec.description = "Survival projection of `ltv predict --model sbg`";
  spec.columns = {
      {"cohort", ColumnType::text, 0, "Cohort name (empty when the file has one cohort)"},
      {"period", ColumnType::integer, 0, "Renewal opportunities since the start (0 = start)"},
      {"holdout", ColumnType::boolean, 0, "Observed but not used by the fit"},
      {"alive", ColumnType::real, 0, "Customers observed (empty beyond the data)"},
      {"expected_alive", ColumnType::real, 0, "Customers the model expects: alive[0] x S(t)"},
      {"survival", ColumnType::real, 0, "S(t): share of the cohort still customers"},
      {"retention", ColumnType::real, 0, "r(t) = S(t)/S(t-1): retention rate of period t"},
      {"p_churn", ColumnType::real, 0, "P(T = t): share of new customers who leave after t"},
  };
  if (o.discount_rate) {
    spec.columns.push_back({"derl", ColumnType::real, 0,
                            "Discounted expected residual lifetime (payments) of a customer who "
                            "has made `period` renewals"});
    if (o.period_value > 0) {
      spec.columns.push_back({"clv", ColumnType::real, 0, "period_value x derl"});
    }
  }
  ResultTable t(std::move(spec));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // derl depends on the period only: computed once per period.
  std::vector<double> derl;
  if (o.discount_rate) {
    for (std::int64_t p = 0; p <= horizon; ++p) {
      derl.push_back(sbg::derl(params, *o.discount_rate, static_cast<double>(p)));
    }
  }
  for (std::size_t c = 0; c < data.cohorts.size(); ++c) {
    const auto& alive = data.cohorts[c].alive;
    for (std::int64_t p = 0; p <= horizon; ++p) {
      const double tp = static_cast<double>(p);
      const bool observed = p < static_cast<std::int64_t>(alive.size());
      const double s = sbg::survival(params, tp);
      std::vector<Cell> row{
          data.names[c],
          p,
          observed && o.calibration_periods > 0 && p > o.calibration_periods,
          observed ? alive[static_cast<std::size_t>(p)] : nan,
          alive[0] * s,
          s,
          p == 0 ? nan : sbg::retention(params, tp),
          p == 0 ? nan : sbg::p_churn(params, tp),
      };
      if (o.discount_rate) {
        row.emplace_back(derl[static_cast<std::size_t>(p)]);
        if (o.period_value > 0)
          row.emplace_back(o.period_value * derl[static_cast<std::size_t>(p)]);
      }
      t.append_row(row);
    }
  }
  return t;
}

RetentionPrediction predict_retention(const Parameters& p, std::optional<FitResult> saved) {
  RetentionPrediction out;
  const SurvivalData data = read_survival_csv(p.text("file"));
  const std::int64_t calibration = p.integer("calibration_periods");
  if (saved) {
    if (p.given("calibration_periods")) {
      parameter_error("calibration_periods", std::to_string(calibration),
                      "no calibration with a saved model file (it is already fitted): pass "
                      "--model sbg to fit on the first periods");
    }
    out.model = std::move(*saved);
  } else {
    out.model = fit_retention(data, calibration, fit_options(p));
    if (!out.model.converged) {
      out.warnings.push_back(fmt::format("sbg fit: {}", out.model.message));
    }
  }
  RetentionProjectionOptions o;
  o.horizon = static_cast<std::int64_t>(p.number("horizon"));
  if (p.number("horizon") != std::floor(p.number("horizon"))) {
    parameter_error("horizon", fmt::format("{}", p.number("horizon")),
                    "a whole number of periods for sbg (0 = as far as the data goes)");
  }
  o.calibration_periods = saved ? 0 : calibration;
  o.period_value = p.number("period_value");
  if (p.given("discount_rate") || o.period_value > 0) o.discount_rate = p.number("discount_rate");
  out.table = retention_projection(out.model, data, o);
  return out;
}

}  // namespace ltv
