"""Small timing helpers shared by the benchmarks: medians and p95 in milliseconds, interleaved runs."""

from __future__ import annotations

import time
from typing import Callable, Optional, Sequence

import numpy as np


def summarize(seconds: Sequence[float]) -> dict:
    """Median, p95, min and count of a list of durations, in milliseconds (rounded to 0.01 ms)."""
    ms = np.asarray(seconds, dtype=float) * 1e3
    return {
        "median_ms": round(float(np.median(ms)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "min_ms": round(float(np.min(ms)), 2),
        "n": int(ms.size),
    }


def timed(fn: Callable[[], object]) -> float:
    """Seconds taken by one call of ``fn``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(candidates: dict[str, Callable[[], object]], repeats: int,
                calls: Optional[dict[str, int]] = None) -> dict[str, list[float]]:
    """Time each candidate ``repeats`` times in round-robin order, so that load spikes hit all of them alike.

    With ``calls``, one sample of candidate ``name`` is a batch of ``calls[name]`` consecutive calls,
    after one untimed call, and is reported per call: each candidate is then timed with its own data
    in the caches, as in a loop, not right after another candidate that evicted them.
    """
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            k = 1 if calls is None else calls[name]
            if calls is not None:
                fn()
            start = time.perf_counter()
            for _ in range(k):
                fn()
            times[name].append((time.perf_counter() - start) / k)
    return times


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator rounded to 2 decimals (None if either is missing or zero)."""
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 2)
