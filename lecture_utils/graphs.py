"""Computation graphs as data: nodes, edges, formulas, layout and the backward walk (notebook 04).

A graph is a list of ``GraphNode`` boxes (a title such as ``u = b·c`` and a
line of numbers: values on the forward graph, gradients on the backward graph,
as the lecture draws them) and ``GraphEdge`` arrows labelled with their local
derivative. ``graph_from_value`` builds one from an ``autodiff.Value``
expression; the network's forward and backward graphs of the lecture are
built from explicit node and edge lists (``network_forward_graph`` and
``network_backward_graph``). ``backward_walk`` lists the frames of the
backward pass one edge at a time and ``walk_view`` says what one frame
shows. Drawing them is ``lecture_utils.plotting.graphs``'s job: this module
imports no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Optional, Sequence

import numpy as np

from ._validation import as_float_array, check_int, check_positive
from .autodiff import Value, backward_steps, topological_order

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
        for name in ("nodes", "edges"):
            if not isinstance(getattr(self, name), (list, tuple)):
                raise TypeError(f"{name} must be a list, got {type(getattr(self, name)).__name__}")
        if not isinstance(self.title, str):
            raise TypeError(f"title must be a string, got {type(self.title).__name__}")
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
    try:
        array = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"x must be a number or an array of numbers, got {type(x).__name__}") from None
    digits = check_int("digits", digits, minimum=1)
    if not isinstance(column, (bool, np.bool_)):
        raise TypeError(f"column must be True or False, got {type(column).__name__}")

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
def _is_constant(value: Value) -> bool:
    """An unnamed leaf: a plain number that entered an operation (drawn inside the formula, not as a box)."""
    return value.is_leaf and not value.name


_SUPERSCRIPTS = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")


def _power(base: str, exponent: float) -> str:
    """``x²``, ``y⁻¹``: a power written with superscript characters."""
    return base + f"{exponent:g}".translate(_SUPERSCRIPTS)


def _boxed(root: Value) -> list[Value]:
    """The nodes of ``root``'s graph that get a box (all but constants; ``root`` always), parents first."""
    return [v for v in topological_order(root) if v is root or not _is_constant(v)]


def _names(root: Value) -> dict[int, str]:
    """A name for every non-constant node of ``root``'s graph, by ``id``: its own ``name``, or n1, n2, ... for
    unnamed computed nodes (skipping names already taken). The Values themselves are left as they are."""
    order = _boxed(root)
    taken = {v.name for v in order if v.name}
    names, counter = {}, 0
    for value in order:
        if value.name:
            names[id(value)] = value.name
            continue
        counter += 1
        while f"n{counter}" in taken:
            counter += 1
        names[id(value)] = f"n{counter}"
    return names


def _operand(value: Value, names: dict[int, str]) -> str:
    return format_number(value.data) if _is_constant(value) else names[id(value)]


def _formula(node: Value, names_: dict[int, str]) -> str:
    """``b·c``, ``a + u``, ``3·v``, ``exp(x)``... from the node's operation and its parents' names."""
    names = [_operand(p, names_) for p in node.parents]
    op = node.op
    if op == "+":
        return f"{names[0]} + {names[1]}"
    if op == "-":
        return f"{names[0]} − {names[1]}"
    if op == "*":
        if _is_constant(node.parents[0]) or not _is_constant(node.parents[1]):
            return f"{names[0]}·{names[1]}"
        return f"{names[1]}·{names[0]}"  # number first: 3·v
    if op.startswith("**"):
        return _power(names[0], float(op[2:]))
    return f"{op}({names[0]})"


def _local_formula(node: Value, index: int, names: dict[int, str]) -> str:
    """The symbolic local derivative of ``node`` with respect to its parent number ``index``."""
    op, parents = node.op, node.parents
    x, name = _operand(parents[index], names), names[id(node)]
    if op == "+":
        return "1"
    if op == "-":
        return "1" if index == 0 else "−1"
    if op == "*":
        return _operand(parents[1 - index], names)
    if op.startswith("**"):
        n = float(op[2:])
        return f"2·{x}" if n == 2 else f"{n:g}·{_power(x, n - 1)}".replace("-", "−")
    return {"exp": name, "log": f"1/{x}", "tanh": f"1 − {name}²", "sigmoid": f"{name}(1 − {name})",
            "relu": f"[{x} > 0]"}.get(op, "?")


def _edge_label(node: Value, index: int, names: dict[int, str], digits: int, backward: bool) -> str:
    """``∂u/∂b = c = 3``: the local derivative on the edge from parent ``index`` into ``node``, with its value;
    ``backward=True`` gives the chain-rule factor ``× c = 3`` instead."""
    symbol = _local_formula(node, index, names)
    number = format_number(node.local_grads[index], digits)
    head = "×" if backward else f"∂{names[id(node)]}/∂{names[id(node.parents[index])]} ="
    return f"{head} {number}" if symbol == number else f"{head} {symbol} = {number}"


def layout(graph: ComputationGraph, x_gap: float = 1.0, y_gap: float = 1.0) -> ComputationGraph:
    """Place nodes left to right by depth (longest path from an input); inputs top to bottom in list order,
    every other node near the mean height of its parents (a column is spread out if two would collide)."""
    if not isinstance(graph, ComputationGraph):
        raise TypeError(f"graph must be a ComputationGraph, got {type(graph).__name__}")
    x_gap, y_gap = check_positive("x_gap", x_gap), check_positive("y_gap", y_gap)
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


def graph_from_value(root: Value, *, digits: int = 3, backward: bool = False, title: str = "") -> ComputationGraph:
    """The forward graph of ``root``: a box per named (or computed) Value with its value, edges labelled with
    local derivatives.

    Unnamed leaves are constants and appear inside their user's formula; unnamed computed nodes are called
    n1, n2, ... in the graph (the Values keep their own names). Node keys are the names, which must be
    distinct. With ``backward=True`` each box holds the gradient ``∂root/∂node`` instead (its value stays on
    the forward graph) and each edge the factor the chain rule multiplies by. Both graphs have the same
    positions and the same edges in the same order, so the backward graph drawn with
    ``direction="backward"`` sits box for box under the forward one, its arrows running right to left.
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    digits = check_int("digits", digits, minimum=1)
    order = _boxed(root)
    names = _names(root)
    listed = [names[id(v)] for v in order]
    if len(set(listed)) != len(listed):
        raise ValueError(f"root's graph uses a name twice ({listed}); give every Value a distinct name")
    out = names[id(root)]
    nodes, edges = [], []
    for value in order:
        name = names[id(value)]
        kind = "input" if value.is_leaf else ("output" if value is root else "intermediate")
        head = name if value.is_leaf else f"{name} = {_formula(value, names)}"
        if backward:  # the gradient only: the values are on the forward graph
            node = GraphNode(name, f"∂{out}/∂{name}", f"= {format_number(value.grad, digits)}", kind=kind)
        else:  # the value only: the gradients are on the backward graph
            node = GraphNode(name, head, f"= {format_number(value.data, digits)}", kind=kind)
        nodes.append(node)
        for index, parent in enumerate(value.parents):
            if not _is_constant(parent):
                edges.append(GraphEdge(names[id(parent)], name, _edge_label(value, index, names, digits, backward)))
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
    digits = check_int("digits", digits, minimum=1)
    f = lambda v: format_number(v, digits)  # noqa: E731
    names = _names(root)
    out = names[id(root)]
    order = _boxed(root)
    computed = ", ".join(f"{names[id(v)]} = {_formula(v, names)} = {f(v.data)}" for v in order if not v.is_leaf)
    frames = [WalkStep(None, None, {}, f"forward pass, left to right: {computed}.\n"
                                       f"Next: walk backward from {out}, one edge at a time.")]
    grads: dict[str, tuple[float, bool]] = {out: (1.0, True)}
    frames.append(WalkStep(out, None, dict(grads), f"start at the output: ∂{out}/∂{out} = 1.\n"
                                                   "Every gradient below is this 1 times local derivatives."))
    paths: dict[str, Optional[list[str]]] = {out: [out]}
    received: dict[str, int] = {}
    users = {names[id(v)]: 0 for v in order}
    for v in order:
        for parent in v.parents:
            if not _is_constant(parent):
                users[names[id(parent)]] += 1
    for step in backward_steps(root):
        source, node = step.source, step.node
        if _is_constant(node):
            continue
        name, user = names[id(node)], names[id(source)]
        received[name] = received.get(name, 0) + 1
        complete = received[name] == users[name]
        grads[name] = (step.grad_after, complete)
        symbol = _local_formula(source, step.index, names)
        local = f(step.local) if symbol == f(step.local) else f"({symbol} = {f(step.local)})"
        head = f"∂{out}/∂{name} {'+=' if received[name] > 1 else '='} ∂{out}/∂{user} × ∂{user}/∂{name}"
        line1 = f"{head} = {f(step.upstream)} × {local} = {f(step.contribution)}"
        if received[name] > 1:
            line1 += f", so ∂{out}/∂{name} = {f(step.grad_after)}"
        path = paths.get(user)
        if path is not None and step.chain is not None:  # one path from the output: its product of locals
            paths[name] = path + [name]
            product = " × ".join(f(x) for x in (1.0, *step.chain))
            line2 = f"running product along {' → '.join(paths[name])}: {product} = {f(step.grad_after)}"
        else:
            paths[name] = None
            line2 = (f"{name} is used {users[name]} times: its gradient is the SUM of one product per use "
                     f"({received[name]} of {users[name]} added so far)")
        occurrence = sum(1 for p in source.parents[: step.index] if p is node)
        frames.append(WalkStep(name, (name, user, occurrence), dict(grads), line1 + "\n" + line2))
    return frames


@dataclass(frozen=True)
class WalkView:
    """What frame ``step`` of a backward walk shows: the graph with the gradients known so far, the node and
    edge (an index into ``graph.edges``) to highlight, and the caption."""

    graph: ComputationGraph
    node: Optional[str]
    edge: Optional[int]
    caption: str


def walk_view(root: Value, frames: Sequence[WalkStep], step: int, digits: int = 3) -> WalkView:
    """Frame ``step`` of ``frames`` (from ``backward_walk(root)``) as the backward graph: the gradients known
    so far (``?`` where none has arrived yet, ``so far`` while a sum is incomplete), highlights and caption."""
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    if not isinstance(frames, (list, tuple)) or not all(isinstance(f, WalkStep) for f in frames):
        raise TypeError("frames must be the list of WalkSteps that backward_walk(root) returns")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
        raise TypeError(f"step must be an integer, got {type(step).__name__}")
    if not 0 <= step < len(frames):
        raise ValueError(f"step must be between 0 and {len(frames) - 1}, got {step}")
    frame = frames[step]
    graph = graph_from_value(root, digits=digits, backward=True)
    nodes = []
    for node in graph.nodes:
        if node.key in frame.grads:
            grad, complete = frame.grads[node.key]
            text = f"= {format_number(grad, digits)}" + ("" if complete else " so far")
        else:
            text = "= ?"
        nodes.append(replace(node, value=text))
    edge = None if frame.edge is None else graph.edge_index(*frame.edge)
    return WalkView(ComputationGraph(nodes, list(graph.edges), graph.title), frame.node, edge, frame.caption)


# --- the lecture's network graphs (one example i) ----------------------------------------------------------
def _numbers(**arrays: Any) -> list[np.ndarray]:
    checked = [as_float_array(name, value) for name, value in arrays.items()]
    for name, value in zip(arrays, checked):
        if value.size == 0:
            raise ValueError(f"{name} is empty; expected the numbers of one example")
        if value.ndim > 2:
            raise ValueError(f"{name} must be a number, a vector or a matrix, got shape {value.shape}")
    return checked


def _column_formatter(activation: str, digits: int) -> Any:
    if not isinstance(activation, str):
        raise TypeError(f"activation must be a name such as 'relu' (a string), got {type(activation).__name__}")
    digits = check_int("digits", digits, minimum=1)
    return lambda v: format_number(v, digits, column=True)


def network_forward_graph(x: Any, theta: Any, P: Any, A: Any, beta: Any, y_hat: float, y: float, loss: float,
                          activation: str = "g", digits: int = 3) -> ComputationGraph:
    """The lecture's forward graph of example i: Xᵢ, Θ → Pᵢ → Aᵢ; Aᵢ, β → Ŷᵢ; Ŷᵢ, Yᵢ → ℒᵢ (with numbers)."""
    x, theta, P, A, beta, y_hat, y, loss = _numbers(x=x, theta=theta, P=P, A=A, beta=beta, y_hat=y_hat, y=y,
                                                    loss=loss)
    f = _column_formatter(activation, digits)
    nodes = [
        GraphNode("X", "Xᵢ", f(x), x=0, y=0.55, kind="input"),
        GraphNode("Theta", "Θ", f(theta), x=0, y=-1.1, kind="input"),
        GraphNode("P", "Pᵢ = Θ Xᵢ", f(P), x=0.95, y=0),
        GraphNode("A", f"Aᵢ = {activation}(Pᵢ)", f(A), x=2.1, y=0),
        GraphNode("beta", "β", f(beta), x=2.5, y=-1.1, kind="input"),
        GraphNode("Y_hat", "Ŷᵢ = βᵀAᵢ", f(y_hat), x=3, y=0),
        GraphNode("Y", "Yᵢ", f(y), x=3, y=0.75, kind="input"),
        GraphNode("L", "ℒᵢ = (Yᵢ − Ŷᵢ)²", f(loss), x=4, y=0, kind="output"),
    ]
    edges = [GraphEdge("X", "P"), GraphEdge("Theta", "P"), GraphEdge("P", "A"), GraphEdge("A", "Y_hat"),
             GraphEdge("beta", "Y_hat"), GraphEdge("Y_hat", "L"), GraphEdge("Y", "L")]
    return ComputationGraph(nodes, edges,
                            "forward graph of example i: values, left to right (vectors as columns)")


def network_backward_graph(dL_dYhat: Any, dL_dA: Any, dL_dP: Any, dL_dTheta: Any, dL_dbeta: Any,
                           activation: str = "g", digits: int = 3) -> ComputationGraph:
    """The backward graph: ∂ℒᵢ/∂Ŷᵢ → ∂ℒᵢ/∂Aᵢ → ∂ℒᵢ/∂Pᵢ → ∂ℒᵢ/∂Θ, and ∂ℒᵢ/∂Ŷᵢ → ∂ℒᵢ/∂β.

    Each box sits where its variable sits in ``network_forward_graph`` and each edge is the forward edge it
    reverses, labelled with the factor the chain rule multiplies by, as in ``graph_from_value(...,
    backward=True)``: drawn with ``direction="backward"`` under the forward graph, it lines up box for box
    and its arrows run right to left.
    """
    dL_dYhat, dL_dA, dL_dP, dL_dTheta, dL_dbeta = _numbers(dL_dYhat=dL_dYhat, dL_dA=dL_dA, dL_dP=dL_dP,
                                                           dL_dTheta=dL_dTheta, dL_dbeta=dL_dbeta)
    f = _column_formatter(activation, digits)
    nodes = [
        GraphNode("Y_hat", "∂ℒᵢ/∂Ŷᵢ", f"−2(Yᵢ − Ŷᵢ)\n= {f(np.ravel(dL_dYhat)[0])}", x=3, y=0, kind="output"),
        GraphNode("A", "∂ℒᵢ/∂Aᵢ", f(np.ravel(dL_dA)), x=2.1, y=0),
        GraphNode("beta", "∂ℒᵢ/∂β", f(np.ravel(dL_dbeta)), x=2.5, y=-1.1, kind="input"),
        GraphNode("P", "∂ℒᵢ/∂Pᵢ", f(np.ravel(dL_dP)), x=0.95, y=0),
        GraphNode("Theta", "∂ℒᵢ/∂Θ", f(dL_dTheta), x=0, y=-1.1, kind="input"),
    ]
    # each edge is the forward edge it reverses (user's input -> user), labelled with the chain-rule factor
    edges = [GraphEdge("A", "Y_hat", "× βᵀ"), GraphEdge("beta", "Y_hat", "× Aᵢᵀ"),
             GraphEdge("P", "A", f"× diag({activation}′(Pᵢ))"), GraphEdge("Theta", "P", "× Xᵢᵀ")]
    return ComputationGraph(nodes, edges,
                            "backward graph of example i: gradients, right to left")
