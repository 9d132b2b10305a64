// _ltvkit: the engine API (ltv/ltv.hpp) for Python. The package `ltvkit` (python/ltvkit) builds
// its pandas surface on these functions; every number comes from the core, this file only
// translates arguments in and results out, and releases the GIL while the core works.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "convert.hpp"
#include "ltv/io/columns.hpp"
#include "ltv/ltv.hpp"
#include "ltv/models/clv.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/sbg.hpp"
#include "ltv/workspace/infer_columns.hpp"
#include "ltv/workspace/model_input.hpp"
#include "ltv/workspace/retention.hpp"

namespace ltv::python {
namespace {

using Options = std::map<std::string, std::string>;

/// Parameters of `groups` with the values a Python caller gave (already text).
Parameters parameters(std::vector<std::string_view> groups, const Options& values) {
  Parameters p(std::move(groups));
  for (const auto& [key, value] : values) p.set(key, value);
  p.validate();
  return p;
}

py::list parameter_list(const std::vector<std::string>& groups) {
  const std::vector<std::string_view> views(groups.begin(), groups.end());
  py::list out;
  for (const ParameterSpec* s : parameters_of(views)) {
    py::dict d;
    d["key"] = std::string(s->key);
    d["group"] = std::string(s->group);
    static const char* kTypes[] = {"text", "path", "number", "integer", "flag", "date", "choice"};
    d["type"] = kTypes[static_cast<int>(s->type)];
    d["default"] = std::string(s->default_value);
    d["help"] = std::string(s->help);
    d["section"] = std::string(s->section);
    d["expected"] = expected_value(*s);
    out.append(d);
  }
  return out;
}

// ---------------------------------------------------------------- in-memory transactions

/// A coded column as the Python side hands it over: (name, codes, distinct values).
struct Coded {
  std::string name;
  Int64Array codes;
  std::vector<std::string> values;
  explicit Coded(const py::tuple& t)
      : name(t[0].cast<std::string>()),
        codes(Int64Array::ensure(t[1])),
        values(to_texts(t[2].cast<py::array>())) {
    if (!codes) throw py::type_error("codes of column '" + name + "' must be integers");
  }
  CodedColumn column() const { return {name, span_of(codes), values}; }
};

/// TransactionSource from columns: customer = (name, codes, uniques); date = ("timestamps",
/// name, int64 ns) or ("text", name, codes, uniques); numbers = {role: (name, float64)} for
/// amount, quantity, price, margin, cost; texts = {role: (name, codes, uniques)} for order,
/// product, category, channel, region; options = parameters of group "source".
TransactionSource source_from_columns(const std::string& name, const py::tuple& customer,
                                      const py::tuple& date, const py::dict& numbers,
                                      const py::dict& texts, const Options& options) {
  const LoadOptions lo = load_options(parameters({"source"}, options));
  TransactionColumns c;
  c.source = "<" + name + ">";
  const Coded customer_column(customer);
  c.customer = customer_column.column();
  std::optional<Coded> date_text;
  Int64Array timestamps;
  if (date[0].cast<std::string>() == "timestamps") {
    c.timestamp_name = date[1].cast<std::string>();
    timestamps = Int64Array::ensure(date[2]);
    c.timestamp_ns = span_of(timestamps);
  } else {
    date_text.emplace(py::make_tuple(date[1], date[2], date[3]));
    c.date_text = date_text->column();
  }
  std::map<std::string, DoubleArray> number_arrays;
  for (const auto& [role_handle, spec_handle] : numbers) {
    const auto role = role_handle.cast<std::string>();
    const auto spec = spec_handle.cast<py::tuple>();
    DoubleArray values = DoubleArray::ensure(spec[1]);
    if (!values)
      throw py::type_error("column '" + spec[0].cast<std::string>() + "' is not numeric");
    NumberColumn column{spec[0].cast<std::string>(), span_of(values)};
    number_arrays.emplace(role, std::move(values));
    if (role == "amount")
      c.amount = column;
    else if (role == "quantity")
      c.quantity = column;
    else if (role == "price")
      c.price = column;
    else if (role == "margin")
      c.margin = column;
    else if (role == "cost")
      c.cost = column;
    else
      throw py::value_error("unknown number role " + role);
  }
  std::map<std::string, Coded> text_columns;
  for (const auto& [role_handle, spec_handle] : texts) {
    const auto role = role_handle.cast<std::string>();
    const Coded& coded =
        text_columns.emplace(role, Coded(spec_handle.cast<py::tuple>())).first->second;
    if (role == "order")
      c.order = coded.column();
    else if (role == "product")
      c.product = coded.column();
    else if (role == "category")
      c.category = coded.column();
    else if (role == "channel")
      c.channel = coded.column();
    else if (role == "region")
      c.region = coded.column();
    else
      throw py::value_error("unknown text role " + role);
  }
  LoadReport report;
  TransactionLog log;
  {
    py::gil_scoped_release release;
    log = transactions_from_columns(c, lo, report);
  }
  if (report.rows_loaded == 0) {
    input_error(SourceLocation{c.source, 0, ""}, "no transactions",
                "at least one row with a customer id and a date");
  }
  return TransactionSource::memory(c.source, std::move(log), std::move(report));
}

py::dict load_report_dict(const LoadReport& r) {
  py::dict d;
  d["source"] = r.source;
  d["rows_read"] = r.rows_read;
  d["rows_loaded"] = r.rows_loaded;
  d["customers"] = r.customers;
  d["rows_without_customer"] = r.rows_without_customer;
  d["return_rows"] = r.return_rows;
  d["cancellation_rows"] = r.cancellation_rows;
  d["rows_skipped"] = r.rows_skipped();
  d["first_day"] = r.first_day ? py::object(py::str(format_date(*r.first_day))) : py::none();
  d["last_day"] = r.last_day ? py::object(py::str(format_date(*r.last_day))) : py::none();
  d["has_amount"] = r.has_amount;
  d["total_amount"] = r.total_amount;
  d["date_format"] = r.date_format;
  d["warnings"] = r.warnings;
  d["text"] = r.to_text();
  return d;
}

/// The customer summaries of a workspace as arrays (parameters of group "periods").
py::dict summary(Workspace& ws, const Options& options) {
  const SummaryOptions so = summary_options(parameters({"periods"}, options));
  CustomerSummary s;
  {
    py::gil_scoped_release release;
    s = ws.summaries(so);
  }
  const TransactionLog& log = ws.transactions();
  py::list ids(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::string& id = log.customer_ids[s.customer[i]];
    ids[i] = py::reinterpret_steal<py::str>(
        PyUnicode_DecodeUTF8(id.data(), static_cast<Py_ssize_t>(id.size()), "replace"));
  }
  py::dict d;
  d["customer_id"] = ids;
  d["frequency"] = to_array(s.frequency);
  d["recency"] = to_array(s.recency);
  d["T"] = to_array(s.T);
  if (s.has_amount) d["monetary_value"] = to_array(s.monetary_value);
  if (s.has_holdout) {
    d["frequency_holdout"] = to_array(s.frequency_holdout);
    if (s.has_amount) d["monetary_value_holdout"] = to_array(s.monetary_value_holdout);
    d["duration_holdout"] = s.duration_holdout;
  }
  d["time_unit"] = std::string(to_string(s.time_unit));
  d["calibration_end"] = format_date(s.calibration_end);
  d["observation_end"] = format_date(s.observation_end);
  return d;
}

/// The main job. `options`: parameters of groups periods, clv and analyze (side files by path);
/// `tables`: side inputs given as tables (customers, spend, products, nps, contacts, suppress).
Analysis analyze(Workspace& ws, const Options& options,
                 const std::map<std::string, Table>& tables) {
  const Parameters p = parameters({"periods", "clv", "analyze"}, options);
  // `compare` needs customer attributes: a table stands for the customers file.
  Parameters checked = p;
  if (tables.count("customers") && !checked.given("customers")) checked.set("customers", "<table>");
  const AnalyzeOptions o = analyze_options(checked);
  SideInputs side = read_side_inputs(p);
  for (const auto& [name, table] : tables) {
    if (name == "customers")
      side.customers = table;
    else if (name == "spend")
      side.spend = table;
    else if (name == "products")
      side.products = table;
    else if (name == "contacts")
      side.contacts = table;
    else if (name == "suppress")
      side.suppress = table;
    else if (name == "nps") {
      side.nps_source = table.source;
      side.nps = nps_rows_from_table(table);
    } else {
      throw py::value_error("unknown side table " + name);
    }
  }
  py::gil_scoped_release release;
  return ws.analyze(o, side);
}

// ------------------------------------------------------------------------------- models

FitOptions fit_options_from(const py::dict& o) {
  FitOptions f;
  if (o.contains("penalty")) f.l2_penalty = o["penalty"].cast<double>();
  if (o.contains("starts")) f.starts = o["starts"].cast<int>();
  if (o.contains("max_iterations")) f.max_iterations = o["max_iterations"].cast<int>();
  if (o.contains("tolerance")) f.relative_tolerance = o["tolerance"].cast<double>();
  if (o.contains("initial")) f.initial = o["initial"].cast<std::vector<double>>();
  if (o.contains("presearch")) f.presearch = o["presearch"].cast<bool>();
  return f;
}

/// Fits model `model` (any of the registry) on per-customer arrays; T and t_x are ignored by
/// the spend model, monetary_value by the count models.
FitResult fit(const std::string& model, const DoubleArray& x, const std::optional<DoubleArray>& t_x,
              const std::optional<DoubleArray>& T, const std::optional<DoubleArray>& weights,
              const std::optional<DoubleArray>& monetary_value, const py::dict& options) {
  const FitOptions f = fit_options_from(options);
  ModelInput d;
  d.x.assign(x.data(), x.data() + x.size());
  if (t_x) d.t_x.assign(t_x->data(), t_x->data() + t_x->size());
  if (T) d.T.assign(T->data(), T->data() + T->size());
  if (weights) d.weight.assign(weights->data(), weights->data() + weights->size());
  if (monetary_value) {
    d.monetary_value.assign(monetary_value->data(),
                            monetary_value->data() + monetary_value->size());
  }
  py::gil_scoped_release release;
  return fit_model(model, d, f);
}

/// Runs f(i) for i in [0, n) without the GIL and returns the doubles as an array.
template <class F>
py::array_t<double> each(std::size_t n, F f) {
  std::vector<double> out(n);
  {
    py::gil_scoped_release release;
    for (std::size_t i = 0; i < n; ++i) out[i] = f(i);
  }
  return to_array(out);
}

void check_lengths(std::initializer_list<const DoubleArray*> arrays) {
  const py::ssize_t n = (*arrays.begin())->size();
  for (const DoubleArray* a : arrays) {
    if (a->size() != n) throw py::value_error("arrays of different lengths");
  }
}

}  // namespace
}  // namespace ltv::python

PYBIND11_MODULE(_ltvkit, m) {
  namespace py = pybind11;
  using namespace ltv;
  using namespace ltv::python;
  m.doc() = "ltvkit's engine API (see the package ltvkit for the pandas surface)";
  m.attr("__version__") = kVersion;
  register_errors(m);

  m.def("parameters", &parameter_list, py::arg("groups"),
        "The parameter table's entries of the given groups (key, group, type, default, help).");
  m.def(
      "model_names",
      [](std::optional<std::string> kind) {
        if (!kind) return model_names();
        if (*kind == "spend") return model_names(ModelKind::spend);
        if (*kind == "retention") return model_names(ModelKind::retention);
        if (*kind != "count") {
          parameter_error("kind", *kind, "count, spend or retention");
        }
        return model_names(ModelKind::count);
      },
      py::arg("kind") = py::none());
  m.def("model_parameters", [](const std::string& name) {
    std::vector<std::string> out;
    for (auto p : model_definition(name).parameters) out.emplace_back(p);
    return out;
  });
  m.def(
      "texts", [](const py::array& values) { return to_texts(values); }, py::arg("values"),
      "Each value as the engine's text (as a column of transactions or a side table).");
  m.def(
      "check_finite",
      [](const std::string& source, const std::string& column, const DoubleArray& a) {
        check_finite("<" + source + ">", column, span_of(a));
      },
      py::arg("source"), py::arg("column"), py::arg("values"),
      "InputError naming the first non-finite value's position.");

  // ---- sources, workspaces, analyses
  py::class_<TransactionSource>(m, "Source")
      .def_property_readonly("name", [](const TransactionSource& s) { return s.path; });
  m.def("source_from_columns", &source_from_columns, py::arg("name"), py::arg("customer"),
        py::arg("date"), py::arg("numbers"), py::arg("texts"), py::arg("options"));
  m.def(
      "source_from_parameters",
      [](const Options& options) {
        // Column inference (issue 27) as on the command line: the customer / date / amount
        // columns not given are recognised from the file's header and content.
        Parameters p = parameters({"source"}, options);
        infer_column_parameters(p);
        return TransactionSource::from_parameters(p);
      },
      py::arg("options"));

  py::class_<Table>(m, "Table")
      .def_property_readonly("source", [](const Table& t) { return t.source; })
      .def_property_readonly("rows", &Table::rows);
  m.def("make_table", &make_table, py::arg("source"), py::arg("names"), py::arg("columns"));

  py::class_<Workspace>(m, "Workspace")
      .def(py::init([](const TransactionSource& s) { return std::make_unique<Workspace>(s); }))
      .def("load_report",
           [](Workspace& ws) {
             {
               py::gil_scoped_release release;
               ws.transactions();
             }
             return load_report_dict(ws.load_report());
           })
      .def("summary", &summary, py::arg("options"))
      .def("analyze", &analyze, py::arg("options"), py::arg("tables"));

  py::class_<Analysis>(m, "Analysis")
      .def("table_names",
           [](const Analysis& a) {
             std::vector<std::string> names;
             for (const auto& [name, table] : a.tables) names.push_back(name);
             return names;
           })
      .def("table",
           [](const Analysis& a, const std::string& name) {
             const ResultTable* t = a.table(name);
             if (t == nullptr) throw py::key_error(name);
             return table_columns(*t);
           })
      .def("summary_json", [](const Analysis& a) { return summary_json(a).dump(); })
      .def("load_report", [](const Analysis& a) { return load_report_dict(a.load); })
      .def_property_readonly("lines", [](const Analysis& a) { return a.lines; })
      .def_property_readonly("notes", [](const Analysis& a) { return a.notes; })
      .def_property_readonly("transitions_line",
                             [](const Analysis& a) { return a.transitions_line; })
      .def_property_readonly("actions_line", [](const Analysis& a) { return a.actions_line; })
      .def_property_readonly("timings",
                             [](const Analysis& a) {
                               py::list out;
                               for (const auto& t : a.timings)
                                 out.append(py::make_tuple(t.step, t.seconds, t.peak_rss_bytes));
                               return out;
                             })
      .def(
          "write",
          [](const Analysis& a, const std::string& dir, bool report,
             const std::optional<std::string>& currency, const std::optional<std::string>& title) {
            py::gil_scoped_release release;
            // Unset: the analysis' own (its language's currency and title unless given to it).
            report::ReportOptions ro;
            ro.currency = currency.value_or(a.options.currency);
            ro.locale = a.options.locale;
            ro.title = title.value_or(a.options.title);
            // The same atomic folder (manifest.json last) as `ltv analyze -o`.
            const report::FolderResult written =
                report::write_analysis_folder(a, dir, report ? &ro : nullptr);
            if (!written.report_error.empty()) throw Error(written.report_error);
            return written.report.string();
          },
          py::arg("dir"), py::arg("report") = true, py::arg("currency") = py::none(),
          py::arg("title") = py::none());

  // ---- fits and models
  py::class_<FitResult>(m, "Fit")
      .def_readonly("model", &FitResult::model)
      .def_readonly("names", &FitResult::names)
      .def_property_readonly("estimates", [](const FitResult& f) { return to_array(f.estimates); })
      .def_property_readonly("std_errors",
                             [](const FitResult& f) -> py::object {
                               if (f.std_errors.size() != f.estimates.size()) return py::none();
                               return to_array(f.std_errors);
                             })
      .def_property_readonly("ci_lower",
                             [](const FitResult& f) -> py::object {
                               if (f.ci_lower.size() != f.estimates.size()) return py::none();
                               return to_array(f.ci_lower);
                             })
      .def_property_readonly("ci_upper",
                             [](const FitResult& f) -> py::object {
                               if (f.ci_upper.size() != f.estimates.size()) return py::none();
                               return to_array(f.ci_upper);
                             })
      .def_property_readonly("covariance",
                             [](const FitResult& f) -> py::object {
                               const std::vector<double> cov = natural_covariance(f);
                               if (cov.empty()) return py::none();
                               const auto k = static_cast<py::ssize_t>(f.estimates.size());
                               py::array_t<double> a({k, k});
                               std::copy(cov.begin(), cov.end(), a.mutable_data());
                               return a;
                             })
      .def_readonly("log_likelihood", &FitResult::log_likelihood)
      .def_readonly("converged", &FitResult::converged)
      .def_readonly("iterations", &FitResult::iterations)
      .def_readonly("message", &FitResult::message)
      .def_readonly("optimizer_status", &FitResult::optimizer_status)
      .def_readonly("n_customers", &FitResult::n_customers)
      .def_readonly("n_patterns", &FitResult::n_patterns)
      .def(
          "to_json",
          [](const FitResult& f, const std::string& time_unit) {
            return model_to_json(f, time_unit).dump(2);
          },
          py::arg("time_unit") = "");
  m.def("fit", &fit, py::arg("model"), py::arg("x"), py::arg("t_x"), py::arg("T"),
        py::arg("weights"), py::arg("monetary_value"), py::arg("options"));
  // Contract retention (ltv/workspace/retention.hpp): a survival table read with the same checks
  // as `ltv fit --model sbg` reads a survival CSV.
  m.def(
      "fit_retention",
      [](const Table& table, std::int64_t calibration_periods, const py::dict& options) {
        const SurvivalData data = survival_data(table);
        const FitOptions f = fit_options_from(options);
        py::gil_scoped_release release;
        return fit_retention(data, calibration_periods, f);
      },
      py::arg("table"), py::arg("calibration_periods"), py::arg("options"));
  m.def(
      "retention_projection",
      [](const FitResult& fit, const Table& table, std::int64_t horizon,
         std::optional<double> discount_rate, double period_value,
         std::int64_t calibration_periods) {
        RetentionProjectionOptions o;
        o.horizon = horizon;
        o.discount_rate = discount_rate;
        o.period_value = period_value;
        o.calibration_periods = calibration_periods;
        return table_columns(retention_projection(fit, survival_data(table), o));
      },
      py::arg("fit"), py::arg("table"), py::arg("horizon"), py::arg("discount_rate"),
      py::arg("period_value"), py::arg("calibration_periods"));
  m.def(
      "sbg_curve",
      [](const FitResult& fit, const std::string& what, const DoubleArray& t) {
        const SbgParams params = sbg::params(fit);
        double (*f)(const SbgParams&, double) = what == "survival"    ? &sbg::survival
                                                : what == "retention" ? &sbg::retention
                                                : what == "churn"     ? &sbg::p_churn
                                                                      : nullptr;
        if (f == nullptr) parameter_error("what", what, "survival, retention or churn");
        std::vector<double> out(static_cast<std::size_t>(t.size()));
        for (py::ssize_t i = 0; i < t.size(); ++i) out[i] = f(params, t.data()[i]);
        return to_array(out);
      },
      py::arg("fit"), py::arg("what"), py::arg("t"));
  m.def(
      "sbg_derl",
      [](const FitResult& fit, double discount_rate, const DoubleArray& renewals) {
        const SbgParams params = sbg::params(fit);
        std::vector<double> out(static_cast<std::size_t>(renewals.size()));
        for (py::ssize_t i = 0; i < renewals.size(); ++i) {
          out[i] = sbg::derl(params, discount_rate, renewals.data()[i]);
        }
        return to_array(out);
      },
      py::arg("fit"), py::arg("discount_rate"), py::arg("renewals"));
  m.def(
      "read_model",
      [](const std::string& path) {
        SavedModel saved = read_model_file(path);
        return py::make_tuple(py::cast(std::move(saved.fit)), saved.time_unit);
      },
      py::arg("path"));
  m.def("model_from_json", [](const std::string& text, const std::string& source) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      input_error(SourceLocation{source, 0, ""}, "text that is not JSON", e.what());
    }
    SavedModel saved = model_from_json(j, source);
    return py::make_tuple(py::cast(std::move(saved.fit)), saved.time_unit);
  });

  py::class_<FittedCountModel>(m, "CountModel")
      .def(py::init<FitResult>())
      .def_static("with_parameters",
                  [](const std::string& name, const std::vector<double>& theta) {
                    return FittedCountModel::with_parameters(name, theta);
                  })
      .def_property_readonly("discrete", &FittedCountModel::discrete)
      .def_property_readonly("fit", [](const FittedCountModel& f) { return f.result(); })
      .def(
          "score",
          [](const FittedCountModel& model, const DoubleArray& x, const DoubleArray& t_x,
             const DoubleArray& T, double horizon) {
            check_lengths({&x, &t_x, &T});
            CountScores s;
            {
              py::gil_scoped_release release;
              s = score_customers(model, span_of(x), span_of(t_x), span_of(T), horizon);
            }
            return py::make_tuple(to_array(s.p_alive), to_array(s.expected_purchases));
          },
          "P(alive) and expected purchases in (T, T + horizon] (the one scorer)")
      .def(
          "p_alive",
          [](const FittedCountModel& model, const DoubleArray& x, const DoubleArray& t_x,
             const DoubleArray& T) {
            check_lengths({&x, &t_x, &T});
            return each(static_cast<std::size_t>(x.size()), [&](std::size_t i) {
              return model.p_alive(x.data()[i], t_x.data()[i], T.data()[i]);
            });
          },
          "P(alive at T | x, t_x, T), customer by customer (the scorer's P(alive))")
      .def("conditional_expected",
           [](const FittedCountModel& model, const DoubleArray& t, const DoubleArray& x,
              const DoubleArray& t_x, const DoubleArray& T) {
             check_lengths({&t, &x, &t_x, &T});
             return each(static_cast<std::size_t>(x.size()), [&](std::size_t i) {
               return t.data()[i] <= 0 ? 0.0
                                       : model.conditional_expected_transactions(
                                             t.data()[i], x.data()[i], t_x.data()[i], T.data()[i]);
             });
           })
      .def("expected",
           [](const FittedCountModel& model, const DoubleArray& t) {
             return each(static_cast<std::size_t>(t.size()),
                         [&](std::size_t i) { return model.expected_transactions(t.data()[i]); });
           })
      .def("p_n",
           [](const FittedCountModel& model, const DoubleArray& n, const DoubleArray& t) {
             check_lengths({&n, &t});
             return each(static_cast<std::size_t>(n.size()), [&](std::size_t i) {
               return model.p_n_transactions(n.data()[i], t.data()[i]);
             });
           })
      .def("conditional_p_n",
           [](const FittedCountModel& model, const DoubleArray& n, const DoubleArray& t,
              const DoubleArray& x, const DoubleArray& t_x, const DoubleArray& T) {
             check_lengths({&n, &t, &x, &t_x, &T});
             return each(static_cast<std::size_t>(n.size()), [&](std::size_t i) {
               return model.conditional_p_n_transactions(n.data()[i], t.data()[i], x.data()[i],
                                                         t_x.data()[i], T.data()[i]);
             });
           })
      .def("p_alive_at",
           [](const FittedCountModel& model, const DoubleArray& t, const DoubleArray& x,
              const DoubleArray& t_x, const DoubleArray& T) {
             check_lengths({&t, &x, &t_x, &T});
             return each(static_cast<std::size_t>(x.size()), [&](std::size_t i) {
               return model.p_alive_at(t.data()[i], x.data()[i], t_x.data()[i], T.data()[i]);
             });
           })
      .def(
          "clv",
          [](const FittedCountModel& model, const DoubleArray& x, const DoubleArray& t_x,
             const DoubleArray& T, const DoubleArray& spend, double horizon, double step,
             double discount_rate, double margin) {
            check_lengths({&x, &t_x, &T, &spend});
            ClvOptions o;
            o.horizon = horizon;
            o.step = step;
            o.discount_rate = discount_rate;
            o.margin = margin;
            o.discounting = Discounting::discrete;
            std::vector<double> out;
            {
              py::gil_scoped_release release;
              out = customer_lifetime_value(
                  model, ClvCustomers{span_of(x), span_of(t_x), span_of(T), span_of(spend)}, o);
            }
            return to_array(out);
          },
          "margin x spend x discounted expected purchases over `horizon` steps of `step` model "
          "time units (discrete discounting at `discount_rate` per step)");

  m.def(
      "expected_spend",
      [](const FitResult& fit, const DoubleArray& x, const DoubleArray& m_x) {
        check_lengths({&x, &m_x});
        const GammaGammaParams params = gamma_gamma::params(fit);
        return each(static_cast<std::size_t>(x.size()), [&](std::size_t i) {
          return gamma_gamma::conditional_expected_average_spend(params, x.data()[i],
                                                                 m_x.data()[i]);
        });
      },
      py::arg("fit"), py::arg("x"), py::arg("m_x"),
      "Gamma-Gamma E[spend per purchase | x, m_x] (FHL 2005b eq. 5).");
}
