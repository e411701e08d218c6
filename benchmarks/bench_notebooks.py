"""Notebook run times: each notebook top to bottom in a fresh kernel, and the wall time of ``make test``.

Notebooks are executed as ``tools/execute_notebooks.py`` does (nbclient, a
new ``python3`` kernel, ``notebooks/`` as working directory), but nothing is
written back. The baseline is a notebook holding only the set-up cell: what
starting a kernel and importing ``lecture_utils`` costs before any teaching.

``make test`` is timed without its ``install`` prerequisite: the command of
the Makefile's ``test`` recipe is read from the Makefile and run as is.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import nbformat
from nbclient import NotebookClient

from .timing import ratio

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def notebook_paths() -> list[Path]:
    """The course notebooks, NN_name.ipynb, in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def run_notebook(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 300) -> float:
    """Seconds to execute ``nb`` (a copy; stored outputs cleared) top to bottom in a fresh kernel."""
    nb = nbformat.from_dict(nb)  # never touch the caller's notebook
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}},
                   record_timing=False).execute()
    return time.perf_counter() - start


def setup_only(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A notebook with just the first code cell of ``nb`` (the shared set-up cell)."""
    first = next(cell for cell in nb.cells if cell.cell_type == "code")
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(first.source)], metadata=nb.metadata)


def _median(values: list[float]) -> float:
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def time_notebooks(paths: Optional[list[Path]] = None, repeats: int = 3) -> dict:
    """Median seconds per notebook over ``repeats`` fresh-kernel runs, with the set-up-cell-only floor."""
    paths = notebook_paths() if paths is None else [Path(p) for p in paths]
    result: dict = {"repeats": repeats, "notebooks": {}}
    if not paths:
        return result
    notebooks = {path: nbformat.read(path, as_version=4) for path in paths}
    floor_nb = setup_only(notebooks[paths[0]])
    times: dict[str, list[float]] = {"setup_cell_only": []}
    for _ in range(repeats):  # round-robin, so that a load spike hits every notebook alike
        times["setup_cell_only"].append(run_notebook(floor_nb, paths[0].parent))
        for path, nb in notebooks.items():
            try:
                times.setdefault(path.name, []).append(run_notebook(nb, path.parent))
            except Exception as error:  # a notebook being written may fail: report it, time the rest
                result["notebooks"][path.name] = {"error": f"{type(error).__name__}: {str(error)[:300]}"}
    floor = _median(times.pop("setup_cell_only"))
    result["setup_cell_only_s"] = round(floor, 2)
    for name, seconds in times.items():
        if name in result["notebooks"]:
            continue
        median = _median(seconds)
        result["notebooks"][name] = {"median_s": round(median, 2), "max_s": round(max(seconds), 2),
                                     "over_setup_floor": ratio(median, floor)}
    return result


def make_test_command(makefile: Path = ROOT / "Makefile", python: str = sys.executable) -> list[str]:
    """The recipe of the Makefile's ``test`` target as an argument list, with $(PYTEST) made concrete."""
    lines = makefile.read_text().splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^test\s*:", line):
            for recipe in lines[i + 1:]:
                if recipe.startswith("\t"):
                    command = recipe.strip().replace("$(PYTEST)", f"{python} -m pytest")
                    if "$(" in command:
                        raise ValueError(f"cannot resolve the make variables in {command!r}")
                    return shlex.split(command)
                if recipe.strip() and not recipe.startswith("#"):
                    break
    raise ValueError(f"no recipe for target 'test' in {makefile}")


def time_make_test(repeats: int = 1, timeout: int = 900) -> dict:
    """Wall time of the ``make test`` command (without installation), its exit code and pytest's last line."""
    command = make_test_command()
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        seconds = time.perf_counter() - start
        tail = [line for line in done.stdout.strip().splitlines() if line.strip()][-1:] or [""]
        runs.append({"seconds": round(seconds, 1), "exit_code": done.returncode, "summary": tail[0].strip("= ")})
    shown = " ".join(["python"] + command[1:]) if command[0] == sys.executable else " ".join(command)
    return {"command": shown,
            "median_s": round(_median([r["seconds"] for r in runs]), 1), "runs": runs}


def run(repeats: int = 3, make_test: bool = True, paths: Optional[list[Path]] = None) -> dict:
    """The whole notebook benchmark."""
    result = time_notebooks(paths, repeats)
    result["make_test"] = time_make_test() if make_test else None
    return result
