"""Tests of lecture_utils.autodiff: the lecture's toy graph, finite differences, reused nodes, deep chains."""

from __future__ import annotations

import gc
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecture_utils import autodiff as ad
from lecture_utils import network
from lecture_utils.autodiff import Value
from lecture_utils.gradcheck import numerical_gradient

moderate = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


# --- the lecture's toy graph j = 3(a + bc) ---------------------------------------------------------------------
def test_toy_graph_lecture_numbers():
    g = ad.toy_graph(1, 2, 3)
    assert (g["u"].data, g["v"].data, g["j"].data) == (6, 7, 21)
    assert {n: g[n].grad for n in "jvuabc"} == {"j": 1, "v": 3, "u": 3, "a": 3, "b": 9, "c": 6}


def test_toy_graph_andrew_ng_numbers():
    g = ad.toy_graph(5, 3, 2)
    assert g["j"].data == 33
    assert (g["a"].grad, g["b"].grad, g["c"].grad) == (3, 6, 9)


def test_toy_graph_by_hand_lecture_numbers():
    assert ad.toy_graph_by_hand() == {"u": 6, "v": 7, "j": 21, "dj/dv": 3, "dj/du": 3, "dj/da": 3, "dj/db": 9,
                                      "dj/dc": 6}


@pytest.mark.parametrize("name, change", [("a", 0.003), ("b", 0.009), ("c", 0.006)])
def test_nudge_by_a_thousandth(name, change):
    point = {"a": 1.0, "b": 2.0, "c": 3.0}
    nudged = dict(point, **{name: point[name] + 0.001})
    # j is linear in each input separately, so the nudge is exact up to rounding
    assert ad.toy_graph(**nudged)["j"].data - 21 == pytest.approx(change, abs=1e-12)


@given(moderate, moderate, moderate)
def test_toy_graph_engine_equals_hand_derivation(a, b, c):
    g, hand = ad.toy_graph(a, b, c), ad.toy_graph_by_hand(a, b, c)
    assert g["j"].data == pytest.approx(3 * (a + b * c))
    for name in "uvj":
        assert g[name].data == pytest.approx(hand[name])
    for name in "abcuv":
        assert g[name].grad == pytest.approx(hand[f"dj/d{name}"])
    assert (g["a"].grad, g["b"].grad, g["c"].grad) == pytest.approx((3, 3 * c, 3 * b))


@pytest.mark.parametrize("name", ["a", "b", "c"])
def test_toy_graph_rejects_non_numbers(name):
    with pytest.raises(TypeError, match=name):
        ad.toy_graph(**{name: "1"})
    with pytest.raises(TypeError, match=name):
        ad.toy_graph_by_hand(**{name: None})


# --- every operation against finite differences -------------------------------------------------------------
UNARY = {
    "exp": (math.exp, st.floats(-5, 5)),
    "log": (math.log, st.floats(0.1, 20)),
    "tanh": (math.tanh, st.floats(-4, 4)),
    "sigmoid": (lambda x: 1 / (1 + math.exp(-x)), st.floats(-8, 8)),
    "relu": (lambda x: max(x, 0.0), st.floats(-5, 5).filter(lambda x: abs(x) > 1e-3)),
}


@pytest.mark.parametrize("op", sorted(UNARY))
def test_unary_operations_match_finite_differences(op):
    f, points = UNARY[op]

    @settings(max_examples=40, deadline=None)
    @given(points)
    def check(x):
        v = Value(x)
        out = getattr(v, op)()
        out.backward()
        assert out.data == pytest.approx(f(x), rel=1e-12, abs=1e-12)
        assert v.grad == pytest.approx(numerical_gradient(lambda w: f(float(w[0])), [x])[0], rel=1e-5, abs=1e-7)

    check()


BINARY = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
}


@pytest.mark.parametrize("op", sorted(BINARY))
@given(x=moderate, y=moderate.filter(lambda y: abs(y) > 0.1))
def test_binary_operations_with_numbers_on_either_side(op, x, y):
    f = BINARY[op]
    for left, right in [(Value(x), Value(y)), (Value(x), y), (x, Value(y))]:
        out = f(left, right)
        assert isinstance(out, Value)
        assert out.data == pytest.approx(f(x, y))
        out.backward()
        grads = numerical_gradient(lambda w: f(w[0], w[1]), [x, y])
        if isinstance(left, Value):
            assert left.grad == pytest.approx(grads[0], rel=1e-5, abs=1e-6)
        if isinstance(right, Value):
            assert right.grad == pytest.approx(grads[1], rel=1e-5, abs=1e-6)


@given(x=st.floats(0.2, 5), n=st.sampled_from([-2, -1, -0.5, 0, 0.5, 1, 2, 3, 2.5]))
def test_power_matches_finite_differences(x, n):
    v = Value(x)
    out = v**n
    out.backward()
    assert out.data == pytest.approx(x**n)
    assert v.grad == pytest.approx(numerical_gradient(lambda w: float(w[0]) ** n, [x])[0], rel=1e-5, abs=1e-7)


def test_negation_and_integer_power_of_negative_base():
    v = Value(-2.0)
    out = -(v**3)
    out.backward()
    assert out.data == 8.0 and v.grad == -12.0


def test_extreme_inputs_do_not_overflow_or_warn():
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).exp().data == math.inf
    assert Value(1e200).__pow__(2).data == math.inf


def test_fractional_power_at_zero_is_lazy_and_has_an_infinite_slope():
    """Regression: ``Value(0.0) ** 0.5`` raised ZeroDivisionError, because n x^(n-1) was computed eagerly."""
    x = Value(0.0, "x")
    root = x**0.5
    assert root.data == 0.0
    root.backward()
    assert x.grad == math.inf  # the one-sided slope of the square root at 0: a vertical tangent
    for n, slope in ((1, 1.0), (1.5, 0.0), (2, 0.0), (0, 0.0)):
        v = Value(0.0)
        (v**n).backward()
        assert v.grad == slope


def test_distance_at_the_origin_has_nan_gradient_without_errors():
    """A student's (x*x + y*y) ** 0.5 at the origin: the cone has no gradient there, so inf × 0 = nan."""
    x, y = Value(0.0, "x"), Value(0.0, "y")
    r = (x * x + y * y) ** 0.5
    r.backward()
    assert r.data == 0.0 and math.isnan(x.grad) and math.isnan(y.grad)
    x, y = Value(3.0, "x"), Value(-4.0, "y")
    r = (x * x + y * y) ** 0.5
    r.backward()
    assert (r.data, x.grad, y.grad) == pytest.approx((5.0, 0.6, -0.8))


def test_power_slopes_too_large_for_a_float_are_signed_infinities():
    for base, n, value, slope in ((1e-200, -2, math.inf, -math.inf), (-1e200, 3, -math.inf, math.inf),
                                  (1e200, 2, math.inf, 2e200), (-1e-200, -3, -math.inf, -math.inf)):
        v = Value(base)
        out = v**n
        out.backward()
        assert (out.data, v.grad) == (value, slope), (base, n)


# --- random expressions against finite differences ----------------------------------------------------------
def expressions(depth: int = 3):
    """Expression trees over x, y, z with operations defined everywhere (no log/division near 0)."""
    leaves = st.sampled_from(["x", "y", "z"]) | st.floats(-3, 3).map(lambda c: ("const", c))

    def extend(children):
        unary = st.tuples(st.sampled_from(["tanh", "sigmoid", "square", "expt", "softdiv"]), children)
        binary = st.tuples(st.sampled_from(["+", "-", "*", "r+", "r*"]), children, children)
        return unary | binary

    return st.recursive(leaves, extend, max_leaves=8)


def evaluate(tree, env):
    """Evaluate a tree on Values or floats (the same code path for both)."""
    if isinstance(tree, str):
        return env[tree]
    if tree[0] == "const":
        return tree[1]
    op = tree[0]
    if op in ("+", "-", "*", "r+", "r*"):
        a, b = evaluate(tree[1], env), evaluate(tree[2], env)
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "r+": lambda: 1.5 + a,
                "r*": lambda: 0.5 * b}[op]()
    a = evaluate(tree[1], env)
    if op == "square":
        return a**2
    if op == "softdiv":
        return a / (1 + a**2)
    if isinstance(a, Value):
        return {"tanh": a.tanh, "sigmoid": a.sigmoid, "expt": lambda: (a.tanh() * 2).exp()}[op]()
    return {"tanh": lambda: math.tanh(a), "sigmoid": lambda: 1 / (1 + math.exp(-a)),
            "expt": lambda: math.exp(2 * math.tanh(a))}[op]()


@settings(max_examples=150, deadline=None)
@given(expressions(), st.tuples(st.floats(-2, 2), st.floats(-2, 2), st.floats(-2, 2)))
def test_random_expressions_match_finite_differences(tree, point):
    values = {n: Value(x, n) for n, x in zip("xyz", point)}
    out = evaluate(tree, values)
    if not isinstance(out, Value):  # a tree of constants only
        return
    out.backward()
    f = lambda w: float(evaluate(tree, dict(zip("xyz", map(float, w)))))  # noqa: E731
    assert out.data == pytest.approx(f(np.array(point)), rel=1e-12, abs=1e-12)
    numeric = numerical_gradient(f, np.array(point))
    engine = [values[n].grad for n in "xyz"]
    assert engine == pytest.approx(numeric, rel=1e-4, abs=1e-5)


# --- reused nodes and the order of the backward pass --------------------------------------------------------
def test_reused_node_accumulates():
    a = Value(3.0, "a")
    b = a + a
    c = b + b
    c.backward()
    assert (c.data, b.grad, a.grad) == (12.0, 2.0, 4.0)
    x = Value(5.0)
    (x * x).backward()
    assert x.grad == 10.0


def test_naive_recursion_gets_reused_nodes_wrong():
    a = Value(3.0, "a")
    b = a + a
    c = b + b
    ad.naive_backward(c, accumulate=True)
    assert a.grad == 6.0  # b passes on its partial sum once per use: 1 + 1 + 2 + 2
    ad.naive_backward(c, accumulate=False)
    assert a.grad == 1.0  # overwriting keeps only the last contribution
    c.zero_grad()  # leaves accumulate across passes: start from zero
    c.backward()
    assert a.grad == 4.0


def test_naive_recursion_is_right_on_a_tree():
    g = ad.toy_graph()
    ad.naive_backward(g["j"])
    assert (g["a"].grad, g["b"].grad, g["c"].grad) == (3, 9, 6)


def test_topological_order_puts_parents_first():
    g = ad.toy_graph()
    order = ad.topological_order(g["j"])
    position = {id(v): i for i, v in enumerate(order)}
    assert len(order) == 7  # a, b, c, u, v, j and the constant 3
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]


def test_backward_steps_replay_backward_without_touching_grads():
    g = ad.toy_graph()
    for v in g.values():
        v.grad = -99.0
    steps = [s for s in ad.backward_steps(g["j"]) if s.node.name]
    assert [(s.source.name, s.node.name) for s in steps] == [("j", "v"), ("v", "a"), ("v", "u"), ("u", "b"),
                                                             ("u", "c")]
    assert [s.grad_after for s in steps] == [3, 3, 3, 9, 6]
    assert steps[3].chain == (3.0, 1.0, 3.0) and steps[3].local == 3.0 and steps[3].upstream == 3.0
    assert all(v.grad == -99.0 for v in g.values())


def test_backward_steps_mark_shared_paths():
    a = Value(3.0, "a")
    b = a + a
    steps = ad.backward_steps(b + b)
    assert [s.grad_after for s in steps] == [1, 2, 2, 4]
    assert steps[-1].chain is None


def test_chain_of_100000_nodes_needs_no_recursion():
    x = Value(0.5, "x")
    y = x
    for _ in range(100_000):
        y = y.tanh()
    assert len(ad.topological_order(y)) == 100_001
    y.backward()
    # d tanh^n(x)/dx is the product of (1 - tanh^2) along the chain, computed here in a loop
    expected, t = 1.0, 0.5
    for _ in range(100_000):
        t = math.tanh(t)
        expected *= 1 - t * t
    assert x.grad == pytest.approx(expected, rel=1e-9)
    # notebook 04's vanishing gradient: 4.5e-7, close to (y/x)^3, the slope of the continuous approximation
    # dy/dk = -y^3/3 of the chain (y_k = (x^-2 + 2k/3)^-1/2, so dy_k/dx = (y_k/x)^3)
    assert f"{x.grad:.2g}" == "4.5e-07"
    assert x.grad == pytest.approx((y.data / 0.5) ** 3, rel=0.05)
    y.zero_grad()
    assert x.grad == 0.0
    del y
    gc.collect()  # freeing the chain must not recurse either


def test_chain_of_additions_long():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y + 1
    y.backward()
    assert y.data == 100_001 and x.grad == 1.0


# --- calling backward twice, zeroing ------------------------------------------------------------------------
def test_backward_twice_doubles_leaves_only():
    g = ad.toy_graph()  # backward() already called once
    g["j"].backward()
    assert (g["a"].grad, g["b"].grad, g["c"].grad) == (6, 18, 12)  # leaves accumulate
    assert (g["u"].grad, g["v"].grad, g["j"].grad) == (3, 3, 1)  # interior nodes are recomputed
    g["j"].zero_grad()
    assert all(v.grad == 0 for v in g.values())
    g["j"].backward()
    assert (g["a"].grad, g["b"].grad, g["c"].grad) == (3, 9, 6)


def test_backward_of_a_leaf_accumulates():
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


# --- arrays of Values and the network -----------------------------------------------------------------------
def test_as_values_names_and_shapes():
    values = ad.as_values([[1.0, 2.0], [3.0, 4.0]], "Θ")
    assert values.shape == (2, 2) and values[1, 0].name == "Θ[1,0]"
    assert np.array_equal([[v.data for v in row] for row in values], [[1, 2], [3, 4]])
    assert ad.as_values(2.5, "s")[()].name == "s"
    tanh = ad.apply("tanh", values)
    assert np.allclose([[v.data for v in row] for row in tanh], np.tanh([[1, 2], [3, 4]]))
    assert ad.apply("identity", values) is not None


def test_array_helper_errors():
    with pytest.raises(TypeError, match="array"):
        ad.as_values("abc")
    with pytest.raises(TypeError, match="name"):
        ad.as_values([1.0], name=3)
    with pytest.raises(TypeError, match="values"):
        ad.grad_of([Value(1.0), 2.0])
    with pytest.raises(TypeError, match="values"):
        ad.grad_of(np.array([1.0]))
    with pytest.raises(ValueError, match="function"):
        ad.apply("cube", ad.as_values([1.0]))


def tiny_example(seed: int):
    """A seeded n = 3, p = 2, m = 4 problem, as in notebook 04."""
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(3, 2)), rng.normal(size=3)
    Theta, beta = network.init_params(4, 2, seed=seed)
    return X, Y, Theta, beta


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_network_autodiff_equals_hand_written_backprop(activation, seed):
    X, Y, Theta, beta = tiny_example(seed)
    loss, Theta_v, beta_v = ad.network_loss(X, Y, Theta, beta, activation)
    loss.backward()
    expected_loss, dTheta, dbeta = network.loss_and_gradients(X, Y, Theta, beta, activation)
    assert loss.data == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(ad.grad_of(Theta_v), dTheta, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ad.grad_of(beta_v), dbeta, rtol=1e-10, atol=1e-12)


def test_network_autodiff_matches_finite_differences():
    X, Y, Theta, beta = tiny_example(7)
    loss, Theta_v, beta_v = ad.network_loss(X, Y, Theta, beta, "tanh")
    loss.backward()
    f_theta = lambda T: ad.network_loss(X, Y, T, beta, "tanh")[0].data  # noqa: E731
    f_beta = lambda b: ad.network_loss(X, Y, Theta, b, "tanh")[0].data  # noqa: E731
    np.testing.assert_allclose(ad.grad_of(Theta_v), numerical_gradient(f_theta, Theta), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ad.grad_of(beta_v), numerical_gradient(f_beta, beta), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name, kwargs", [
    ("Theta", dict(Theta=np.zeros((4, 3)))),
    ("beta", dict(beta=np.zeros(3))),
    ("Y", dict(Y=np.zeros(2))),
    ("activation", dict(activation="exp")),
    ("X", dict(X=np.zeros(3))),
])
def test_network_loss_errors(name, kwargs):
    X, Y, Theta, beta = tiny_example(0)
    arguments = dict(X=X, Y=Y, Theta=Theta, beta=beta, activation="relu") | kwargs
    with pytest.raises(ValueError, match=name):
        ad.network_loss(**arguments)


# --- errors of Value ----------------------------------------------------------------------------------------
def test_value_errors_name_the_parameter():
    with pytest.raises(TypeError, match="data"):
        Value("1")
    with pytest.raises(TypeError, match="data"):
        Value(True)
    with pytest.raises(TypeError, match="name"):
        Value(1.0, name=2)
    with pytest.raises(TypeError, match="other"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="other"):
        [1] * Value(1.0)
    with pytest.raises(TypeError, match="exponent"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(TypeError, match="exponent"):
        Value(2.0) ** "2"
    with pytest.raises(ValueError, match="exponent"):
        Value(0.0) ** -1
    with pytest.raises(ValueError, match="exponent"):
        Value(-1.0) ** 0.5
    with pytest.raises(ValueError, match="data"):
        Value(0.0).log()
    with pytest.raises(ValueError, match="other"):
        Value(1.0) / 0
    with pytest.raises(ValueError, match="divisor"):
        1 / Value(0.0)
    with pytest.raises(TypeError, match="root"):
        ad.topological_order(3.0)
    with pytest.raises(TypeError, match="root"):
        ad.naive_backward("j")


def test_repr_and_leaf_flag():
    g = ad.toy_graph()
    assert repr(g["b"]) == "Value(b: data=2, grad=9)"
    assert g["b"].is_leaf and not g["u"].is_leaf
    assert g["u"].op == "*" and g["j"].op == "*" and g["v"].op == "+"


def test_training_with_the_engine_follows_network_train():
    """Notebook 04 closes the loop: gradient descent on the engine's gradients is network.train's run."""
    X, Y, Theta, beta = network.tiny_example()
    gamma, num_steps = 0.05, 30
    Theta_k, beta_k, losses = Theta.copy(), beta.copy(), []
    for k in range(num_steps + 1):
        loss, Theta_v, beta_v = ad.network_loss(X, Y, Theta_k, beta_k, "relu")
        loss.backward()
        losses.append(loss.data)
        if k < num_steps:  # network.train's Theta is the one its last loss was computed at
            Theta_k, beta_k = Theta_k - gamma * ad.grad_of(Theta_v), beta_k - gamma * ad.grad_of(beta_v)
    run = network.train(X, Y, Theta, beta, "relu", gamma, num_steps)
    np.testing.assert_allclose(losses, run.losses, rtol=1e-10)
    np.testing.assert_allclose(Theta_k, run.Theta, rtol=1e-10, atol=1e-12)
    assert losses[-1] < 0.2 * losses[0]  # it trains: 2.54 -> about 0.37
