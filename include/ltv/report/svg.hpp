#pragma once
/// A small SVG chart module for the HTML report: line, bar (vertical, horizontal, grouped),
/// heat map with a colour legend, funnel and table helpers. Every chart is a value struct rendered
/// to a self-contained `<svg>` string (no scripts, no external resources). All text is
/// XML-escaped. Plotted data marks carry the class `mark` (plus `line`, `point`, `bar`, `cell` or
/// `stage`), so tests and browsers can count them. Empty or tiny data renders a clear
/// "Not enough data" note (class `empty-note`) instead of a broken chart.
/// Colours: the Okabe-Ito colour-blind-safe palette for series, a viridis-like scale for heat maps.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ltv::report {

/// How a number is written for people.
enum class NumberStyle {
  plain,     ///< 1,234.5 (thousands separators, decimals by magnitude)
  integer,   ///< 1,235
  currency,  ///< $1,234 or $12.50 (symbol from NumberFormat::currency)
  percent,   ///< a fraction shown as 12.3%
};

/// Number formatting options.
struct NumberFormat {
  NumberStyle style = NumberStyle::plain;
  std::string currency = "$";  ///< symbol put before currency values
  int decimals = -1;           ///< fixed decimals; -1 = chosen from the magnitude
  bool compact = false;        ///< 1.2k, 3.4M, 5.6B (axis ticks)
};

/// Formats `value` for people (thousands separators, currency, percent). NaN/Inf give "–".
std::string format_number(double value, const NumberFormat& format = {});

/// Escapes &, <, >, " and ' for XML text and attribute values.
std::string xml_escape(std::string_view text);

/// Series colour `i` (Okabe-Ito, colour-blind safe; cycles after 7).
std::string series_colour(std::size_t i);

/// Heat map colour for t in [0, 1] (viridis-like, perceptually ordered; t clamped) as "#rrggbb".
std::string scale_colour(double t);

/// "Nice" tick values (steps of 1, 2 or 5 x 10^k) covering [lo, hi] with about `target` ticks.
/// The first tick is <= lo and the last >= hi. lo == hi gives a small range around the value.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

/// An axis: its label (with units, e.g. "Revenue ($)"), tick format and optional fixed range.
struct Axis {
  std::string label;
  NumberFormat format;
  std::optional<double> min;  ///< fixed lower end (default: from the data, 0 for bars)
  std::optional<double> max;  ///< fixed upper end
  /// Line charts: when set, x values are positions 0, 1, ... and ticks show these labels
  /// (thinned to fit).
  std::vector<std::string> categories;
};

/// One data series. For line charts x and y have equal length (NaN y = gap); for bar charts
/// only `values` is used, one per category.
struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
  std::vector<double> values;
  bool dashed = false;  ///< dashed line (e.g. model expectation against actual)
};

/// Common size of a chart in CSS pixels (the SVG scales with its container via viewBox).
struct ChartSize {
  int width = 720;
  int height = 320;
};

/// Line chart with several series.
struct LineChart {
  std::string title;
  Axis x;
  Axis y;
  std::vector<Series> series;
  bool markers = false;  ///< a circle at every point
  /// A vertical reference line (class "marker") at this x, e.g. the end of calibration.
  std::optional<double> x_marker;
  std::string x_marker_label;  ///< text beside the reference line
  ChartSize size;
};

/// Bar chart: one bar per category and series (grouped when several series).
struct BarChart {
  std::string title;
  std::vector<std::string> categories;
  std::string category_label;  ///< axis label of the categories
  Axis value;                  ///< the value axis
  std::vector<Series> series;  ///< `values[i]` belongs to categories[i]
  bool horizontal = false;     ///< bars grow to the right, categories down the left
  bool value_labels = true;    ///< print the value at each bar's end
  ChartSize size;
};

/// Heat map over rows x columns with a colour scale and legend.
struct HeatMap {
  std::string title;
  std::vector<std::string> rows;     ///< row labels, top to bottom
  std::vector<std::string> columns;  ///< column labels, left to right
  std::vector<double> values;        ///< row-major rows.size() x columns.size(); NaN = no data
  std::string row_label;             ///< axis label of the rows
  std::string column_label;          ///< axis label of the columns
  std::string legend_label;          ///< what the colour means, with units
  NumberFormat format;               ///< cell and legend numbers
  bool cell_labels = true;           ///< write values into cells when they fit
  ChartSize size;
};

/// Funnel: stages from widest to narrowest, each with its value and share of the first stage.
struct Funnel {
  std::string title;
  std::vector<std::string> stages;
  std::vector<double> values;
  NumberFormat format;
  ChartSize size;
};

/// Renders a chart as an `<svg>` element (class "chart"), or a not-enough-data note when the
/// data cannot make a chart (fewer than two points, no categories, no finite value).
std::string render(const LineChart& chart);
std::string render(const BarChart& chart);
std::string render(const HeatMap& chart);
std::string render(const Funnel& chart);

/// The note shown in place of a chart: an `<svg>` with a `<text class="empty-note">`.
std::string empty_chart(std::string_view title, std::string_view reason, ChartSize size = {});

/// The Pareto (concentration) curve of non-negative values: x = share of items (largest
/// first), y = cumulative share of the total, `points` points from 0 to 1. Empty when the
/// total is not positive.
Series pareto_curve(std::vector<double> values, std::size_t points = 101);

/// Share of the total held by the largest `top_share` of items (e.g. 0.2 -> 0.63). NaN when
/// there are no items or the total is not positive.
double top_share_of_total(std::vector<double> values, double top_share);

/// A plain HTML table (class "data"); cells are escaped, `numeric[c]` right-aligns column c.
struct HtmlTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> numeric;
};
std::string render(const HtmlTable& table);

}  // namespace ltv::report
