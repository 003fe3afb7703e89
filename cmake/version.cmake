# Writes the version header at build time (not configure time), so a build after a new commit
# or an edit says so without re-running CMake:
#   cmake -DSOURCE_DIR=<tree> -DPROJECT_VERSION=<x.y.z> -DOUTPUT=<header> -P version.cmake
# The string: "<x.y.z> (<short commit>)", "-dirty" appended when tracked files differ from
# that commit, or "<x.y.z>" alone outside a git clone (a source archive, a container build).
# The header is rewritten only when the string changes: an unchanged tree recompiles nothing.
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_QUIET)
if(rc EQUAL 0 AND commit)
  # status, not diff-index: it compares contents where file times changed (a copied tree).
  execute_process(COMMAND git status --porcelain --untracked-files=no
    WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE changed ERROR_QUIET)
  if(changed)
    set(commit "${commit}-dirty")
  endif()
  set(version "${PROJECT_VERSION} (${commit})")
else()
  set(version "${PROJECT_VERSION}")
endif()
set(text "// Written by cmake/version.cmake at build time.\n#define TANDEM_VERSION_STRING \"${version}\"\n")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUTPUT} "${text}")
endif()
