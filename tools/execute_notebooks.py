"""Re-execute notebooks in place in a fresh kernel and clean their metadata (`make notebooks`).

Usage: python tools/execute_notebooks.py [--check] [notebooks/NN_name.ipynb ...]  (default: all of notebooks/)

After this, each notebook has execution counts 1..N, the outputs CI (nbval)
expects, no stored widget state and no per-run metadata.

With --check nothing is written: each notebook is executed in memory and every
text output (streams and text/plain) must be byte-identical to the committed
one (`make check-notebooks`); the exit code is 1 otherwise.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
KEPT_CELL_METADATA = ("tags",)


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop per-run metadata: keep the kernelspec, a minimal language_info and cell tags."""
    nb.metadata = nbformat.NotebookNode(
        kernelspec=KERNELSPEC,
        language_info={"name": "python", "pygments_lexer": "ipython3"},
    )
    for cell in nb.cells:
        cell.metadata = nbformat.NotebookNode({k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA})
        cell.pop("id", None)
    nb.nbformat, nb.nbformat_minor = 4, 4


def run(path: Path, timeout: int = 120) -> tuple[nbformat.NotebookNode, float]:
    """Execute a copy of one notebook top to bottom in a fresh kernel; return it and the seconds taken."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   record_timing=False).execute()
    return nb, time.perf_counter() - start


def execute(path: Path) -> float:
    """Run one notebook in place, clean it and write it back; return seconds taken."""
    nb, seconds = run(path)
    clean(nb)
    nbformat.write(nb, path)
    return seconds


def text_outputs(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(code cell number, text) for every stream and text/plain output, in order.

    Consecutive chunks of one stream are joined: how the kernel splits a
    stream into messages depends on timing, not on the computation.
    """
    texts: list[tuple[int, str]] = []
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for number, cell in enumerate(code_cells, start=1):
        if "nbval-ignore-output" in cell.metadata.get("tags", []):
            continue
        previous_stream = None
        for out in cell.outputs:
            if out.output_type == "stream":
                if previous_stream == out.name:
                    texts[-1] = (number, texts[-1][1] + out.text)
                else:
                    texts.append((number, f"[{out.name}] {out.text}"))
                previous_stream = out.name
                continue
            previous_stream = None
            if "text/plain" in out.get("data", {}):
                texts.append((number, out["data"]["text/plain"]))
    return texts


def first_difference(stored: str, fresh: str) -> str:
    """Where two texts first differ: the line number and both versions of that line."""
    a, b = stored.splitlines(), fresh.splitlines()
    for number, (x, y) in enumerate(zip(a, b), start=1):
        if x != y:
            return f"line {number}: stored {x!r} != fresh {y!r}"
    shorter, longer = ("stored", b) if len(a) < len(b) else ("fresh", a)
    if len(a) == len(b):  # same lines, so only a final newline differs
        return f"line {len(a)}: the texts differ in their final newline"
    return f"line {min(len(a), len(b)) + 1}: the {shorter} text ends; the other goes on with {longer[min(len(a), len(b))]!r}"


def differences(stored: nbformat.NotebookNode, fresh: nbformat.NotebookNode) -> list[str]:
    """Human-readable differences between the text outputs of two runs of a notebook."""
    a, b = text_outputs(stored), text_outputs(fresh)
    found = [f"code cell {x[0]}, {first_difference(x[1], y[1])}" for x, y in zip(a, b) if x != y]
    if len(a) != len(b):
        found.append(f"{len(a)} text outputs stored, {len(b)} produced")
    return found


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    failed = False
    for path in paths:
        path = path.resolve()
        if check:
            fresh, seconds = run(path)
            found = differences(nbformat.read(path, as_version=4), fresh)
            failed |= bool(found)
            status = "identical text outputs" if not found else "DIFFERS:\n  " + "\n  ".join(found)
            print(f"{path.name}: {status} ({seconds:.1f} s)", flush=True)
        else:
            print(f"{path.name}: executed in {execute(path):.1f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
