"""Project-level checks: the dependency lists agree, and every committed notebook is clean.

The notebooks' stored outputs are what nbval compares against, so they must be
executed top to bottom, free of errors and warnings, and small.
"""

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def requirement(spec: str) -> tuple[str, str]:
    """('numpy', '>=1.23.2') from 'numpy>=1.23.2' (markers and comments dropped)."""
    spec = spec.split(";")[0].split("#")[0].strip()
    name, bound = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", spec).groups()
    return name.lower().replace("_", "-"), bound.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    expected = {requirement(s) for s in project["dependencies"] + project["optional-dependencies"]["test"]
                if "python_version" not in s}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {requirement(s) for s in env["dependencies"] if isinstance(s, str) and not s.startswith(("python", "pip"))}
    pip = [item for item in env["dependencies"] if isinstance(item, dict)][0]["pip"]
    assert conda == expected
    assert "-e ." in pip
    assert ("python", ">=" + project["requires-python"].lstrip(">=")) == requirement(
        [s for s in env["dependencies"] if isinstance(s, str) and s.startswith("python")][0])


def test_no_exact_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"] + sum(project["optional-dependencies"].values(), []):
        assert "==" not in spec and "<" not in spec.split(";")[0], spec


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "01_gradient_descent_1d.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_hygiene(path):
    assert path.stat().st_size < 1_000_000, "notebook over 1 MB"
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb["metadata"], "stored widget state: run `make notebooks`"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), "not executed top to bottom"
    assert "sys.path.insert(0, \"..\")" in "".join(code[0]["source"]), "first cell must be the set-up cell"
    for cell in code:
        source = "".join(cell["source"])
        for out in cell["outputs"]:
            assert out["output_type"] != "error", source[:80]
            assert not (out.get("name") == "stderr" and "Warning" in "".join(out.get("text", ""))), source[:80]
            if "application/vnd.jupyter.widget-view+json" in out.get("data", {}):
                assert "nbval-ignore-output" in cell["metadata"].get("tags", []), f"untagged widget cell: {source[:80]}"
        assert not re.search(r"\[<matplotlib\.", json.dumps(cell["outputs"])), f"stray artist repr: {source[:80]}"


def load_tool(name: str):
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_determinism_check_joins_stream_chunks_and_spots_changes():
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    tool = load_tool("execute_notebooks")

    def notebook(*chunks):
        cell = new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text=t) for t in chunks])
        return new_notebook(cells=[cell])

    assert tool.differences(notebook("a\nb\n"), notebook("a\n", "b\n")) == []
    assert tool.differences(notebook("a\nb\n"), notebook("a\nc\n"))
    ignored = notebook("x")
    ignored.cells[0].metadata["tags"] = ["nbval-ignore-output"]
    assert tool.differences(ignored, notebook("y"))[0].startswith("0 text outputs")
    assert isinstance(nbformat.from_dict(notebook("z")), nbformat.NotebookNode)


def test_determinism_check_names_the_first_differing_line():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    tool = load_tool("execute_notebooks")

    def notebook(text):
        return new_notebook(cells=[new_code_cell("", outputs=[new_output("stream", name="stdout", text=text)])])

    stored = "gamma   steps\n0.1     62\n0.5     1\n"
    [found] = tool.differences(notebook(stored), notebook(stored.replace("62", "63")))
    assert found == "code cell 1, line 2: stored '0.1     62' != fresh '0.1     63'"
    [found] = tool.differences(notebook(stored), notebook(stored + "0.9     40\n"))
    assert found.startswith("code cell 1, line 4: the stored text ends") and "0.9     40" in found


def test_portability_environments_really_change_the_blas_kernel_and_numpy_simd_level():
    tool = load_tool("test_portable")
    import os
    envs = tool.environments()
    assert {"OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "LC_ALL", "TZ"} <= set().union(*envs.values())
    here = tool.probe(dict(os.environ))
    prescott = tool.probe({**os.environ, "OPENBLAS_CORETYPE": "Prescott"})
    assert prescott["kernel"] is not None and prescott["kernel"] != here["kernel"] or here["kernel"] in ("Prescott", "Katmai")
    two = tool.probe({**os.environ, "OPENBLAS_NUM_THREADS": "2"})
    assert two["threads"] == 2 or os.cpu_count() == 1
    for settings in envs.values():
        if "NPY_DISABLE_CPU_FEATURES" in settings:
            assert tool.probe({**os.environ, **settings})["simd"] == []


def test_oldest_constraints_pin_every_runtime_dependency_to_its_lower_bound():
    pins = load_tool("oldest_constraints").lower_bounds((ROOT / "pyproject.toml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert sorted(pins) == sorted(f"{n}=={b.lstrip('>=')}" for n, b in map(requirement, project["dependencies"]))


FORBIDDEN = {
    r"\beval\(": "eval of a string",
    r"\bexec\(": "exec of a string",
    r"\bimport (urllib|requests|http\.client|socket)\b|\bfrom (urllib|requests|http)\b": "network access",
    r"\burlretrieve\(|\burlopen\(|\bwget\b|\bcurl\b|hf_hub|load_dataset\(": "a download",
}


def test_nothing_downloads_and_nothing_is_evaluated():
    """Security basics: the package and the notebooks neither fetch anything nor eval strings."""
    sources = {p: p.read_text() for p in sorted((ROOT / "lecture_utils").rglob("*.py"))}
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        sources[path] = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    found = [f"{path.relative_to(ROOT)}: {what}" for path, text in sources.items()
             for pattern, what in FORBIDDEN.items() if re.search(pattern, text)]
    assert not found, found
    assert len(sources) > 10


def test_every_public_function_has_a_docstring_and_type_hints():
    """House rule: a one-line docstring and type hints on every public function and class."""
    import importlib
    import inspect
    import pkgutil

    import lecture_utils
    import lecture_utils.plotting
    import lecture_utils.widgets

    missing, seen = [], 0
    for package in (lecture_utils, lecture_utils.plotting, lecture_utils.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            if not module.__doc__:
                missing.append(f"{module.__name__}: module docstring")
            for name, obj in vars(module).items():
                if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                    continue
                if inspect.isclass(obj) and not obj.__doc__:
                    missing.append(f"{module.__name__}.{name}: class docstring")
                if not inspect.isfunction(obj):
                    continue
                seen += 1
                signature = inspect.signature(obj)
                params = [p for p in signature.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
                if not obj.__doc__:
                    missing.append(f"{module.__name__}.{name}: docstring")
                if signature.return_annotation is inspect.Signature.empty or any(
                        p.annotation is inspect.Parameter.empty for p in params):
                    missing.append(f"{module.__name__}.{name}: type hints")
    assert not missing, missing
    assert seen > 50
