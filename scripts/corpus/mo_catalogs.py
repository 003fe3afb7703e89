"""GNU gettext .mo catalogs: (msgid, msgstr) pairs from the Spanish catalogs of a package."""

import os
import re
import struct


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
