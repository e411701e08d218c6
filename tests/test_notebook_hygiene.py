"""Committed notebooks open clean: not "modified" in JupyterLab 4, no raw widget reprs, no stale widget state.

JupyterLab writes the kernel's ``language_info`` into the notebook as soon as
the kernel starts; a stored record that differs (the old minimal one, or
none) marks the notebook modified before the student touches it. A live
panel's stored output is a widget view whose text is a raw ``VBox(...)``
repr and whose model is gone once the kernel is: tools/execute_notebooks.py
stores a short plain text instead. These tests check the clean step on a
notebook carrying everything JupyterLab and a run leave behind, and check
every committed notebook against the same rules.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "tools" / "execute_notebooks.py")
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)

# What ipykernel reports (its kernel_info reply), the record JupyterLab compares with the stored one.
KERNEL_LANGUAGE_INFO_KEYS = {"name", "version", "mimetype", "codemirror_mode", "pygments_lexer",
                             "nbconvert_exporter", "file_extension"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_output(model_id: str = "8114e28c842e4aa2b33b8ab22ce3a3cb"):
    return new_output("display_data", data={
        WIDGET_VIEW: {"model_id": model_id, "version_major": 2, "version_minor": 0},
        "text/plain": "VBox(children=(HBox(children=(VBox(children=(PanelFloatSlider(value=1.0, description='a'…"})


def as_left_by_a_run_and_jupyterlab():
    """A notebook with what nbclient, JupyterLab and ipywidgets store: ids, timing, widget views and state."""
    panel = new_code_cell("panel = Panel()\npanel.widget", execution_count=2,
                          outputs=[widget_output()], metadata={"tags": ["nbval-ignore-output"], "scrolled": True})
    printed = new_code_cell("print(panel.summary())", execution_count=3,
                            outputs=[new_output("stream", name="stdout", text="w = 1.5\n")],
                            metadata={"execution": {"iopub.status.busy": "2026-12-02T12:00:00Z"}, "collapsed": False})
    nb = new_notebook(cells=[new_markdown_cell("# Title", metadata={"editable": False}),
                             new_code_cell("import numpy as np", execution_count=1), panel, printed])
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python", "version": "3.11.7", "mimetype": "text/x-python",
                                     "codemirror_mode": {"name": "ipython", "version": 3},
                                     "pygments_lexer": "ipython3", "nbconvert_exporter": "python",
                                     "file_extension": ".py"},
                   "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}},
                   "toc-autonumbering": True}
    return nb


def test_clean_replaces_each_widget_view_by_the_placeholder_and_keeps_other_outputs():
    nb = as_left_by_a_run_and_jupyterlab()
    tool.clean(nb)
    panel, printed = nb.cells[2], nb.cells[3]
    assert panel.outputs == [tool.placeholder_output()]
    assert panel.outputs[0]["data"] == {"text/plain": "Live panel: run the notebook's cells in order to show the sliders."}
    assert printed.outputs[0]["text"] == "w = 1.5\n"
    assert "widgets" not in nb.metadata and "toc-autonumbering" not in nb.metadata
    assert [c.metadata for c in nb.cells] == [{}, {}, {"tags": ["nbval-ignore-output"]}, {}]
    assert all("id" not in c for c in nb.cells) and (nb.nbformat, nb.nbformat_minor) == (4, 4)
    nbformat.validate(nb)


def test_clean_keeps_the_language_info_the_kernel_reported():
    nb = as_left_by_a_run_and_jupyterlab()
    nb.metadata["language_info"]["version"] = "3.12.1"  # the kernel that just ran it
    tool.clean(nb)
    assert nb.metadata["language_info"]["version"] == "3.12.1"
    assert set(nb.metadata["language_info"]) == KERNEL_LANGUAGE_INFO_KEYS
    assert nb.metadata["kernelspec"] == tool.KERNELSPEC


def test_clean_fills_in_the_full_language_info_when_only_the_old_minimal_one_is_stored():
    nb = as_left_by_a_run_and_jupyterlab()
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}  # what the old clean step kept
    tool.clean(nb)
    assert set(nb.metadata["language_info"]) == KERNEL_LANGUAGE_INFO_KEYS
    from ipykernel.ipkernel import IPythonKernel
    assert nb.metadata["language_info"] == IPythonKernel.language_info  # exactly what this kernel will report


def test_clean_only_writes_once_and_then_finds_nothing_to_do(tmp_path):
    path = tmp_path / "01_x.ipynb"
    nbformat.write(as_left_by_a_run_and_jupyterlab(), path)
    assert tool.clean_only(path) is True
    text = path.read_text()
    assert WIDGET_VIEW not in text and "VBox(" not in text and tool.PANEL_PLACEHOLDER in text
    assert tool.clean_only(path) is False and path.read_text() == text
    assert tool.main(["--clean-only", str(path)]) == 0
    assert tool.main(["--bogus"]) == 2


# --- every committed notebook ------------------------------------------------------------------

@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def stored(request):
    return request.param, json.loads(request.param.read_text())


def test_committed_notebook_is_what_the_clean_step_leaves(stored):
    path, raw = stored
    nb = nbformat.reads(json.dumps(raw), as_version=4)
    tool.clean(nb)
    assert raw == json.loads(nbformat.writes(nb)), (
        f"{path.name} is not clean: run `.venv/bin/python tools/execute_notebooks.py --clean-only {path.name}` "
        "(or re-execute it)")


def test_committed_notebook_opens_unmodified_in_jupyterlab(stored):
    path, raw = stored
    assert set(raw["metadata"]) == {"kernelspec", "language_info"}, "no widget state or other per-run metadata"
    assert set(raw["metadata"]["language_info"]) == KERNEL_LANGUAGE_INFO_KEYS, (
        "JupyterLab rewrites an incomplete language_info when the kernel starts, marking the notebook modified")
    assert raw["metadata"]["kernelspec"] == tool.KERNELSPEC
    assert (raw["nbformat"], raw["nbformat_minor"]) == (4, 4)
    for cell in raw["cells"]:
        assert set(cell["metadata"]) <= {"tags"} and "id" not in cell


def test_committed_notebook_stores_no_widget_and_each_panel_cell_is_ignored_by_nbval(stored):
    path, raw = stored
    code = [c for c in raw["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: not executed top to bottom in a fresh kernel"
    placeholders = 0
    for number, cell in enumerate(code, start=1):
        for out in cell["outputs"]:
            data = out.get("data", {})
            assert WIDGET_VIEW not in data, f"{path.name}, code cell {number}: a stored widget view"
            text = "".join(data.get("text/plain", ""))
            assert not text.startswith(("VBox(", "HBox(")), f"{path.name}, code cell {number}: a raw widget repr"
            if text == tool.PANEL_PLACEHOLDER:
                placeholders += 1
                # nbval compares stored with fresh outputs except in cells tagged so; a fresh run shows the widget
                assert "nbval-ignore-output" in cell["metadata"].get("tags", []), (path.name, number)
    if "widgets" in "".join("".join(c["source"]) for c in code):
        assert placeholders >= 1, f"{path.name} builds a live panel but stores no placeholder for it"


def figure_outputs(description: bool = True, printed: str = ""):
    image = new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 900x500 with 1 Axes>"},
                       metadata={"image/png": {"alt": "A curve."}})
    outputs = [new_output("stream", name="stdout", text=printed)] if printed else []
    outputs.append(image)
    if description:
        outputs.append(new_output("display_data", data={
            "text/html": "<details><summary>Text description of the figure above</summary><p>…</p></details>",
            "text/plain": tool.DESCRIPTION_PREFIX + "a curve from 1 to 0.278."}))
    return outputs


@pytest.mark.parametrize("description,printed,ignored", [
    (True, "", True),              # only a figure and its description: the description's digits are not results
    (False, "", False),            # a figure without description: nothing to compare but the repr, keep as is
    (True, "cost = 0.5\n", False),  # the cell prints a result as well: nbval keeps checking it
])
def test_a_cell_that_only_draws_a_described_figure_is_not_compared(description, printed, ignored):
    nb = new_notebook(cells=[new_code_cell("draw()", execution_count=1, outputs=figure_outputs(description, printed))])
    tool.clean(nb)
    tool.clean(nb)  # twice: the tag is added once
    assert nb.cells[0].metadata.get("tags", []) == (["nbval-ignore-output"] if ignored else [])


@pytest.mark.parametrize("stored", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_figure_cells_with_a_description_are_tagged(stored):
    nb = nbformat.read(stored, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.outputs and all(tool.is_figure_output(o) for o in cell.outputs) \
                and any(tool.DESCRIPTION_PREFIX in "".join(o.get("data", {}).get("text/plain", "")) for o in cell.outputs):
            assert "nbval-ignore-output" in cell.metadata.get("tags", []), f"{stored.name} cell {index}"


def test_the_site_finds_each_panel_by_the_note_the_clean_step_stores():
    """tools/site/convert.py puts a baked player where the clean step left PANEL_PLACEHOLDER."""
    spec = importlib.util.spec_from_file_location("site_convert", ROOT / "tools" / "site" / "convert.py")
    convert = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(convert)
    assert convert.PANEL_PLACEHOLDER == tool.PANEL_PLACEHOLDER
    assert convert.is_panel_output(tool.placeholder_output()["data"])
    assert not convert.is_panel_output({"text/plain": "<Figure size 900x500 with 1 Axes>"})
