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
import hashlib
import html
import html.parser
import os
import re
import struct
import sys
import unicodedata

# --------------------------------------------------------------------------
# Tunables
# --------------------------------------------------------------------------
MAX_WORDS = 120          # drop pairs whose English or Spanish side is longer
GETTEXT_MIN_WORDS = 4    # gettext: keep sentence-like strings only
HELP_MIN_WORDS = 1       # help: keep headings too (they are real translations)
N_VALID = 1000
N_TEST = 1000
BUCKETS = [(1, 10), (11, 20), (21, 30), (31, 50), (51, 10 ** 9)]
# Minimum share of each bucket in valid/test (the rest is proportional), so
# that long sentences are well represented in the held-out sets.
HELDOUT_MIN_SHARE = {(21, 30): 0.12, (31, 50): 0.12, (51, 10 ** 9): 0.06}

# --------------------------------------------------------------------------
# LibreOffice help
# --------------------------------------------------------------------------
ID_RE = re.compile(r"^(par|hd)_id")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "param", "source", "track", "wbr"}
SKIP_TAGS = {"script", "style", "pre", "code", "noscript", "button", "nav",
             "svg", "math"}
SKIP_CLASSES = {"code", "codeintable", "smathcode", "bascode", "pycode",
                "youtube_consent", "image", "imageintable"}


class HelpParser(html.parser.HTMLParser):
    """Collects the text of every element whose id is par_id*/hd_id*.

    Hidden switch cases (MAC, WRITER, CALC, ... spans) are skipped; the
    "default" case (hidden span with no class) is kept, which is what the
    help shows on a generic system.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []          # [tag, skip, capture_root]
        self.cap = None          # (id, class, [text parts]) while capturing
        self.out = []            # [(id, class, text)]

    def _skipping(self):
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in VOID:
            if tag == "br" and self.cap is not None:
                self.cap[2].append(" ")
            return
        skip = self._skipping() or tag in SKIP_TAGS
        cls = a.get("class") or ""
        if "hidden" in a and cls:  # a non-default switch case
            skip = True
        if set(cls.split()) & SKIP_CLASSES:
            skip = True
        root = False
        eid = a.get("id") or ""
        if self.cap is None and ID_RE.match(eid) and not skip:
            self.cap = (eid, cls, [])
            root = True
        self.stack.append([tag, skip, root])
        if self.cap is not None and tag in ("p", "div", "li", "td", "th",
                                            "h1", "h2", "h3", "h4", "h5", "h6"):
            self.cap[2].append(" ")

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        # pop to the matching open tag (tolerates sloppy nesting)
        if not any(e[0] == tag for e in self.stack):
            return
        while self.stack:
            e = self.stack.pop()
            if e[2] and self.cap is not None:
                self.out.append((self.cap[0], self.cap[1], "".join(self.cap[2])))
                self.cap = None
            if e[0] == tag:
                break

    def handle_data(self, data):
        if self.cap is not None and not self._skipping():
            self.cap[2].append(data)


def parse_help_page(path):
    p = HelpParser()
    with open(path, encoding="utf-8", errors="replace") as f:
        p.feed(f.read())
    p.close()
    byid = collections.OrderedDict()
    for eid, cls, text in p.out:
        byid.setdefault(eid, []).append(text)
    return byid


def help_pairs(en_root, es_root):
    """Yields (origin, en, es) for paragraphs aligned by (page, id)."""
    pages = []
    for d, _, files in os.walk(os.path.join(en_root, "text")):
        for fn in files:
            if fn.endswith(".html"):
                pages.append(os.path.relpath(os.path.join(d, fn), en_root))
    pages.sort()
    for rel in pages:
        es_path = os.path.join(es_root, rel)
        if not os.path.exists(es_path):
            continue
        en_ids = parse_help_page(os.path.join(en_root, rel))
        es_ids = parse_help_page(es_path)
        for eid, en_texts in en_ids.items():
            es_texts = es_ids.get(eid)
            if not es_texts or len(es_texts) != len(en_texts):
                continue
            for en, es in zip(en_texts, es_texts):
                yield rel, en, es


# --------------------------------------------------------------------------
# gettext .mo
# --------------------------------------------------------------------------
def read_mo(path):
    """Yields (msgid, msgstr) strings from a GNU .mo file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 28:
        return
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0x950412DE:
        e = "<"
    elif magic == 0xDE120495:
        e = ">"
    else:
        return
    n, oorig, otrans = struct.unpack(e + "3I", data[8:20])
    entries = []
    charset = "utf-8"
    for i in range(n):
        ol, oo = struct.unpack(e + "2I", data[oorig + 8 * i:oorig + 8 * i + 8])
        tl, to = struct.unpack(e + "2I", data[otrans + 8 * i:otrans + 8 * i + 8])
        mid, mstr = data[oo:oo + ol], data[to:to + tl]
        if mid == b"":
            m = re.search(rb"charset=([A-Za-z0-9_.-]+)", mstr)
            if m:
                charset = m.group(1).decode("ascii")
            continue
        entries.append((mid, mstr))
    for mid, mstr in entries:
        try:
            mid_s = mid.decode(charset)
            mstr_s = mstr.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\x04" in mid_s:  # msgctxt EOT msgid
            mid_s = mid_s.split("\x04", 1)[1]
        ids = mid_s.split("\x00")
        strs = mstr_s.split("\x00")
        for k, en in enumerate(ids[:2]):
            if k < len(strs) and strs[k]:
                yield en, strs[k]


def gettext_pairs(pkg_root):
    """Yields (origin, en, es) for every Spanish catalog in an unpacked package."""
    found = []
    for d, _, files in os.walk(pkg_root):
        parts = d.split(os.sep)
        if len(parts) >= 2 and parts[-1] == "LC_MESSAGES" and parts[-2] == "es":
            for fn in files:
                if fn.endswith(".mo"):
                    found.append(os.path.join(d, fn))
    found.sort()
    for path in found:
        rel = os.path.relpath(path, pkg_root)
        for en, es in read_mo(path):
            yield rel, en, es


# --------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------
PLACEHOLDER_RES = [
    re.compile(r"%(\d+\$)?[-+#0']*(\d+|\*)?(\.(\d+|\*))?"
               r"(hh|h|ll|l|L|q|j|z|Z|t|I64|I32|I)?[diouxXeEfFgGaAcspnSCmb]"),
    re.compile(r"%\(\w+\)"),               # python %(name)s
    re.compile(r"%\{?[A-Za-z_]\w*\}?"),    # %1, %NAME, %{name}, %PRODUCTNAME
    re.compile(r"%\d"),
    re.compile(r"%[<>'#*+-]?[qwlhHI]?[A-Za-z<>'{(@]"),  # gcc %<, %qs, %@ ...
    re.compile(r"\{[A-Za-z_0-9.:!]*\}"),   # {0} {name} {}
    re.compile(r"\$\{?[A-Za-z_]\w*\}?"),   # $VAR ${VAR}
    re.compile(r"\$\(\w+\)"),              # $(ARG1)
    re.compile(r"\$\d"),
    re.compile(r"<[A-Za-z/!?][^>]*>"),     # tags / <placeholder>
    re.compile(r"@\w+@"),
    re.compile(r"&[A-Za-z]+;|&#\d+;"),     # leftover entities
    re.compile(r"\\[nt\"\\]"),             # escaped control chars
]
URL_RE = re.compile(r"(https?|ftp|file)://|www\.\w|\b[\w.+-]+@[\w-]+\.[\w.]+\b"
                    r"|\.(org|com|net|html?)\b")
PATH_RE = re.compile(r"(^|\s)(~?/[\w.+-]+){2,}/?|[A-Za-z]:\\")
CTRL_RE = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f"
                     r"\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff]")
WS_RE = re.compile(r"\s+")
WORD_RE = re.compile(r"\w+", re.UNICODE)
PUNCT_STRIP_RE = re.compile(r"[\W_]+", re.UNICODE)

EN_STOP = {"the", "and", "of", "to", "is", "in", "for", "with", "this", "that",
           "are", "be", "it", "you", "not", "on", "from", "by", "an", "can"}
ES_STOP = {"el", "la", "los", "las", "de", "del", "y", "en", "que", "un", "una",
           "es", "para", "con", "por", "se", "no", "al", "su", "lo", "o"}


def strip_accelerators(s):
    """Removes menu mnemonic markers: ~File, _Open, &Save (&& is a literal &)."""
    s = s.replace("~", "") if re.search(r"~\w", s) else s
    if s.count("_") == 1:
        s = re.sub(r"_(?=\w)", "", s)
    if "&" in s:
        s = re.sub(r"&(?![A-Za-z]+;|#\d+;)(?=\w)", "", s)
        s = s.replace("&&", "&")
    return s


def normalize(s):
    s = unicodedata.normalize("NFC", s)
    s = s.replace("\u00a0", " ").replace("\u202f", " ").replace("\t", " ")
    s = CTRL_RE.sub(" ", s)
    s = WS_RE.sub(" ", s).strip()
    return s


def words(s):
    return s.split()


def near_key(en):
    """English side lowercased with punctuation removed: the dedup key."""
    return PUNCT_STRIP_RE.sub(" ", en.lower()).strip()


def looks_untranslated(en, es):
    ew = [w.lower() for w in WORD_RE.findall(es)]
    if len(ew) < 6:
        return False
    n_en = sum(w in EN_STOP for w in ew)
    n_es = sum(w in ES_STOP for w in ew)
    return n_en > n_es


def clean_pair(en, es, kind, reasons):
    """Returns the cleaned (en, es) or None; counts the rejection reason."""
    def reject(why):
        reasons[why] += 1
        return None

    if kind == "gettext":
        # Multi-line catalog entries are mostly --help option tables; keep
        # only those that are wrapped prose (no indented or option lines).
        for side in (en, es):
            if "\n" in side.strip("\n"):
                lines = [ln for ln in side.split("\n") if ln.strip()]
                if any(re.match(r"\s|-", ln) for ln in lines) or len(lines) > 6:
                    return reject("multiline table")
        for side in (en, es):
            # Lisp format directives (Audacity Nyquist: ~a, ~%) and
            # e2fsck's @-abbreviations (@i = inode) before accelerators go
            if re.search(r"~[%&]|~[aAsSdD](?![A-Za-z])|@[A-Za-z](?![A-Za-z])", side):
                return reject("placeholder/markup")
        en, es = strip_accelerators(en), strip_accelerators(es)
        en = en.replace("%PRODUCTNAME", "LibreOffice")
        es = es.replace("%PRODUCTNAME", "LibreOffice")
    if "\ufffd" in en or "\ufffd" in es:
        return reject("bad encoding")
    for r in PLACEHOLDER_RES:
        if r.search(en) or r.search(es):
            return reject("placeholder/markup")
    en, es = normalize(html.unescape(en)), normalize(html.unescape(es))
    if not en or not es:
        return reject("empty")
    if URL_RE.search(en) or URL_RE.search(es):
        return reject("url/email")
    if PATH_RE.search(en) or PATH_RE.search(es):
        return reject("path")
    ne, ns = len(words(en)), len(words(es))
    if ne > MAX_WORDS or ns > MAX_WORDS * 1.4:
        return reject("too long")
    min_words = GETTEXT_MIN_WORDS if kind == "gettext" else HELP_MIN_WORDS
    if ne < min_words:
        return reject("too short")
    letters_en = sum(c.isalpha() for c in en)
    nonspace_en = sum(not c.isspace() for c in en)
    if letters_en < 2 or letters_en < 0.5 * nonspace_en:
        return reject("not text")
    if sum(c.isalpha() for c in es) < 2:
        return reject("not text")
    if kind == "gettext":
        if not re.match(r"[\"'(¿¡]?[A-Za-z]", en):
            return reject("not sentence-like")
        if en.endswith(":") and ne < 8:
            return reject("not sentence-like")
        if re.match(r"(usage|uso|try|or):", en, re.I):
            return reject("not sentence-like")
    if near_key(en) == near_key(es) or en.lower() == es.lower():
        return reject("source == target")
    # length ratio, in characters and words, with slack for short segments
    ce, cs = len(en), len(es)
    slack = 3.0 if max(ne, ns) <= 4 else 2.0
    if cs > slack * ce + 10 or ce > slack * cs + 10:
        return reject("length ratio")
    if ns > slack * ne + 3 or ne > slack * ns + 3:
        return reject("length ratio")
    if looks_untranslated(en, es):
        return reject("untranslated")
    return en, es


# --------------------------------------------------------------------------
# Split and report
# --------------------------------------------------------------------------
def bucket_of(n):
    for lo, hi in BUCKETS:
        if lo <= n <= hi:
            return (lo, hi)
    return BUCKETS[-1]


def bucket_name(b):
    lo, hi = b
    return f"{lo}+" if hi >= 10 ** 9 else f"{lo}-{hi}"


def h(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def heldout_quota(counts, n):
    """Per-bucket sizes for a held-out set of n pairs.

    Buckets whose proportional share is below HELDOUT_MIN_SHARE get that
    share (capped at a quarter of the bucket); the other buckets split the
    rest in proportion to their size.
    """
    total = sum(counts.values())
    fixed = {}
    for b, share in HELDOUT_MIN_SHARE.items():
        if counts.get(b, 0) < share * total:
            fixed[b] = min(int(n * share), counts.get(b, 0) // 4)
    free = [b for b in BUCKETS if b not in fixed]
    rest = n - sum(fixed.values())
    free_total = sum(counts.get(b, 0) for b in free)
    quota = {b: (rest * counts.get(b, 0)) // free_total for b in free}
    quota.update(fixed)
    largest = max(free, key=lambda b: counts.get(b, 0))
    quota[largest] += n - sum(quota.values())
    return quota


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


# --------------------------------------------------------------------------
# SOURCES.md
# --------------------------------------------------------------------------
# Main licence of packages whose copyright file is free-form (not DEP-5),
# is elsewhere, or whose "Files: *" stanza is not the code/translations one.
# Read off each package's /usr/share/doc/PKG/copyright.
LICENCE_OVERRIDES = {
    "gcc-12-locales": "GPL-3+ (copyright file is gcc-12-base's)",
    "binutils-common": "GPL-3+",
    "evolution-common": "LGPL-2 or LGPL-3",
    "findutils": "GPL-3+ (find/, xargs/, locate/; docs GFDL-1.3+)",
    "gedit-common": "GPL-2+",
    "gettext": "GPL-3+ (tools), LGPL-2.1+ (runtime)",
    "gnome-control-center-data": "GPL-2+",
    "libglib2.0-data": "LGPL-2.1+",
    "libgtk-3-common": "LGPL-2.1+ (po files LGPL-2+)",
    "inkscape": "GPL (\"GNU GPL; some portions public domain\")",
    "libc-l10n": "LGPL-2.1+",
    "nautilus-data": "GPL-3+",
    "synaptic": "GPL-2+",
    "wget": "GPL-3+ (with OpenSSL exception)",
}


def licence_summary(pkg, copyright_path):
    """(main licence, licences named) from a Debian copyright file."""
    try:
        with open(copyright_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        text = ""
    names = []
    main = ""
    for stanza in re.split(r"\n\s*\n", text):
        m = re.search(r"^License:[ \t]*(\S[^\n]*)$", stanza, re.M)
        if not m:
            continue
        lic = m.group(1).strip()
        files = re.search(r"^Files:[ \t]*(.*(?:\n[ \t]+.*)*)", stanza, re.M)
        if files:
            fl = files.group(1).split()
            if fl[:1] == ["*"] and not main:
                main = lic
            elif any(f.startswith("po/") and f.endswith((".po", "*")) for f in fl):
                po_lic = f"po files: {lic}"
                if po_lic not in main and lic != main:
                    main = (main + "; " if main else "") + po_lic
        for part in re.split(r"\s+(?:or|and)\s+|\s*,\s*", lic):
            part = part.strip().rstrip(",")
            if part and part not in names:
                names.append(part)
    named = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    if pkg in LICENCE_OVERRIDES:
        main = LICENCE_OVERRIDES[pkg]
    return main or "see copyright file", named or "free-form (see copyright file)"


def write_sources_md(args, manifest, catalogs, stats, reasons, raw_count,
                     dup_exact, dup_near, items):
    out = []
    w = out.append
    w("# English-Spanish corpus (en-es)")
    w("")
    w("Real parallel text extracted from Debian bookworm packages: the "
      "LibreOffice help (paragraph-aligned) and Spanish gettext message "
      "catalogs. English is the source side, Spanish the target side. "
      "Generated by `scripts/build-corpus.sh`; do not edit by hand.")
    w("")
    w("## Files")
    w("")
    w("`train.en train.es valid.en valid.es test.en test.es`: line-aligned "
      "(line N of `X.en` translates to line N of `X.es`), UTF-8, LF line "
      "ends, one segment per line, no tabs or CR. A segment is a help "
      "paragraph or heading (often several sentences) or a catalog message.")
    w("")
    w("## Rebuild")
    w("")
    w("```")
    w(f"{args.rebuild_command}            # writes data/corpus/en-es")
    w(f"{args.rebuild_command} OUT_DIR    # or any other directory")
    w("```")
    w("")
    w("Needs `apt-get` with Debian bookworm sources (it runs `apt-get download` "
      "and `dpkg-deb -x` only; nothing is installed) and `/usr/bin/python3`. "
      "Output is deterministic for the pinned package versions.")
    w("")
    w("## Sources")
    w("")
    w("| package | version | role | licence | all licences named in its copyright file | raw pairs | kept |")
    w("| --- | --- | --- | --- | --- | ---: | ---: |")
    for pkg, ver, role in manifest:
        main, named = licence_summary(pkg, os.path.join(
            args.unpacked, pkg, "usr/share/doc", pkg, "copyright"))
        if role.startswith("help"):
            raw = raw_count["libreoffice-help"] if role == "help-en" else ""
            kept = stats["all"]["src libreoffice-help"] if role == "help-en" else ""
        else:
            raw, kept = raw_count[pkg], stats["all"]["src " + pkg]
        main, named = main.replace("|", "/"), named.replace("|", "/")
        w(f"| {pkg} | {ver} | {role} | {main} | {named} | {raw} | {kept} |")
    w("")
    w("The help pages (and the LibreOffice UI catalogs) are LibreOffice's, "
      "licensed MPL-2.0 (the `Files: *` licence of the LibreOffice copyright "
      "file). A catalog's translations carry the licence of the program they "
      "belong to: the *licence* column is the `Files: *` licence of the "
      "package's DEP-5 copyright file (plus the licence of its `po/` files "
      "where the file names one), or, for free-form copyright files, read off "
      "the file by hand; the last column lists every licence the file names, "
      "for completeness. Raw pairs are counted before cleaning; kept, after "
      "cleaning and deduplication.")
    w("")
    w("### How pairs are aligned")
    w("")
    w("* **LibreOffice help**: `usr/share/libreoffice/help/{en-US,es}/text/**/*.html` "
      "(Debian ships the help pre-rendered as HTML). Every paragraph and "
      "heading carries the id it has in the `.xhp` source (`par_id…`, "
      "`hd_id…`); a pair is the text of the element with the same id in the "
      "same page of both languages (ids that occur a different number of "
      "times in the two pages are skipped). Hidden OS/module-specific "
      "variants are dropped and the default variant kept; code blocks "
      "are skipped.")
    w("* **gettext**: every `usr/share/locale/es/LC_MESSAGES/*.mo` (and, "
      "for LibreOffice, `usr/lib/libreoffice/program/resource/es/LC_MESSAGES/*.mo`) "
      "is read directly (same content as `msgunfmt`): msgid → msgstr, the "
      "context is dropped, plural forms are paired by index. Catalogs read:")
    w("")
    for pkg in catalogs:
        w(f"  * {pkg}: " + ", ".join(f"`{os.path.basename(c)}`" for c in catalogs[pkg]))
    w("")
    w("## Cleaning rules")
    w("")
    w(f"""1. `%PRODUCTNAME` → `LibreOffice`; menu accelerators removed from catalog strings (`~File`, `_Open` when it is the only underscore, `&Save`; `&&` → `&`).
2. Pairs with format strings or placeholders on either side are dropped: printf (`%s`, `%d`, `%1$s`, `%-10lu`…), GCC's `%<`/`%qs`, `%@`, `%1`, `%NAME`, Lisp `~a`/`~%`, e2fsck `@i`, `%(name)s`, `{{0}}`, `{{name}}`, `$VAR`, `${{VAR}}`, `$(ARG)`, `@VAR@`, markup or `<placeholder>` tags, escaped `\\n`.
3. HTML entities unescaped (`&amp;` → `&`); NFC normalisation; tabs, no-break spaces, control and bidi characters → space; whitespace collapsed; no CR, no embedded newline.
4. Multi-line catalog entries: dropped when they look like option tables (indented or `-` lines, or more than 6 lines); wrapped prose is joined into one line.
5. Dropped: empty sides, URLs and e-mail addresses, file paths, English side with under half letters, source == target (also after lowercasing and removing punctuation), untranslated Spanish side (more English than Spanish function words), absurd length ratios (more than 2x in characters or words, 3x for segments of at most 4 words), segments over {MAX_WORDS} English words.
6. Catalog strings must be sentence-like: at least {GETTEXT_MIN_WORDS} English words, start with a letter, not a short `Label:` or a `Usage:` line. Help paragraphs and headings are kept from {HELP_MIN_WORDS} word.
7. Deduplication: exact (same en and es), then near-duplicate: pairs whose English side is equal after lowercasing and removing punctuation keep only the first (help first, then the catalogs in the order of the table).""")
    w("")
    w("Rejections by rule (a pair counts under the first rule it fails):")
    w("")
    w("| reason | pairs |")
    w("| --- | ---: |")
    for why, n in sorted(reasons.items(), key=lambda x: -x[1]):
        w(f"| {why} | {n} |")
    w(f"| exact duplicate | {dup_exact} |")
    w(f"| near duplicate (English key) | {dup_near} |")
    w("")
    w("## Split")
    w("")
    w(f"Deterministic: pairs are ordered by SHA-256 of the normalised English "
      f"side; test and valid ({N_TEST} and {N_VALID} pairs) take the first "
      f"pairs of each English-length bucket in that order, with per-bucket "
      f"quotas proportional to the corpus but at least "
      + ", ".join(f"{int(v * 100)}% for {bucket_name(b)} words"
                  for b, v in HELDOUT_MIN_SHARE.items())
      + ", so long sentences are well represented. Train is the rest, in "
      "the same hash order (already shuffled). The normalised English side "
      "is unique across the whole corpus, so no English segment is in two splits.")
    w("")
    w("## Counts")
    w("")
    w("| split | pairs | English words | Spanish words | " +
      " | ".join(f"{bucket_name(b)} en words" for b in BUCKETS) + " |")
    w("| --- | ---: | ---: | ---: | " + " | ".join("---:" for _ in BUCKETS) + " |")
    tot = collections.Counter()
    for sp in ("train", "valid", "test"):
        st = stats[sp]
        tot.update(st)
        w(f"| {sp} | {st['pairs']} | {st['en_words']} | {st['es_words']} | " +
          " | ".join(str(st['bucket ' + bucket_name(b)]) for b in BUCKETS) + " |")
    w(f"| all | {tot['pairs']} | {tot['en_words']} | {tot['es_words']} | " +
      " | ".join(str(tot['bucket ' + bucket_name(b)]) for b in BUCKETS) + " |")
    w("")
    w("Pairs per source and split:")
    w("")
    w("| source | train | valid | test | all |")
    w("| --- | ---: | ---: | ---: | ---: |")
    srcs = sorted({k for k in stats["all"] if k.startswith("src ")},
                  key=lambda k: -stats["all"][k])
    for s in srcs:
        w(f"| {s[4:]} | {stats['train'][s]} | {stats['valid'][s]} | "
          f"{stats['test'][s]} | {stats['all'][s]} |")
    lens = sorted(len(it[2].split()) for it in items)
    if lens:
        w("")
        w(f"English length in words: median {lens[len(lens) // 2]}, "
          f"90th percentile {lens[int(len(lens) * 0.9)]}, max {lens[-1]}.")
    w("")
    with open(os.path.join(args.out, "SOURCES.md"), "w", encoding="utf-8",
              newline="\n") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
