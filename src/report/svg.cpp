// SVG charts for the HTML report (see include/ltv/report/svg.hpp).
#include "ltv/report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "i18n/trf.hpp"

namespace ltv::report {
namespace {

using i18n::N_;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Thousands separators and the decimal point of the current locale (ltv/i18n.hpp): 1,234.5 in
/// English, 1 234,5 in Russian.
std::string with_separators(const std::string& digits) {
  // digits: optional '-', integer part, optional fraction
  return i18n::localize_number_text(digits, i18n::current_locale().formats);
}

int auto_decimals(double a) {
  if (a >= 100) return 0;
  if (a >= 10) return 1;
  if (a >= 1) return 2;
  if (a == 0) return 0;
  return 3;
}

std::string trim_zeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string fixed(double v, int decimals, bool trim) {
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (trim) s = trim_zeros(s);
  if (!s.empty() && s[0] == '-' && s.find_first_of("123456789") == std::string::npos) s.erase(0, 1);
  return with_separators(s);
}

std::string compact(double v, int decimals) {
  const double a = std::fabs(v);
  // TRANSLATORS: suffixes of compact numbers on chart axes: 1.2B, 3.4M, 5.6k (billion, million,
  // thousand).
  static constexpr std::array<std::pair<double, std::string_view>, 3> units{
      {{1e9, N_("B")}, {1e6, N_("M")}, {1e3, N_("k")}}};
  for (const auto& [scale, suffix] : units) {
    if (a >= scale) return fixed(v / scale, decimals < 0 ? 1 : decimals, true) + i18n::tr(suffix);
  }
  return fixed(v, decimals < 0 ? auto_decimals(a) : decimals, true);
}

struct Box {
  double left, top, width, height;
  double right() const { return left + width; }
  double bottom() const { return top + height; }
};

/// Linear map of [lo, hi] onto [a, b].
struct Scale {
  double lo = 0, hi = 1, a = 0, b = 1;
  double operator()(double v) const { return hi == lo ? a : a + (v - lo) / (hi - lo) * (b - a); }
};

std::string num(double v) {
  return fmt::format("{:.1f}", v);
}

std::string svg_open(const ChartSize& size, std::string_view title, std::string_view kind) {
  return fmt::format(
      "<svg class=\"chart {}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" "
      "width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\">\n<title>{}</title>\n"
      "<text class=\"chart-title\" x=\"8\" y=\"18\">{}</text>\n",
      kind, size.width, size.height, size.width, size.height, xml_escape(title), xml_escape(title),
      xml_escape(title));
}

std::string text(double x, double y, std::string_view content, std::string_view cls,
                 std::string_view anchor = "start", std::string_view extra = "") {
  return fmt::format("<text class=\"{}\" x=\"{}\" y=\"{}\" text-anchor=\"{}\"{}>{}</text>\n", cls,
                     num(x), num(y), anchor, extra, xml_escape(content));
}

std::pair<double, double> finite_range(const std::vector<double>& v) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double x : v) {
    if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  }
  return {lo, hi};
}

/// Ticks and the domain they span for an axis.
std::vector<double> axis_ticks(const Axis& axis, double lo, double hi, int target) {
  if (axis.min) lo = *axis.min;
  if (axis.max) hi = *axis.max;
  auto ticks = nice_ticks(lo, hi, target);
  if (axis.min || axis.max) {
    std::vector<double> kept;
    for (double t : ticks) {
      if (t >= lo - 1e-12 * std::fabs(hi - lo) && t <= hi + 1e-12 * std::fabs(hi - lo)) {
        kept.push_back(t);
      }
    }
    if (axis.min && (kept.empty() || kept.front() > lo)) kept.insert(kept.begin(), lo);
    if (axis.max && (kept.empty() || kept.back() < hi)) kept.push_back(hi);
    ticks = kept;
  }
  return ticks;
}

/// Tick label format: compact, with enough decimals to tell neighbouring ticks apart.
NumberFormat tick_format(NumberFormat f, const std::vector<double>& ticks) {
  f.compact = true;
  const double step = ticks.size() > 1 ? std::fabs(ticks[1] - ticks[0]) : 1;
  const double scaled = f.style == NumberStyle::percent ? step * 100 : step;
  const int needed =
      scaled > 0 && scaled < 1 ? static_cast<int>(std::ceil(-std::log10(scaled) - 1e-9)) : 0;
  if (f.style == NumberStyle::percent && f.decimals < 0) f.decimals = 0;
  if (f.decimals >= 0) f.decimals = std::max(f.decimals, needed);
  return f;
}

std::string legend(const std::vector<Series>& series, double x, double y, bool lines) {
  if (series.size() < 2) return {};
  std::string out = "<g class=\"legend\">\n";
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (lines) {
      out += fmt::format(
          "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"3\"{}/>\n",
          num(x), num(y - 4), num(x + 18), num(y - 4), series_colour(i),
          series[i].dashed ? " stroke-dasharray=\"5 3\"" : "");
    } else {
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>\n",
                         num(x), num(y - 10), series_colour(i));
    }
    out += text(x + 22, y, series[i].name, "legend-label");
    x += 34 + 7.0 * static_cast<double>(series[i].name.size());
  }
  return out + "</g>\n";
}

}  // namespace

std::string format_number(double value, const NumberFormat& format) {
  if (!std::isfinite(value)) return "\u2013";
  const double a = std::fabs(value);
  switch (format.style) {
    case NumberStyle::integer:
      return format.compact ? compact(std::round(value), -1) : fixed(std::round(value), 0, false);
    case NumberStyle::percent: {
      const double p = value * 100;
      const int d = format.decimals >= 0 ? format.decimals : (std::fabs(p) >= 10 ? 0 : 1);
      return fixed(p, d, format.decimals < 0) + "%";
    }
    case NumberStyle::currency: {
      std::string body;
      if (format.compact) {
        body = compact(a, format.decimals);
      } else {
        body = fixed(a, format.decimals >= 0 ? format.decimals : (a >= 1000 ? 0 : 2), false);
      }
      if (i18n::current_locale().formats.currency_after) {
        return (value < 0 ? "-" : "") + body + "\u00a0" + format.currency;
      }
      return (value < 0 ? "-" : "") + format.currency + body;
    }
    case NumberStyle::plain:
      break;
  }
  if (format.compact) return compact(value, format.decimals);
  return fixed(value, format.decimals >= 0 ? format.decimals : auto_decimals(a),
               format.decimals < 0);
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters are not allowed in XML 1.0 text.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string series_colour(std::size_t i) {
  // Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, vermillion,
  // sky blue, reddish purple, black (yellow left out: too light on white).
  static constexpr std::array<const char*, 7> colours{"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                                      "#56B4E9", "#CC79A7", "#000000"};
  return colours[i % colours.size()];
}

std::string scale_colour(double t) {
  // Viridis anchors (matplotlib's colormap sampled at 0, 1/8, ..., 1), linearly interpolated.
  static constexpr std::array<std::array<int, 3>, 9> anchors{{{68, 1, 84},
                                                              {71, 44, 122},
                                                              {59, 81, 139},
                                                              {44, 113, 142},
                                                              {33, 144, 141},
                                                              {39, 173, 129},
                                                              {92, 200, 99},
                                                              {170, 220, 50},
                                                              {253, 231, 37}}};
  if (!std::isfinite(t)) t = 0;
  t = std::clamp(t, 0.0, 1.0) * 8;
  const auto i = std::min<std::size_t>(static_cast<std::size_t>(t), 7);
  const double f = t - static_cast<double>(i);
  std::array<int, 3> c{};
  for (std::size_t k = 0; k < 3; ++k) {
    c[k] = static_cast<int>(std::lround(anchors[i][k] + f * (anchors[i + 1][k] - anchors[i][k])));
  }
  return fmt::format("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad, hi += pad;
  }
  target = std::max(target, 2);
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  const double first = std::floor(lo / step + 1e-9) * step;
  const double last = std::ceil(hi / step - 1e-9) * step;
  std::vector<double> ticks;
  for (double t = first; t <= last + step * 0.5; t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
    if (ticks.size() > 50) break;
  }
  return ticks;
}

std::string empty_chart(std::string_view title, std::string_view reason, ChartSize size) {
  size.height = std::min(size.height, 90);
  std::string out = svg_open(size, title, "empty");
  out +=
      text(size.width / 2.0, 55, i18n::trf("Not enough data: {}", reason), "empty-note", "middle");
  return out + "</svg>\n";
}

std::string render(const LineChart& chart) {
  std::vector<double> xs, ys;
  std::size_t longest = 0;  // finite points of the longest series
  for (const auto& s : chart.series) {
    std::size_t points = 0;
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
        xs.push_back(s.x[i]), ys.push_back(s.y[i]), ++points;
      }
    }
    longest = std::max(longest, points);
  }
  if (longest < 2) {
    return empty_chart(chart.title, i18n::tr("no series has two data points"), chart.size);
  }
  const auto [xlo, xhi] = finite_range(xs);
  const auto [ylo, yhi] = finite_range(ys);
  const auto xt =
      chart.x.categories.empty()
          ? axis_ticks(chart.x, xlo, xhi, 6)
          : std::vector<double>{std::min(0.0, xlo), std::max(xhi, chart.x.categories.size() - 1.0)};
  const auto yt = axis_ticks(chart.y, std::min(0.0, ylo), yhi, 5);
  const Box box{72, 44, chart.size.width - 72.0 - 20, chart.size.height - 44.0 - 52};
  const Scale sx{xt.front(), xt.back(), box.left, box.right()};
  const Scale sy{yt.front(), yt.back(), box.bottom(), box.top};
  std::string out = svg_open(chart.size, chart.title, "line-chart");
  out += legend(chart.series, box.left, 36, true);
  out += "<g class=\"axes\">\n";
  for (double t : yt) {
    out += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n",
                       num(box.left), num(sy(t)), num(box.right()), num(sy(t)));
    out += text(box.left - 6, sy(t) + 4, format_number(t, tick_format(chart.y.format, yt)), "tick",
                "end");
  }
  if (chart.x.categories.empty()) {
    for (double t : xt) {
      out += text(sx(t), box.bottom() + 16, format_number(t, tick_format(chart.x.format, xt)),
                  "tick", "middle");
    }
  } else {
    const auto& cats = chart.x.categories;
    std::size_t chars = 1;
    for (const auto& c : cats) chars = std::max(chars, c.size());
    const double room = box.width / (7.0 * static_cast<double>(chars) + 10);
    const auto every = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(static_cast<double>(cats.size()) / room)));
    for (std::size_t i = 0; i < cats.size(); i += every) {
      const double x = static_cast<double>(i);
      if (x < xt.front() || x > xt.back()) continue;
      out += text(sx(x), box.bottom() + 16, cats[i], "tick", "middle");
    }
  }
  out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n",
                     num(box.left), num(box.bottom()), num(box.right()), num(box.bottom()));
  out += text(box.left + box.width / 2, box.bottom() + 38, chart.x.label, "axis-label x-label",
              "middle");
  out += text(14, box.top + box.height / 2, chart.y.label, "axis-label y-label", "middle",
              fmt::format(" transform=\"rotate(-90 14 {})\"", num(box.top + box.height / 2)));
  if (chart.x_marker && std::isfinite(*chart.x_marker) && *chart.x_marker >= xt.front() &&
      *chart.x_marker <= xt.back()) {
    const double mx = sx(*chart.x_marker);
    out += fmt::format(
        "<line class=\"marker\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#666\" "
        "stroke-dasharray=\"2 3\"/>\n",
        num(mx), num(box.top), num(mx), num(box.bottom()));
    out += text(mx + 4, box.top + 12, chart.x_marker_label, "marker-label");
  }
  out += "</g>\n";
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const auto& s = chart.series[k];
    std::string d;
    bool pen = false;
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        pen = false;
        continue;
      }
      d += fmt::format("{}{} {} ", pen ? "L" : "M", num(sx(s.x[i])), num(sy(s.y[i])));
      pen = true;
    }
    if (d.empty()) continue;
    d.pop_back();
    out += fmt::format(
        "<path class=\"mark line\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"{}>"
        "<title>{}</title></path>\n",
        d, series_colour(k), s.dashed ? " stroke-dasharray=\"6 4\"" : "", xml_escape(s.name));
    if (chart.markers) {
      for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
        if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
        out += fmt::format(
            "<circle class=\"mark point\" cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"><title>{}: "
            "{}, {}</title></circle>\n",
            num(sx(s.x[i])), num(sy(s.y[i])), series_colour(k), xml_escape(s.name),
            xml_escape(format_number(s.x[i], chart.x.format)),
            xml_escape(format_number(s.y[i], chart.y.format)));
      }
    }
  }
  return out + "</svg>\n";
}

std::string render(const BarChart& chart) {
  std::vector<double> all;
  for (const auto& s : chart.series) {
    for (std::size_t i = 0; i < std::min(s.values.size(), chart.categories.size()); ++i) {
      if (std::isfinite(s.values[i])) all.push_back(s.values[i]);
    }
  }
  if (chart.categories.empty() || all.empty()) {
    return empty_chart(chart.title, i18n::tr("no categories with a value"), chart.size);
  }
  const auto [lo, hi] = finite_range(all);
  // Headroom for the value labels at the bars' ends.
  const double pad = chart.value_labels ? 0.08 * (std::max(0.0, hi) - std::min(0.0, lo)) : 0;
  const auto vt = axis_ticks(chart.value, std::min(0.0, lo) - (lo < 0 ? pad : 0),
                             std::max(0.0, hi) + (hi > 0 ? pad : 0), 5);
  const std::size_t nc = chart.categories.size(), ns = chart.series.size();
  ChartSize size = chart.size;
  std::size_t label_chars = 0;
  for (const auto& c : chart.categories) label_chars = std::max(label_chars, c.size());
  const double legend_h = ns > 1 ? 20 : 0;
  std::string out;
  std::string marks;
  Box box{};
  if (chart.horizontal) {
    size.height = std::max(size.height, static_cast<int>(90 + legend_h + nc * (ns * 14.0 + 10)));
    const double left = std::clamp(10.0 + 6.5 * static_cast<double>(label_chars), 60.0, 230.0);
    box = {left, 44 + legend_h, size.width - left - 70, size.height - 44 - legend_h - 46};
    const Scale sv{vt.front(), vt.back(), box.left, box.right()};
    const double band = box.height / static_cast<double>(nc);
    const double bar = std::min(22.0, (band - 6) / static_cast<double>(ns));
    for (std::size_t c = 0; c < nc; ++c) {
      const double y0 = box.top + band * static_cast<double>(c) + (band - bar * ns) / 2;
      marks += text(box.left - 6, y0 + bar * ns / 2 + 4, chart.categories[c], "category", "end");
      for (std::size_t k = 0; k < ns; ++k) {
        const auto& v = chart.series[k].values;
        if (c >= v.size() || !std::isfinite(v[c])) continue;
        const double x0 = sv(0), x1 = sv(v[c]);
        const double y = y0 + bar * static_cast<double>(k);
        marks += fmt::format(
            "<rect class=\"mark bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\">"
            "<title>{} {}: {}</title></rect>\n",
            num(std::min(x0, x1)), num(y), num(std::max(std::fabs(x1 - x0), 0.5)), num(bar - 1),
            series_colour(k), xml_escape(chart.categories[c]), xml_escape(chart.series[k].name),
            xml_escape(format_number(v[c], chart.value.format)));
        if (chart.value_labels) {
          marks += text(std::max(x0, x1) + 4, y + bar / 2 + 3,
                        format_number(v[c], chart.value.format), "value-label");
        }
      }
    }
    out = svg_open(size, chart.title, "bar-chart horizontal");
    out += legend(chart.series, box.left, 34, false);
    out += "<g class=\"axes\">\n";
    for (double t : vt) {
      out += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n",
                         num(sv(t)), num(box.top), num(sv(t)), num(box.bottom()));
      out += text(sv(t), box.bottom() + 16, format_number(t, tick_format(chart.value.format, vt)),
                  "tick", "middle");
    }
    out += text(box.left + box.width / 2, box.bottom() + 36, chart.value.label,
                "axis-label x-label", "middle");
    out += text(8, box.top - 6, chart.category_label, "axis-label y-label");
    out += "</g>\n";
  } else {
    box = {72, 30 + legend_h, size.width - 72.0 - 16, size.height - 30 - legend_h - 64};
    const Scale sv{vt.front(), vt.back(), box.bottom(), box.top};
    const double band = box.width / static_cast<double>(nc);
    const double bar = std::min(48.0, (band * 0.8) / static_cast<double>(ns));
    const bool rotate = label_chars * 6.5 > band;
    for (std::size_t c = 0; c < nc; ++c) {
      const double x0 = box.left + band * static_cast<double>(c) + (band - bar * ns) / 2;
      const double cx = box.left + band * (static_cast<double>(c) + 0.5);
      if (rotate) {
        marks +=
            text(cx, box.bottom() + 12, chart.categories[c], "category", "end",
                 fmt::format(" transform=\"rotate(-35 {} {})\"", num(cx), num(box.bottom() + 12)));
      } else {
        marks += text(cx, box.bottom() + 15, chart.categories[c], "category", "middle");
      }
      for (std::size_t k = 0; k < ns; ++k) {
        const auto& v = chart.series[k].values;
        if (c >= v.size() || !std::isfinite(v[c])) continue;
        const double y0 = sv(0), y1 = sv(v[c]);
        const double x = x0 + bar * static_cast<double>(k);
        marks += fmt::format(
            "<rect class=\"mark bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\">"
            "<title>{} {}: {}</title></rect>\n",
            num(x), num(std::min(y0, y1)), num(bar - 1), num(std::max(std::fabs(y1 - y0), 0.5)),
            series_colour(k), xml_escape(chart.categories[c]), xml_escape(chart.series[k].name),
            xml_escape(format_number(v[c], chart.value.format)));
        if (chart.value_labels && ns * nc <= 16) {
          marks += text(x + bar / 2, std::min(y0, y1) - 4, format_number(v[c], chart.value.format),
                        "value-label", "middle");
        }
      }
    }
    out = svg_open(size, chart.title, "bar-chart");
    out += legend(chart.series, box.left, 34, false);
    out += "<g class=\"axes\">\n";
    for (double t : vt) {
      out += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n",
                         num(box.left), num(sv(t)), num(box.right()), num(sv(t)));
      out += text(box.left - 6, sv(t) + 4, format_number(t, tick_format(chart.value.format, vt)),
                  "tick", "end");
    }
    out += text(box.left + box.width / 2, size.height - 6, chart.category_label,
                "axis-label x-label", "middle");
    out += text(14, box.top + box.height / 2, chart.value.label, "axis-label y-label", "middle",
                fmt::format(" transform=\"rotate(-90 14 {})\"", num(box.top + box.height / 2)));
    out += "</g>\n";
  }
  return out + marks + "</svg>\n";
}

std::string render(const HeatMap& chart) {
  const std::size_t nr = chart.rows.size(), nc = chart.columns.size();
  if (nr == 0 || nc == 0 || chart.values.size() != nr * nc) {
    return empty_chart(chart.title, i18n::tr("no rows or columns"), chart.size);
  }
  const auto [lo, hi] = finite_range(chart.values);
  if (!(lo <= hi)) return empty_chart(chart.title, i18n::tr("no cell has a value"), chart.size);
  ChartSize size = chart.size;
  std::size_t label_chars = 0;
  for (const auto& r : chart.rows) label_chars = std::max(label_chars, r.size());
  const double left = std::clamp(28.0 + 6.5 * static_cast<double>(label_chars), 60.0, 200.0);
  // Column labels wider than their cells are written at an angle, with room below for them.
  std::size_t column_chars = 0;
  for (const auto& c : chart.columns) column_chars = std::max(column_chars, c.size());
  const double plot_width = size.width - left - 100;
  const bool slanted =
      6.5 * static_cast<double>(column_chars) + 4 > plot_width / static_cast<double>(nc);
  const double bottom =
      slanted ? 46 + std::min(120.0, 4.2 * static_cast<double>(column_chars)) : 46;
  size.height =
      std::max(size.height, static_cast<int>(64 + bottom + std::min<std::size_t>(nr, 40) * 16));
  const Box box{left, 50, plot_width, size.height - 50.0 - bottom};
  const double cw = box.width / static_cast<double>(nc), ch = box.height / static_cast<double>(nr);
  const bool labels = chart.cell_labels && cw >= 34 && ch >= 13;
  const Scale st{lo, hi, 0, 1};
  std::string out = svg_open(size, chart.title, "heat-map");
  out += "<g class=\"axes\">\n";
  out += text(box.left + box.width / 2, box.bottom() + bottom - 14, chart.column_label,
              "axis-label x-label", "middle");
  out += text(8, box.top - 6, chart.row_label, "axis-label y-label");
  const std::size_t col_every = std::max<std::size_t>(
      1, static_cast<std::size_t>(static_cast<double>(nc) * (slanted ? 14 : 30) / box.width) + 1);
  for (std::size_t c = 0; c < nc; c += col_every) {
    const double x = box.left + cw * (static_cast<double>(c) + 0.5), y = box.bottom() + 14;
    out += slanted ? text(x + 4, y, chart.columns[c], "tick", "end",
                          fmt::format(" transform=\"rotate(-35 {} {})\"", num(x + 4), num(y)))
                   : text(x, y, chart.columns[c], "tick", "middle");
  }
  const std::size_t row_every =
      std::max<std::size_t>(1, static_cast<std::size_t>(nr * 12 / box.height) + 1);
  for (std::size_t r = 0; r < nr; r += row_every) {
    out += text(box.left - 6, box.top + ch * (static_cast<double>(r) + 0.5) + 4, chart.rows[r],
                "tick", "end");
  }
  out += "</g>\n";
  for (std::size_t r = 0; r < nr; ++r) {
    for (std::size_t c = 0; c < nc; ++c) {
      const double v = chart.values[r * nc + c];
      if (!std::isfinite(v)) continue;
      const double t = st(v);
      const double x = box.left + cw * static_cast<double>(c),
                   y = box.top + ch * static_cast<double>(r);
      out += fmt::format(
          "<rect class=\"mark cell\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\">"
          "<title>{} {}, {} {}: {}</title></rect>\n",
          num(x), num(y), num(cw + 0.3), num(ch + 0.3), scale_colour(t),
          xml_escape(chart.row_label), xml_escape(chart.rows[r]), xml_escape(chart.column_label),
          xml_escape(chart.columns[c]), xml_escape(format_number(v, chart.format)));
      if (labels) {
        NumberFormat f = chart.format;
        f.compact = true;
        out += text(x + cw / 2, y + ch / 2 + 4, format_number(v, f),
                    t > 0.6 ? "cell-label dark" : "cell-label light", "middle");
      }
    }
  }
  // Legend: 10 colour steps from low to high with the end values.
  const double lx = box.right() + 24, lh = std::min(box.height, 200.0);
  out += "<g class=\"legend\">\n";
  out += text(size.width - 4, box.top - 6, chart.legend_label, "legend-label", "end");
  for (int i = 0; i < 10; ++i) {
    out += fmt::format(
        "<rect class=\"legend-step\" x=\"{}\" y=\"{}\" width=\"14\" height=\"{}\" fill=\"{}\"/>\n",
        num(lx), num(box.top + lh * (9 - i) / 10.0), num(lh / 10.0 + 0.3),
        scale_colour((i + 0.5) / 10));
  }
  out += text(lx + 18, box.top + 10, format_number(hi, chart.format), "tick");
  out += text(lx + 18, box.top + lh, format_number(lo, chart.format), "tick");
  out += "</g>\n";
  return out + "</svg>\n";
}

std::string render(const Funnel& chart) {
  const std::size_t n = std::min(chart.stages.size(), chart.values.size());
  double first = kNaN, top = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isfinite(chart.values[i])) {
      if (!std::isfinite(first)) first = chart.values[i];
      top = std::max(top, chart.values[i]);
    }
  }
  if (n == 0 || !(top > 0))
    return empty_chart(chart.title, i18n::tr("no stage has customers"), chart.size);
  ChartSize size = chart.size;
  size.height = std::max(size.height, static_cast<int>(50 + n * 34));
  const double left = 170, width = size.width - left - 150, row = (size.height - 40.0) / n;
  std::string out = svg_open(size, chart.title, "funnel");
  for (std::size_t i = 0; i < n; ++i) {
    const double v = chart.values[i];
    const double y = 32 + row * static_cast<double>(i);
    out += text(left - 8, y + row / 2 + 4, chart.stages[i], "category", "end");
    if (!std::isfinite(v)) continue;
    const double w = std::max(1.0, width * v / top);
    out += fmt::format(
        "<rect class=\"mark stage\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\">"
        "<title>{}: {}</title></rect>\n",
        num(left + (width - w) / 2), num(y + 2), num(w), num(row - 6), series_colour(i),
        xml_escape(chart.stages[i]), xml_escape(format_number(v, chart.format)));
    NumberFormat pct{NumberStyle::percent};
    out += text(left + width + 8, y + row / 2 + 4,
                fmt::format("{} ({} of largest)", format_number(v, chart.format),
                            format_number(v / top, pct)),
                "value-label");
  }
  return out + "</svg>\n";
}

Series pareto_curve(std::vector<double> values, std::size_t points) {
  Series s;
  s.name = "cumulative share";
  std::erase_if(values, [](double v) { return !std::isfinite(v) || v < 0; });
  const double total = std::accumulate(values.begin(), values.end(), 0.0);
  if (values.empty() || !(total > 0) || points < 2) return s;
  std::sort(values.begin(), values.end(), std::greater<>());
  std::vector<double> cumulative(values.size() + 1, 0.0);
  for (std::size_t i = 0; i < values.size(); ++i) cumulative[i + 1] = cumulative[i] + values[i];
  const double n = static_cast<double>(values.size());
  for (std::size_t p = 0; p < points; ++p) {
    const double share = static_cast<double>(p) / static_cast<double>(points - 1);
    const double pos = share * n;
    const auto k = std::min<std::size_t>(static_cast<std::size_t>(pos), values.size());
    double c = cumulative[k];
    if (k < values.size()) c += (pos - static_cast<double>(k)) * values[k];
    s.x.push_back(share);
    s.y.push_back(c / total);
  }
  return s;
}

double top_share_of_total(std::vector<double> values, double top_share) {
  const Series s = pareto_curve(std::move(values), 1001);
  if (s.x.empty()) return kNaN;
  const double pos = std::clamp(top_share, 0.0, 1.0) * 1000;
  const auto k = std::min<std::size_t>(static_cast<std::size_t>(pos), 999);
  return s.y[k] + (pos - static_cast<double>(k)) * (s.y[k + 1] - s.y[k]);
}

std::string render(const HtmlTable& table) {
  std::string out = "<table class=\"data\">\n<thead><tr>";
  const auto align = [&](std::size_t c) {
    return c < table.numeric.size() && table.numeric[c] ? " class=\"num\"" : "";
  };
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    out += fmt::format("<th{}>{}</th>", align(c), xml_escape(table.header[c]));
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : table.rows) {
    out += "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) {
      out += fmt::format("<td{}>{}</td>", align(c), xml_escape(row[c]));
    }
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

}  // namespace ltv::report
