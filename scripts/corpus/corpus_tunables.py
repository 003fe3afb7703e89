"""Tunables of build_corpus.py: length limits, held-out set sizes and length buckets."""

MAX_WORDS = 120          # drop pairs whose English or Spanish side is longer
GETTEXT_MIN_WORDS = 4    # gettext: keep sentence-like strings only
HELP_MIN_WORDS = 1       # help: keep headings too (they are real translations)
N_VALID = 1000
N_TEST = 1000
BUCKETS = [(1, 10), (11, 20), (21, 30), (31, 50), (51, 10 ** 9)]
# Minimum share of each bucket in valid/test (the rest is proportional), so
# that long sentences are well represented in the held-out sets.
HELDOUT_MIN_SHARE = {(21, 30): 0.12, (31, 50): 0.12, (51, 10 ** 9): 0.06}
