# Torch-free evaluation code: BLEU and chrF as sacreBLEU computes them, score reports, and
# the attention heatmap SVG. Included from model/CMakeLists.txt.
add_library(tandem_metrics STATIC
  ${CMAKE_CURRENT_LIST_DIR}/bleu.cc
  ${CMAKE_CURRENT_LIST_DIR}/chrf.cc
  ${CMAKE_CURRENT_LIST_DIR}/score_report.cc
  ${CMAKE_CURRENT_LIST_DIR}/attention_svg.cc
)
target_link_libraries(tandem_metrics PUBLIC tandem_common absl::status absl::statusor
  absl::strings absl::str_format)
