"""Print notebook 05's escape table on a wider grid: python tools/sgd_escape_table.py [--seeds 100] [--epochs 40]

Each row runs SGD for every seed (or full-batch GD once, when B = n = 512) from the
notebook's start with gamma_k = gamma0 / (1 + decay k) for a fixed number of passes
over the data, and reports the share of runs that end in the deep basin.

A second table runs full-batch GD with fixed steps for --long steps and says how each
ends: trapped in the shallow basin, escaped and settled (closer than 1e-6 to the deep
minimum), or escaped and bouncing with period 2 (and how far from the minimum). Only
steps in [first escaping step, 2 / lambda_max of the deep basin) escape and settle.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from lecture_utils.landscape import ESCAPE_HEADER, START, escape_row, two_basin_risk  # noqa: E402
from lecture_utils.sgd import constant_step_paths  # noqa: E402

SGD_GRID = [(g, 0.002, b) for g in (0.010, 0.014, 0.018, 0.022) for b in (16, 32, 64)]
SGD_GRID += [(0.018, d, 32) for d in (0.0, 0.001, 0.005, 0.01)]
GD_GRID = [(g, d, 512) for g in (0.018, 0.022, 0.030, 0.034, 0.036, 0.040) for d in (0.002, 0.05)]
FIXED_STEPS = (0.020, 0.024, 0.030, 0.0328, 0.0330, 0.0332, 0.0334, 0.0336, 0.0338, 0.034, 0.036, 0.040, 0.050)


def fixed_step_outcomes(risk, steps: int) -> list[str]:
    """One line per fixed step: where full-batch GD from the start is after ``steps`` steps, and how it moves."""
    deep, _ = risk.minima()
    lam = np.linalg.eigvalsh(risk.hessian(deep))[-1]
    paths = constant_step_paths(risk.grad, START, FIXED_STEPS, steps)
    lines = [f"fixed-step GD, {steps} steps (2 / lambda_max of the deep basin = {2 / lam:.5f})",
             "   gamma  outcome"]
    for gamma, path in zip(FIXED_STEPS, paths):
        last, before = np.linalg.norm(path[-1] - deep), np.linalg.norm(path[-2] - deep)
        if not np.all(np.isfinite(path[-1])):
            outcome = "diverged"
        elif not risk.in_deep_basin(path[-1]):
            outcome = "trapped in the shallow basin"
        elif last < 1e-6:
            outcome = "escapes and settles"
        elif np.linalg.norm(path[-1] - path[-3]) < 1e-9:
            outcome = f"escapes, bounces with period 2 at {min(last, before):.3f} / {max(last, before):.3f}"
        else:
            outcome = f"escapes, not settled yet ({last:.2e} from the minimum)"
        lines.append(f"{gamma:8.4f}  {outcome}")
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--long", type=int, default=3000, help="steps of the fixed-step GD runs")
    args = parser.parse_args(argv)
    risk = two_basin_risk()
    start = time.perf_counter()
    print(ESCAPE_HEADER)
    for gamma0, decay, batch_size in SGD_GRID + GD_GRID:
        print(escape_row(risk, gamma0, decay, batch_size, args.epochs, range(args.seeds)).format(), flush=True)
    print()
    print("\n".join(fixed_step_outcomes(risk, args.long)))
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
