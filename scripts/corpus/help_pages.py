"""LibreOffice help pages: paragraphs aligned across English and Spanish by (page, id)."""

import collections
import html.parser
import os
import re


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


