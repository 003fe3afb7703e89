# The attention encoder-decoder (model/README.md). Included from model/CMakeLists.txt.
#
#   tandem_model_config  torch-free: ModelConfig + Validate, a job's model and its memory floor
#                        (model_spec.h), LR schedules, the fused Adam
#   tandem_seq2seq       LibTorch: Batch, Seq2Seq, loss, decoding, optimizer helpers (worker)

add_library(tandem_model_config STATIC
  ${CMAKE_CURRENT_LIST_DIR}/model_config.cc
  ${CMAKE_CURRENT_LIST_DIR}/model_spec.cc
  ${CMAKE_CURRENT_LIST_DIR}/lr_schedule.cc
  ${CMAKE_CURRENT_LIST_DIR}/flat_adam.cc
)
# The Adam pass is the optimizer's whole cost: let the compiler vectorise its sqrt and division.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/flat_adam.cc PROPERTIES
  COMPILE_OPTIONS "-O3;-fno-math-errno")
target_link_libraries(tandem_model_config PUBLIC tandem_common tandem_proto absl::status
  absl::strings)


if(NOT TARGET torch)
  message(STATUS "model: LibTorch not found, skipping tandem_seq2seq")
  return()
endif()

add_library(tandem_seq2seq STATIC
  ${CMAKE_CURRENT_LIST_DIR}/batch.cc
  ${CMAKE_CURRENT_LIST_DIR}/checkpoint.cc
  ${CMAKE_CURRENT_LIST_DIR}/seq2seq.cc
  ${CMAKE_CURRENT_LIST_DIR}/transformer.cc
  ${CMAKE_CURRENT_LIST_DIR}/fused_attention.cc
  ${CMAKE_CURRENT_LIST_DIR}/transformer_ops.cc
  ${CMAKE_CURRENT_LIST_DIR}/fused_decoder.cc
  ${CMAKE_CURRENT_LIST_DIR}/small_affine.cc
  ${CMAKE_CURRENT_LIST_DIR}/int8_linear.cc
  ${CMAKE_CURRENT_LIST_DIR}/loss.cc
  ${CMAKE_CURRENT_LIST_DIR}/decode.cc
  ${CMAKE_CURRENT_LIST_DIR}/optim.cc
  ${CMAKE_CURRENT_LIST_DIR}/runtime.cc
)
# The fused decoder's loops: vectorised tanh/sigmoid, simd reductions, and -fopenmp so that
# at::parallel_for (OpenMP in Debian's LibTorch, ATen/Config.h) really splits them across
# threads: without it the pragma inside ATen's header is ignored and they run on one thread.
find_package(OpenMP REQUIRED COMPONENTS CXX)
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/fused_decoder.cc
  ${CMAKE_CURRENT_LIST_DIR}/fused_attention.cc ${CMAKE_CURRENT_LIST_DIR}/transformer_ops.cc
  ${CMAKE_CURRENT_LIST_DIR}/small_affine.cc ${CMAKE_CURRENT_LIST_DIR}/int8_linear.cc PROPERTIES
  COMPILE_OPTIONS "-O3;-fno-math-errno;-fopenmp;-Wno-psabi")
# PUBLIC: the headers (seq2seq.h, batch.h, optim.h) expose LibTorch types.
target_link_libraries(tandem_seq2seq PUBLIC tandem_model_config torch absl::statusor
  PRIVATE OpenMP::OpenMP_CXX ${CMAKE_DL_LIBS})

