"""Test-wide settings.

Hypothesis runs derandomized by default, so that CI sees the same cases on
every run and never flakes; `HYPOTHESIS_PROFILE=explore make test` draws new
random cases (ten times as many) to hunt for bugs locally.

OPENBLAS_NUM_THREADS is 1 unless set (see below).
"""

import os

# One BLAS thread for the tests and for the kernels nbval starts (they inherit the environment): with two
# pytest workers on two cores, more threads only contend; an explicit setting (tools/test_portable.py) is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from hypothesis import settings  # noqa: E402

settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))
