# Writes the version header at build time (not configure time), so a build after a new commit
# or an edit says so without re-running CMake:
#   cmake -DSOURCE_DIR=<tree> -DPROJECT_VERSION=<x.y.z> -DOUTPUT=<header> -P version.cmake
# The string: "<x.y.z> (<short commit>)", "-dirty" appended when tracked files differ from
# that commit, or "<x.y.z>" alone where SOURCE_DIR is not the top of a git clone (a source
# archive, even one unpacked inside another repository; a container build; a clone git will
# not read, such as another user's). The header is rewritten only when the string changes: an
# unchanged tree recompiles nothing.
set(version "${PROJECT_VERSION}")
execute_process(COMMAND git rev-parse --show-toplevel WORKING_DIRECTORY "${SOURCE_DIR}"
  OUTPUT_VARIABLE top OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_QUIET)
if(rc EQUAL 0 AND top)
  file(REAL_PATH "${top}" top)
  file(REAL_PATH "${SOURCE_DIR}" source)
endif()
if(rc EQUAL 0 AND top AND top STREQUAL source)
  execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY "${SOURCE_DIR}"
    OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_QUIET)
  # status, not diff-index: it compares contents where file times changed (a copied tree).
  # --no-optional-locks: a build beside a `git commit` must not take the index lock.
  execute_process(COMMAND git --no-optional-locks status --porcelain --untracked-files=no
    WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE changed RESULT_VARIABLE status_rc
    ERROR_QUIET)
  if(rc EQUAL 0 AND commit)
    if(NOT status_rc EQUAL 0)
      set(commit "${commit}-unknown")  # could not tell clean from edited: say so
    elseif(changed)
      set(commit "${commit}-dirty")
    endif()
    set(version "${PROJECT_VERSION} (${commit})")
  endif()
endif()
set(text "// Written by cmake/version.cmake at build time.\n#define TANDEM_VERSION_STRING \"${version}\"\n")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE "${OUTPUT}" "${text}")
endif()
