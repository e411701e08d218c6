"""Computation graphs drawn with matplotlib only (no graphviz binary): notebook 04.

A graph is a list of ``GraphNode`` boxes (a title such as ``u = b·c``, a value
line and a gradient line) and ``GraphEdge`` arrows labelled with their local
derivative. ``graph_from_value`` builds one from an ``autodiff.Value``
expression; the network's forward and backward graphs of the lecture are
built from explicit node and edge lists (``network_forward_graph`` and
``network_backward_graph``). ``draw_graph`` lays it out left to right (the
forward pass) or mirrored right to left (the backward pass) and returns its
artists, so a live panel can change texts and highlights in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Optional, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.text import Text
from matplotlib.textpath import TextPath
from matplotlib.transforms import ScaledTranslation

from .autodiff import Value, backward_steps, topological_order
from .plotting.style import COLORS

DIRECTIONS = ("forward", "backward")


@dataclass
class GraphNode:
    """One box: ``title`` on top, then ``value`` and ``grad`` lines (either may be empty), centred at (x, y)."""

    key: str
    title: str
    value: str = ""
    grad: str = ""
    x: float = 0.0
    y: float = 0.0
    kind: str = "intermediate"  # "input" (a leaf), "intermediate" or "output": only changes the fill colour


@dataclass
class GraphEdge:
    """An arrow ``source -> target`` labelled with its local derivative (or, backwards, its chain-rule factor)."""

    source: str
    target: str
    label: str = ""


@dataclass
class ComputationGraph:
    """Nodes and edges with positions; ``title`` goes above the drawing."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    title: str = ""
    keys: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.keys = {}
        for i, node in enumerate(self.nodes):
            if not isinstance(node, GraphNode):
                raise TypeError(f"nodes must hold GraphNode objects, got {type(node).__name__}")
            if node.key in self.keys:
                raise ValueError(f"nodes has the key {node.key!r} twice")
            self.keys[node.key] = i
        for edge in self.edges:
            if not isinstance(edge, GraphEdge):
                raise TypeError(f"edges must hold GraphEdge objects, got {type(edge).__name__}")
            for end in (edge.source, edge.target):
                if end not in self.keys:
                    raise ValueError(f"edges refers to the unknown node {end!r}; nodes are {list(self.keys)}")

    def node(self, key: str) -> GraphNode:
        """The node called ``key``."""
        if key not in self.keys:
            raise KeyError(f"key {key!r} is not a node; nodes are {list(self.keys)}")
        return self.nodes[self.keys[key]]

    def edge_index(self, source: str, target: str, occurrence: int = 0) -> int:
        """Index of edge ``source -> target`` (the ``occurrence``-th one if there are several, as in a + a)."""
        found = [i for i, edge in enumerate(self.edges) if edge.source == source and edge.target == target]
        if occurrence >= len(found):
            raise KeyError(f"there is no edge {source!r} -> {target!r} number {occurrence}")
        return found[occurrence]


# --- text of numbers ---------------------------------------------------------------------------------------
def format_number(x: Any, digits: int = 3, column: bool = False) -> str:
    """A number rounded for a box: scalars as ``1.5``, vectors as ``(1.5, -2)`` (one entry per line if
    ``column``), matrices one row per line."""
    array = np.asarray(x, dtype=float)

    def one(v: float) -> str:
        text = f"{v:.{digits}g}" if abs(v) < 10 ** (digits + 1) else f"{v:.{digits - 1}e}"
        return "0" if text in ("-0", "0") else text.replace("-", "−")

    if array.ndim == 0:
        return one(float(array))
    if array.ndim == 1:
        if column:
            return "\n".join(one(v) for v in array)
        return "(" + ", ".join(one(v) for v in array) + ")"
    if array.ndim == 2:
        return "\n".join("[" + ", ".join(one(v) for v in row) + "]" for row in array)
    raise ValueError(f"x must have at most 2 dimensions, got shape {array.shape}")


# --- from an autodiff expression ---------------------------------------------------------------------------
def is_constant(value: Value) -> bool:
    """An unnamed leaf: a plain number that entered an operation (drawn inside the formula, not as a box)."""
    return value.is_leaf and not value.name


SUPERSCRIPTS = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")


def _power(base: str, exponent: float) -> str:
    """``x²``, ``y⁻¹``: a power written with superscript characters."""
    return base + f"{exponent:g}".translate(SUPERSCRIPTS)


def _operand(value: Value) -> str:
    return format_number(value.data) if is_constant(value) else value.name


def _formula(node: Value) -> str:
    """``b·c``, ``a + u``, ``3·v``, ``exp(x)``... from the node's operation and its parents' names."""
    names = [_operand(p) for p in node.parents]
    op = node.op
    if op == "+":
        return f"{names[0]} + {names[1]}"
    if op == "-":
        return f"{names[0]} − {names[1]}"
    if op == "*":
        if is_constant(node.parents[0]) or not is_constant(node.parents[1]):
            return f"{names[0]}·{names[1]}"
        return f"{names[1]}·{names[0]}"  # number first: 3·v
    if op.startswith("**"):
        return _power(names[0], float(op[2:]))
    return f"{op}({names[0]})"


def _local_formula(node: Value, index: int) -> str:
    """The symbolic local derivative of ``node`` with respect to its parent number ``index``."""
    op, parents = node.op, node.parents
    x = _operand(parents[index])
    if op == "+":
        return "1"
    if op == "-":
        return "1" if index == 0 else "−1"
    if op == "*":
        return _operand(parents[1 - index])
    if op.startswith("**"):
        n = float(op[2:])
        return f"2·{x}" if n == 2 else f"{n:g}·{_power(x, n - 1)}".replace("-", "−")
    return {"exp": node.name, "log": f"1/{x}", "tanh": f"1 − {node.name}²", "sigmoid": f"{node.name}(1 − {node.name})",
            "relu": f"[{x} > 0]"}.get(op, "?")


def edge_label(node: Value, index: int, digits: int = 3, backward: bool = False) -> str:
    """``∂u/∂b = c = 3``: the local derivative on the edge from parent ``index`` into ``node``, with its value;
    ``backward=True`` gives the chain-rule factor ``× c = 3`` instead."""
    parent = node.parents[index]
    symbol = _local_formula(node, index)
    number = format_number(node.local_grads[index], digits)
    head = "×" if backward else f"∂{node.name}/∂{parent.name} ="
    return f"{head} {number}" if symbol == number else f"{head} {symbol} = {number}"


def layout(graph: ComputationGraph, x_gap: float = 1.0, y_gap: float = 1.0) -> ComputationGraph:
    """Place nodes left to right by depth (longest path from an input); inputs top to bottom in list order,
    every other node near the mean height of its parents (a column is spread out if two would collide)."""
    parents: dict[str, list[str]] = {node.key: [] for node in graph.nodes}
    for edge in graph.edges:
        parents[edge.target].append(edge.source)
    depth: dict[str, int] = {}
    pending = [node.key for node in graph.nodes]
    for _ in range(len(pending) + 1):
        for key in pending:
            if all(p in depth for p in parents[key]):
                depth[key] = 1 + max((depth[p] for p in parents[key]), default=-1)
        pending = [k for k in pending if k not in depth]
        if not pending:
            break
    if pending:
        raise ValueError(f"graph has a cycle through {pending}")
    inputs = [n.key for n in graph.nodes if not parents[n.key]]
    y = {key: -i * y_gap for i, key in enumerate(inputs)}
    columns: dict[int, list[str]] = {}
    for node in graph.nodes:
        if node.key not in y:
            columns.setdefault(depth[node.key], []).append(node.key)
    for column in sorted(columns):
        keys = columns[column]
        target = {k: float(np.mean([y[p] for p in dict.fromkeys(parents[k])])) for k in keys}
        ordered = sorted(keys, key=lambda k: -target[k])  # stable: ties keep the list order
        placed = []
        for k in ordered:  # top to bottom, at least 0.8 * y_gap apart
            placed.append(target[k] if not placed else min(target[k], placed[-1] - 0.8 * y_gap))
        shift = float(np.mean([target[k] for k in ordered]) - np.mean(placed))
        for k, height in zip(ordered, placed):
            y[k] = height + shift
    nodes = [replace(n, x=depth[n.key] * x_gap, y=y[n.key]) for n in graph.nodes]
    return ComputationGraph(nodes, list(graph.edges), graph.title)


def graph_from_value(root: Value, *, digits: int = 3, show_grads: bool = True, backward: bool = False,
                     title: str = "") -> ComputationGraph:
    """The forward graph of ``root``: a box per named (or computed) Value, edges labelled with local derivatives.

    Unnamed leaves are constants and appear inside their user's formula; unnamed computed nodes are called
    n1, n2, ... (the names are set on the Values). Node keys are the Values' names, which must be distinct.
    Gradient lines show ``∂root/∂node = grad``.
    With ``backward=True`` each box is the gradient ``∂root/∂node`` instead and each edge the factor the
    chain rule multiplies by (draw it with ``direction="backward"``).
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    digits = int(digits)
    order = [v for v in topological_order(root) if not is_constant(v)]
    counter = 0
    for value in order:
        if not value.name:
            counter += 1
            value.name = f"n{counter}"
    names = [v.name for v in order]
    if len(set(names)) != len(names):
        raise ValueError(f"root's graph uses a name twice ({names}); give every Value a distinct name")
    out = root.name
    nodes, edges = [], []
    for value in order:
        kind = "input" if value.is_leaf else ("output" if value is root else "intermediate")
        head = value.name if value.is_leaf else f"{value.name} = {_formula(value)}"
        data, grad = format_number(value.data, digits), format_number(value.grad, digits)
        if backward:
            node = GraphNode(value.name, f"∂{out}/∂{value.name}", f"= {grad}", f"({value.name} = {data})", kind=kind)
        else:
            node = GraphNode(value.name, head, f"= {data}", f"∂{out}/∂{value.name} = {grad}" if show_grads else "",
                             kind=kind)
        nodes.append(node)
        for index, parent in enumerate(value.parents):
            if not is_constant(parent):
                edges.append(GraphEdge(parent.name, value.name, edge_label(value, index, digits, backward)))
    return layout(ComputationGraph(nodes, edges, title))


# --- walking the backward pass one step at a time (notebook 04's step-through) -----------------------------
@dataclass(frozen=True)
class WalkStep:
    """One frame of the step-through: which node/edge to highlight, the gradients so far, and a caption."""

    node: Optional[str]  # the node whose gradient changes in this step (None: the forward-pass frame)
    edge: Optional[tuple[str, str, int]]  # the forward edge (parent, user, k-th such edge) the gradient flows along
    grads: dict[str, tuple[float, bool]]  # name -> (gradient so far, complete?) for the nodes reached so far
    caption: str


def backward_walk(root: Value, digits: int = 3) -> list[WalkStep]:
    """Frames of the backward pass of ``root``: the forward values, the seed ∂root/∂root = 1, then one frame per
    edge in ``backward()``'s order, each captioned with its chain-rule product and, along a single path,
    the running product of local derivatives."""
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    f = lambda v: format_number(v, digits)  # noqa: E731
    out = root.name
    order = [v for v in topological_order(root) if not is_constant(v)]
    computed = ", ".join(f"{v.name} = {_formula(v)} = {f(v.data)}" for v in order if not v.is_leaf)
    frames = [WalkStep(None, None, {}, f"forward pass, left to right: {computed}.\n"
                                       f"Next: walk backward from {out}, one edge at a time.")]
    grads: dict[str, tuple[float, bool]] = {out: (1.0, True)}
    frames.append(WalkStep(out, None, dict(grads), f"start at the output: ∂{out}/∂{out} = 1.\n"
                                                   "Every gradient below is this 1 times local derivatives."))
    paths: dict[str, Optional[list[str]]] = {out: [out]}
    factors: dict[str, list[float]] = {out: [1.0]}
    received: dict[str, int] = {}
    users = {v.name: 0 for v in order}
    for v in order:
        for parent in v.parents:
            if not is_constant(parent):
                users[parent.name] += 1
    for step in backward_steps(root):
        source, node = step.source, step.node
        if is_constant(node):
            continue
        name = node.name
        received[name] = received.get(name, 0) + 1
        complete = received[name] == users[name]
        grads[name] = (step.grad_after, complete)
        symbol = _local_formula(source, step.index)
        local = f(step.local) if symbol == f(step.local) else f"({symbol} = {f(step.local)})"
        head = f"∂{out}/∂{name} {'+=' if received[name] > 1 else '='} ∂{out}/∂{source.name} × ∂{source.name}/∂{name}"
        line1 = f"{head} = {f(step.upstream)} × {local} = {f(step.contribution)}"
        if received[name] > 1:
            line1 += f", so ∂{out}/∂{name} = {f(step.grad_after)}"
        path = paths.get(source.name)
        if path is not None and users[name] == 1:
            paths[name] = path + [name]
            factors[name] = factors[source.name] + [step.local]
            product = " × ".join(f(x) for x in factors[name])
            line2 = f"running product along {' → '.join(paths[name])}: {product} = {f(step.grad_after)}"
        else:
            paths[name] = None
            line2 = (f"{name} is used {users[name]} times: its gradient is the SUM of one product per use "
                     f"({received[name]} of {users[name]} added so far)")
        occurrence = sum(1 for p in source.parents[: step.index] if p is node)
        frames.append(WalkStep(name, (name, source.name, occurrence), dict(grads), line1 + "\n" + line2))
    return frames


def show_walk_step(artists: GraphArtists, root: Value, frames: Sequence[WalkStep], step: int,
                   caption: Optional[Text] = None, digits: int = 3) -> None:
    """Show frame ``step`` of ``frames`` on a graph drawn from ``root``: highlights, gradients so far, caption."""
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
        raise TypeError(f"step must be an integer, got {type(step).__name__}")
    if not 0 <= step < len(frames):
        raise ValueError(f"step must be between 0 and {len(frames) - 1}, got {step}")
    frame = frames[step]
    graph = graph_from_value(root, digits=digits)
    out = root.name
    for node in graph.nodes:
        artists.values[node.key].set_text(node.value)
        if node.key in frame.grads:
            grad, complete = frame.grads[node.key]
            text = f"∂{out}/∂{node.key} = {format_number(grad, digits)}" + ("" if complete else " so far")
        else:
            text = f"∂{out}/∂{node.key} = ?"
        artists.grads[node.key].set_text(text)
    for text, edge in zip(artists.labels, graph.edges):
        text.set_text(edge.label)
    edge = None if frame.edge is None else graph.edge_index(*frame.edge)
    artists.highlight(frame.node, edge)
    if caption is not None:
        caption.set_text(frame.caption)


# --- the lecture's network graphs (one example i) ----------------------------------------------------------
def network_forward_graph(x: Any, theta: Any, P: Any, A: Any, beta: Any, y_hat: float, y: float, loss: float,
                          activation: str = "g", digits: int = 3) -> ComputationGraph:
    """The lecture's forward graph of example i: Xᵢ, Θ → Pᵢ → Aᵢ; Aᵢ, β → Ŷᵢ; Ŷᵢ, Yᵢ → Lᵢ (with numbers)."""
    f = lambda v: format_number(v, digits, column=True)  # noqa: E731
    nodes = [
        GraphNode("X", "Xᵢ", f(x), x=0, y=0.55, kind="input"),
        GraphNode("Theta", "Θ", f(theta), x=0, y=-0.85, kind="input"),
        GraphNode("P", "Pᵢ = Θ Xᵢ", f(P), x=1, y=0),
        GraphNode("A", f"Aᵢ = {activation}(Pᵢ)", f(A), x=2, y=0),
        GraphNode("beta", "β", f(beta), x=2, y=-0.95, kind="input"),
        GraphNode("Y_hat", "Ŷᵢ = βᵀAᵢ", f(y_hat), x=3, y=0),
        GraphNode("Y", "Yᵢ", f(y), x=3, y=0.75, kind="input"),
        GraphNode("L", "Lᵢ = (Yᵢ − Ŷᵢ)²", f(loss), x=4, y=0, kind="output"),
    ]
    edges = [GraphEdge("X", "P"), GraphEdge("Theta", "P"), GraphEdge("P", "A"), GraphEdge("A", "Y_hat"),
             GraphEdge("beta", "Y_hat"), GraphEdge("Y_hat", "L"), GraphEdge("Y", "L")]
    return ComputationGraph(nodes, edges,
                            "forward graph of example i: inputs and parameters → loss (vectors shown as columns)")


def network_backward_graph(dL_dYhat: Any, dL_dA: Any, dL_dP: Any, dL_dTheta: Any, dL_dbeta: Any,
                           activation: str = "g", digits: int = 3) -> ComputationGraph:
    """The backward graph: ∂Lᵢ/∂Ŷᵢ → ∂Lᵢ/∂Aᵢ → ∂Lᵢ/∂Pᵢ → ∂Lᵢ/∂Θ, and ∂Lᵢ/∂Ŷᵢ → ∂Lᵢ/∂β.

    Each box sits where its variable sits in ``network_forward_graph``, so the arrows run right to left
    (draw it with the default ``direction="forward"``). Each edge is labelled with the factor the chain
    rule multiplies by.
    """
    f = lambda v: format_number(v, digits, column=True)  # noqa: E731
    nodes = [
        GraphNode("Y_hat", "∂Lᵢ/∂Ŷᵢ", f"−2(Yᵢ − Ŷᵢ)\n= {f(np.ravel(dL_dYhat)[0])}", x=3, y=0, kind="output"),
        GraphNode("A", "∂Lᵢ/∂Aᵢ", f(np.ravel(dL_dA)), x=2, y=0),
        GraphNode("beta", "∂Lᵢ/∂β", f(np.ravel(dL_dbeta)), x=2, y=-0.95, kind="input"),
        GraphNode("P", "∂Lᵢ/∂Pᵢ", f(np.ravel(dL_dP)), x=1, y=0),
        GraphNode("Theta", "∂Lᵢ/∂Θ", f(dL_dTheta), x=0, y=-0.85, kind="input"),
    ]
    edges = [GraphEdge("Y_hat", "A", "× βᵀ"), GraphEdge("Y_hat", "beta", "× Aᵢᵀ"),
             GraphEdge("A", "P", f"× diag({activation}′(Pᵢ))"), GraphEdge("P", "Theta", "× Xᵢᵀ")]
    return ComputationGraph(nodes, edges,
                            "backward graph of example i: gradients flow right to left (vectors shown as columns)")


# --- drawing -----------------------------------------------------------------------------------------------
def text_width_points(text: str, fontsize: float, weight: str = "normal") -> float:
    """Width in points of the widest line of ``text`` at ``fontsize`` (no renderer needed)."""
    prop = FontProperties(size=fontsize, weight=weight)
    widths = [TextPath((0, 0), line, prop=prop).get_extents().width if line.strip() else 0.0
              for line in text.split("\n")]
    return max(widths, default=0.0)


@dataclass
class GraphArtists:
    """What ``draw_graph`` made, by node key and edge index, so a panel can update texts and highlights."""

    ax: Axes
    graph: ComputationGraph
    boxes: dict[str, FancyBboxPatch]
    titles: dict[str, Text]
    values: dict[str, Text]
    grads: dict[str, Text]
    arrows: list[FancyArrowPatch]
    labels: list[Text]
    node_highlights: dict[str, FancyBboxPatch]
    edge_highlights: list[FancyArrowPatch]

    def highlight(self, node: Optional[str] = None, edge: Optional[int] = None) -> None:
        """Show a thick outline on ``node`` and a backward arrow along edge number ``edge`` (None: none)."""
        if node is not None and node not in self.node_highlights:
            raise KeyError(f"node {node!r} is not in the graph")
        if edge is not None and not 0 <= edge < len(self.edge_highlights):
            raise IndexError(f"edge must be between 0 and {len(self.edge_highlights) - 1}, got {edge}")
        for key, patch in self.node_highlights.items():
            patch.set_visible(key == node)
        for i, arrow in enumerate(self.edge_highlights):
            arrow.set_visible(i == edge)

    def animated_artists(self) -> list:
        """Every artist whose content can change: value, gradient and edge-label texts, and the highlights."""
        return [*self.values.values(), *self.grads.values(), *self.labels, *self.node_highlights.values(),
                *self.edge_highlights]


LABEL_AT = 0.5  # where along an edge its label sits (0: start, 1: end)
NODE_FILL = {"input": COLORS["sky"], "intermediate": COLORS["orange"], "output": COLORS["green"]}


def draw_graph(ax: Axes, graph: ComputationGraph, *, direction: str = "forward", fontsize: float = 15,
               min_box_width: float = 0.0, animated: bool = False, title: Optional[str] = None,
               margin: float = 0.5, value_color: Optional[str] = None) -> GraphArtists:
    """Draw ``graph`` on ``ax``: boxes (name, value, gradient), arrows labelled with their local derivative.

    ``direction="backward"`` mirrors it: the same boxes from right to left and every arrow reversed, the
    picture of the backward pass. ``min_box_width`` (points) keeps boxes wide enough for changing numbers.
    With ``animated=True`` the changing texts and the (hidden) highlights are animated for blitting.
    ``value_color`` defaults to blue for values (forward) and vermillion for gradients (backward).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    if not isinstance(graph, ComputationGraph):
        raise TypeError(f"graph must be a ComputationGraph, got {type(graph).__name__}")
    xs = np.array([n.x for n in graph.nodes], dtype=float)
    ys = np.array([n.y for n in graph.nodes], dtype=float)
    flip = direction == "backward"
    left, right = xs.min(), xs.max()
    pos = {n.key: ((left + right - n.x) if flip else n.x, n.y) for n in graph.nodes}
    ax.set_xlim(left - margin, right + margin)
    ax.set_ylim(ys.min() - margin, ys.max() + margin)
    ax.set_axis_off()
    ax.set_title(graph.title if title is None else title)
    fig = ax.figure
    line_pt = fontsize * 1.35
    small = fontsize * 0.85

    boxes, titles, values, grads, halos = {}, {}, {}, {}, {}
    for node in graph.nodes:
        x, y = pos[node.key]
        value_lines = node.value.split("\n") if node.value else []
        blocks = [(node.title, fontsize, "bold")] + [(line, fontsize, "normal") for line in value_lines]
        if node.grad:
            blocks.append((node.grad, small, "normal"))
        width = max(max(text_width_points(t, s, w) for t, s, w in blocks), min_box_width) + 16
        height = len(blocks) * line_pt + 8
        where = fig.dpi_scale_trans + ScaledTranslation(x, y, ax.transData)
        fill = (*to_rgb(NODE_FILL.get(node.kind, COLORS["orange"])), 0.25)  # a light tint: text stays readable
        box = FancyBboxPatch((-width / 144, -height / 144), width / 72, height / 72, boxstyle="round,pad=0.04",
                             transform=where, facecolor=fill, edgecolor=COLORS["black"], linewidth=1.5, zorder=2)
        ax.add_patch(box)
        halo = FancyBboxPatch((-width / 144, -height / 144), width / 72, height / 72, boxstyle="round,pad=0.08",
                              transform=where, facecolor="none", edgecolor=COLORS["vermillion"], linewidth=4,
                              zorder=6, visible=False, animated=animated)
        ax.add_patch(halo)
        top = (len(blocks) - 1) * line_pt / 2

        def put(text: str, row: int, size: float, color: str, weight: str = "normal", anim: bool = False) -> Text:
            return ax.annotate(text, (x, y), xytext=(0, top - row * line_pt), textcoords="offset points",
                               ha="center", va="center", fontsize=size, color=color, fontweight=weight,
                               zorder=5, animated=anim, annotation_clip=False)

        titles[node.key] = put(node.title, 0, fontsize, COLORS["black"], "bold")
        values[node.key] = ax.annotate(node.value, (x, y), xytext=(0, top - line_pt * (1 + (len(value_lines) - 1) / 2)),
                                       textcoords="offset points", ha="center", va="center", fontsize=fontsize,
                                       color=value_color or COLORS["vermillion" if flip else "blue"], zorder=5,
                                       animated=animated, annotation_clip=False,
                                       linespacing=1.35)
        grad_color = COLORS["grey" if flip else "vermillion"]
        grads[node.key] = put(node.grad, len(blocks) - 1, small, grad_color, anim=animated)
        boxes[node.key], halos[node.key] = box, halo

    pair_count: dict[tuple[str, str], int] = {}
    for edge in graph.edges:
        pair_count[(edge.source, edge.target)] = pair_count.get((edge.source, edge.target), 0) + 1
    seen: dict[tuple[str, str], int] = {}
    arrows, labels, highlights = [], [], []
    for edge in graph.edges:
        pair = (edge.source, edge.target)
        k, total = seen.get(pair, 0), pair_count[pair]
        seen[pair] = k + 1
        rad = 0.0 if total == 1 else 0.35 * (k - (total - 1) / 2)
        start, end = (edge.target, edge.source) if flip else (edge.source, edge.target)
        arrow = FancyArrowPatch(pos[start], pos[end], patchA=boxes[start], patchB=boxes[end], arrowstyle="-|>",
                                mutation_scale=22, linewidth=2, color=COLORS["grey"],
                                connectionstyle=f"arc3,rad={rad}", shrinkA=4, shrinkB=4, zorder=1)
        ax.add_patch(arrow)
        (x0, y0), (x1, y1) = pos[start], pos[end]
        mx, my = x0 + LABEL_AT * (x1 - x0), y0 + LABEL_AT * (y1 - y0)
        if rad:  # a curved edge bulges sideways: put its label on the bulge
            mx, my = mx + rad * (y1 - y0) / 2, my - rad * (x1 - x0) / 2
        label = ax.text(mx, my, edge.label, ha="center", va="center", fontsize=small, color=COLORS["black"],
                        zorder=4, animated=animated,
                        bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none", alpha=0.9))
        back = FancyArrowPatch(pos[edge.target], pos[edge.source], patchA=boxes[edge.target],
                               patchB=boxes[edge.source], arrowstyle="-|>",
                               mutation_scale=30, linewidth=4, color=COLORS["vermillion"],
                               connectionstyle=f"arc3,rad={rad + 0.25 if rad >= 0 else rad - 0.25}", shrinkA=6,
                               shrinkB=6, zorder=3, visible=False, animated=animated)
        ax.add_patch(back)
        arrows.append(arrow)
        labels.append(label)
        highlights.append(back)
    return GraphArtists(ax, graph, boxes, titles, values, grads, arrows, labels, halos, highlights)
