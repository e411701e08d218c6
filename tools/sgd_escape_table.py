"""Print notebook 05's escape table on a wider grid: python tools/sgd_escape_table.py [--seeds 100] [--epochs 40]

Each row runs SGD for every seed (or full-batch GD once, when B = n = 512) from the
notebook's start with gamma_k = gamma0 / (1 + decay k) for a fixed number of passes
over the data, and reports the share of runs that end in the deep basin.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lecture_utils.landscape import ESCAPE_HEADER, escape_row, two_basin_risk  # noqa: E402

SGD_GRID = [(g, 0.002, b) for g in (0.010, 0.014, 0.018, 0.022) for b in (16, 32, 64)]
SGD_GRID += [(0.018, d, 32) for d in (0.0, 0.001, 0.005, 0.01)]
GD_GRID = [(g, d, 512) for g in (0.018, 0.022, 0.030, 0.034, 0.036, 0.040) for d in (0.0, 0.002, 0.05)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args(argv)
    risk = two_basin_risk()
    start = time.perf_counter()
    print(ESCAPE_HEADER)
    for gamma0, decay, batch_size in SGD_GRID + GD_GRID:
        print(escape_row(risk, gamma0, decay, batch_size, args.epochs, range(args.seeds)).format(), flush=True)
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
