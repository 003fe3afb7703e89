#!/usr/bin/python3
"""Build the Tandem English-Spanish parallel corpus from unpacked Debian packages.

Called by scripts/build-corpus.sh, which downloads and unpacks the pinned
packages. Standard library only. Deterministic: the same packages give the
same output bytes.

Sources:
  help     LibreOffice help pages (libreoffice-help-en-us / -es), pre-rendered
           HTML; paragraphs and headings carry stable ids (par_id..., hd_id...)
           taken from the .xhp sources, so the two languages are aligned by
           (page path, element id).
  gettext  Spanish message catalogs (.mo) from the other packages; each
           msgid/msgstr pair is a translation (plural forms paired by index).

Usage: build_corpus.py --unpacked DIR --out DIR --manifest FILE
  DIR/<package>/ holds each package unpacked with dpkg-deb -x; FILE lists
  "package<TAB>version<TAB>role" lines (role: help-en, help-es, gettext).
"""
import argparse
import collections
import os
import sys

from cleaning import clean_pair, near_key
from corpus_tunables import N_TEST, N_VALID
from help_pages import help_pairs
from mo_catalogs import gettext_pairs
from sources_md import write_sources_md
from splitting import bucket_of, bucket_name, h, heldout_quota


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unpacked", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--rebuild-command", default="scripts/build-corpus.sh")
    args = ap.parse_args()

    manifest = []
    with open(args.manifest, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                manifest.append(line.rstrip("\n").split("\t"))
    roles = {pkg: role for pkg, _, role in manifest}
    help_en = next(p for p, r in roles.items() if r == "help-en")
    help_es = next(p for p, r in roles.items() if r == "help-es")

    reasons = collections.Counter()
    raw_count = collections.Counter()
    kept = collections.OrderedDict()   # near_key -> (en, es, source_pkg)
    dup_exact = dup_near = 0
    seen_exact = set()

    def add(source, kind, en, es):
        nonlocal dup_exact, dup_near
        raw_count[source] += 1
        r = clean_pair(en, es, kind, reasons)
        if r is None:
            return
        en, es = r
        if (en, es) in seen_exact:
            dup_exact += 1
            return
        seen_exact.add((en, es))
        k = near_key(en)
        if k in kept:
            dup_near += 1
            return
        kept[k] = (en, es, source)

    en_root = os.path.join(args.unpacked, help_en, "usr/share/libreoffice/help/en-US")
    es_root = os.path.join(args.unpacked, help_es, "usr/share/libreoffice/help/es")
    for _, en, es in help_pairs(en_root, es_root):
        add("libreoffice-help", "help", en, es)
    catalogs = collections.defaultdict(list)
    for pkg, _, role in manifest:
        if role != "gettext":
            continue
        for rel, en, es in gettext_pairs(os.path.join(args.unpacked, pkg)):
            if rel not in catalogs[pkg]:
                catalogs[pkg].append(rel)
            add(pkg, "gettext", en, es)

    # ---- split ----
    items = []
    for k, (en, es, src) in kept.items():
        items.append((h(k), k, en, es, src, bucket_of(len(en.split()))))
    items.sort()
    counts = collections.Counter(it[5] for it in items)
    quota_test = heldout_quota(counts, N_TEST)
    quota_valid = heldout_quota(counts, N_VALID)
    split_of = {}
    taken = collections.Counter()
    for it in items:  # hash order: deterministic, independent of source order
        b = it[5]
        if taken[("test", b)] < quota_test[b]:
            split_of[it[1]] = "test"
            taken[("test", b)] += 1
        elif taken[("valid", b)] < quota_valid[b]:
            split_of[it[1]] = "valid"
            taken[("valid", b)] += 1
        else:
            split_of[it[1]] = "train"

    os.makedirs(args.out, exist_ok=True)
    files = {}
    for sp in ("train", "valid", "test"):
        for lang in ("en", "es"):
            files[(sp, lang)] = open(os.path.join(args.out, f"{sp}.{lang}.tmp"),
                                     "w", encoding="utf-8", newline="\n")
    stats = collections.defaultdict(collections.Counter)
    for hh, k, en, es, src, b in items:
        sp = split_of[k]
        assert "\n" not in en and "\n" not in es and "\r" not in en + es
        files[(sp, "en")].write(en + "\n")
        files[(sp, "es")].write(es + "\n")
        st = stats[sp]
        st["pairs"] += 1
        st["en_words"] += len(en.split())
        st["es_words"] += len(es.split())
        st["bucket " + bucket_name(b)] += 1
        stats["all"]["src " + src] += 1
        stats[sp]["src " + src] += 1
    for fobj in files.values():
        fobj.close()
    for sp in ("train", "valid", "test"):
        for lang in ("en", "es"):
            os.replace(os.path.join(args.out, f"{sp}.{lang}.tmp"),
                       os.path.join(args.out, f"{sp}.{lang}"))

    write_sources_md(args, manifest, catalogs, stats, reasons, raw_count,
                     dup_exact, dup_near, items)
    total = sum(stats[sp]["pairs"] for sp in ("train", "valid", "test"))
    print(f"build_corpus: {total} pairs "
          f"(train {stats['train']['pairs']}, valid {stats['valid']['pairs']}, "
          f"test {stats['test']['pairs']}) -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
