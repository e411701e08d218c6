"""Print pip constraints that pin every runtime dependency to its declared lower bound (`make test-oldest`).

pyproject.toml stays the single source: `numpy>=1.23.2` becomes `numpy==1.23.2`.
Test tools are left free (the newest pytest/nbval run against the oldest libraries).
Reads the file with a regular expression so that it runs on Python 3.10 without tomli.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Indirect dependencies held to the era of the oldest direct ones: matplotlib 3.8's mathtext
# calls pyparsing names that pyparsing 3.3 deprecates (one warning per label drawn).
ERA_CONSTRAINTS = ["pyparsing<3.3"]


def lower_bounds(pyproject: str) -> list[str]:
    """`name==version` for each `name>=version` in [project] dependencies."""
    block = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", pyproject, re.S | re.M)
    if block is None:
        raise ValueError("pyproject.toml has no [project] dependencies list")
    pins = []
    for name, version in re.findall(r'"([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][^",;\s]*)', block.group(1)):
        pins.append(f"{name}=={version}")
    return pins


if __name__ == "__main__":
    print("\n".join(lower_bounds((ROOT / "pyproject.toml").read_text()) + ERA_CONSTRAINTS))
    sys.exit(0)
