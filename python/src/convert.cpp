// Translation between numpy / pandas values and the engine's types (see convert.hpp).
#include "convert.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "ltv/dates.hpp"
#include "ltv/error.hpp"

namespace ltv::python {

namespace {

constexpr std::int64_t kNanosecondsPerDay = std::int64_t{86400} * 1'000'000'000;
constexpr std::int64_t kNaT = std::numeric_limits<std::int64_t>::min();

/// pandas' missing-value singletons (kept for the life of the interpreter).
const py::object& pandas_na() {
  static const py::object* na = new py::object(py::module_::import("pandas").attr("NA"));
  return *na;
}
const py::object& pandas_nat() {
  static const py::object* nat = new py::object(py::module_::import("pandas").attr("NaT"));
  return *nat;
}

std::string text_of_object(PyObject* o) {
  if (o == Py_None || o == pandas_na().ptr() || o == pandas_nat().ptr()) return {};
  if (PyUnicode_Check(o)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(o, &size);
    if (data == nullptr) throw py::error_already_set();
    return std::string(data, static_cast<std::size_t>(size));
  }
  if (PyBool_Check(o)) return o == Py_True ? "True" : "False";
  if (PyFloat_Check(o)) {
    const double v = PyFloat_AS_DOUBLE(o);
    return std::isnan(v) ? std::string() : fmt::format("{}", v);
  }
  return py::str(py::handle(o)).cast<std::string>();
}

}  // namespace

py::array_t<double> to_array(std::span<const double> values) {
  py::array_t<double> out(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

std::vector<std::string> to_texts(const py::array& values) {
  if (values.ndim() != 1) throw py::value_error("expected a one-dimensional column");
  const py::module_ np = py::module_::import("numpy");
  const auto n = static_cast<std::size_t>(values.size());
  std::vector<std::string> out(n);
  switch (values.dtype().kind()) {
    case 'b': {
      const auto a = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(values);
      for (std::size_t i = 0; i < n; ++i) out[i] = a.data()[i] ? "True" : "False";
      return out;
    }
    case 'i': {
      const auto a = Int64Array::ensure(values);
      for (std::size_t i = 0; i < n; ++i) out[i] = std::to_string(a.data()[i]);
      return out;
    }
    case 'u': {
      const auto a =
          py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>::ensure(values);
      for (std::size_t i = 0; i < n; ++i) out[i] = std::to_string(a.data()[i]);
      return out;
    }
    case 'f': {
      const auto a = DoubleArray::ensure(values);
      for (std::size_t i = 0; i < n; ++i) {
        const double v = a.data()[i];
        if (!std::isnan(v)) out[i] = fmt::format("{}", v);
      }
      return out;
    }
    case 'M': {
      const py::array ns = values.attr("astype")("datetime64[ns]").attr("view")("int64");
      const auto a = Int64Array::ensure(ns);
      bool any_time = false;
      for (std::size_t i = 0; i < n; ++i) {
        any_time |= a.data()[i] != kNaT && a.data()[i] % kNanosecondsPerDay != 0;
      }
      for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t v = a.data()[i];
        if (v == kNaT) continue;
        std::int64_t day = v / kNanosecondsPerDay, rest = v % kNanosecondsPerDay;
        if (rest < 0) {
          rest += kNanosecondsPerDay;
          --day;
        }
        out[i] = any_time ? format_datetime(static_cast<std::int32_t>(day),
                                            static_cast<std::int32_t>(rest / 1'000'000'000))
                          : format_date(static_cast<std::int32_t>(day));
      }
      return out;
    }
    default: {
      const py::array objects =
          np.attr("ascontiguousarray")(values.attr("astype")("O")).cast<py::array>();
      auto* data = static_cast<PyObject* const*>(objects.data());
      for (std::size_t i = 0; i < n; ++i) out[i] = text_of_object(data[i]);
      return out;
    }
  }
}

Table make_table(const std::string& source, const std::vector<std::string>& names,
                 const std::vector<py::array>& columns) {
  if (names.size() != columns.size()) throw py::value_error("one name per column expected");
  Table t;
  t.source = source;
  t.names = names;
  std::size_t rows = 0;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    t.columns.push_back(to_texts(columns[c]));
    if (c == 0) rows = t.columns.back().size();
    if (t.columns.back().size() != rows) throw py::value_error("columns of different lengths");
  }
  t.lines.resize(rows);
  for (std::size_t r = 0; r < rows; ++r) t.lines[r] = static_cast<std::int64_t>(r + 1);
  return t;
}

py::list table_columns(const ResultTable& table) {
  py::list out;
  const std::size_t n = table.rows();
  for (std::size_t c = 0; c < table.columns(); ++c) {
    const ColumnSpec& spec = table.spec().columns[c];
    bool any_null = false;
    py::array_t<bool> nulls(static_cast<py::ssize_t>(n));
    for (std::size_t r = 0; r < n; ++r) {
      nulls.mutable_data()[r] = table.is_null(c, r);
      any_null |= nulls.data()[r];
    }
    py::object values;
    switch (spec.type) {
      case ColumnType::text: {
        py::list texts(n);
        for (std::size_t r = 0; r < n; ++r) {
          if (table.is_null(c, r)) {
            texts[r] = py::none();
          } else {
            const std::string_view s = table.text(c, r);
            texts[r] = py::reinterpret_steal<py::str>(
                PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace"));
          }
        }
        values = texts;
        break;
      }
      case ColumnType::integer: {
        py::array_t<std::int64_t> a(static_cast<py::ssize_t>(n));
        for (std::size_t r = 0; r < n; ++r) {
          a.mutable_data()[r] = table.is_null(c, r) ? 0 : table.integer(c, r);
        }
        values = a;
        break;
      }
      case ColumnType::real: {
        py::array_t<double> a(static_cast<py::ssize_t>(n));
        for (std::size_t r = 0; r < n; ++r) a.mutable_data()[r] = table.real(c, r);
        values = a;
        break;
      }
      case ColumnType::date: {
        py::array_t<std::int32_t> a(static_cast<py::ssize_t>(n));
        for (std::size_t r = 0; r < n; ++r) {
          a.mutable_data()[r] = table.is_null(c, r) ? 0 : table.date(c, r);
        }
        values = a;
        break;
      }
      case ColumnType::boolean: {
        py::array_t<bool> a(static_cast<py::ssize_t>(n));
        for (std::size_t r = 0; r < n; ++r) {
          a.mutable_data()[r] = !table.is_null(c, r) && table.boolean(c, r);
        }
        values = a;
        break;
      }
    }
    out.append(py::make_tuple(spec.name, std::string(to_string(spec.type)), values,
                              any_null ? py::object(nulls) : py::object(py::none())));
  }
  return out;
}

// ------------------------------------------------------------------------------------ errors

namespace {

PyObject* error_class = nullptr;
PyObject* input_error_class = nullptr;
PyObject* parameter_error_class = nullptr;
PyObject* model_error_class = nullptr;
PyObject* convergence_error_class = nullptr;

PyObject* new_class(py::module_& m, const char* name, std::initializer_list<PyObject*> bases,
                    const char* doc) {
  py::tuple base_tuple(bases.size());
  std::size_t i = 0;
  for (PyObject* b : bases) base_tuple[i++] = py::reinterpret_borrow<py::object>(b);
  const std::string full = std::string("ltvkit.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(full.c_str(), doc, base_tuple.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(type));
  return type;
}

/// Raises `type(message)` with the given attributes set on the exception.
void raise(PyObject* type, const std::string& message, const py::dict& attributes) {
  py::object exc = py::reinterpret_borrow<py::object>(type)(message);
  for (const auto& [key, value] : attributes) exc.attr(key) = value;
  PyErr_SetObject(type, exc.ptr());
}

/// An in-memory source is named "<what>" by the module: its "line" is the 1-based row, shown
/// as the 0-based position a pandas user indexes with (iloc).
std::string render(const InputError& e) {
  const SourceLocation& w = e.where();
  if (w.file.size() < 2 || w.file.front() != '<' || w.file.back() != '>') return e.what();
  std::string out = w.file.substr(1, w.file.size() - 2);
  if (w.line > 0) out += fmt::format(", position {}", w.line - 1);
  if (!w.column.empty()) out += fmt::format(", column '{}'", w.column);
  return fmt::format("{}: found '{}', expected {}", out, e.found(), e.expected());
}

}  // namespace

void register_errors(py::module_& m) {
  error_class = new_class(m, "Error", {PyExc_Exception}, "Base of every ltvkit error.");
  input_error_class =
      new_class(m, "InputError", {error_class, PyExc_ValueError},
                "Bad input: a value of a column or file, with where it is (source, position or "
                "line, column), what was found and what was expected.");
  parameter_error_class =
      new_class(m, "ParameterError", {input_error_class},
                "A keyword argument whose value does not fit; `key` is the keyword (the parameter "
                "table's key, the CLI's --key-with-dashes).");
  model_error_class = new_class(m, "ModelError", {error_class, PyExc_ValueError},
                                "A model cannot be applied to the given data or parameters.");
  convergence_error_class = new_class(m, "ConvergenceError", {model_error_class},
                                      "A maximum-likelihood fit did not converge.");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ParameterError& e) {
      py::dict a;
      a["key"] = e.key();
      a["found"] = e.found();
      a["expected"] = e.expected();
      raise(parameter_error_class,
            fmt::format("keyword argument {}: found '{}', expected {}", e.key(), e.found(),
                        e.expected()),
            a);
    } catch (const InputError& e) {
      const SourceLocation& w = e.where();
      const bool memory = w.file.size() >= 2 && w.file.front() == '<' && w.file.back() == '>';
      py::dict a;
      a["source"] = memory ? w.file.substr(1, w.file.size() - 2) : w.file;
      a["position"] = memory && w.line > 0 ? py::object(py::int_(w.line - 1)) : py::none();
      a["line"] = !memory && w.line > 0 ? py::object(py::int_(w.line)) : py::none();
      a["column"] = w.column;
      a["found"] = e.found();
      a["expected"] = e.expected();
      raise(input_error_class, render(e), a);
    } catch (const ConvergenceError& e) {
      raise(convergence_error_class, e.what(), py::dict());
    } catch (const ModelError& e) {
      raise(model_error_class, e.what(), py::dict());
    } catch (const Error& e) {
      raise(error_class, e.what(), py::dict());
    }
  });
}

}  // namespace ltv::python
