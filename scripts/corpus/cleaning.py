"""Cleaning of candidate pairs: normalisation, placeholders, untranslated strings, lengths."""

import html
import re
import unicodedata

from corpus_tunables import GETTEXT_MIN_WORDS, HELP_MIN_WORDS, MAX_WORDS


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


