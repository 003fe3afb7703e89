#!/usr/bin/env bash
# Self-test of cmake/version.cmake (the version header written at build time) on temporary
# trees: a clean clone gives "<version> (<commit>)" (also after a file's time changed), an
# edited tracked file adds "-dirty", a new commit changes the string, a tree that is no git
# clone or only a folder inside one (a source archive unpacked in another repository) gives
# the version alone, and running it again on an unchanged tree leaves the header untouched
# (so nothing recompiles).
#   tests/scripts/version_test.sh SOURCE_ROOT
set -euo pipefail
script="$1/cmake/version.cmake"
command -v git >/dev/null || { echo "git is not installed: nothing to test"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# version TREE: runs the script on TREE, prints the string the header defines.
version() {
  cmake -DSOURCE_DIR="$1" -DPROJECT_VERSION=1.2.3 -DOUTPUT="$tmp/out/version_string.h" -P "$script"
  sed -n 's/^#define TANDEM_VERSION_STRING "\(.*\)"$/\1/p' "$tmp/out/version_string.h"
}
expect() {  # expect WHAT GOT WANT
  if [[ $2 != "$3" ]]; then fail "$1: got '$2', want '$3'"; fi
}

tree=$tmp/tree
mkdir -p "$tree"
git -C "$tree" init -q
git -C "$tree" -c user.name=t -c user.email=t@t -c commit.gpgsign=false commit -q --allow-empty -m first
echo one >"$tree/file"
git -C "$tree" add file
git -C "$tree" -c user.name=t -c user.email=t@t -c commit.gpgsign=false commit -q -m second
commit=$(git -C "$tree" rev-parse --short HEAD)
expect "clean clone" "$(version "$tree")" "1.2.3 ($commit)"

# Unchanged: the header keeps its modification time.
touch -d '2000-01-01' "$tmp/out/version_string.h"
version "$tree" >/dev/null
[[ $(stat -c %Y "$tmp/out/version_string.h") == "$(date -d 2000-01-01 +%s)" ]] ||
  fail "unchanged tree: the header was rewritten"

touch -d '2001-01-01' "$tree/file"  # a new time, the same content: not an edit
expect "touched, unchanged file" "$(version "$tree")" "1.2.3 ($commit)"
echo two >"$tree/file"
expect "edited tracked file" "$(version "$tree")" "1.2.3 ($commit-dirty)"
echo untracked >"$tree/new"
git -C "$tree" -c user.name=t -c user.email=t@t -c commit.gpgsign=false commit -q -am third
next=$(git -C "$tree" rev-parse --short HEAD)
[[ $next != "$commit" ]] || fail "the test's third commit has the second's id"
expect "new commit (an untracked file is not an edit)" "$(version "$tree")" "1.2.3 ($next)"

plain=$tmp/plain
mkdir -p "$plain"
expect "no git clone" "$(version "$plain")" "1.2.3"
mkdir -p "$tree/unpacked"
expect "a folder inside another clone" "$(version "$tree/unpacked")" "1.2.3"

if ((failures)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "version.cmake: all cases passed"
