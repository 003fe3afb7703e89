#include "client/plot_svg.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/xml.h"

namespace tandem {
namespace {

constexpr double kWidth = 760, kPanelHeight = 190, kLeft = 70, kRight = 150, kTop = 44,
                 kGap = 46;

std::string Label(double v) {
  if (v == 0) return "0";
  const double a = std::fabs(v);
  if (a >= 1e5 || a < 1e-3) return absl::StrFormat("%.1e", v);
  if (a >= 100) return absl::StrFormat("%.0f", v);
  if (a >= 1) return absl::StrFormat("%.3g", v);
  return absl::StrFormat("%.3g", v);
}

}  // namespace

std::vector<double> NiceTicks(double lo, double hi, int count) {
  std::vector<double> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi) || count < 1) return ticks;
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) return {lo};
  const double raw = (hi - lo) / count;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::string LineChartSvg(const std::string& title, const std::string& x_label,
                         const std::vector<PlotPanel>& panels) {
  // The shared x range over every finite point.
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo;
  for (const auto& panel : panels) {
    for (const auto& s : panel.series) {
      for (const auto& [x, y] : s.points) {
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        x_lo = std::min(x_lo, x);
        x_hi = std::max(x_hi, x);
      }
    }
  }
  const bool any = std::isfinite(x_lo);
  if (any && x_hi == x_lo) x_hi = x_lo + 1;
  const double plot_w = kWidth - kLeft - kRight;
  const double height = kTop + panels.size() * (kPanelHeight + kGap) + 20;
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Arial, sans-serif\" "
      "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
      "<text x=\"%.0f\" y=\"24\" font-size=\"16\" font-weight=\"bold\">%s</text>\n",
      kWidth, height, kWidth, height, kLeft, XmlEscape(title));
  for (size_t p = 0; p < panels.size(); ++p) {
    const PlotPanel& panel = panels[p];
    const double top = kTop + p * (kPanelHeight + kGap) + 18;
    const double bottom = top + kPanelHeight - 18;
    double y_lo = std::numeric_limits<double>::infinity(), y_hi = -y_lo;
    for (const auto& s : panel.series) {
      for (const auto& [x, y] : s.points) {
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        y_lo = std::min(y_lo, y);
        y_hi = std::max(y_hi, y);
      }
    }
    absl::StrAppend(&svg, absl::StrFormat("<text x=\"%.0f\" y=\"%.0f\" font-weight=\"bold\">%s"
                                          "</text>\n",
                                          kLeft, top - 6, XmlEscape(panel.title)));
    absl::StrAppend(&svg, absl::StrFormat("<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" "
                                          "height=\"%.0f\" fill=\"none\" stroke=\"#999999\"/>\n",
                                          kLeft, top, plot_w, bottom - top));
    if (!std::isfinite(y_lo) || !any) {
      absl::StrAppend(&svg, absl::StrFormat("<text x=\"%.0f\" y=\"%.0f\" fill=\"#777777\" "
                                            "text-anchor=\"middle\">no data yet</text>\n",
                                            kLeft + plot_w / 2, (top + bottom) / 2));
      continue;
    }
    if (y_hi == y_lo) {
      y_hi += std::max(1e-6, std::fabs(y_hi) * 0.05);
      y_lo -= std::max(1e-6, std::fabs(y_lo) * 0.05);
    }
    const double pad = (y_hi - y_lo) * 0.05;
    y_lo -= pad;
    y_hi += pad;
    auto sx = [&](double x) { return kLeft + (x - x_lo) / (x_hi - x_lo) * plot_w; };
    auto sy = [&](double y) { return bottom - (y - y_lo) / (y_hi - y_lo) * (bottom - top); };
    for (double t : NiceTicks(y_lo, y_hi, 4)) {
      absl::StrAppend(&svg, absl::StrFormat(
                                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                "stroke=\"#eeeeee\"/><text x=\"%.1f\" y=\"%.1f\" "
                                "text-anchor=\"end\" fill=\"#444444\">%s</text>\n",
                                kLeft, sy(t), kLeft + plot_w, sy(t), kLeft - 6, sy(t) + 4,
                                Label(t)));
    }
    for (double t : NiceTicks(x_lo, x_hi, 6)) {
      absl::StrAppend(&svg, absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                                            "fill=\"#444444\">%s</text>\n",
                                            sx(t), bottom + 15, Label(t)));
    }
    double legend_y = top + 12;
    for (const auto& s : panel.series) {
      std::string pts;
      int n = 0;
      for (const auto& [x, y] : s.points) {
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        absl::StrAppend(&pts, absl::StrFormat("%.1f,%.1f ", sx(x), sy(y)));
        ++n;
        if (s.markers || s.points.size() == 1) {
          absl::StrAppend(&svg, absl::StrFormat("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
                                                "fill=\"%s\"/>\n",
                                                sx(x), sy(y), s.color));
        }
      }
      if (n > 1) {
        absl::StrAppend(&svg, absl::StrFormat("<polyline points=\"%s\" fill=\"none\" "
                                              "stroke=\"%s\" stroke-width=\"1.5\"/>\n",
                                              pts, s.color));
      }
      absl::StrAppend(&svg, absl::StrFormat(
                                "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"3\" "
                                "fill=\"%s\"/><text x=\"%.0f\" y=\"%.0f\">%s</text>\n",
                                kLeft + plot_w + 12, legend_y - 4, s.color,
                                kLeft + plot_w + 30, legend_y, XmlEscape(s.name)));
      legend_y += 16;
    }
  }
  if (!panels.empty()) {
    absl::StrAppend(&svg, absl::StrFormat("<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" "
                                          "fill=\"#444444\">%s</text>\n",
                                          kLeft + plot_w / 2, height - 8, XmlEscape(x_label)));
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

}  // namespace tandem
