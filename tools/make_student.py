"""Write the student copies: student/NN_topic.ipynb for every notebooks/NN_topic.ipynb (`make student`).

Usage: python tools/make_student.py [-h] [--check] [--out DIR] [notebooks/NN_name.ipynb ...]

A student copy is the notebook with
* every code cell tagged ``solution`` replaced by a stub: imports kept, each
  ``def`` keeps its signature and docstring and its body becomes
  ``raise NotImplementedError("<id>: <a one-line nudge>")``, each top-level
  assignment ``name = <expr>`` becomes ``name = ...``; anything else in the
  cell is dropped (one ``# your code here`` line marks the place);
* every markdown cell tagged ``solution`` (a worked solution) replaced by a
  one-line note that the worked solution is in the instructor's copy;
* all outputs and execution counts cleared;
* everything else identical (tags included).

The exercise id of a solution cell is read from the ``check("NN-name", ...)``
call in that cell or in the next code cell (docs/exercises_plan.md has the
conventions). A copy that a student has run or edited is never overwritten:
it is renamed NN_topic.mine.ipynb first. With --check nothing is written: the
exit code is 1 when a student copy is missing or differs from what would be
generated.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from pathlib import Path
from typing import Optional

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_TAG = "solution"
ID_PATTERN = re.compile(r"""(?:check|answer_or_reference)\(\s*(?:[\w.]+\s*,\s*)?['"](\d\d-[A-Za-z0-9-]+)['"]""")
WORKED_SOLUTION_NOTE = "*The worked solution is in the instructor's copy (notebooks/ in the course repository).*"
STUB_MARK = "# your code here"


def _nudge(exercise_id: Optional[str]) -> str:
    """The first sentence of the exercise's level-1 hint, for the stub's NotImplementedError."""
    if exercise_id is None:
        return "write your code here"
    sys.path.insert(0, str(ROOT))
    try:
        from lecture_utils import exercises
        text = exercises.hint(exercise_id, 1)
    except (ImportError, ValueError):
        return f"{exercise_id}: write your code here"
    first = re.split(r"(?<=[.;:])\s", text, maxsplit=1)[0].rstrip(".;:")
    return f"{exercise_id}: {first}".replace('"', "'").replace("\\", "/")


def _header_lines(node: ast.AST, lines: list[str]) -> list[str]:
    """The source lines of a def/class up to (and including) its docstring, or None for a one-line def."""
    start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    first = node.body[0]
    if first.lineno == node.lineno:  # `def f(x): return x` on one line: rebuild the header
        bare = copy.deepcopy(node)
        bare.body = [ast.Pass()]
        return ast.unparse(bare).splitlines()[:-1]
    is_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
        and isinstance(first.value.value, str)
    return lines[start - 1:(first.end_lineno if is_doc else first.lineno - 1)]


def _stub_statements(body: list[ast.stmt], lines: list[str], source: str, nudge: str, top: bool) -> list[str]:
    out: list[str] = []
    dropped = False
    previous_end = None
    for node in body:
        indent = " " * node.col_offset
        start = node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno
        if previous_end is not None and out:
            blanks = sum(1 for line in lines[previous_end:start - 1] if not line.strip())
            out += [""] * min(blanks, 2)
        previous_end = node.end_lineno
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out += lines[node.lineno - 1:node.end_lineno]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out += _header_lines(node, lines)
            raise_line = f'raise NotImplementedError("{nudge}")'
            out.append(" " * node.body[0].col_offset + raise_line if node.body[0].lineno != node.lineno
                       else indent + "    " + raise_line)
        elif isinstance(node, ast.ClassDef):
            out += _header_lines(node, lines)
            first = node.body[0]
            is_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant)
            rest = node.body[1:] if is_doc else node.body
            inner = _stub_statements(rest, lines, source, nudge, top=False)
            out += inner or [" " * first.col_offset + "pass"]
        elif top and isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            texts = []
            for target in targets:
                text = ast.get_source_segment(source, target)
                if isinstance(target, ast.Tuple | ast.List):
                    text = "(" + text.strip("()[]") + ")"
                texts.append(text)
            annotation = (f": {ast.get_source_segment(source, node.annotation)}"
                          if isinstance(node, ast.AnnAssign) else "")
            count = len(targets[0].elts) if isinstance(targets[0], ast.Tuple | ast.List) else 1
            value = "..." if count == 1 else "(" + ", ".join(["..."] * count) + ")"
            out.append(indent + " = ".join(texts) + annotation + f" = {value}  # your answer")
        elif not dropped:
            out.append(indent + STUB_MARK)
            dropped = True
    return out


def stub_source(source: str, exercise_id: Optional[str] = None) -> str:
    """The stub of a solution cell's code: signatures and names kept, every answer replaced (module doc)."""
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics or a half-written cell: keep the leading comments, drop the rest
        tree = ast.Module(body=[], type_ignores=[])
    nudge = _nudge(exercise_id)
    leading = []
    for line in lines:  # comment lines before the first statement stay (the task, in a comment)
        if line.strip() and not line.lstrip().startswith("#"):
            break
        leading.append(line)
    stub = leading + (_stub_statements(tree.body, lines, source, nudge, top=True) if tree.body else [STUB_MARK])
    return "\n".join(stub).rstrip("\n") or STUB_MARK


def exercise_id_near(cells: list, index: int) -> Optional[str]:
    """The exercise id in the check call of cell ``index`` or of the next code cell, if any."""
    for cell in cells[index:]:
        if cell.cell_type != "code":
            continue
        found = ID_PATTERN.search(cell.source)
        if found:
            return found.group(1)
        if cell is not cells[index]:
            return None
    return None


def student_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student version of a notebook (see the module docstring)."""
    out = copy.deepcopy(nb)
    for index, cell in enumerate(out.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if SOLUTION_TAG in tags:
                cell.source = stub_source(cell.source, exercise_id_near(out.cells, index))
        elif SOLUTION_TAG in tags:
            cell.source = WORKED_SOLUTION_NOTE
    return out


def student_path(path: Path, out_dir: Path) -> Path:
    """Where the student copy of ``path`` goes."""
    return out_dir / path.name


def has_student_work(path: Path, fresh: nbformat.NotebookNode) -> bool:
    """True when the copy at ``path`` was run or edited (outputs, or a solution cell that is no longer the stub)."""
    try:
        old = nbformat.read(path, as_version=4)
    except Exception:  # not a notebook any more: keep it, to be safe
        return True
    if any(c.get("outputs") or c.get("execution_count") for c in old.cells if c.cell_type == "code"):
        return True
    stubs = [c.source for c in fresh.cells if SOLUTION_TAG in c.get("metadata", {}).get("tags", [])]
    mine = [c.source for c in old.cells if SOLUTION_TAG in c.get("metadata", {}).get("tags", [])]
    return mine != stubs and len(mine) == len(stubs)


def backup_path(target: Path) -> Path:
    """A free name NN_topic.mine.ipynb, NN_topic.mine-2.ipynb, ... beside ``target``."""
    candidate, n = target.with_suffix(".mine.ipynb"), 2
    while candidate.exists():
        candidate, n = target.with_name(f"{target.stem}.mine-{n}.ipynb"), n + 1
    return candidate


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """The command line: --check, --out DIR and the notebooks (default: every notebooks/NN_*.ipynb)."""
    parser = argparse.ArgumentParser(
        prog="make_student.py",
        description="Write the student copies: student/NN_topic.ipynb for every notebooks/NN_topic.ipynb, "
                    "each solution cell replaced by a stub and all outputs cleared (`make student`).")
    parser.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="notebooks to copy (default: every notebooks/NN_*.ipynb)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a student copy is missing or out of date")
    parser.add_argument("--out", type=Path, default=ROOT / "student", metavar="DIR",
                        help="where the copies go (default: student/)")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"{path} is not a notebook file (expected notebooks/NN_topic.ipynb)")
    return args


def main(argv: list[str]) -> int:
    """Write (or with --check compare) the student copies; return the exit code."""
    args = parse_arguments(argv)
    check, out_dir = args.check, args.out
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    failures = 0
    for path in paths:
        fresh = student_copy(nbformat.read(path, as_version=4))
        text = nbformat.writes(fresh) + "\n"
        target = student_path(path, out_dir)
        if check:
            if not target.exists() or target.read_text() != text:
                print(f"{target}: out of date; run `make student`")
                failures += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and target.read_text() != text and has_student_work(target, fresh):
            kept = backup_path(target)
            target.rename(kept)  # never overwrite a student's answers
            print(f"kept your work in {kept.name}")
        target.write_text(text)
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
