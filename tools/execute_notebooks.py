"""Re-execute notebooks in place in a fresh kernel and clean their metadata (`make notebooks`).

Usage: python tools/execute_notebooks.py [notebooks/NN_name.ipynb ...]  (default: all of notebooks/)

After this, each notebook has execution counts 1..N, the outputs CI (nbval)
expects, no stored widget state and no per-run metadata.
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


def execute(path: Path, timeout: int = 120) -> float:
    """Run one notebook top to bottom with notebooks/ as working directory; return seconds taken."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   record_timing=False).execute()
    seconds = time.perf_counter() - start
    clean(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path.name}: executed in {execute(path.resolve()):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
