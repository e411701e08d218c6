"""Bake the notebooks' live panels into frames: find each panel, choose its states, render them.

A notebook builds a panel in a code cell (``panel = SomePanel(gamma=0.1)``); this module reads
the code cells' syntax (never executes the notebook) to find the class and its literal
arguments, and the states the notebook sets from code (``panel.set(...)``, ``dict(...)`` rows,
``for`` loops over literal tuples). It then builds the same panel, sets each baked state with
``panel.set(**state)`` and keeps its PNG, its ``summary()`` and a one-sentence description.

Frames are stored as deltas: per context (a setting of the dropdowns) a base picture (the
per-pixel median of a few frames: what most states share) and per state a lossless WebP with
the pixels that differ from the base (opaque) and transparency elsewhere. The page stacks the
two; each delta is checked to rebuild the panel's PNG exactly.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import io
import itertools
import json
import math
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
from PIL import Image

from grids import DESCRIPTIONS, HINTS, MAX_STATES

CHOICE_TYPES = (widgets.Dropdown, widgets.RadioButtons, widgets.ToggleButtons, widgets.Select)


# --- finding the panels in a notebook ------------------------------------------------------------

@dataclass
class PanelSpec:
    """One panel a notebook builds: where, with which class and literal arguments, and the states it sets."""

    notebook: str
    cell: int                     # index of the code cell in nb["cells"]
    var: str                      # the variable it is assigned to
    module: str
    cls: str
    args: tuple
    kwargs: dict
    landmarks: list[dict] = field(default_factory=list)  # partial states set from code

    def build(self) -> Any:
        """The panel, built exactly as the notebook builds it."""
        return getattr(importlib.import_module(self.module), self.cls)(*self.args, **self.kwargs)


def _literal(node: ast.AST) -> Any:
    return ast.literal_eval(node)


def _kwargs(call: ast.Call) -> dict | None:
    try:
        return {k.arg: _literal(k.value) for k in call.keywords if k.arg is not None}
    except ValueError:
        return None


def find_panels(nb: dict, notebook: str) -> list[PanelSpec]:
    """The panels built in the notebook's code cells (``name = Class(literals)`` with Class from lecture_utils.widgets)."""
    from lecture_utils.widgets.core import Panel

    imports: dict[str, tuple[str, str]] = {}
    specs: list[PanelSpec] = []
    trees = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:
            continue
        trees.append(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lecture_utils.widgets"):
                for alias in node.names:
                    imports[alias.asname or alias.name] = (node.module, alias.name)
        for stmt in tree.body:
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                    and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name)
                    and stmt.value.func.id in imports):
                continue
            module, name = imports[stmt.value.func.id]
            cls = getattr(importlib.import_module(module), name)
            if not (isinstance(cls, type) and issubclass(cls, Panel)):
                continue
            try:
                args = tuple(_literal(a) for a in stmt.value.args)
            except ValueError as error:
                raise ValueError(f"{notebook} cell {index}: {name}(...) takes a non-literal argument; the site can "
                                 "only bake panels built from literal arguments") from error
            kwargs = _kwargs(stmt.value)
            if kwargs is None:
                raise ValueError(f"{notebook} cell {index}: {name}(...) takes a non-literal keyword argument")
            specs.append(PanelSpec(notebook, index, stmt.targets[0].id, module, name, args, kwargs))
    for spec in specs:
        spec.landmarks = [dict(spec.kwargs)] + [s for tree in trees for s in _states_set(tree, spec.var)]
    return specs


def _states_set(tree: ast.AST, var: str) -> list[dict]:
    """Partial states a cell sets on ``var``: literal ``var.set(...)``, ``dict(...)`` literals, loops over tuples."""
    found: list[dict] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            kwargs = _kwargs(node)
            if kwargs:
                found.append(kwargs)
        if isinstance(node, ast.For):
            try:
                rows = _literal(node.iter)
            except ValueError:
                continue
            names = ([node.target.id] if isinstance(node.target, ast.Name) else
                     [t.id for t in node.target.elts if isinstance(t, ast.Name)]
                     if isinstance(node.target, ast.Tuple) else [])
            for row in rows:
                row = row if len(names) > 1 else (row,)
                if len(row) != len(names):
                    continue
                bound = dict(zip(names, row))
                state: dict = {}
                for call in ast.walk(node):
                    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "set"
                            and isinstance(call.func.value, ast.Name) and call.func.value.id == var):
                        for k in call.keywords:
                            if isinstance(k.value, ast.Name) and k.value.id in bound:
                                state[k.arg] = bound[k.value.id]
                            else:
                                try:
                                    state[k.arg] = _literal(k.value)
                                except ValueError:
                                    pass
                if state:
                    found.append(state)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "set"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == var):
            kwargs = _kwargs(node)
            if kwargs:
                found.append(kwargs)
    return found


# --- the controls and the grid of states ---------------------------------------------------------

def control_kind(control: Any) -> str:
    """'choice' (a dropdown: sets the context), 'selection' (a slider over options) or 'slider'."""
    if isinstance(control, CHOICE_TYPES):
        return "choice"
    if isinstance(control, widgets.SelectionSlider):
        return "selection"
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
        return "slider"
    if isinstance(control, widgets.Checkbox):
        return "checkbox"
    raise TypeError(f"the site cannot bake a {type(control).__name__} control")


def options_of(control: Any) -> list:
    """The values a choice or selection control offers (labels of (label, value) pairs)."""
    if isinstance(control, widgets.Checkbox):
        return [False, True]
    return [o[0] if isinstance(o, tuple) else o for o in control.options]


def _decimals(x: float) -> int:
    return max(0, -Decimal(repr(float(x))).normalize().as_tuple().exponent)


def lattice(control: Any) -> list:
    """Every value a slider can take: min + k * step up to max."""
    low, high, step = control.min, control.max, control.step
    count = int(round((high - low) / step))
    if isinstance(control, widgets.IntSlider):
        return [int(low + k * step) for k in range(count + 1)]
    digits = max(_decimals(low), _decimals(step))
    return [round(low + k * step, digits) for k in range(count + 1)]


def snap(values: list, lattice_values: list) -> list:
    """Each value moved to the nearest lattice value."""
    return [min(lattice_values, key=lambda v: abs(v - x)) for x in values]


def hint_for(cls: str, name: str, context: str) -> Any:
    hint = HINTS.get(cls, {}).get(name)
    if isinstance(hint, dict):
        hint = hint.get(context, hint.get("*"))
    return hint


def grid_values(control: Any, hint: Any, extra: list, default: Any, generic_count: int) -> list:
    """The baked values of one control: the hint's values plus the landmarks and the default, in order."""
    kind = control_kind(control)
    if kind in ("choice", "selection", "checkbox"):
        options = options_of(control)
        chosen = options if hint in (None, "fine") else [o for o in options if o in hint]
        return [o for o in options if o in chosen or o in extra or o == default]
    full = lattice(control)
    step = control.step
    if hint == "fine":
        chosen = full
    elif isinstance(hint, int):
        chosen = [v for v in full if abs(v / (hint * step) - round(v / (hint * step))) < 1e-6] + [full[0], full[-1]]
    elif isinstance(hint, list):
        chosen = snap([v for v in hint if control.min <= v <= control.max], full)
    else:  # no hint: the ends and evenly spaced values
        picks = np.linspace(0, len(full) - 1, min(generic_count, len(full))).round().astype(int)
        chosen = [full[i] for i in picks]
    inside = [v for v in extra if isinstance(v, (int, float)) and not isinstance(v, bool)
              and control.min <= v <= control.max]
    values = set(chosen) | set(snap(inside, full)) | set(snap([default], full))
    return sorted(values)


def _label(control: Any) -> str:
    return str(control.description)


def display_value(control: Any, value: Any) -> str:
    """The value as the live widget's readout shows it."""
    if isinstance(control, widgets.FloatSlider):
        return format(value, control.readout_format)
    return str(value)


@dataclass
class Plan:
    """The baked states of one panel class (shared by every notebook panel with the same constructor)."""

    key: str
    spec: PanelSpec
    names: list[str]              # control names, choices first (the order panel.set needs)
    kinds: dict[str, str]
    contexts: list[dict]          # per context: {"choices": {...}, "specs": {name: {...}}, "count": n}
    descriptions: dict[str, str]

    @property
    def count(self) -> int:
        return sum(c["count"] for c in self.contexts)

    def states(self, context: dict) -> list[dict]:
        """The context's states in product order (the last control varies fastest)."""
        axes = [[(n, v) for v in context["specs"][n]["values"]] for n in self.names if self.kinds[n] != "choice"]
        return [dict(context["choices"], **dict(combo)) for combo in itertools.product(*axes)]


def plan_panel(spec: PanelSpec, panel: Any, extra_landmarks: list[dict]) -> Plan:
    """Choose the states of a panel: contexts from the dropdowns, per context a list of values per control."""
    controls = panel.controls
    kinds = {n: control_kind(c) for n, c in controls.items()}
    names = [n for n in controls if kinds[n] == "choice"] + [n for n in controls if kinds[n] != "choice"]
    initial = {n: controls[n].value for n in names}
    landmarks = [s for s in spec.landmarks + extra_landmarks if s and set(s) <= set(controls)]
    choice_names = [n for n in names if kinds[n] == "choice"]
    choice_lists = [grid_values(controls[n], hint_for(spec.cls, n, ""), [], initial[n], 0) for n in choice_names]
    generic = 6
    while True:
        contexts = []
        for combo in itertools.product(*choice_lists):
            choices = dict(zip(choice_names, combo))
            label = "&".join(f"{n}={v}" for n, v in choices.items())
            panel.set(**{n: initial[n] for n in names})
            panel.set(**choices)
            specs = {}
            for n in names:
                if kinds[n] == "choice":
                    continue
                c = controls[n]
                extra = [s[n] for s in landmarks if n in s and all(s.get(k, v) == v for k, v in choices.items())]
                if getattr(c, "disabled", False):
                    values = [c.value]
                else:
                    values = grid_values(c, hint_for(spec.cls, n, label), extra, c.value, generic)
                specs[n] = control_spec(c, kinds[n], values)
                specs[n]["default"] = min(values, key=lambda v: v != c.value if kinds[n] != "slider" else abs(v - c.value))
            count = math.prod(len(s["values"]) for s in specs.values())
            contexts.append({"choices": choices, "label": label, "specs": specs, "count": count})
        total = sum(c["count"] for c in contexts)
        if total <= MAX_STATES or spec.cls in HINTS or generic <= 2:
            break
        generic -= 1
    panel.set(**{n: initial[n] for n in names})
    if total > MAX_STATES:
        raise ValueError(f"{spec.cls}: {total} states, more than the cap of {MAX_STATES}: coarsen its hints in "
                         "tools/site/grids.py")
    choice_specs = {n: {"label": _label(controls[n]), "kind": kinds[n],
                        "values": choice_lists[i], "shown": [str(v) for v in choice_lists[i]],
                        "all": [str(v) for v in options_of(controls[n])]}
                    for i, n in enumerate(choice_names)}
    plan = Plan(f"{spec.module}.{spec.cls}{spec.args!r}{sorted((k, v) for k, v in spec.kwargs.items() if k not in controls)!r}",
                spec, names, kinds, contexts, {})
    plan.choice_specs = choice_specs  # type: ignore[attr-defined]
    return plan


def control_spec(control: Any, kind: str, values: list) -> dict:
    """What the player needs to draw one control in one context (the live widget's label, range and step)."""
    spec: dict[str, Any] = {"label": _label(control), "kind": kind, "values": values,
                            "shown": [display_value(control, v) for v in values],
                            "disabled": bool(getattr(control, "disabled", False))}
    if kind == "slider":
        full = lattice(control)
        spec.update(min=control.min, max=control.max, step=control.step, live_count=len(full),
                    shown_min=display_value(control, control.min), shown_max=display_value(control, control.max),
                    shown_step=display_value(control, control.step) if isinstance(control, widgets.IntSlider)
                    else repr(float(control.step)))
    else:
        spec.update(live_count=len(options_of(control)), all=[str(o) for o in options_of(control)])
    return spec


# --- rendering ------------------------------------------------------------------------------------

def panel_png(panel: Any) -> bytes:
    """The PNG of the panel's figure as last rendered."""
    live = getattr(panel, "live", None)
    if live is None:
        from lecture_utils.widgets.core import LiveFigure
        live = next(v for v in vars(panel).values() if isinstance(v, LiveFigure))
    return live.png


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def webp(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "WEBP", lossless=True, quality=10, method=1, exact=False)  # fast, still small
    return out.getvalue()


def delta(frame: np.ndarray, base: np.ndarray, check: bool = False) -> bytes:
    """A lossless RGBA WebP: the frame's pixels where they differ from the base, transparent elsewhere.

    With ``check``, decode it again and make sure base + delta is the frame, pixel for pixel.
    """
    changed = np.any(frame != base, axis=2)
    rgba = np.zeros(frame.shape[:2] + (4,), dtype=np.uint8)
    rgba[changed, :3] = frame[changed]
    rgba[changed, 3] = 255
    data = webp(rgba)
    if check and not np.array_equal(rebuild(base, data), frame):
        raise AssertionError("a delta frame does not rebuild the panel's PNG exactly")
    return data


def rebuild(base: np.ndarray, data: bytes) -> np.ndarray:
    """The frame a delta and its base show, stacked as the page stacks them."""
    over = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
    if not np.all((over[..., 3] == 255) | (over[..., 3] == 0)):
        raise AssertionError("a delta frame has partly transparent pixels")
    return np.where(over[..., 3:] == 255, over[..., :3], base)


def describe(plan: Plan, state: dict, specs: dict, summary: str) -> str:
    """One sentence: what the figure shows, at which settings, with which outcome."""
    what = DESCRIPTIONS.get(plan.spec.cls, f"The figure of {plan.spec.cls}")
    settings = []
    for n in plan.names:
        s = plan.choice_specs[n] if plan.kinds[n] == "choice" else specs[n]  # type: ignore[attr-defined]
        shown = s["shown"][s["values"].index(state[n])]
        settings.append(f"{s['label'].rstrip(':')} {shown}")
    lines = [line for line in summary.splitlines() if line.strip()]
    outcome = next((line for line in lines if line.lower().startswith(("result", "verdict"))), lines[-1] if lines else "")
    return f"{what}, at {', '.join(settings)}: {outcome.rstrip('.')}."


_PANELS: dict[str, Any] = {}


def _panel(plan: Plan) -> Any:
    if plan.key not in _PANELS:
        _PANELS[plan.key] = plan.spec.build()
    return _PANELS[plan.key]


def render_base(job: tuple[Plan, int]) -> tuple[str, int, bytes, tuple, float]:
    """The base picture of one context: the per-pixel median of up to nine of its frames."""
    plan, index = job
    started = time.process_time()
    context = plan.contexts[index]
    states = plan.states(context)
    picks = sorted(set(np.linspace(0, len(states) - 1, min(9, len(states))).round().astype(int).tolist()))
    panel = _panel(plan)
    frames = []
    for i in picks:
        panel.set(**states[i])
        frames.append(decode(panel_png(panel)))
    base = np.median(np.stack(frames), axis=0).astype(np.uint8)
    return plan.key, index, base.tobytes(), base.shape, time.process_time() - started


def render_chunk(job: tuple[Plan, int, int, int, np.ndarray]) -> tuple[str, int, int, list, float]:
    """Frames, summaries and descriptions of states start..stop of one context."""
    plan, index, start, stop, base = job
    started = time.process_time()
    context = plan.contexts[index]
    panel = _panel(plan)
    out = []
    for offset, state in enumerate(plan.states(context)[start:stop]):
        panel.set(**state)
        summary = panel.summary()
        frame = decode(panel_png(panel))
        data = delta(frame, base, check=offset % 8 == 0)  # WebP lossless is exact; checked on a sample
        out.append((data, summary, describe(plan, state, context["specs"], summary)))
    return plan.key, index, start, out, time.process_time() - started


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()[:16]


def state_fragment(state: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in state.items())


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def frames_dir_name(path: Path) -> str:
    return path.stem
