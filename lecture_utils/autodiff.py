"""A tiny reverse-mode automatic differentiation engine (notebook 04).

Every arithmetic operation on a ``Value`` makes a new ``Value`` that remembers
its parents and the *local* derivative of itself with respect to each parent
(a number from the forward pass, or, for powers and activations, a rule the
backward pass evaluates when it first needs it: ``Value(0.0) ** 0.5`` is
fine, its slope at 0 is +inf). ``backward()`` then visits the nodes in
reverse topological order (each node after every node that uses it) and adds
``local derivative x gradient of the user`` into each parent: the chain rule,
one edge at a time.

Two rules students trip on, both handled here:

* a node used twice (``b = a + a``) receives two contributions, so parents
  *accumulate* (``+=``) instead of being overwritten;
* a node must pass its gradient on only once it is complete, which is what the
  topological order guarantees (``naive_backward`` shows what goes wrong
  without it).

Calling ``backward()`` twice: gradients of the leaves (inputs, parameters)
accumulate, as PyTorch's ``.grad`` does (there with ``retain_graph=True``), so
a second call doubles them; interior nodes are recomputed from scratch on
each call. Call ``zero_grad()`` to start again from zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

import numpy as np

from ._validation import as_float_array, check_finite, check_real_number
from .activations import ACTIVATION_NAMES, RELU, SIGMOID, TANH, Activation, get_activation

__all__ = [
    "Value",
    "topological_order",
    "BackwardStep",
    "backward_steps",
    "naive_backward",
    "as_values",
    "grad_of",
    "apply",
    "toy_graph",
    "toy_graph_by_hand",
    "network_loss",
]


def _as_value(name: str, other: Any) -> "Value":
    """``other`` itself if it is a Value, a constant Value if it is a real number, else TypeError naming ``name``."""
    if isinstance(other, Value):
        return other
    return Value(check_real_number(name, other))


def _power_slope(x: float, n: float) -> float:
    """d(x^n)/dx = n x^(n-1), computed only when the backward pass asks for it.

    At x = 0 with 0 < n < 1 (a square root, say) the slope is the one-sided limit +inf: the tangent is
    vertical. The chain rule then gives inf × 0 = nan for sqrt(x² + y²) at the origin, where that cone
    has no gradient. A slope too large for a float is ±inf, never an OverflowError.
    """
    if n == 0.0:
        return 0.0
    if x == 0.0:
        return math.inf if n < 1 else (1.0 if n == 1 else 0.0)
    try:
        return n * x ** (n - 1)
    except OverflowError:
        return math.copysign(math.inf, n) * (-1.0 if x < 0 and float(n - 1).is_integer() and (n - 1) % 2 else 1.0)


class Value:
    """One scalar node of a computation graph: ``data`` (forward value) and ``grad`` (d output / d this node)."""

    __slots__ = ("data", "grad", "name", "op", "parents", "_local")

    def __init__(self, data: float, name: str = "", *, _parents: Sequence["Value"] = (),
                 _local: Sequence[float] | Callable[[], Sequence[float]] = (), _op: str = "") -> None:
        self.data = check_real_number("data", data)
        if not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")
        self.grad = 0.0
        self.name = name
        self.op = _op  # "" for a leaf, else "+", "*", "**2", "exp", ...
        self.parents: tuple[Value, ...] = tuple(_parents)
        self._local = _local if callable(_local) else tuple(float(d) for d in _local)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d self / d parent for each parent; an operation may leave it to be computed here, when first asked."""
        if callable(self._local):
            self._local = tuple(float(d) for d in self._local())
        return self._local

    def __repr__(self) -> str:
        label = f"{self.name}: " if self.name else ""
        return f"Value({label}data={self.data:.6g}, grad={self.grad:.6g})"

    @property
    def is_leaf(self) -> bool:
        """True for an input or a constant (a node no operation produced)."""
        return not self.parents

    # --- operations: each returns the new node with its local derivatives -------------------------
    def __add__(self, other: Any) -> "Value":
        other = _as_value("other", other)
        return Value(self.data + other.data, _parents=(self, other), _local=(1.0, 1.0), _op="+")

    def __mul__(self, other: Any) -> "Value":
        other = _as_value("other", other)
        return Value(self.data * other.data, _parents=(self, other), _local=(other.data, self.data), _op="*")

    def __pow__(self, exponent: Any) -> "Value":
        if isinstance(exponent, Value):
            raise TypeError("exponent must be a Python number, not a Value (only x ** n with a fixed n is supported)")
        n = check_real_number("exponent", exponent)
        x = self.data
        if x == 0.0 and n < 0:
            raise ValueError(f"exponent {n:g} < 0 needs a non-zero base, got data = 0 (division by zero)")
        if x < 0.0 and not float(n).is_integer():
            raise ValueError(f"exponent {n:g} is not an integer, so the base must be >= 0, got data = {x:g}")
        try:
            out = x**n
        except OverflowError:
            out = math.copysign(math.inf, x) if float(n).is_integer() and n % 2 else math.inf
        return Value(out, _parents=(self,), _local=lambda: (_power_slope(x, n),), _op=f"**{n:g}")

    def __neg__(self) -> "Value":
        return self * -1.0

    def __sub__(self, other: Any) -> "Value":
        other = _as_value("other", other)
        return Value(self.data - other.data, _parents=(self, other), _local=(1.0, -1.0), _op="-")

    def __truediv__(self, other: Any) -> "Value":
        other = _as_value("other", other)
        if other.data == 0.0:
            raise ValueError("other must be non-zero: division by zero")
        return self * other**-1

    def __radd__(self, other: Any) -> "Value":
        return _as_value("other", other) + self

    def __rmul__(self, other: Any) -> "Value":
        return _as_value("other", other) * self

    def __rsub__(self, other: Any) -> "Value":
        return _as_value("other", other) - self

    def __rtruediv__(self, other: Any) -> "Value":
        other = _as_value("other", other)
        if self.data == 0.0:
            raise ValueError("the divisor (this Value's data) must be non-zero: division by zero")
        return other * self**-1

    def exp(self) -> "Value":
        """e^x; local derivative e^x."""
        try:
            out = math.exp(self.data)
        except OverflowError:
            out = math.inf
        return Value(out, _parents=(self,), _local=(out,), _op="exp")

    def log(self) -> "Value":
        """Natural log (data must be > 0); local derivative 1/x."""
        if self.data <= 0:
            raise ValueError(f"log needs data > 0, got data = {self.data:g}")
        return Value(math.log(self.data), _parents=(self,), _local=(1.0 / self.data,), _op="log")

    def tanh(self) -> "Value":
        """A = tanh(x); local derivative g′ = 1 − A² (``activations.TANH``)."""
        return self._activation(TANH)

    def relu(self) -> "Value":
        """A = max(x, 0); local derivative 1 for x > 0, else 0, the convention at 0 (``activations.RELU``)."""
        return self._activation(RELU)

    def sigmoid(self) -> "Value":
        """A = 1 / (1 + e^−x), without overflow; local derivative A(1 − A) (``activations.SIGMOID``)."""
        return self._activation(SIGMOID)

    def _activation(self, activation: Activation) -> "Value":
        A = float(activation.g(self.data))
        return Value(A, _parents=(self,), _local=lambda: (float(activation.g_prime(A)),), _op=activation.name)

    # --- the backward pass --------------------------------------------------------------------------
    def backward(self) -> None:
        """Fill ``.grad`` of every node with d(self)/d(node); leaves accumulate across calls (see module doc)."""
        order = topological_order(self)
        for node in order:
            if node.parents:  # interior nodes hold this pass's gradient only
                node.grad = 0.0
        self.grad += 1.0  # d self / d self = 1 (accumulates too if self is a leaf)
        for node in reversed(order):  # every node after all nodes that use it: its grad is complete
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * node.grad

    def zero_grad(self) -> None:
        """Set ``.grad`` of this node and of every node it was computed from to 0."""
        for node in topological_order(self):
            node.grad = 0.0


def topological_order(root: Value) -> list[Value]:
    """All nodes ``root`` depends on, each after its parents (iterative depth-first search: no recursion limit)."""
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    order: list[Value] = []
    seen: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))  # comes back here after all parents are placed
        for parent in reversed(node.parents):
            if id(parent) not in seen:
                stack.append((parent, False))
    return order


@dataclass(frozen=True)
class BackwardStep:
    """One chain-rule step of ``backward()``: ``source`` passes ``local x upstream`` back to its parent ``node``."""

    node: Value  # the parent receiving a contribution
    source: Value  # the node whose (complete) gradient is passed back
    index: int  # which of source's parents node is (0 or 1)
    local: float  # d source / d node, the local derivative on this edge
    upstream: float  # d root / d source
    contribution: float  # local * upstream, added into node's gradient
    grad_after: float  # d root / d node once this contribution is added
    chain: Optional[tuple[float, ...]]  # local derivatives along the single path from the root, if unique


def backward_steps(root: Value) -> list[BackwardStep]:
    """The edges ``backward()`` visits, in its order, with the numbers on each; reads and changes no ``.grad``."""
    order = topological_order(root)
    consumers: dict[int, int] = {}
    for node in order:
        for parent in node.parents:
            consumers[id(parent)] = consumers.get(id(parent), 0) + 1
    grads: dict[int, float] = {id(node): 0.0 for node in order}
    grads[id(root)] = 1.0
    chains: dict[int, Optional[tuple[float, ...]]] = {id(root): ()}
    steps = []
    for node in reversed(order):
        for index, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            contribution = local * grads[id(node)]
            grads[id(parent)] += contribution
            chain = chains.get(id(node))
            unique = chain is not None and consumers[id(parent)] == 1
            chains[id(parent)] = chain + (local,) if unique else None
            steps.append(BackwardStep(parent, node, index, local, grads[id(node)], contribution, grads[id(parent)],
                                      chains[id(parent)]))
    return steps


def naive_backward(root: Value, *, accumulate: bool = True) -> None:
    """A deliberately WRONG backward pass, for notebook 04: plain recursion from the output, no topological order.

    With ``accumulate=True`` each visit adds into the parents and immediately recurses, so a node used twice
    passes on its *partial* sum once per use (too much). With ``accumulate=False`` parents are overwritten
    (``=`` instead of ``+=``), so all but the last contribution are lost (too little).
    Only for small graphs: recursion depth grows with the graph.
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    root.zero_grad()
    root.grad = 1.0

    def visit(node: Value) -> None:
        for parent, local in zip(node.parents, node.local_grads):
            if accumulate:
                parent.grad += local * node.grad
            else:
                parent.grad = local * node.grad
            visit(parent)

    visit(root)


# --- NumPy object arrays of Values (for the network's graph) -------------------------------------------
def as_values(array: Any, name: str = "x") -> np.ndarray:
    """An object array of leaf Values with the shape of ``array``, named like ``name[i,j]``."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    numbers_ = as_float_array("array", array)
    out = np.empty(numbers_.shape, dtype=object)
    for index in np.ndindex(numbers_.shape):
        suffix = "[" + ",".join(str(i) for i in index) + "]" if index else ""
        out[index] = Value(float(numbers_[index]), name=f"{name}{suffix}")
    return out


def _check_value_array(name: str, values: Any) -> np.ndarray:
    if isinstance(values, Value):
        values = [values]
    try:
        array = np.asarray(values, dtype=object)
    except ValueError:  # ragged nesting
        raise TypeError(f"{name} must be a Value or a (nested) list or array of Values") from None
    for item in array.ravel():
        if not isinstance(item, Value):
            raise TypeError(f"{name} must hold Values, got {type(item).__name__}")
    return array


def grad_of(values: Any) -> np.ndarray:
    """The ``.grad`` of an (object) array of Values, as a float array of the same shape."""
    array = _check_value_array("values", values)
    return np.array([v.grad for v in array.ravel()], dtype=float).reshape(array.shape)


ELEMENTWISE = ("exp", "log", *ACTIVATION_NAMES)  # what ``apply`` can do to every Value of an array


def apply(function: str, values: Any) -> np.ndarray:
    """Apply one of ``ELEMENTWISE`` to every Value of an object array (``identity`` returns it unchanged)."""
    if not isinstance(function, str) or function not in ELEMENTWISE:
        raise ValueError(f"function must be one of {ELEMENTWISE}, got {function!r}")
    array = _check_value_array("values", values)
    if function == "identity":
        return array
    out = np.empty(array.shape, dtype=object)
    for index in np.ndindex(array.shape):
        out[index] = getattr(array[index], function)()
    return out


def network_loss(X: Any, Y: Any, Theta: Any, beta: Any, activation: str = "relu"
                 ) -> tuple[Value, np.ndarray, np.ndarray]:
    """Notebook 03's network built from Values: (L, Theta, beta) with L = sum_i (Y_i - beta^T g(Theta X_i))^2.

    X is (n, p) (rows are examples), Y (n,), Theta (m, p), beta (m,). Theta and beta are returned as object
    arrays of leaf Values, so after ``L.backward()`` their ``grad_of`` is dL/dTheta and dL/dbeta.
    """
    X_ = as_float_array("X", X, ndim=2)
    Y_ = as_float_array("Y", Y, ndim=1)
    Theta_ = as_float_array("Theta", Theta, ndim=2)
    beta_ = as_float_array("beta", beta, ndim=1)
    if Theta_.shape[1] != X_.shape[1]:
        raise ValueError(f"Theta has shape {Theta_.shape}, expected (m, {X_.shape[1]}) to match X {X_.shape}")
    if beta_.shape != (Theta_.shape[0],):
        raise ValueError(f"beta has shape {beta_.shape}, expected ({Theta_.shape[0]},) to match Theta {Theta_.shape}")
    if Y_.shape != (X_.shape[0],):
        raise ValueError(f"Y has shape {Y_.shape}, expected ({X_.shape[0]},) to match X {X_.shape}")
    if X_.shape[0] == 0:
        raise ValueError(f"X must have at least one row (example), got shape {X_.shape}")
    activation = get_activation(activation).name
    Theta_v, beta_v = as_values(Theta_, "Θ"), as_values(beta_, "β")
    loss: Value | float = 0.0
    for x, y in zip(X_, Y_):
        P = [sum((t * float(xk) for t, xk in zip(row, x)), Value(0.0)) for row in Theta_v]  # P_i = Θ X_i
        A = apply(activation, np.array(P, dtype=object))  # A_i = g(P_i)
        y_hat = sum((b * a for b, a in zip(beta_v, A)), Value(0.0))  # Ŷ_i = βᵀ A_i
        loss = loss + (float(y) - y_hat) ** 2  # L_i = (Y_i - Ŷ_i)^2
    assert isinstance(loss, Value)
    loss.name = "L"
    return loss, Theta_v, beta_v


# --- the lecture's toy graph j = 3(a + b c) ---------------------------------------------------------------
def toy_graph(a: float = 1.0, b: float = 2.0, c: float = 3.0) -> dict[str, Value]:
    """j = 3(a + bc) built from Values (u = bc, v = a + u, j = 3v), after ``j.backward()``; keys a, b, c, u, v, j."""
    a_, b_, c_ = (Value(check_finite(n, x), name=n) for n, x in (("a", a), ("b", b), ("c", c)))
    u = b_ * c_
    u.name = "u"
    v = a_ + u
    v.name = "v"
    j = 3 * v
    j.name = "j"
    j.backward()
    return {"a": a_, "b": b_, "c": c_, "u": u, "v": v, "j": j}


def toy_graph_by_hand(a: float = 1.0, b: float = 2.0, c: float = 3.0) -> dict[str, float]:
    """The same numbers from the hand-derived chain rule: u, v, j and dj/dv, dj/du, dj/da, dj/db, dj/dc."""
    a, b, c = (check_finite(n, x) for n, x in (("a", a), ("b", b), ("c", c)))
    u = b * c
    v = a + u
    dj_dv = 3.0  # j = 3v
    dj_du = dj_dv * 1.0  # v = a + u
    return {"u": u, "v": v, "j": 3.0 * v, "dj/dv": dj_dv, "dj/du": dj_du, "dj/da": dj_dv * 1.0,
            "dj/db": dj_du * c, "dj/dc": dj_du * b}
