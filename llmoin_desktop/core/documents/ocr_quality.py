"""Character error rate of recognised text: how bench/ocr.py and the tests judge OCR.

Whitespace is normalised first (line breaks and spacing depend on layout, not on reading),
then the Levenshtein distance is divided by the length of the true text.
"""

from __future__ import annotations

import numpy as np


def normalise(text: str) -> str:
    return " ".join(text.split())


def levenshtein(a: str, b: str) -> int:
    """Row-by-row with numpy; the insertion step is a running minimum (O(len(a)) numpy ops)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    k = np.arange(len(b) + 1)
    prev = k.copy()
    for i, ch in enumerate(a, 1):
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, prev[:-1] + (bb != ord(ch)))
        prev = np.minimum.accumulate(cur - k) + k
    return int(prev[-1])


def cer(hypothesis: str, truth: str) -> float:
    h, t = normalise(hypothesis), normalise(truth)
    return levenshtein(h, t) / max(1, len(t))
