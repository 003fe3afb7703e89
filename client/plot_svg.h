// Training curves as SVG: panels stacked vertically over a shared x axis (the step).
// Torch- and gRPC-free; `tandem plot` feeds it a job's metrics.
#ifndef TANDEM_CLIENT_PLOT_SVG_H_
#define TANDEM_CLIENT_PLOT_SVG_H_

#include <string>
#include <utility>
#include <vector>

namespace tandem {

struct PlotSeries {
  std::string name;
  std::string color;  // any SVG colour
  std::vector<std::pair<double, double>> points;  // (x, y); non-finite values are skipped
  bool markers = false;                            // a dot at every point
};

struct PlotPanel {
  std::string title;
  std::vector<PlotSeries> series;
};

// A self-contained SVG document. Panels without data say so; one point is drawn as a dot.
std::string LineChartSvg(const std::string& title, const std::string& x_label,
                         const std::vector<PlotPanel>& panels);

// Up to about `count` round tick values covering [lo, hi] (1, 2 or 5 times a power of ten).
std::vector<double> NiceTicks(double lo, double hi, int count);

}  // namespace tandem

#endif  // TANDEM_CLIENT_PLOT_SVG_H_
