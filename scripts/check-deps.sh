#!/usr/bin/env bash
# Checks that dependencies between the source folders point one way (DESIGN.md section 2):
# every #include of a project header ("folder/...") must name a folder that the including
# file's folder may depend on. Prints one line per violation, naming the file, the line and
# the include, and exits 1 if there is any; 0 when all includes are allowed.
#
#   scripts/check-deps.sh [SOURCE_ROOT]      (default: the checkout this script is in)
#
# Includes without a folder ("replica.h"), of other libraries (absl/, grpcpp/, torch/) and of
# the generated protos (tandem/v1/...) are allowed everywhere. Only the folders below are
# checked; inference/ and training/ are optional. bench/, tests/ and fuzz/ may include anything.
# Registered as the ctest `dependency_check` (tests/CMakeLists.txt).
set -euo pipefail

root=${1:-"$(dirname "$0")/.."}
if [[ ! -d $root ]]; then
  echo "check-deps: no such directory: $root" >&2
  exit 2
fi
cd "$root"

# Folder -> the project folders its files may include (besides itself).
declare -A may_include=(
  [common]=""
  [data]="common"
  [model]="common data"
  [collective]="common"
  [inference]="common data model"
  [training]="common data model collective inference"
  [worker]="common data model collective inference training"
  [coordinator]="common data model inference training"
  [client]="common data model inference training"
)
# Every folder an include can name; an include whose first component is not one of these
# (absl/, gtest/, tandem/v1/, ...) is not a project header.
project_folders=" common data model collective inference training worker coordinator client bench tests fuzz "
# The folders whose files are checked (the report is sorted by file and line).
checked_folders="common data model collective inference training worker coordinator client"

# One grep over the checked folders and one awk over its hits ("file:line:text"): fast
# enough for a test on a busy machine (a shell loop per include is not).
rules=""
for folder in $checked_folders; do
  rules+="$folder=${may_include[$folder]};"
done
existing=()
for folder in $checked_folders; do
  [[ -d $folder ]] && existing+=("$folder")
done
report=""
status=0
if ((${#existing[@]} > 0)); then
  report=$( (grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"][^">]+[">]' \
               --include='*.h' --include='*.cc' --include='*.inc' --include='*.hpp' \
               --include='*.cpp' "${existing[@]}" || true) |
    LC_ALL=C sort -t: -k1,1 -k2,2n |
    awk -v rules="$rules" -v project="$project_folders" '
      BEGIN {
        n = split(rules, r, ";")
        for (i = 1; i <= n; i++) {
          if (r[i] == "") continue
          split(r[i], kv, "=")
          may[kv[1]] = kv[2]
        }
      }
      {
        file = $0; sub(/:.*/, "", file)
        rest = substr($0, length(file) + 2)
        line = rest; sub(/:.*/, "", line)
        text = substr(rest, length(line) + 2)
        if (!match(text, /[<"][^">]+[">]/)) next
        header = substr(text, RSTART + 1, RLENGTH - 2)
        if (index(header, "/") == 0) next
        top = header; sub(/\/.*/, "", top)
        if (index(project, " " top " ") == 0) next
        folder = file; sub(/\/.*/, "", folder)
        if (top == folder || index(" " may[folder] " ", " " top " ") > 0) next
        allowed = may[folder] == "" ? "(nothing else)" : may[folder]
        printf "check-deps: %s:%s: includes \"%s\", but %s/ may include only: %s\n",
               file, line, header, folder, allowed
        violations++
      }
      END {
        if (violations > 0) {
          print "check-deps: " violations " forbidden include(s); see DESIGN.md section 2"
          exit 1
        }
      }') || status=$?
fi
if [[ -n $report ]]; then
  echo "$report"
fi
if ((status != 0)); then
  exit 1
fi
echo "check-deps: ok"
