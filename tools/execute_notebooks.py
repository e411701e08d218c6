"""Re-execute notebooks in place in a fresh kernel and clean their metadata (`make notebooks`).

Usage: python tools/execute_notebooks.py [--check | --clean-only] [notebooks/NN_name.ipynb ...]
(default: all of notebooks/)

After this, each notebook has execution counts 1..N, the outputs CI (nbval)
expects, no stored widget state and no per-run metadata. The clean step
(``clean``) also makes a notebook open in JupyterLab 4 without showing as
modified: the front end rewrites ``metadata.language_info`` with what the
kernel reports as soon as the kernel starts, and any difference marks the
notebook dirty, so the full record ipykernel reports is stored (a student on
another Python version still sees it change: that one field is the
version). Each stored live panel (a widget-view output, whose text/plain is a
raw ``VBox(children=(...`` repr) becomes the plain text ``PANEL_PLACEHOLDER``;
without a kernel there is no widget model to show anyway. A cell that only draws a
figure with a long text description is tagged ``nbval-ignore-output``
(``tag_figure_cells``).

With --clean-only nothing is executed: the stored outputs are kept and only
the clean step is applied (for notebooks whose owners re-execute later).

With --check nothing is written: each notebook is executed in memory and every
text output (streams and text/plain) must be byte-identical to the committed
one (`make check-notebooks`); the exit code is 1 otherwise.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
KEPT_CELL_METADATA = ("tags",)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PANEL_PLACEHOLDER = "Live panel: run the notebook's cells in order to show the sliders."
DESCRIPTION_PREFIX = "Text description: "  # text/plain of the long description under a figure (plotting/alt.py)
IGNORE_OUTPUT = "nbval-ignore-output"


def language_info() -> dict:
    """What ipykernel reports as language_info (JupyterLab writes it into the notebook when the kernel starts)."""
    return {"name": "python", "version": platform.python_version(), "mimetype": "text/x-python",
            "codemirror_mode": {"name": "ipython", "version": 3}, "pygments_lexer": "ipython3",
            "nbconvert_exporter": "python", "file_extension": ".py"}


def placeholder_output() -> nbformat.NotebookNode:
    """The plain text stored where a live panel was displayed."""
    return nbformat.v4.new_output("display_data", data={"text/plain": PANEL_PLACEHOLDER})


def is_figure_output(out: nbformat.NotebookNode) -> bool:
    """An image, or the long text description plotting/alt.py puts under a complex figure."""
    data = out.get("data", {})
    return "image/png" in data or "".join(data.get("text/plain", "")).startswith(DESCRIPTION_PREFIX)


def tag_figure_cells(cell: nbformat.NotebookNode) -> None:
    """A cell that only draws a figure with a long description is not compared by nbval.

    The description quotes the figure's numbers (a title's final cost, a curve's lowest point), which are
    not the notebook's checked results and may differ in a last digit on another CPU; nbval never compares
    the image itself either. The cell still runs under nbval, so an error in it still fails.
    """
    outputs = cell.get("outputs", [])
    described = any(not ("image/png" in out.get("data", {})) and is_figure_output(out) for out in outputs)
    if described and all(is_figure_output(out) for out in outputs):
        tags = cell.metadata.setdefault("tags", [])
        if IGNORE_OUTPUT not in tags:
            tags.append(IGNORE_OUTPUT)


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop per-run metadata and stored widgets: keep the kernelspec, language_info as the kernel reports it, tags.

    Every widget-view output (and its text/plain repr) becomes ``PANEL_PLACEHOLDER``; the widget state in
    ``metadata.widgets`` goes, so reopening logs no "widget model not found".
    """
    reported = nb.metadata.get("language_info", {})
    info = language_info()
    if reported.get("name") == "python" and set(info) <= set(reported):  # just executed: the kernel's own record
        info = {k: reported[k] for k in info}
    nb.metadata = nbformat.NotebookNode(kernelspec=KERNELSPEC, language_info=info)
    for cell in nb.cells:
        cell.metadata = nbformat.NotebookNode({k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA})
        cell.pop("id", None)
        if cell.cell_type == "code":
            cell.outputs = [placeholder_output() if WIDGET_VIEW in out.get("data", {}) else out
                            for out in cell.outputs]
            tag_figure_cells(cell)
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


def clean_only(path: Path) -> bool:
    """Apply the clean step to the stored notebook without executing it; return whether the file changed."""
    before = path.read_text()
    nb = nbformat.reads(before, as_version=4)
    clean(nb)
    after = nbformat.writes(nb) + "\n"
    if after != before:
        path.write_text(after)
    return after != before


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
    check, only_clean = "--check" in argv, "--clean-only" in argv
    unknown = [a for a in argv if a.startswith("-") and a not in ("--check", "--clean-only")]
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    if unknown or (check and only_clean):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    paths = [Path(a) for a in argv if not a.startswith("--")] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    failed = False
    for path in paths:
        path = path.resolve()
        if only_clean:
            print(f"{path.name}: {'cleaned' if clean_only(path) else 'already clean'}", flush=True)
        elif check:
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
