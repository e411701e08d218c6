"""``make bench``: run the benchmarks, merge them into benchmarks/results.json, print a short table.

Usage (from the repository root):
    python -m benchmarks.run                      # everything (a few minutes)
    python -m benchmarks.run --only widgets backprop
    python -m benchmarks.run --quick              # tiny sizes, a smoke test (numbers meaningless)

The machine may be shared: every claim is a ratio against a baseline timed in
the same run, medians over repeats, p95 where it matters. The results file is
read, updated and written back, so keys written by other tools (for example
"browser") are kept.
"""

from __future__ import annotations

import os
import sys

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS")


def pin_threads() -> dict[str, str | None]:
    """One BLAS/OpenMP thread for this process (call before numpy is imported); returns the previous values."""
    previous = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    return previous


import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Iterator, Optional  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results.json"
SECTIONS = ("widgets", "notebooks", "backprop")
GOALS = {"1d_panel_median_ms": 25, "panel_median_ms": 100, "notebook_s": 10, "make_test_s": 60,
         "geomean_vs_torch": 0.5, "min_vs_torch": 0.5}  # readable backprop within 2x of autograd


def _set_environment(values: dict[str, Optional[str]]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@contextmanager
def environment(values: Optional[dict[str, Optional[str]]]) -> Iterator[None]:
    """Temporarily set (or unset, for None) environment variables: kernels and pytest get the user's threads."""
    if not values:
        yield
        return
    saved = {name: os.environ.get(name) for name in values}
    try:
        _set_environment(values)
        yield
    finally:
        _set_environment(saved)


def read_results(path: Path = RESULTS) -> dict:
    """The current results file as a dict (empty if missing or unreadable)."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def write_results(updates: dict, path: Path = RESULTS) -> dict:
    """Merge ``updates`` into the results file (read just before writing, other keys kept); return the whole."""
    results = read_results(path)
    results.update(updates)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return results


def machine() -> dict:
    """What the numbers were measured on."""
    import matplotlib
    import numpy

    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(), "numpy": numpy.__version__, "matplotlib": matplotlib.__version__,
        "cpus": os.cpu_count(), "load_average_at_start": load,
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
    }


# --- the table ---------------------------------------------------------------------------------------

def _ok(value: Optional[float], goal: float, smaller_is_better: bool = True) -> str:
    if value is None:
        return "n/a"
    return "ok" if (value <= goal if smaller_is_better else value >= goal) else "MISSED"


def table(results: dict, sections: tuple[str, ...] = SECTIONS) -> str:
    """A short Markdown table of the headline numbers (also pasted into README.md's Performance section)."""
    rows = ["| benchmark | median | p95 / worst | baseline (same run) | goal |", "| --- | --- | --- | --- | --- |"]
    widgets = results.get("widgets") if "widgets" in sections else None
    if widgets:
        base = widgets["baseline_1d"]
        for name, panel in widgets["panels"].items():
            if "error" in panel:
                rows.append(f"| slider move, {name} | error | | | {panel['error'][:60]} |")
                continue
            goal = GOALS["1d_panel_median_ms"] if name == "GradientDescent1DPanel" else GOALS["panel_median_ms"]
            note = ""
            if name == "GradientDescent1DPanel":
                note = (f"naive interact {base['times']['naive']['median_ms']:.0f} ms "
                        f"(**{base['speedup_vs_naive']}x** faster), full redraw "
                        f"{base['times']['full_redraw']['median_ms']:.0f} ms")
            rows.append(f"| slider move, {name} ({panel['pixels']}, {panel['png_kb']:.0f} KB) | "
                        f"{panel['median_ms']:.1f} ms | {panel['p95_ms']:.1f} ms | {note} | "
                        f"<= {goal} ms {_ok(panel['median_ms'], goal)} |")
        enc = base["encoding"]
        rows.append(f"| PNG encode, 1D panel (changed bands) | {enc['bands_level1 (used)']['median_ms']:.1f} ms | | "
                    f"whole image: {enc['own_level1 (whole image)']['median_ms']:.1f} ms, "
                    f"Pillow level 1: {enc['pillow_level1']['median_ms']:.1f} ms "
                    f"(**{base['encode_speedup_vs_pillow']}x**) | |")
    notebooks = results.get("notebooks") if "notebooks" in sections else None
    if notebooks:
        floor = notebooks.get("setup_cell_only_s")
        for name, nb in notebooks["notebooks"].items():
            if "error" in nb:
                rows.append(f"| notebook {name} | error | | | {nb['error'][:60]} |")
                continue
            rows.append(f"| notebook {name} | {nb['median_s']:.1f} s | {nb['max_s']:.1f} s | "
                        f"set-up cell alone {floor:.1f} s ({nb['over_setup_floor']}x) | "
                        f"<= {GOALS['notebook_s']} s {_ok(nb['median_s'], GOALS['notebook_s'])} |")
        make_test = notebooks.get("make_test")
        if make_test:
            status = ", ".join(r["summary"] for r in make_test["runs"])
            rows.append(f"| `make test` (no install) | {make_test['median_s']:.0f} s | | {status} | "
                        f"<= {GOALS['make_test_s']} s {_ok(make_test['median_s'], GOALS['make_test_s'])} |")
    backprop = results.get("backprop") if "backprop" in sections else None
    if backprop:
        for name, summary in backprop.get("activations", {}).items():
            rows.extend(backprop_rows(name, summary, backprop["torch_version"]))
    return "\n".join(rows)


def backprop_rows(activation: str, summary: dict, torch_version: Optional[str]) -> list[str]:
    """The summary rows of one activation's backprop benchmark, against the goals."""
    shapes = len(summary["shapes"])
    rows = []
    if summary.get("geomean_vs_torch") is not None:
        rows.append(f"| backprop ({activation}) vs PyTorch {torch_version} (speed, geo-mean of {shapes} shapes) | "
                    f"{summary['geomean_vs_torch']}x | worst {summary['min_vs_torch']}x "
                    f"({summary['min_vs_torch_shape']}) | torch autograd, 1 thread | >= {GOALS['geomean_vs_torch']}x, worst "
                    f">= {GOALS['min_vs_torch']}x {_ok(summary['geomean_vs_torch'], GOALS['geomean_vs_torch'], False)}/"
                    f"{_ok(summary['min_vs_torch'], GOALS['min_vs_torch'], False)} |")
    else:
        rows.append(f"| backprop ({activation}) vs PyTorch | n/a (torch not installed) | | | |")
    if summary.get("notebook_min_vs_torch") is not None:
        rows.append(f"| backprop ({activation}) vs PyTorch at the notebooks' sizes | worst "
                    f"{summary['notebook_min_vs_torch']}x | {len(summary['notebook_shapes'])} shapes | torch autograd, "
                    f"1 thread | >= {GOALS['min_vs_torch']}x {_ok(summary['notebook_min_vs_torch'], GOALS['min_vs_torch'], False)} |")
    rows.append(f"| backprop ({activation}) time / matrix-product floor | {summary['geomean_vs_floor']}x (geo-mean) | "
                f"worst {summary['max_vs_floor']}x ({summary['max_vs_floor_shape']}) | "
                f"X Θᵀ, A β, δᵀ X alone | (diagnostic) |")
    if summary.get("geomean_tuned_speedup") is not None:
        rows.append(f"| what tuning buys ({activation}): plain pass time / tuned kernel time | "
                    f"{summary['geomean_tuned_speedup']}x (geo-mean) | best {summary['max_tuned_speedup']}x | "
                    f"benchmarks/tuned_backprop.py, both unchecked | (exhibit) |")
    rows.append(f"| backprop ({activation}) time / (products + {activation}) | "
                f"{summary['geomean_vs_floor_and_activation']}x (geo-mean) | "
                f"worst {summary['max_vs_floor_and_activation']}x | products + {activation} alone: "
                f"{summary['geomean_floor_and_activation_vs_floor']}x the floor | (diagnostic) |")
    if summary.get("unchecked_min_vs_torch") is not None:
        rows.append(f"| backprop ({activation}) without argument checks vs PyTorch | "
                    f"{summary['unchecked_geomean_vs_torch']}x (geo-mean) | worst "
                    f"{summary['unchecked_min_vs_torch']}x | floor: worst {summary['unchecked_max_vs_floor']}x | "
                    f"(diagnostic) |")
    return rows


def backprop_table(summary: dict) -> str:
    """Every shape of one activation's backprop benchmark (n x p x m), for the log."""
    g = summary["activation"]
    rows = [f"| {g}: n x p x m | numpy ms | unchecked ms | torch ms | floor ms | {g} ms | torch/numpy | numpy/floor "
            f"| numpy/(floor+{g}) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for s in summary["shapes"]:
        torch_ms = "n/a" if s["torch_ms"] is None else f"{s['torch_ms']:.3f}"
        rows.append(f"| {s['n']}x{s['p']}x{s['m']} | {s['numpy_ms']:.3f} | {s['numpy_unchecked_ms']:.3f} | {torch_ms} | "
                    f"{s['floor_ms']:.3f} | {s['activation_ms']:.3f} | {s['vs_torch']} | {s['vs_floor']} | "
                    f"{s['vs_floor_and_activation']} |")
    return "\n".join(rows)


# --- main ----------------------------------------------------------------------------------------------

def main(argv: list[str], user_threads: Optional[dict[str, Optional[str]]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few repeats (smoke test)")
    parser.add_argument("--no-make-test", action="store_true", help="skip timing `make test`")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sections = tuple(args.only)
    updates: dict = {"machine": machine()}
    if "widgets" in sections:
        from . import bench_widgets
        print("widgets: timing slider moves ...", flush=True)
        updates["widgets"] = bench_widgets.run(moves=6 if args.quick else 60, encode_repeats=3 if args.quick else 30)
    if "backprop" in sections:
        from . import bench_backprop
        print("backprop: timing loss_and_gradients ...", flush=True)
        if args.quick:
            updates["backprop"] = bench_backprop.run(ns=(64,), ps=(3,), ms=(4, 8), budget_s=0.01, min_repeats=2)
        else:
            updates["backprop"] = bench_backprop.run()
    if "notebooks" in sections:
        from . import bench_notebooks
        print("notebooks: executing each in a fresh kernel ...", flush=True)
        with environment(user_threads):  # kernels and pytest run with the user's thread settings
            if args.quick:
                paths = bench_notebooks.notebook_paths()[:1]
                updates["notebooks"] = bench_notebooks.run(repeats=1, make_test=False, paths=paths)
            else:
                updates["notebooks"] = bench_notebooks.run(make_test=not args.no_make_test)
    for section in sections:  # sections may be re-run separately: each keeps its own date and load
        updates[section]["measured"] = {k: updates["machine"][k] for k in ("date", "load_average_at_start")}
    results = write_results(updates, args.output)
    print()
    print(table(results, sections))
    if "backprop" in sections:
        for summary in results["backprop"]["activations"].values():
            print()
            print(backprop_table(summary))
    print(f"\nwritten: {args.output}")
    return 0


if __name__ == "__main__":
    previous_threads = pin_threads()
    sys.exit(main(sys.argv[1:], previous_threads))
