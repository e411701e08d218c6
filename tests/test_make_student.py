"""tools/make_student.py: solution cells become stubs, outputs are cleared, the student copy runs to the end.

A small synthetic notebook (tagged like the course notebooks) is turned into
its student copy and executed with nbclient: every check must then report
"not yet" and the cells after it must go on with the reference solution.
The real notebooks get the same treatment once they hold solution cells,
and committed student copies must match what `make student` would write.

Every notebook here runs in ONE kernel (``kernel`` fixture), its namespace
reset before each notebook (``%reset -f``), so a name left by another
notebook cannot hide a NameError. The real student copies run with
matplotlib's Agg backend: every figure is built (so plotting code that a stub
breaks still raises) but not encoded as a PNG; nbval draws the same figures
from the instructor copies.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # jupyter_client's, under pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


def tagged(cell, *tags):
    cell.metadata["tags"] = list(tags)
    return cell


BACKWARD_SOLUTION = '''\
# Write the vectorised backward pass (section 5's table).
import numpy as np
from lecture_utils.activations import get_activation


def my_backward(X, Y, Theta, beta, activation):
    """(L, dL/dTheta, dL/dbeta) of the summed squared error; X (n, p), Theta (m, p), beta (m,)."""
    g = get_activation(activation)
    P = X @ Theta.T
    A = g.g(P)
    Y_hat = A @ beta
    dL_dYhat = -2 * (Y - Y_hat)
    dL_dP = np.outer(dL_dYhat, beta) * g.g_prime(A)
    return float(np.sum((Y - Y_hat) ** 2)), dL_dP.T @ X, A.T @ dL_dYhat'''


def synthetic_notebook():
    cells = [
        new_code_cell("from lecture_utils import exercises\nimport numpy as np",
                      outputs=[new_output("stream", name="stdout", text="stale\n")], execution_count=1),
        tagged(new_markdown_cell("**Exercise.** Predict $w_1$ from $w_0 = 23$ with $\\gamma = 0.75$."), "exercise"),
        tagged(new_code_cell("w1 = 23 - 0.75 * 2 * (23 - 6)  # w0 - gamma f'(w0)"), "solution"),
        tagged(new_code_cell('exercises.check("01-first-step", w1)'), "exercise"),
        tagged(new_markdown_cell("**Exercise.** Write the backward pass."), "exercise"),
        tagged(new_code_cell(BACKWARD_SOLUTION), "solution"),
        tagged(new_code_cell('exercises.check("03-backward", my_backward)'), "exercise"),
        tagged(new_markdown_cell("*Worked solution:* dL/dY_hat = -2 (Y - Y_hat), then ..."), "solution"),
        new_code_cell('backward = exercises.answer_or_reference(my_backward, "03-backward")\n'
                      'w = exercises.answer_or_reference(w1, "01-first-step")\n'
                      'rng = np.random.default_rng(0)\n'
                      'L, dT, db = backward(rng.standard_normal((4, 2)), rng.standard_normal(4), '
                      'rng.standard_normal((3, 2)), rng.standard_normal(3), "tanh")\n'
                      'print("w1 =", w, " dTheta shape:", dT.shape)'),
    ]
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})


FRESH_NAMESPACE = "%reset -f\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt"
FIGURES_NOT_RENDERED = """\
import matplotlib
matplotlib.use("agg")  # figures are built, not encoded as PNG (nbval renders them from the instructor copy)
import matplotlib.pyplot as plt
get_ipython().events.register("post_run_cell", lambda result: plt.close("all"))  # as the inline backend does
"""


@pytest.fixture(scope="module")
def kernel():
    """One kernel for every notebook of this module, started in notebooks/ (where the course's notebooks run)."""
    client = NotebookClient(new_notebook(), timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    with client.setup_kernel():
        yield client


def run_code(client: NotebookClient, code: str):
    """Run ``code`` in the kernel as a cell of its own; return that cell (with its outputs)."""
    cell = new_code_cell(code)
    client.nb = new_notebook(cells=[cell])
    client.execute_cell(cell, 0)  # raises CellExecutionError on a traceback
    return cell


def execute(nb, client: NotebookClient, preamble: str = ""):
    """Run every code cell of ``nb`` top to bottom in ``client``'s kernel, with a fresh namespace; return nb."""
    run_code(client, FRESH_NAMESPACE + ("\n" + preamble if preamble else ""))
    client.nb = nb
    client.reset_execution_trackers()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            client.execute_cell(cell, index)  # raises CellExecutionError on the first traceback
    return nb


def text_of(cell) -> str:
    parts = []
    for out in cell.outputs:
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


# --- stubs ---------------------------------------------------------------------------------------

def test_a_def_keeps_its_signature_and_docstring_and_raises_not_implemented():
    stub = tool.stub_source(BACKWARD_SOLUTION, "03-backward")
    tree = ast.parse(stub)
    [fn] = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert [a.arg for a in fn.args.args] == ["X", "Y", "Theta", "beta", "activation"]
    assert ast.get_docstring(fn).startswith("(L, dL/dTheta, dL/dbeta)")
    assert isinstance(fn.body[-1], ast.Raise) and "NotImplementedError" in ast.unparse(fn.body[-1])
    assert "03-backward:" in stub and "outer" not in stub and "g_prime" not in stub
    assert stub.startswith("# Write the vectorised backward pass") and "import numpy as np" in stub
    namespace = {}
    exec(compile(stub, "stub", "exec"), namespace)  # the stub runs; calling it raises
    with pytest.raises(NotImplementedError, match="03-backward"):
        namespace["my_backward"](1, 2, 3, 4, "tanh")


def test_assignments_become_ellipsis_and_other_statements_are_dropped():
    stub = tool.stub_source("w1 = 23 - 0.75 * 34\na, b = 1, 2\nshape: tuple = (8, 2)\nprint(w1)\nfor i in range(3):\n"
                            "    w1 += i\n")
    namespace = {}
    exec(compile(stub, "stub", "exec"), namespace)
    assert namespace["w1"] is Ellipsis and namespace["a"] is Ellipsis and namespace["shape"] is Ellipsis
    assert "34" not in stub and "print" not in stub and tool.STUB_MARK in stub


def test_one_line_defs_classes_and_decorators_are_stubbed_too():
    source = ("import functools\n\n@functools.lru_cache\ndef f(x, y=2): return x * y\n\n"
              "class Rule:\n    \"\"\"A schedule.\"\"\"\n    def __call__(self, k):\n        return 0.9 ** k\n")
    stub = tool.stub_source(source, None)
    namespace = {}
    exec(compile(stub, "stub", "exec"), namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](1)
    with pytest.raises(NotImplementedError):
        namespace["Rule"]()(3)
    assert "0.9" not in stub and "x * y" not in stub and '"""A schedule."""' in stub


def test_a_cell_python_cannot_parse_becomes_a_placeholder():
    stub = tool.stub_source("# Plot your answer\n%matplotlib inline\nx = 1", "01-first-step")
    assert stub == "# Plot your answer\n" + tool.STUB_MARK


def test_the_exercise_id_is_read_from_the_check_call():
    nb = synthetic_notebook()
    assert tool.exercise_id_near(nb.cells, 2) == "01-first-step"
    assert tool.exercise_id_near(nb.cells, 5) == "03-backward"
    assert tool.exercise_id_near(nb.cells, 0) is None


# --- the student copy of a synthetic notebook ----------------------------------------------------

def test_student_copy_clears_outputs_and_changes_only_solution_cells():
    nb = synthetic_notebook()
    student = tool.student_copy(nb)
    assert len(student.cells) == len(nb.cells)
    for original, copy in zip(nb.cells, student.cells):
        assert copy.metadata == original.metadata
        if copy.cell_type == "code":
            assert copy.outputs == [] and copy.execution_count is None
        if "solution" not in original.metadata.get("tags", []):
            assert copy.source == original.source
    assert student.cells[2].source.startswith("w1 = ...")
    assert student.cells[7].source == tool.WORKED_SOLUTION_NOTE
    assert nb.cells[0].outputs, "the original must not be changed"


@pytest.mark.slow
def test_student_copy_runs_to_the_end_with_every_check_not_yet(kernel):
    student = execute(tool.student_copy(synthetic_notebook()), kernel)
    checks = [c for c in student.cells if c.cell_type == "code" and "exercises.check(" in c.source]
    assert len(checks) == 2
    for cell in checks:
        assert "not yet" in text_of(cell) and "✓" not in text_of(cell)
        assert "○" in cell.outputs[0]["data"]["text/html"]
    last = text_of(student.cells[-1])
    assert "03-backward: your answer is not written yet" in last and "reference solution" in last
    assert "w1 = -2.5  dTheta shape: (3, 2)" in last


@pytest.mark.slow
def test_instructor_copy_passes_every_check(kernel):
    nb = execute(synthetic_notebook(), kernel)
    for cell in nb.cells:
        if cell.cell_type == "code" and "exercises.check(" in cell.source:
            assert "passed" in text_of(cell), text_of(cell)
    assert "reference" not in text_of(nb.cells[-1])


@pytest.mark.slow
def test_the_namespace_is_fresh_for_each_notebook(kernel):
    run_code(kernel, "left_over = 1")
    nb = new_notebook(cells=[new_code_cell("print('left_over' in dir())")])
    assert text_of(execute(nb, kernel).cells[0]) == "False\n"


@pytest.mark.slow
def test_an_endless_loop_in_a_code_answer_becomes_feedback_in_a_kernel(kernel):
    """The time limit works in a Jupyter kernel (the answer runs in a thread the kernel's cell waits for)."""
    cells = [new_code_cell("from lecture_utils import exercises, _exercise_core\n"
                           "_exercise_core.TIME_LIMIT = 0.5\n"
                           "def my_backward(X, Y, Theta, beta, activation):\n"
                           "    L = 0.0\n    while L >= 0:  # never ends\n        L += 1.0\n"),
             new_code_cell('exercises.check("03-backward", my_backward)'),
             new_code_cell("import threading\nimport time\ntime.sleep(0.2)\n"
                           "print([t.name for t in threading.enumerate() if t.name == 'exercise-answer'])")]
    nb = execute(new_notebook(cells=cells), kernel)
    assert "did not return within 0.5 s" in text_of(nb.cells[1]) and "✗" in text_of(nb.cells[1])
    assert text_of(nb.cells[2]) == "[]\n", "the endless loop still runs in the kernel"


def test_the_command_line_writes_and_checks(tmp_path):
    source = tmp_path / "notebooks"
    source.mkdir()
    notebook = source / "01_synthetic.ipynb"
    nbformat.write(synthetic_notebook(), notebook)
    out = tmp_path / "student"
    run = [sys.executable, str(ROOT / "tools" / "make_student.py")]
    assert subprocess.run(run + ["--check", "--out", str(out), str(notebook)],
                          capture_output=True).returncode == 1  # nothing written yet
    subprocess.run(run + ["--out", str(out), str(notebook)], check=True, capture_output=True)
    written = nbformat.read(out / "01_synthetic.ipynb", as_version=4)
    assert all(c.get("outputs", []) == [] for c in written.cells)
    assert tool.main(["--check", "--out", str(out), str(notebook)]) == 0  # the same main(), in this process


def test_help_and_bad_arguments_are_answered_not_treated_as_paths(capsys, tmp_path):
    with pytest.raises(SystemExit) as done:
        tool.main(["--help"])
    assert done.value.code == 0
    usage = capsys.readouterr().out
    assert usage.startswith("usage: make_student.py") and "--check" in usage and "--out DIR" in usage
    for bad in (["--bogus"], [str(tmp_path / "missing.ipynb")], ["--out"]):
        with pytest.raises(SystemExit) as done:
            tool.main(bad)
        assert done.value.code == 2, bad
        assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "--help").exists() and not (ROOT / "student" / "--help").exists()


def test_a_copy_with_student_work_is_kept_not_overwritten(tmp_path):
    source = tmp_path / "01_synthetic.ipynb"
    nbformat.write(synthetic_notebook(), source)
    out = tmp_path / "student"
    assert tool.main(["--out", str(out), str(source)]) == 0
    copy = nbformat.read(out / source.name, as_version=4)
    copy.cells[2].source = "w1 = -2.5  # my answer"
    nbformat.write(copy, out / source.name)
    assert tool.main(["--out", str(out), str(source)]) == 0  # unchanged notebook, but the copy was edited
    kept = nbformat.read(out / "01_synthetic.mine.ipynb", as_version=4)
    assert kept.cells[2].source == "w1 = -2.5  # my answer"
    assert nbformat.read(out / source.name, as_version=4).cells[2].source.startswith("w1 = ...")
    assert tool.main(["--out", str(out), str(source)]) == 0  # a pristine copy is simply rewritten
    assert not (out / "01_synthetic.mine-2.ipynb").exists()


# --- the real notebooks ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_student_copies_are_in_sync(path):
    target = ROOT / "student" / path.name
    if not target.exists():
        pytest.skip("no student copy committed (run `make student`)")
    expected = nbformat.writes(tool.student_copy(nbformat.read(path, as_version=4))) + "\n"
    assert target.read_text() == expected, f"{target.name} is out of date: run `make student`"


def has_solutions(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    return any("solution" in c.metadata.get("tags", []) for c in nb.cells)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_copy_of_each_notebook_runs_to_the_end(path, kernel):
    if not has_solutions(path):
        pytest.skip("no solution cells yet")
    student = tool.student_copy(nbformat.read(path, as_version=4))
    execute(student, kernel, FIGURES_NOT_RENDERED)  # raises CellExecutionError on the first traceback
    for cell in student.cells:
        if cell.cell_type == "code" and "exercises.check(" in cell.source:
            assert "not yet" in text_of(cell), (path.name, cell.source, text_of(cell))
