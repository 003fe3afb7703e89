#!/usr/bin/env bash
# Prints, one per line, the Debian packages that the given ELF files need at run time: the
# package of each library they name directly (DT_NEEDED, resolved as the loader resolves it
# here), plus the BLAS and LAPACK providers LibTorch was loaded with on this machine (apt
# would otherwise pick the slow reference BLAS). apt installs the rest as dependencies.
# deploy/Dockerfile installs exactly this list in the runtime image, so it carries runtime
# libraries only: no compiler, no headers, no -dev package.
#   scripts/runtime-packages.sh build/bin/tandem build/bin/tandem-worker ...
set -euo pipefail
(($#)) || { echo "usage: $0 ELF..." >&2; exit 2; }

owner() {  # the package owning a file, trying the merged-/usr spellings of its path
  local path=$1 p
  for p in "$path" "${path#/usr}" "/usr$path"; do
    if out=$(dpkg-query -S "$p" 2>/dev/null); then
      echo "${out%%:*}"
      return 0
    fi
  done
  echo "runtime-packages: no package owns $path" >&2
  return 1
}

for f in "$@"; do
  needed=$(objdump -p "$f" | awk '$1 == "NEEDED" {print $2}')
  ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | while read -r soname path; do
    if grep -qxF "$soname" <<<"$needed" || [[ $soname == libblas.so.* || $soname == liblapack.so.* ]]; then
      owner "$(realpath "$path")"
    fi
  done
done | sort -u
