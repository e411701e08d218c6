"""Test-wide settings.

Hypothesis runs derandomized by default, so that CI sees the same cases on
every run and never flakes; `HYPOTHESIS_PROFILE=explore make test` draws new
random cases (ten times as many) to hunt for bugs locally.
"""

import os

from hypothesis import settings

settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))
