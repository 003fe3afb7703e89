#!/usr/bin/env bash
# Builds the bundled English-Spanish parallel corpus (data/corpus/en-es) from
# Debian bookworm packages: the LibreOffice help (aligned by paragraph id) and
# Spanish gettext catalogs (msgid/msgstr). See data/corpus/en-es/SOURCES.md.
#
# Usage: scripts/build-corpus.sh [OUT_DIR]      (default: data/corpus/en-es)
#
# Only downloads (apt-get download) and unpacks (dpkg-deb -x) into a temp dir;
# installs nothing. Idempotent and deterministic for the pinned versions.
# Needs apt with bookworm sources and /usr/bin/python3 (standard library only).
# Env: CORPUS_DEB_CACHE=DIR keeps the downloaded .debs there between runs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/data/corpus/en-es}"

# name=version as shown by `apt-cache policy` (Debian 12 bookworm, amd64).
# The two help packages come first; the rest are gettext sources, in the
# order that decides which pair survives near-duplicate removal.
HELP_EN="libreoffice-help-en-us=4:7.4.7-1+deb12u14"
HELP_ES="libreoffice-help-es=4:7.4.7-1+deb12u14"
GETTEXT_PACKAGES=(
  libreoffice-l10n-es=4:7.4.7-1+deb12u14
  gcc-12-locales=12.2.0-14+deb12u1
  postgresql-15=15.20-0+deb12u1
  git=1:2.39.5-0+deb12u3
  binutils-common=2.40-2
  coreutils=9.1-1
  gnupg-l10n=2.2.40-1.1+deb12u2
  libc-l10n=2.36-9+deb12u14
  util-linux-locales=2.38.1-5+deb12u3
  e2fsprogs-l10n=1.47.0-2
  gsettings-desktop-schemas=43.0-1
  libglib2.0-data=2.74.6-2+deb12u9
  libgtk-3-common=3.24.38-2~deb12u3
  dpkg=1.21.23
  apt=2.6.2
  bash=5.2.15-2+b13
  tar=1.34+dfsg-1.2+deb12u1
  wget=1.21.3-1+deb12u1
  gettext=0.21-12
  make=4.3-4.1
  grep=3.8-5
  sed=4.9-1+deb12u1
  findutils=4.9.0-4
  diffutils=1:3.8-4
  xz-utils=5.4.1-1+deb12u2
  systemd=252.39-1~deb12u2
  man-db=2.11.2-2
  login=1:4.13+dfsg1-1+deb12u2
  vlc-l10n=3.0.24-0+deb12u1
  evolution-common=3.46.4-2+deb12u1
  gnucash-common=1:4.13-1
  aptitude-common=0.8.13-5
  synaptic=0.91.3
  audacity-data=3.2.4+dfsg-1
  nautilus-data=43.2-1
  gedit-common=44.2-1
  gnome-control-center-data=1:43.6-2~deb12u1
  inkscape=1.2.2-2+deb12u1
)

log() { echo "build-corpus: $*" >&2; }

for tool in apt-get apt-cache dpkg-deb /usr/bin/python3; do
  command -v "$tool" >/dev/null || { log "missing $tool"; exit 1; }
done

start=$SECONDS
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tandem-corpus.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
DEBS="${CORPUS_DEB_CACHE:-$WORK/debs}"
mkdir -p "$DEBS" "$WORK/unpacked"
# apt drops privileges to _apt for downloads; let it write to our temp dir.
[[ "$DEBS" == "$WORK/debs" ]] && chmod 0777 "$DEBS"

# apt's package lists may be missing on a fresh machine.
if ! apt-cache show "${HELP_ES%%=*}" >/dev/null 2>&1; then
  log "apt lists missing, running apt-get update"
  apt-get update -qq
fi

# Path of the .deb for NAME at VERSION in $DEBS, or nothing. apt names files
# NAME_VERSION_ARCH.deb with the epoch's ':' written as '%3a'.
find_deb() {
  local name="$1" ver="${2/:/%3a}" f
  for f in "$DEBS/${name}_${ver}_"*.deb; do
    [[ -e "$f" ]] && { echo "$f"; return 0; }
  done
  return 0
}

ALL=("$HELP_EN" "$HELP_ES" "${GETTEXT_PACKAGES[@]}")
log "downloading ${#ALL[@]} packages"
missing=()
for spec in "${ALL[@]}"; do
  [[ -n "$(find_deb "${spec%%=*}" "${spec#*=}")" ]] || missing+=("$spec")
done
# One apt call for everything; if a pinned version has left the archive the
# batch fails and each package is fetched alone, falling back to the current
# candidate version (with a warning; the output may then differ).
if ((${#missing[@]})) && ! (cd "$DEBS" && apt-get download -qq "${missing[@]}" >/dev/null 2>&1); then
  for spec in "${missing[@]}"; do
    [[ -n "$(find_deb "${spec%%=*}" "${spec#*=}")" ]] && continue
    (cd "$DEBS" && apt-get download -qq "$spec" >/dev/null 2>&1) && continue
    name="${spec%%=*}"
    cand="$(apt-cache policy "$name" | awk '/Candidate:/ {print $2}')"
    if [[ -z "$cand" || "$cand" == "(none)" ]]; then
      log "cannot download $spec and no other version is available"
      exit 1
    fi
    log "WARNING: $spec is no longer available; using $name=$cand"
    (cd "$DEBS" && apt-get download -qq "$name=$cand" >/dev/null)
  done
fi

MANIFEST="$WORK/manifest.tsv"
: >"$MANIFEST"
log "unpacking"
for spec in "${ALL[@]}"; do
  name="${spec%%=*}"
  ver="${spec#*=}"
  deb="$(find_deb "$name" "$ver")"
  if [[ -z "$deb" ]]; then  # fell back to the candidate above
    ver="$(apt-cache policy "$name" | awk '/Candidate:/ {print $2}')"
    deb="$(find_deb "$name" "$ver")"
  fi
  [[ -n "$deb" ]] || { log "no .deb for $name"; exit 1; }
  dest="$WORK/unpacked/$name"
  mkdir -p "$dest"
  case "$spec" in
    "$HELP_EN") role=help-en; dpkg-deb -x "$deb" "$dest" ;;
    "$HELP_ES") role=help-es; dpkg-deb -x "$deb" "$dest" ;;
    *)
      role=gettext
      # only the Spanish catalogs and the copyright file are needed
      dpkg-deb --fsys-tarfile "$deb" |
        tar -x -C "$dest" --wildcards '*/es/LC_MESSAGES/*.mo' \
          "./usr/share/doc/$name/copyright" 2>/dev/null || true
      if [[ -z "$(find "$dest" -name '*.mo' -print -quit)" ]]; then
        log "no Spanish catalogs in $name"
        exit 1
      fi
      ;;
  esac
  printf '%s\t%s\t%s\n' "$name" "$ver" "$role" >>"$MANIFEST"
done

log "extracting, cleaning and splitting"
mkdir -p "$OUT"
/usr/bin/python3 "$ROOT/scripts/corpus/build_corpus.py" \
  --unpacked "$WORK/unpacked" --manifest "$MANIFEST" --out "$OUT" \
  --rebuild-command "scripts/build-corpus.sh"

log "done in $((SECONDS - start)) s: $(du -sh "$OUT" | cut -f1) in $OUT"
