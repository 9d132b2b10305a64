#pragma once
// Translation between numpy / pandas values and the engine's types: arrays as spans, any column
// as text (the side tables and the distinct values of coded columns), ResultTables as typed
// arrays, and the engine's errors as Python exceptions. Nothing here computes a statistic.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ltv/io/table.hpp"
#include "ltv/workspace/result_table.hpp"

namespace ltv::python {

namespace py = pybind11;

/// C-contiguous arrays; other dtypes are converted by numpy (forcecast) before the call.
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Int64Array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

inline std::span<const double> span_of(const DoubleArray& a) {
  return {a.data(), static_cast<std::size_t>(a.size())};
}
inline std::span<const std::int64_t> span_of(const Int64Array& a) {
  return {a.data(), static_cast<std::size_t>(a.size())};
}

/// A numpy array of doubles holding a copy of `values`.
py::array_t<double> to_array(std::span<const double> values);

/// Every value of a 1-d array as text: strings as they are, integers in decimal, reals in the
/// shortest form that reads back to the same double (17850.0 -> "17850"), booleans as
/// True/False, datetime64 as YYYY-MM-DD (with " HH:MM:SS" when a value has a time of day), other
/// objects by str(). Missing values (None, NaN, NaT, pandas.NA) are empty texts.
std::vector<std::string> to_texts(const py::array& values);

/// A side table (customers, spend, contacts, NPS answers) from named columns of any dtype, as
/// to_texts renders them; `source` names it in messages, and row r is "line" r + 1.
Table make_table(const std::string& source, const std::vector<std::string>& names,
                 const std::vector<py::array>& columns);

/// The columns of a result table as (name, type, values, nulls): text as an object array of str
/// (None where null), integer int64, real float64 (NaN only where null), date int32 day
/// numbers, boolean bool; nulls is a bool array, or None when the column has no null.
py::list table_columns(const ResultTable& table);

/// Registers the exception classes (ltvkit.Error, InputError, ParameterError, ModelError,
/// ConvergenceError) on `m` and translates the engine's exceptions into them.
void register_errors(py::module_& m);

}  // namespace ltv::python
