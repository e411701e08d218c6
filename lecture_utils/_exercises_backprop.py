"""Exercises of notebooks 03 (backprop by hand), 04 (computation graphs) and 06 (Ng's two-layer network).

Each write-the-code checker calls the student's function on seeded random
problems of several shapes and activations, compares every returned part
with the library's reference (``network.loss_and_gradients``,
``twolayer.backward_propagation``, ``autodiff.Value``), and names the part
that is wrong; typical bugs are recognised by running the reference with
that bug put in (the ``_MUTANTS`` functions below) on the same inputs.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import autodiff as ad
from .activations import get_activation
from .network import loss_and_gradients
from .twolayer import backward_propagation, forward_propagation
from ._exercise_core import (Exercise, NumberExercise, Part, call, call_same, diagnose_part, factor_sentence,
                             number_exercise, raise_problems, require_callable, shared_factor, wrong)

# --- 03: the lecture's network, examples as rows ----------------------------------------------------

# (n, p, m, activation, seed): n, p and m differ, so a transpose or a factor n shows; tanh first.
_TRIALS_03 = [(3, 2, 4, "tanh", 1), (5, 3, 2, "relu", 2), (7, 1, 3, "sigmoid", 3), (4, 3, 5, "identity", 4),
              (6, 4, 3, "relu", 5), (1, 2, 3, "tanh", 6)]


def _problem_03(n: int, p: int, m: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(1000 + seed)
    return rng.standard_normal((n, p)), rng.standard_normal(n), rng.standard_normal((m, p)), rng.standard_normal(m)


def _forward_03(X, Theta, beta, activation):
    g = get_activation(activation)
    P = X @ Theta.T
    A = g.g(P)
    return g, P, A, A @ beta


def _mutant_03(bug: str) -> Callable:
    """The reference backward pass with one typical bug put in."""
    def backward(X, Y, Theta, beta, activation):
        g, P, A, Y_hat = _forward_03(X, Theta, beta, activation)
        L = float(np.sum((Y - Y_hat) ** 2))
        dY = -2.0 * (Y - Y_hat)
        gp = {"g' at P": g.g_prime(P), "g' of g(A)": g.g_prime(g.g(A))}.get(bug, g.g_prime(A))
        dP = np.outer(dY, beta) * gp
        if bug == "no g'":
            dP = np.outer(dY, beta)
        if bug == "no beta":
            dP = dY[:, None] * gp
        dbeta = (P if bug == "P for A" else A).T @ dY
        return L, dP.T @ X, dbeta
    return backward


_MUTANTS_03 = {
    "no g'": {"dL/dTheta": "dL/dTheta misses the factor g'(P): dL/dP = (dL/dY_hat beta^T) ⊙ g'(P), the "
                           "element-wise form of multiplying by diag(g'(P_i)) for each example."},
    "g' at P": {"dL/dTheta": "dL/dTheta uses g' evaluated at P: activations' g_prime takes A = g(P) "
                             "(for tanh, 1 - A**2 is tanh'(P); 1 - P**2 is not)."},
    "g' of g(A)": {"dL/dTheta": "dL/dTheta computes g' from A as if A were P (e.g. 1 - tanh(A)**2): "
                                "1 - A**2 already is tanh'(P); do not apply g twice."},
    "no beta": {"dL/dTheta": "dL/dTheta misses the factor beta^T = dY_hat_i/dA_i: "
                             "dL/dP = (dL/dY_hat beta^T) ⊙ g'(P)."},
    "P for A": {"dL/dbeta": "dL/dbeta is built from P instead of A: Y_hat = A beta, so dY_hat_i/dbeta = "
                            "A_i^T = g(P_i)^T; use A.T @ dL_dYhat."},
}


def _parts_03(n: int) -> dict[str, Part]:
    n_factor = {"1/n": (1 / n, "a mean instead of the lecture's sum over the n examples (or a stray 1/n)."),
                "n": (float(n), "a factor n too many."),
                "1/2": (0.5, "the factor 2 of d(Y - Y_hat)^2/dY_hat = -2 (Y - Y_hat) is missing."),
                "2": (2.0, "a factor 2 too many."),
                "1/(2n)": (1 / (2 * n), "the mean and a missing factor 2.")}
    return {
        "L": Part("L", "L = sum_i (Y_i - Y_hat_i)^2 with Y_hat = g(X Theta^T) beta.", n_factor),
        "dL/dTheta": Part("dL/dTheta", "L and dL/dbeta decide whether dL/dY_hat is right; then check the Theta "
                          "branch: dL/dP = (dL/dY_hat beta^T) ⊙ g'(P), dL/dTheta = (dL/dP)^T X.", n_factor),
        "dL/dbeta": Part("dL/dbeta", "dL/dbeta = A^T dL/dY_hat with dL/dY_hat = -2 (Y - Y_hat).", n_factor),
    }


def _describe_03(n: int, p: int, m: int, activation: str) -> str:
    return f"with n = {n} examples, p = {p} features, m = {m} hidden units and activation {activation!r}"


def _check_03_backward(answer: Any) -> str:
    student = require_callable(answer, "(X, Y, Theta, beta, activation) -> (L, dTheta, dbeta)")
    for n, p, m, activation, seed in _TRIALS_03:
        X, Y, Theta, beta = _problem_03(n, p, m, seed)
        where = _describe_03(n, p, m, activation)
        result = call(student, (X, Y, Theta, beta, activation), where)
        if not isinstance(result, (tuple, list)):
            raise wrong(f"your function returned {type(result).__name__}; it should return the tuple "
                        f"(L, dTheta, dbeta) (called {where}).")
        if len(result) != 3:
            raise wrong(f"your function returned {len(result)} values; it should return 3: (L, dTheta, dbeta).")
        expected = loss_and_gradients(X, Y, Theta, beta, activation)
        _check_order_03(result, expected)
        parts = _parts_03(n)
        shared = shared_factor(list(parts.values()), result, [np.asarray(e, dtype=float) for e in expected])
        if shared:
            names, label, why = shared
            extra = (" L is right, so look at the factor both gradients share, dL/dY_hat = -2 (Y - Y_hat)."
                     if "L" not in names else "")
            raise wrong(factor_sentence(names, label, why) + extra + f" [called {where}]")
        problems = []
        for index, ((name, part), got, exp) in enumerate(zip(parts.items(), result, expected)):
            exp = np.asarray(exp, dtype=float)
            mutants = [(texts[name], np.asarray(_mutant_03(bug)(X, Y, Theta, beta, activation)[index]))
                       for bug, texts in _MUTANTS_03.items() if name in texts]
            mutants += [(f"the results are what activation {other!r} gives: use the `activation` argument "
                         f"(get_activation(activation)) instead of a fixed g.",
                         np.asarray(loss_and_gradients(X, Y, Theta, beta, other)[index]))
                        for other in ("tanh", "relu", "sigmoid", "identity") if other != activation]
            problem = diagnose_part(part, got, exp, mutants)
            if problem and problem not in problems:
                problems.append(problem)
        raise_problems(problems, list(zip(parts, result, expected)), where)
    return (f"L, dL/dTheta and dL/dbeta match network.loss_and_gradients on {len(_TRIALS_03)} random networks "
            "(activations tanh, relu, sigmoid, identity; n from 1 to 7).")


def _check_order_03(result: Any, expected: tuple) -> None:
    """A clear message when the three values come back in another order."""
    shapes = [np.shape(r) if not callable(r) else None for r in result]
    wanted = [np.shape(e) for e in expected]
    if shapes != wanted and sorted(map(str, shapes)) == sorted(map(str, wanted)) and len(set(map(str, wanted))) == 3:
        raise wrong("the three values come back in another order (their shapes are "
                    f"{', '.join(map(str, shapes))}); return them as (L, dTheta, dbeta), shapes "
                    f"{', '.join(map(str, wanted))}.")


def _reference_03_backward(X: np.ndarray, Y: np.ndarray, Theta: np.ndarray, beta: np.ndarray,
                           activation: str) -> tuple[float, np.ndarray, np.ndarray]:
    """The reference: ``network.loss_and_gradients``."""
    return loss_and_gradients(X, Y, Theta, beta, activation)


EX_03 = [
    number_exercise("03-dL-dYhat", "dL_i/dY_hat_i for one example",
                    ("Differentiate (Y_i - Y_hat_i)^2 with respect to Y_hat_i: the chain rule gives an inner "
                     "derivative too.",
                     "dL_i/dY_hat_i = -2 (Y_i - Y_hat_i)."),
                    NumberExercise(-1.5, "The outer derivative of u^2 is 2u with u = Y_i - Y_hat_i, and the inner "
                                   "derivative du/dY_hat_i is -1.", 1e-6,
                                   ((1.5, "the sign: the inner derivative of (Y - Y_hat) with respect to Y_hat is -1."),
                                    (-0.75, "the factor 2 of the square is missing."),
                                    (0.5625, "that is the loss L_i itself, not its derivative.")))),
    number_exercise("03-dbeta-example", "dL_i/dbeta for one ReLU example",
                    ("beta enters only through Y_hat_i = beta^T A_i, so dY_hat_i/dbeta = A_i^T; multiply by "
                     "dL_i/dY_hat_i.",
                     "dL_i/dbeta = -2 (Y_i - Y_hat_i) A_i^T with A_i = relu(P_i)."),
                    NumberExercise((-0.8, 0.0, -1.28),
                                   "A_i = relu(P_i) = (0.5, 0, 0.8), Y_hat_i = beta^T A_i = 0.2 and dL_i/dY_hat_i = "
                                   "-2 (1 - 0.2); the gradient is that number times A_i (not P_i).", 1e-3,
                                   (((-0.8, 0.48, -1.28), "you multiplied by P_i; beta multiplies A_i = g(P_i), "
                                     "and the ReLU sets the second entry to 0."),
                                    ((0.8, 0.0, 1.28), "the sign: dL_i/dY_hat_i = -2 (Y_i - Y_hat_i) is negative "
                                     "here, the prediction is too small."),
                                    ((-0.4, 0.0, -0.64), "the factor 2 of the square is missing.")))),
    number_exercise("03-dTheta-shape", "the shape of dL/dTheta",
                    ("A gradient always has the shape of the parameter it belongs to.",
                     "Theta is (m, p); dL/dTheta = (dL/dP)^T X is (m, n)(n, p)."),
                    NumberExercise((8, 2), "dL/dTheta = (dL/dP)^T X: (m, n) times (n, p) gives (m, p), the shape "
                                   "of Theta.", 0,
                                   (((40, 8), "that is the shape of P and of dL/dP (one row per example)."),
                                    ((2, 8), "transposed: Theta has one row per hidden unit."),
                                    ((40, 2), "that is the shape of X.")), integer_tuple=True)),
    Exercise("03-backward", "the vectorised backward pass", "code",
             ("Walk the chain from the loss back, one row of the table of section 5 at a time: dL/dY_hat (n,), "
              "then dL/dbeta (it needs A), then dL/dP (beta and g') and dL/dTheta (X); check each shape.",
              "P = X @ Theta.T; A = g(P); Y_hat = A @ beta; L = sum((Y - Y_hat)**2); dL_dYhat = -2 (Y - Y_hat);\n"
              "dbeta = A.T @ dL_dYhat; dL_dP = np.outer(dL_dYhat, beta) * g'(P) (g.g_prime(A) from activations);\n"
              "dTheta = dL_dP.T @ X."),
             _check_03_backward, _reference_03_backward, "(X, Y, Theta, beta, activation) -> (L, dTheta, dbeta)"),
]


# --- 04: computation graphs and the autodiff engine ----------------------------------------------------

def _values(*numbers: float) -> list[ad.Value]:
    return [ad.Value(float(x), name=name) for x, name in zip(numbers, "abcdefgh")]


def _check_04_mul_backward(answer: Any) -> str:
    student = require_callable(answer, "(a, b, out) -> None")
    rng = np.random.default_rng(404)
    for trial in range(3):
        x, y, upstream, ga, gb = (float(v) for v in np.round(rng.uniform(-3, 3, 5), 2) + 0.01)
        a, b = _values(x, y)
        out = a * b
        out.grad = upstream
        a.grad, b.grad = (0.0, 0.0) if trial == 0 else (ga, gb)
        before_a, before_b = a.grad, b.grad
        call_same(student, (a, b, out), f"with a.data = {x:g}, b.data = {y:g}, out.grad = {upstream:g}")
        for name, node, got_before, other, self_data in (("a", a, before_a, y, x), ("b", b, before_b, x, y)):
            expected = got_before + other * upstream
            got = node.grad
            if not isinstance(got, (int, float)) or isinstance(got, bool):
                raise wrong(f"{name}.grad became {type(got).__name__}; it must stay a number.")
            if abs(got - expected) < 1e-9:
                continue
            where = (f"a.data = {x:g}, b.data = {y:g}, out.grad = {upstream:g}"
                     + (f", and {name}.grad was {got_before:g} before (from another use of {name})" if trial else ""))
            if trial and abs(got - other * upstream) < 1e-9:
                raise wrong(f"{name}.grad was overwritten: `=` instead of `+=`. {name} may feed other nodes too, and "
                            f"their contributions must add up ({where}).")
            if abs(got - (got_before + self_data * upstream)) < 1e-9:
                raise wrong(f"{name}.grad used its own data: the local derivative of a*b with respect to {name} is "
                            f"the OTHER factor ({where}).")
            if abs(got - (got_before + other)) < 1e-9:
                raise wrong(f"{name}.grad misses out.grad: the chain rule multiplies the local derivative by the "
                            f"upstream gradient out.grad ({where}).")
            if abs(got - (got_before - other * upstream)) < 1e-9:
                raise wrong(f"{name}.grad has the wrong sign ({where}).")
            raise wrong(f"{name}.grad is {got:.6g}, expected {expected:.6g} ({where}); add local derivative "
                        "times out.grad.")
    x = 1.7
    (a,) = _values(x)
    out = a * a
    out.grad = 2.0
    call_same(student, (a, a, out), f"with a and b the same node (out = a * a), a.data = {x:g}, out.grad = 2")
    if abs(a.grad - 2 * x * 2.0) > 1e-9:
        if abs(a.grad - x * 2.0) < 1e-9:
            raise wrong("for out = a * a your a.grad got one contribution instead of two: `=` instead of `+=` "
                        "(the second assignment overwrote the first).")
        raise wrong(f"for out = a * a, a.grad is {a.grad:.6g}, expected d(a^2)/da * out.grad = {2 * x * 2:.6g}.")
    return "local derivative times out.grad, accumulated with +=, also when a and b are the same node."


def _reference_04_mul_backward(a: ad.Value, b: ad.Value, out: ad.Value) -> None:
    """Add d(ab)/da * out.grad to a.grad and d(ab)/db * out.grad to b.grad."""
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad


def _graph_toy(a: float, b: float, c: float) -> tuple[ad.Value, dict[str, ad.Value]]:
    A, B, C = _values(a, b, c)
    u = B * C
    v = A + u
    j = 3 * v
    return j, {"a": A, "b": B, "c": C, "u": u, "v": v}


def _graph_reused(a: float) -> tuple[ad.Value, dict[str, ad.Value]]:
    (A,) = _values(a)
    b = A + A
    c = b * b
    return c, {"a": A, "b": b}


def _graph_tanh(x: float, y: float) -> tuple[ad.Value, dict[str, ad.Value]]:
    X, Y = _values(x, y)
    p = X * Y
    f = p.tanh() + X.exp()
    return f, {"x": X, "y": Y, "p": p}


_GRAPHS_04 = [("j = 3(a + b c) at a, b, c = 1, 2, 3", lambda: _graph_toy(1.0, 2.0, 3.0)),
              ("b = a + a, c = b * b at a = 1.5 (a and b are each used twice)", lambda: _graph_reused(1.5)),
              ("f = tanh(x y) + exp(x) at x, y = 0.5, 2 (x used twice)", lambda: _graph_tanh(0.5, 2.0)),
              ("j = 3(a + b c) at a, b, c = 5, 3, 2", lambda: _graph_toy(5.0, 3.0, 2.0))]


def _grads(nodes: dict[str, ad.Value]) -> dict[str, float]:
    return {k: v.grad for k, v in nodes.items()}


def _mutant_backward_04(root: ad.Value, bug: str) -> None:
    order = ad.topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    walk = order if bug == "forward order" else list(reversed(order))
    for node in walk:
        for parent, local in zip(node.parents, node.local_grads):
            if bug == "=":
                parent.grad = local * node.grad
            else:
                parent.grad += local * node.grad


def _check_04_backward(answer: Any) -> str:
    student = require_callable(answer, "(root) -> None")
    for description, build in _GRAPHS_04:
        root, nodes = build()
        root.zero_grad()
        root.backward()
        expected = _grads(nodes)
        root, nodes = build()
        call_same(student, (root,), f"on {description}")
        got = _grads(nodes)
        if all(abs(got[k] - expected[k]) < 1e-9 for k in expected):
            call_same(student, (root,), f"a second time on {description}")
            again = _grads(nodes)
            if any(abs(again[k] - expected[k]) > 1e-9 for k in expected):
                raise wrong("the first call is right, but calling it a second time on the same graph changes the "
                            "gradients (" + ", ".join(f"d/d{k}: {again[k]:.6g} instead of {expected[k]:.6g}"
                                                      for k in expected if abs(again[k] - expected[k]) > 1e-9)
                            + "): gradients are not reset between backward calls; set every node's grad to 0 "
                            f"before setting root.grad = 1 (graph {description}).")
            continue
        listing = ", ".join(f"d/d{k} = {got[k]:.6g} (expected {expected[k]:.6g})" for k in expected
                            if abs(got[k] - expected[k]) > 1e-9)
        if all(v == 0 for v in got.values()):
            raise wrong(f"every gradient is 0 on {description}: set root.grad = 1 (d root / d root) before the loop, "
                        "and add local * node.grad into each parent.")
        for bug, text in (("=", "`=` instead of `+=`: a node used twice must add up one contribution per use"),
                          ("forward order", "the nodes are visited in topological order, not in reverse: walk "
                           "reversed(topological_order(root)), so each node's gradient is complete before it is "
                           "passed on")):
            root_m, nodes_m = build()
            _mutant_backward_04(root_m, bug)
            if all(abs(got[k] - nodes_m[k].grad) < 1e-9 for k in expected):
                raise wrong(f"{text} ({listing}; graph {description}).")
        root_m, nodes_m = build()
        ad.naive_backward(root_m, accumulate=True)
        if all(abs(got[k] - nodes_m[k].grad) < 1e-9 for k in expected):
            raise wrong("each node passes on a partial sum (a recursion without topological order): process "
                        f"reversed(topological_order(root)) in one loop ({listing}; graph {description}).")
        raise wrong(f"wrong gradients on {description}: {listing}. For every node, from the root backwards, add "
                    "local derivative * node.grad into each parent.")
    return (f"right on {len(_GRAPHS_04)} graphs (including reused nodes), and the same again when called twice.")


def _reference_04_backward(root: ad.Value) -> None:
    """Every node's grad set to d root / d node, starting from zero: zero_grad, then the topological walk."""
    order = ad.topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad


def _naive_mul_reused_answers() -> tuple[float, float]:
    """What naive_backward gives for b = a * a, c = b * b at a = 1.5, overwriting and accumulating."""
    out = []
    for accumulate in (False, True):
        (a,) = _values(1.5)
        b = a * a
        c = b * b
        ad.naive_backward(c, accumulate=accumulate)
        out.append(a.grad)
    return out[0], out[1]


_NAIVE_OVERWRITE, _NAIVE_ACCUMULATE = _naive_mul_reused_answers()

EX_04 = [
    number_exercise("04-dj-db", "dj/db for Ng's inputs a, b, c = 5, 3, 2",
                    ("Walk the path from j back to b: j = 3v, v = a + u, u = b c.",
                     "dj/db = dj/dv * dv/du * du/db = 3 * 1 * c."),
                    NumberExercise(6.0, "Multiply the local derivatives along the path j -> v -> u -> b: 3, then 1, "
                                   "then du/db = c (the other factor of the product).", 1e-6,
                                   ((9.0, "that is 3 b = dj/dc: the derivative of u = bc with respect to b is c, "
                                     "not b."),
                                    (2.0, "that is du/db = c alone: the factor dj/dv = 3 is missing."),
                                    (3.0, "that is dj/da (or dj/du): the last factor du/db = c is missing."),
                                    (33.0, "that is the value j itself, not a derivative.")))),
    number_exercise("04-square-node", "dj/db after adding w = v^2 (exercise 1 of the summary)",
                    ("The new node adds one factor to the path: j = 3w, w = v^2, v = a + u, u = bc.",
                     "dj/db = 3 * 2v * 1 * c, with v = a + bc."),
                    NumberExercise(126.0, "At a, b, c = 1, 2, 3, v = 7; the path j -> w -> v -> u -> b has the local "
                                   "derivatives 3, 2v, 1 and c.", 1e-6,
                                   ((9.0, "that is dj/db without the new node: w = v^2 adds the factor dw/dv = 2v."),
                                    (63.0, "the factor 2 of dw/dv = 2v is missing."),
                                    (42.0, "one factor is missing: 3 (from j = 3w) or c (from u = bc)."),
                                    (84.0, "that uses b instead of c: du/db = c."),
                                    (147.0, "that is j itself, 3 v^2.")))),
    number_exercise("04-naive-overwrite", "what naive_backward(accumulate=False) gives for b = a*a, c = b*b",
                    ("Overwriting keeps only the LAST contribution to each node; run the recursion by hand: c hands "
                     "b.data to b twice, and b recurses each time.",
                     "Each assignment parent.grad = local * node.grad replaces the previous value; the right answer "
                     "dc/da = 4a^3 = 13.5 is NOT what the naive version gives."),
                    NumberExercise(_NAIVE_OVERWRITE, "The naive recursion with `=` keeps one contribution per node: "
                                   "b.grad = b.data * 1 (the second assignment replaces the first), then a.grad = "
                                   "a.data * b.grad, assigned twice with the same value.", 1e-6,
                                   ((13.5, "that is the right dc/da = 4 a^3; the naive overwriting version loses "
                                     "contributions."),
                                    (_NAIVE_ACCUMULATE, "that is what the accumulating naive version gives "
                                     "(accumulate=True), which passes partial sums on more than once.")))),
    Exercise("04-mul-backward", "the backward step of Value.__mul__", "code",
             ("For out = a * b, d out/d a is b and d out/d b is a; the chain rule multiplies each by out.grad, and "
              "a node may already hold contributions from other uses.",
              "a.grad += b.data * out.grad\nb.grad += a.data * out.grad"),
             _check_04_mul_backward, _reference_04_mul_backward, "(a, b, out) -> None"),
    Exercise("04-backward", "a backward pass over the topological order", "code",
             ("Reset every node, seed the root with 1, then walk the nodes so that each is visited after every "
              "node that uses it.",
              "order = ad.topological_order(root); set node.grad = 0 for all; root.grad = 1;\n"
              "for node in reversed(order): for parent, local in zip(node.parents, node.local_grads): "
              "parent.grad += local * node.grad"),
             _check_04_backward, _reference_04_backward, "(root) -> None"),
]


# --- 06: Ng's notation, examples as columns -----------------------------------------------------------

# (n0, n1, m, hidden activation, seed): n0, n1 and m differ so that shapes and 1/m show; tanh first.
_TRIALS_06 = [(2, 4, 7, "tanh", 1), (3, 5, 11, "relu", 2), (2, 3, 9, "tanh", 3), (4, 2, 5, "relu", 4),
              (2, 4, 1, "tanh", 5)]
_KEYS_06 = ("dW1", "db1", "dW2", "db2")


def _problem_06(n0: int, n1: int, m: int, activation: str, seed: int) -> tuple[dict, dict, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(600 + seed)
    params = {"W1": rng.standard_normal((n1, n0)), "b1": rng.standard_normal((n1, 1)),
              "W2": rng.standard_normal((1, n1)), "b2": rng.standard_normal((1, 1))}
    X = rng.standard_normal((n0, m))
    Y = (rng.uniform(size=(1, m)) < 0.5).astype(float)
    _, cache = forward_propagation(X, params, activation)
    return params, cache, X, Y


def _mutant_06(params: dict, cache: dict, X: np.ndarray, Y: np.ndarray, activation: str, bug: str) -> dict:
    m = X.shape[1]
    A1, A2, Z1 = cache["A1"], cache["A2"], cache["Z1"]
    gprime = {"tanh": lambda Z: 1 - np.tanh(Z) ** 2, "relu": lambda Z: (Z > 0).astype(float)}[activation]
    dZ2 = A2 - Y
    gp = gprime(Z1)
    if bug == "g' of A1":
        gp = gprime(A1)
    if bug == "1 - Z1^2":
        gp = 1 - Z1 ** 2
    if bug == "tanh formula":
        gp = 1 - A1 ** 2
    if bug == "relu formula":
        gp = (Z1 > 0).astype(float)
    dZ1 = params["W2"].T @ dZ2 * (1.0 if bug == "no g'" else gp)
    return {"dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m,
            "dW2": dZ2 @ A1.T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}


_MUTANTS_06 = {
    "no g'": "dZ1 misses g'(Z1), so dW1 and db1 are wrong: dZ1 = W2^T dZ2 ⊙ g'(Z1) (the error sent back is gated "
             "by the slope of g).",
    "g' of A1": "dZ1 evaluates g' at A1 as if it were Z1 (e.g. 1 - tanh(A1)**2), so dW1 and db1 are wrong; use "
                "1 - A1**2, which is g'(Z1).",
    "1 - Z1^2": "dZ1 uses 1 - Z1**2, so dW1 and db1 are wrong: tanh'(Z1) = 1 - tanh(Z1)**2 = 1 - A1**2 (the "
                "formula takes A1, not Z1).",
}


def _parts_06(m: int) -> dict[str, Part]:
    factors = {"m": (float(m), f"the 1/m is missing (m = {m} examples): Ng's gradients are of the cost J "
                               "averaged over the examples."),
               "1/m": (1 / m, "divided by m twice (or once too many)."),
               "2": (2.0, "a factor 2 too many.")}
    look = {"dW2": "dW2 = (1/m) dZ2 A1^T with dZ2 = A2 - Y.",
            "db2": "db2 = (1/m) np.sum(dZ2, axis=1, keepdims=True).",
            "dW1": "dW2 and db2 decide whether dZ2 is right; then check dZ1 = W2^T dZ2 ⊙ g'(Z1) and dW1 = (1/m) "
                   "dZ1 X^T.",
            "db1": "db1 = (1/m) np.sum(dZ1, axis=1, keepdims=True) with dZ1 = W2^T dZ2 ⊙ g'(Z1)."}
    return {k: Part(k, look[k], factors) for k in _KEYS_06}


def _check_06_backward(answer: Any) -> str:
    student = require_callable(answer, "(params, cache, X, Y, hidden_activation) -> grads")
    for n0, n1, m, activation, seed in _TRIALS_06:
        params, cache, X, Y = _problem_06(n0, n1, m, activation, seed)
        where = f"with n0 = {n0} inputs, n1 = {n1} hidden units, m = {m} examples, hidden_activation {activation!r}"
        grads = call(student, (params, cache, X, Y, activation), where)
        if not isinstance(grads, dict):
            raise wrong(f"your function returned {type(grads).__name__}; it should return a dict with keys "
                        f"{', '.join(_KEYS_06)} (called {where}).")
        missing = [k for k in _KEYS_06 if k not in grads]
        if missing:
            hint = (" (the gradients are named with a d: dW1, not W1)"
                    if any(k[1:] in grads for k in missing) else "")
            raise wrong(f"the returned dict has no {', '.join(missing)}{hint}; keys found: "
                        f"{', '.join(map(str, grads)) or 'none'}.")
        expected = backward_propagation(params, cache, X, Y, activation)
        other = "relu" if activation == "tanh" else "tanh"
        parts = _parts_06(m)
        shared = shared_factor(list(parts.values()), [grads[k] for k in _KEYS_06], [expected[k] for k in _KEYS_06])
        if shared:
            names, label, why = shared
            extra = (" All four share dZ2 = A2 - Y, the place to look." if len(names) == 4 and label == "minus 1"
                     else "")
            raise wrong(factor_sentence(names, label, why) + extra + f" [called {where}]")
        problems = []
        for key, part in parts.items():
            mutants = [(text, _mutant_06(params, cache, X, Y, activation, bug)[key])
                       for bug, text in _MUTANTS_06.items()]
            mutants.append((f"dZ1 uses the g' of {other!r}, so dW1 and db1 are wrong: use the hidden_activation "
                            f"argument ({activation!r} here) to pick g'.",
                            _mutant_06(params, cache, X, Y, activation, f"{other} formula")[key]))
            problem = diagnose_part(part, grads[key], expected[key], mutants)
            if problem and problem not in problems:
                problems.append(problem)
        raise_problems(problems, [(k, grads[k], expected[k]) for k in _KEYS_06], where)
    return (f"dW1, db1, dW2 and db2 match twolayer.backward_propagation on {len(_TRIALS_06)} random networks "
            "(tanh and relu; m from 1 to 11).")


def _reference_06_backward(params: dict, cache: dict, X: np.ndarray, Y: np.ndarray,
                           hidden_activation: str = "tanh") -> dict:
    """The reference: ``twolayer.backward_propagation``."""
    return backward_propagation(params, cache, X, Y, hidden_activation)


def _check_06_update(answer: Any) -> str:
    student = require_callable(answer, "(params, grads, learning_rate) -> new params")
    rng = np.random.default_rng(66)
    for n0, n1, alpha in ((2, 4, 0.5), (3, 2, 1.2)):
        params = {"W1": rng.standard_normal((n1, n0)), "b1": rng.standard_normal((n1, 1)),
                  "W2": rng.standard_normal((1, n1)), "b2": rng.standard_normal((1, 1))}
        grads = {"d" + k: rng.standard_normal(v.shape) for k, v in params.items()}
        where = f"with learning_rate = {alpha}, n0 = {n0}, n1 = {n1}"
        new = call(student, (params, grads, alpha), where)
        if not isinstance(new, dict):
            raise wrong(f"your function returned {type(new).__name__}; it should return a dict with keys W1, b1, W2, "
                        f"b2 (called {where}).")
        missing = [k for k in params if k not in new]
        if missing:
            raise wrong(f"the returned dict has no {', '.join(missing)}; return all four parameters (W1, b1, W2, b2).")
        for key in params:
            expected = params[key] - alpha * grads["d" + key]
            mutants = [(f"{key} moved uphill: the update subtracts, {key} - alpha * d{key}.",
                        params[key] + alpha * grads["d" + key]),
                       (f"{key} is missing the learning rate: {key} - alpha * d{key}.", params[key] - grads["d" + key]),
                       (f"{key} was not updated.", params[key])]
            problem = diagnose_part(Part(key, f"{key} := {key} - alpha * d{key}."), new[key], expected, mutants)
            if problem:
                raise wrong(problem + f" [called {where}]")
    return "every parameter moved by minus learning_rate times its gradient."


def _reference_06_update(params: dict, grads: dict, learning_rate: float) -> dict:
    """One gradient-descent step on all four parameters."""
    return {k: params[k] - learning_rate * grads["d" + k] for k in ("W1", "b1", "W2", "b2")}


EX_06 = [
    number_exercise("06-dz", "dz = dL/dz for a = 0.8, y = 1",
                    ("Ng's dz is the product of dL/da and da/dz, and the two simplify to something short.",
                     "dz = a - y."),
                    NumberExercise(-0.2, "dL/da = -y/a + (1 - y)/(1 - a) and da/dz = a (1 - a); their product "
                                   "simplifies to prediction minus label.", 1e-6,
                                   ((0.2, "the sign: dz = a - y, prediction minus label."),
                                    (-1.25, "that is dL/da only; multiply by da/dz = a(1 - a)."),
                                    (0.16, "that is da/dz = a(1 - a) only; multiply by dL/da.")))),
    number_exercise("06-db1-shape", "the shape of db1 with n1 = 4 hidden units and m = 200 examples",
                    ("db1 updates b1, so it must have b1's shape.",
                     "db1 = (1/m) np.sum(dZ1, axis=1, keepdims=True), with dZ1 of shape (n1, m)."),
                    NumberExercise((4, 1), "Summing dZ1 (n1, m) over the examples (axis=1) and keeping that axis "
                                   "gives a column (n1, 1), the shape of b1.", 0,
                                   (((4,), "that is what np.sum(dZ1, axis=1) gives WITHOUT keepdims=True; it no "
                                     "longer has b1's shape (4, 1), and b1 - alpha * db1 would broadcast to (4, 4)."),
                                    ((4, 200), "that is dZ1 itself; the sum over the examples is missing."),
                                    ((1, 200), "that sums over axis 0, the hidden units; sum over axis 1, the "
                                     "examples."),
                                    ((1, 4), "transposed: b1 is a column.")), integer_tuple=True)),
    number_exercise("06-lecture-factor", "the factor between the lecture's dL/dTheta and Ng's dW1 for n = 13",
                    ("The lecture SUMS (Y_i - Y_hat_i)^2; Ng AVERAGES half squares (1/(2m)) sum (A2 - Y)^2.",
                     "d/dW of sum_i e_i^2 versus d/dW of (1/(2m)) sum_i e_i^2: the ratio is 2m."),
                    NumberExercise(26.0, "Going from Ng's cost to the lecture's multiplies by m (sum instead of mean) "
                                   "and by 2 (square instead of half square): 2 m with m = 13 examples.", 1e-6,
                                   ((13.0, "that is only the sum-versus-mean factor m; the half in Ng's squared cost "
                                     "adds a factor 2."),
                                    (2.0, "that is only the factor of the half square; the sum over 13 examples "
                                     "versus the mean adds a factor m = 13."),
                                    (1 / 26, "inverted: the lecture's gradient is the LARGER one (a sum).")))),
    Exercise("06-backward", "Ng's vectorised backward pass", "code",
             ("Work from the output back: dZ2 first, then the two gradients of layer 2, then dZ1 through W2 and "
              "g', then layer 1. Every gradient carries 1/m and has its parameter's shape.",
              "dZ2 = A2 - Y; dW2 = (1/m) dZ2 @ A1.T; db2 = (1/m) np.sum(dZ2, axis=1, keepdims=True);\n"
              "dZ1 = W2.T @ dZ2 * g'(Z1) (tanh: 1 - A1**2, relu: Z1 > 0); dW1 = (1/m) dZ1 @ X.T;\n"
              "db1 = (1/m) np.sum(dZ1, axis=1, keepdims=True)."),
             _check_06_backward, _reference_06_backward, "(params, cache, X, Y, hidden_activation) -> grads"),
    Exercise("06-update", "one gradient-descent update of all four parameters", "code",
             ("Return a new dict; each parameter moves against its own gradient.",
              "{k: params[k] - learning_rate * grads['d' + k] for k in ('W1', 'b1', 'W2', 'b2')}"),
             _check_06_update, _reference_06_update, "(params, grads, learning_rate) -> params"),
]

EXERCISES = EX_03 + EX_04 + EX_06
