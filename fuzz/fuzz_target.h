// The one entry point every fuzz target defines (libFuzzer's). Built with -DTANDEM_FUZZ=ON
// (clang, scripts/fuzz.sh) it is driven by libFuzzer; otherwise replay_main.cc drives it
// over the files of its corpus and regression folders, as a ctest.
//
// Contract of every target: any input returns normally. A crash, a sanitizer report, an
// exception escaping or an allocation beyond the documented bounds is a bug in Tandem.
#ifndef TANDEM_FUZZ_FUZZ_TARGET_H_
#define TANDEM_FUZZ_FUZZ_TARGET_H_

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#endif  // TANDEM_FUZZ_FUZZ_TARGET_H_
