"""Train/valid/test split: length buckets, stable hashes and held-out quotas per bucket."""

import hashlib

from corpus_tunables import BUCKETS, HELDOUT_MIN_SHARE


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
