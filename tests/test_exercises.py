"""Exercises: every reference passes, every typical bug is caught and NAMED, junk never crashes a checker.

The buggy answers below are written the way a student would write them (not
taken from the checkers' own mutant library), so a test fails if a checker
stops recognising a mistake or starts blaming the wrong part.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecture_utils import autodiff as ad
from lecture_utils import exercises as ex
from lecture_utils.activations import get_activation
from lecture_utils.gradcheck import numerical_gradients, relative_error
from lecture_utils.twolayer import forward_propagation

IDS = ex.exercise_ids()
REFERENCE = {eid: ex._EXERCISES[eid].reference for eid in IDS}
CODE_IDS = [eid for eid in IDS if ex._EXERCISES[eid].kind == "code"]
NUMBER_IDS = [eid for eid in IDS if ex._EXERCISES[eid].kind == "number"]


def message(eid, answer):
    feedback = ex.check(eid, answer)
    assert not feedback.passed, f"{eid}: a wrong answer passed"
    return feedback.message


# --- the registry ----------------------------------------------------------------------------------

def test_every_notebook_has_three_to_six_exercises_of_both_kinds():
    for nb in ("01", "02", "03", "04", "05", "06"):
        ids = ex.exercise_ids(nb)
        assert 3 <= len(ids) <= 6, (nb, ids)
        kinds = {ex._EXERCISES[e].kind for e in ids}
        assert kinds == {"number", "code"}, (nb, kinds)
    assert {"03-backward", "06-backward"} <= set(IDS)
    assert all(re.fullmatch(r"0[1-7]-[a-z0-9][A-Za-z0-9-]*", e) for e in IDS)


@pytest.mark.parametrize("eid", IDS)
def test_the_reference_passes_and_the_stub_is_not_yet(eid):
    feedback = ex.check(eid, REFERENCE[eid])
    assert feedback.passed, str(feedback)
    assert ex.check(eid, ...).not_yet
    assert ex.check(eid, None).not_yet

    def stub(*args):
        raise NotImplementedError("03-backward: write this")
    if eid in CODE_IDS:
        fb = ex.check(eid, stub)
        assert fb.status == "not yet" and "replace the `...`" in fb.message
        assert ex.check(eid, lambda *args: ...).not_yet


@pytest.mark.parametrize("eid", IDS)
def test_hints_have_two_levels_and_bad_arguments_name_the_parameter(eid):
    nudge, formula = ex.hint(eid, 1), ex.hint(eid, 2)
    assert nudge and formula and nudge != formula
    assert repr(formula) == str(formula) == ex._EXERCISES[eid].hints[1]  # shown without quotes
    with pytest.raises(ValueError, match="level"):
        ex.hint(eid, 3)
    assert ex.title(eid)


def test_unknown_ids_are_rejected_naming_the_parameter():
    with pytest.raises(ValueError, match="exercise_id") as error:
        ex.check("03-backwards", None)
    assert "03-backward" in str(error.value)  # the near ids are listed
    with pytest.raises(TypeError, match="exercise_id"):
        ex.check(3, None)
    with pytest.raises(ValueError, match="exercise_id"):
        ex.answer_or_reference(1.0, "99-nothing")


# --- display ------------------------------------------------------------------------------------

def test_feedback_displays_as_html_with_folded_hints_and_as_plain_text():
    bad = ex.check("04-dj-db", 9)
    html = bad._repr_html_()
    assert "✗" in html and "#C15500" in html
    assert html.count("<details>") == 2 and "Hint 1" in html and "Hint 2" in html
    assert ex.hint("04-dj-db", 2).replace("*", "") in html.replace("*", "")
    text = str(bad)
    assert text.startswith("✗ 04-dj-db:") and "<" not in text
    assert "exercises.hint('04-dj-db', 1)" in text and repr(bad) == text
    good = ex.check("04-dj-db", 6)
    assert good.passed and "✓" in good._repr_html_() and "<details>" not in good._repr_html_()
    assert str(good).startswith("✓ 04-dj-db passed:")
    assert "○" in ex.check("04-dj-db", ...)._repr_html_()
    with pytest.raises(AssertionError, match="04-dj-db"):
        bad.assert_passed()
    good.assert_passed()


def test_html_puts_the_call_context_on_its_own_line():
    html = ex.check("01-descent-step", lambda w, gamma, grad: w + gamma * grad(w))._repr_html_()
    assert "steps uphill" in html
    assert '<div style="opacity: 0.75; font-size: 90%;">called with f(w) = (w - 6)^2, w = [23.], gamma = 0.1</div>' \
        in html


def test_html_escapes_what_a_student_wrote():
    def evil(*args):
        raise ValueError("<script>alert(1)</script>")
    html = ex.check("03-backward", evil)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_answer_or_reference_falls_back_and_says_so(capsys):
    def mine(X, Y, Theta, beta, activation):
        raise NotImplementedError
    chosen = ex.answer_or_reference(mine, "03-backward")
    assert chosen is REFERENCE["03-backward"]
    assert "reference solution" in capsys.readouterr().out
    assert ex.answer_or_reference(REFERENCE["03-backward"], "03-backward") is REFERENCE["03-backward"]
    assert capsys.readouterr().out == ""
    assert ex.answer_or_reference(..., "01-first-step") == -2.5
    assert ex.answer_or_reference(-2.5, "01-first-step") == -2.5


def test_the_same_answer_always_gets_the_same_message():
    def buggy(X, Y, Theta, beta, activation):
        L, dT, db = REFERENCE["03-backward"](X, Y, Theta, beta, activation)
        return L, dT * 1.5, db
    assert ex.check("03-backward", buggy).message == ex.check("03-backward", buggy).message


# --- the references are right (against finite differences) ----------------------------------------

@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_reference_03_agrees_with_finite_differences(activation):
    rng = np.random.default_rng(0)
    X, Y, Theta, beta = rng.standard_normal((5, 3)), rng.standard_normal(5), rng.standard_normal((4, 3)), \
        rng.standard_normal(4)
    _, dT, db = REFERENCE["03-backward"](X, Y, Theta, beta, activation)
    nT, nb = numerical_gradients(lambda T, b: REFERENCE["03-backward"](X, Y, T, b, activation)[0], [Theta, beta])
    assert relative_error(dT, nT) < 1e-7 and relative_error(db, nb) < 1e-7


def test_reference_06_agrees_with_finite_differences():
    rng = np.random.default_rng(1)
    params = {"W1": rng.standard_normal((4, 2)), "b1": rng.standard_normal((4, 1)),
              "W2": rng.standard_normal((1, 4)), "b2": rng.standard_normal((1, 1))}
    X, Y = rng.standard_normal((2, 9)), (rng.uniform(size=(1, 9)) < 0.5).astype(float)
    keys = ("W1", "b1", "W2", "b2")

    def cost(activation, *arrays):  # the averaged cross-entropy J, written out here
        A2, _ = forward_propagation(X, dict(zip(keys, arrays)), activation)
        return float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))
    for activation in ("tanh", "relu"):
        _, cache = forward_propagation(X, params, activation)
        grads = REFERENCE["06-backward"](params, cache, X, Y, activation)
        numeric = numerical_gradients(lambda *a: cost(activation, *a), [params[k] for k in keys])
        for key, estimate in zip(keys, numeric):
            assert relative_error(grads["d" + key], estimate) < 1e-6


# --- 03: a student's typical bugs in the vectorised backward pass ----------------------------------

def backward_03(bug=None):
    """A student's backward pass, optionally with one bug."""
    def backward(X, Y, Theta, beta, activation):
        g = get_activation(activation)
        P = X @ Theta.T
        A = g.g(P)
        Y_hat = A @ beta
        L = np.sum((Y - Y_hat) ** 2)
        dY = -2 * (Y - Y_hat) if bug != "sign" else 2 * (Y - Y_hat)
        if bug == "no 2":
            dY = -(Y - Y_hat)
        dbeta = (P if bug == "P instead of A" else A).T @ dY
        gp = {"no g'": 1.0, "tanh at P": 1 - P ** 2}.get(bug, g.g_prime(A))
        dP = np.outer(dY, beta) * gp
        if bug == "no beta":
            dP = dY[:, None] * gp
        dTheta = dP.T @ X if bug != "transposed" else X.T @ dP
        if bug == "mean":
            return L / len(Y), dTheta / len(Y), dbeta / len(Y)
        if bug == "per-example L":
            L = (Y - Y_hat) ** 2
        if bug == "order":
            return dTheta, dbeta, L
        if bug == "two values":
            return dTheta, dbeta
        return L, dTheta, dbeta
    return backward


def tanh_only(X, Y, Theta, beta, activation):
    return backward_03()(X, Y, Theta, beta, "tanh")


BUGS_03 = [
    ("sign", ["dL/dTheta and dL/dbeta", "minus", "sign", "L is right", "dL/dY_hat"]),
    ("no 2", ["dL/dTheta and dL/dbeta", "1/2 times", "factor 2"]),
    ("mean", ["L, dL/dTheta and dL/dbeta", "1/n times", "mean", "sum"]),
    ("no g'", ["dL/dTheta misses the factor g'(P)", "; L, dL/dbeta right]"]),
    ("tanh at P", ["dL/dTheta", "evaluated at P"]),
    ("no beta", ["dL/dTheta misses the factor beta^T"]),
    ("P instead of A", ["dL/dbeta is built from P instead of A", "; L, dL/dTheta right]"]),
    ("transposed", ["dL/dTheta has shape (2, 4), expected (4, 2)", "transposed"]),
    ("per-example L", ["L has shape (3,), expected ()", "single number"]),
    ("order", ["another order", "(L, dTheta, dbeta)"]),
    ("two values", ["returned 2 values", "3"]),
]


@pytest.mark.parametrize("bug, phrases", BUGS_03, ids=[b for b, _ in BUGS_03])
def test_03_backward_names_the_wrong_factor(bug, phrases):
    text = message("03-backward", backward_03(bug))
    for phrase in phrases:
        assert phrase in text, (bug, phrase, text)


def test_03_backward_catches_an_ignored_activation_and_never_blames_the_right_part():
    text = message("03-backward", tanh_only)
    assert "activation" in text and "'relu'" in text
    assert "dL/dbeta" not in message("03-backward", backward_03("no g'")).split("[")[0]


def test_03_backward_exceptions_and_bad_returns_are_feedback():
    def crashes(X, Y, Theta, beta, activation):
        return X @ Theta  # (n, p) @ (m, p): shapes do not match
    text = message("03-backward", crashes)
    assert "raised ValueError" in text and "shape" in text
    assert "tuple" in message("03-backward", lambda *a: np.zeros(3))
    assert "NaN" in message("03-backward", lambda X, Y, T, b, a: (1.0, T * np.nan, b))
    assert "None" in message("03-backward", lambda X, Y, T, b, a: (None, T, b))
    assert "expected a function" in message("03-backward", 3.0)
    assert "without calling it" in message("03-backward", (1.0, np.zeros(2), np.zeros(2)))
    assert "TypeError" in message("03-backward", lambda X: X)  # wrong number of parameters


# --- 06: Ng's backward pass -----------------------------------------------------------------------

def backward_06(bug=None):
    """A student's version of the blog's six lines, optionally with one bug."""
    def backward(params, cache, X, Y, hidden_activation):
        m = X.shape[1]
        A1, A2, Z1 = cache["A1"], cache["A2"], cache["Z1"]
        k = 1 if bug == "no 1/m" else 1 / m
        dZ2 = A2 - Y if bug != "sign" else Y - A2
        dW2 = k * dZ2 @ A1.T
        db2 = k * np.sum(dZ2, axis=1, keepdims=bug != "no keepdims")
        gp = 1 - A1 ** 2 if hidden_activation == "tanh" else (Z1 > 0)
        gp = {"no g'": 1.0, "1 - Z1^2": 1 - Z1 ** 2, "always tanh": 1 - A1 ** 2}.get(bug, gp)
        dZ1 = params["W2"].T @ dZ2 * gp
        dW1 = k * dZ1 @ X.T
        db1 = k * np.sum(dZ1, axis=1 if bug != "axis 0" else 0, keepdims=bug != "no keepdims")
        if bug == "no 1/m in db":
            db1, db2 = db1 * m, db2 * m
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        if bug == "names":
            grads = {k[1:]: v for k, v in grads.items()}
        return grads
    return backward


BUGS_06 = [
    ("no 1/m", ["dW1, db1, dW2 and db2 are all m times", "1/m is missing"]),
    ("no 1/m in db", ["db1 and db2 are both m times", "1/m"]),
    ("sign", ["minus", "sign", "dZ2 = A2 - Y"]),
    ("no keepdims", ["db1 has shape (4,), expected (4, 1)", "keepdims=True", "dW1, dW2 right"]),
    ("axis 0", ["db1 has shape (1, 7), expected (4, 1)", "wrong axis"]),
    ("no g'", ["dZ1 misses g'(Z1)", "dW1 and db1", "dW2, db2 right"]),
    ("1 - Z1^2", ["1 - Z1**2", "dW1 and db1"]),
    ("always tanh", ["hidden_activation", "'relu'"]),
    ("names", ["no dW1, db1, dW2, db2", "named with a d"]),
]


@pytest.mark.parametrize("bug, phrases", BUGS_06, ids=[b for b, _ in BUGS_06])
def test_06_backward_names_the_wrong_factor(bug, phrases):
    text = message("06-backward", backward_06(bug))
    for phrase in phrases:
        assert phrase in text, (bug, phrase, text)


def test_06_backward_reports_a_crash_inside_the_answer():
    def no_transpose(params, cache, X, Y, hidden_activation):
        grads = backward_06()(params, cache, X, Y, hidden_activation)
        grads["dW1"] = (params["W2"].T @ (cache["A2"] - Y)) @ X  # X without .T
        return grads
    text = message("06-backward", no_transpose)
    assert "raised ValueError" in text and "shape mismatch" in text
    assert "dict" in message("06-backward", lambda *a: [1, 2])


def test_06_update_names_sign_and_missing_rate():
    def uphill(params, grads, learning_rate):
        return {k: v + learning_rate * grads["d" + k] for k, v in params.items()}

    def no_rate(params, grads, learning_rate):
        return {k: v - grads["d" + k] for k, v in params.items()}
    assert "uphill" in message("06-update", uphill)
    assert "learning rate" in message("06-update", no_rate)
    assert "no b2" in message("06-update", lambda p, g, a: {k: p[k] for k in ("W1", "b1", "W2")})


# --- 04: the autodiff engine --------------------------------------------------------------------

def mul_backward(bug=None):
    def backward(a, b, out):
        if bug == "=":
            a.grad = b.data * out.grad
            b.grad = a.data * out.grad
        elif bug == "own data":
            a.grad += a.data * out.grad
            b.grad += b.data * out.grad
        elif bug == "no upstream":
            a.grad += b.data
            b.grad += a.data
        else:
            a.grad += b.data * out.grad
            b.grad += a.data * out.grad
    return backward


@pytest.mark.parametrize("bug, phrase", [("=", "`=` instead of `+=`"), ("own data", "OTHER factor"),
                                         ("no upstream", "misses out.grad")])
def test_04_mul_backward_names_the_bug(bug, phrase):
    assert phrase in message("04-mul-backward", mul_backward(bug))


def test_04_mul_backward_catches_overwriting_on_a_squared_node_alone():
    def overwrite_only_when_same(a, b, out):  # right for distinct a, b; wrong for a * a
        if a is b:
            a.grad = 2 * a.data * out.grad if False else a.data * out.grad
        else:
            mul_backward()(a, b, out)
    assert "`=` instead of `+=`" in message("04-mul-backward", overwrite_only_when_same)


def topo_backward(bug=None):
    def backward(root):
        order = ad.topological_order(root)
        if bug != "no reset":
            for node in order:
                node.grad = 0.0
        root.grad = 1.0 if bug != "no seed" else 0.0
        for node in (order if bug == "forward order" else reversed(order)):
            for parent, local in zip(node.parents, node.local_grads):
                if bug == "=":
                    parent.grad = local * node.grad
                else:
                    parent.grad += local * node.grad
    return backward


@pytest.mark.parametrize("bug, phrase", [("no reset", "not reset between backward calls"),
                                         ("=", "`=` instead of `+=`"),
                                         ("forward order", "not in reverse"),
                                         ("no seed", "root.grad = 1")])
def test_04_backward_names_the_bug(bug, phrase):
    assert phrase in message("04-backward", topo_backward(bug))


def test_04_backward_recognises_the_naive_recursion():
    def recursive(root):
        root.zero_grad()
        ad.naive_backward(root, accumulate=True)
    assert "partial sum" in message("04-backward", recursive)


# --- 01, 02, 05: small functions ----------------------------------------------------------------

SMALL_BUGS = [
    ("01-gradient", lambda w: -np.array([2 * w[0], 4 * w[1]]), "sign is wrong"),
    ("01-gradient", lambda w: np.array([w[0], 2 * w[1]]), "factor 2"),
    ("01-gradient", lambda w: np.array([4 * w[0], 2 * w[1]]), "swapped"),
    ("01-gradient", lambda w: w[0] ** 2 + 2 * w[1] ** 2, "shape ()"),
    ("01-descent-step", lambda w, gamma, grad: w + gamma * grad(w), "uphill"),
    ("01-descent-step", lambda w, gamma, grad: gamma * grad(w), "the step"),
    ("01-descent-step", lambda w, gamma, grad: w - grad(w), "gamma is missing"),
    ("01-exponential-schedule", lambda k, gamma0, rate: gamma0 * rate ** (k + 1), "off by one"),
    ("01-exponential-schedule", lambda k, gamma0, rate: gamma0 * rate * k, "linearly"),
    ("02-lagrangian-code", lambda w0, g, lam: w0 - g / lam, "factor 2"),
    ("02-lagrangian-code", lambda w0, g, lam: w0 + g / (2 * lam), "sign"),
    ("02-lagrangian-code", lambda w0, g, lam: w0 - 2 * lam * g, "SHORTER"),
    ("02-trust-region-code", lambda w0, g, alpha: w0 - alpha * g, "not normalised"),
    ("02-trust-region-code", lambda w0, g, alpha: w0 + alpha * g / np.linalg.norm(g), "sign"),
    ("05-minibatch-gradient", lambda f, w, batch, n: f(w, batch).mean(axis=0), "MEAN"),
    ("05-minibatch-gradient", lambda f, w, batch, n: f(w, batch).sum(axis=0), "scale it by |D| / |B|"),
    ("05-minibatch-gradient", lambda f, w, batch, n: n / len(batch) * f(w, batch).sum(axis=1), "shape"),
    ("05-step-sizes", lambda g0, d, epochs, per: np.tile(g0 / (1 + d * np.arange(per)), epochs),
     "restarts at every epoch"),
    ("05-step-sizes", lambda g0, d, epochs, per: np.repeat(g0 / (1 + d * np.arange(epochs)), per), "counts epochs"),
    ("05-step-sizes", lambda g0, d, epochs, per: g0 / (1 + d * np.arange(epochs)), "shape"),
]


@pytest.mark.parametrize("eid, answer, phrase", SMALL_BUGS, ids=[f"{e}-{p}" for e, _, p in SMALL_BUGS])
def test_small_code_exercises_name_the_bug(eid, answer, phrase):
    assert phrase in message(eid, answer)


def test_01_descent_step_notices_an_in_place_update():
    def in_place(w, gamma, grad):
        w -= gamma * grad(w)
        return w
    assert "in place" in message("01-descent-step", in_place)


# --- number answers -----------------------------------------------------------------------------

@pytest.mark.parametrize("eid", NUMBER_IDS)
def test_each_listed_mistake_gets_its_own_explanation_and_the_reasoning(eid):
    spec = ex._EXERCISES[eid].checker.__self__
    assert ex.check(eid, spec.answer).passed
    for mistake, why in spec.mistakes:
        text = message(eid, mistake)
        assert why in text and spec.reasoning in text


def test_lecture_numbers_and_generic_diagnoses():
    assert ex.check("01-first-step", -2.5).passed and ex.check("01-first-step", -2.5 + 1e-9).passed
    assert ex.check("01-first-step", np.array([-2.5])).passed and ex.check("01-first-step", np.float32(-2.5)).passed
    assert ex.check("01-divergence-gamma", 1).passed
    assert ex.check("04-dj-db", 6).passed and ex.check("02-gamma-from-lambda", 0.25).passed
    assert ex.check("03-dTheta-shape", (8, 2)).passed and ex.check("03-dTheta-shape", [8, 2]).passed
    assert ex.check("06-db1-shape", np.zeros((4, 1)).shape).passed
    assert "wrong sign" in message("01-first-step", 2.5)
    assert "twice" in message("04-dj-db", 12)
    assert "uphill" in message("01-first-step", 48.5)
    assert "factor 2" in message("01-first-step", 10.25)
    assert "keepdims" in message("06-db1-shape", (4,))
    assert "P_i" in message("03-dbeta-example", [-0.8, 0.48, -1.28])
    assert "3 numbers" in message("03-dbeta-example", 1.0)


@pytest.mark.parametrize("junk", ["2.5", True, float("nan"), float("inf"), [1, [2, 3]], {}, object(),
                                  lambda: 1, np.array([]), np.array([np.nan]), (1, 2, 3)])
@pytest.mark.parametrize("eid", NUMBER_IDS)
def test_junk_numbers_are_feedback(eid, junk):
    feedback = ex.check(eid, junk)
    assert not feedback.passed and feedback.message


# --- junk and random answers never crash a checker ------------------------------------------------

def _raises(error):
    def answer(*args, **kwargs):
        raise error
    return answer


JUNK_CODE = [None, 3, "def f(): pass", np.zeros(3), {}, [1, 2], object(), lambda *a: None, lambda *a: "x",
             lambda *a: (np.nan, np.nan, np.nan), lambda *a: {"dW1": None}, lambda *a: (1, 2, 3, 4),
             lambda: 0, _raises(ZeroDivisionError("division by zero")), _raises(RecursionError("deep")),
             _raises(KeyError("A1")), lambda *a: np.full((2, 2), np.inf), lambda *a: [object()] * 3,
             lambda *a: {"dW1": "x", "db1": 1, "dW2": [1, [2]], "db2": np.nan},
             lambda *a: {k: np.zeros((1, 1)) for k in ("W1", "b1", "W2", "b2", "dW1", "db1", "dW2", "db2")},
             lambda *a: (1e308, np.full((4, 2), 1e308), np.full(4, -1e308)),  # overflows in any product
             lambda *a: {k: np.full((4, 2), 1e308) for k in ("dW1", "db1", "dW2", "db2")}]


@pytest.mark.parametrize("junk", JUNK_CODE, ids=lambda j: getattr(j, "__name__", type(j).__name__))
@pytest.mark.parametrize("eid", CODE_IDS)
def test_junk_code_answers_are_feedback(eid, junk):
    feedback = ex.check(eid, junk)
    assert not feedback.passed
    assert feedback.message and "incorrect" != feedback.message.strip().lower()
    if getattr(junk, "__name__", "") == "answer":
        assert "raised" in feedback.message


@settings(max_examples=60)
@given(scale=st.floats(-3, 3), noise=st.floats(0, 1), part=st.integers(0, 2), seed=st.integers(0, 10**6))
def test_03_random_perturbations_never_crash_and_pass_only_when_unchanged(scale, noise, part, seed):
    def perturbed(X, Y, Theta, beta, activation):
        out = list(REFERENCE["03-backward"](X, Y, Theta, beta, activation))
        rng = np.random.default_rng(seed)
        out[part] = scale * np.asarray(out[part]) + noise * rng.standard_normal(np.shape(out[part]))
        return tuple(out)
    feedback = ex.check("03-backward", perturbed)
    if scale == 1 and noise == 0:
        assert feedback.passed
    if feedback.passed:  # only a perturbation of rounding size may pass
        assert abs(scale - 1) < 1e-5 and noise < 1e-4
    else:
        assert ["L", "dL/dTheta", "dL/dbeta"][part] in feedback.message


@settings(max_examples=40)
@given(scale=st.floats(-3, 3), key=st.sampled_from(["dW1", "db1", "dW2", "db2"]),
       shape=st.sampled_from([None, "flat", "T"]))
def test_06_random_perturbations_never_crash_and_name_the_key(scale, key, shape):
    def perturbed(params, cache, X, Y, hidden_activation):
        grads = REFERENCE["06-backward"](params, cache, X, Y, hidden_activation)
        g = scale * grads[key]
        grads[key] = g.ravel() if shape == "flat" else (g.T if shape == "T" else g)
        return grads
    feedback = ex.check("06-backward", perturbed)
    if not feedback.passed:
        assert key in feedback.message


@settings(max_examples=80)
@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30),
                       st.lists(st.floats(-5, 5), max_size=4), st.text(max_size=5), st.none()),
       eid=st.sampled_from(NUMBER_IDS))
def test_any_number_answer_gets_feedback(value, eid):
    feedback = ex.check(eid, value)
    assert isinstance(feedback, ex.Feedback) and feedback.message
    assert feedback._repr_html_() and str(feedback)


# --- docs/exercises_plan.md: the cells the notebooks get ------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "docs" / "exercises_plan.md"
CELL_LABEL = re.compile(r"^\*\*(Task|Solution|Check|Worked solution|Follow-up)\*\* "
                        r"\((markdown|code) cell, tags: (.*)\)$")


def plan_cells():
    """{exercise id: {label: source}} parsed from the plan (the format the lead inserts from)."""
    exercises_found, current, label, block = {}, None, None, None
    for line in PLAN.read_text().splitlines():
        if block is not None:
            if line == "```":
                exercises_found[current][label] = "\n".join(block)
                block = None
            else:
                block.append(line)
            continue
        heading = re.match(r"^### (\d\d-[A-Za-z0-9-]+):", line)
        if heading:
            current = heading.group(1)
            exercises_found[current] = {}
        found = CELL_LABEL.match(line)
        if found:
            label = found.group(1)
        if line.startswith("```") and len(line) > 3 and current and label:
            block = []
    return exercises_found


def test_the_plan_covers_every_exercise_with_task_solution_and_check():
    cells = plan_cells()
    assert sorted(cells) == sorted(IDS)
    for eid, found in cells.items():
        assert {"Task", "Solution", "Check"} <= set(found), eid
        assert f'exercises.check("{eid}",' in found["Check"]


@pytest.mark.parametrize("eid", IDS)
def test_the_plans_solution_passes_and_its_student_stub_is_not_yet(eid):
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    found = plan_cells()[eid]
    for source, expected in ((found["Solution"], "passed"), (tool.stub_source(found["Solution"], eid), "not yet")):
        namespace = {"np": np, "ad": ad, "Value": ad.Value, "exercises": ex}
        exec(compile(source, eid, "exec"), namespace)
        feedback = eval(compile(found["Check"].splitlines()[-1], eid, "eval"), namespace)
        assert feedback.status == expected, (eid, str(feedback))


def test_the_plans_hints_are_the_registered_ones():
    text = PLAN.read_text()
    for eid in IDS:
        section = text.split(f"### {eid}:")[1].split("\n### ")[0]
        assert f"Hint 1 (a nudge): {ex.hint(eid, 1)}\n" in section, eid
        assert f"Hint 2 (the formula): {ex.hint(eid, 2)}\n" in section, eid


# --- answers that never return, and numbers that must not print as -0 ---------------------------------

def endless(*args):
    """A student's answer with a `while` loop that never ends."""
    while True:
        pass


@pytest.mark.parametrize("eid", CODE_IDS)
def test_an_answer_that_never_returns_becomes_feedback_and_is_stopped(eid, monkeypatch):
    import threading
    import time

    from lecture_utils import _exercise_core as core
    monkeypatch.setattr(core, "TIME_LIMIT", 0.05)
    before = threading.active_count()
    start = time.perf_counter()
    feedback = ex.check(eid, endless)
    assert feedback.status == "wrong" and "did not return within 0.05 s" in feedback.message, str(feedback)
    assert "endless loop" in feedback.message
    assert time.perf_counter() - start < 30  # one timed-out call ends the check; no waiting per call
    for _ in range(100):  # the loop's thread was ended, not left spinning
        if threading.active_count() <= before:
            break
        time.sleep(0.01)
    assert threading.active_count() <= before


def test_a_slow_but_finishing_answer_is_not_cut_off(monkeypatch):
    import time

    from lecture_utils import _exercise_core as core
    monkeypatch.setattr(core, "TIME_LIMIT", 2.0)
    reference = REFERENCE["03-backward"]

    def slow(*args):
        time.sleep(0.01)
        return reference(*args)
    assert ex.check("03-backward", slow).passed


def test_an_exception_inside_the_answer_still_names_it_through_the_time_limit():
    def broken(*args):
        raise KeyError("Theta")
    feedback = ex.check("03-backward", broken)
    assert feedback.status == "wrong" and "raised KeyError" in feedback.message


def test_negative_zero_never_shows_as_minus_zero():
    from lecture_utils._exercise_core import number_text
    assert number_text(-0.0) == "0" and number_text(np.float64(-0.0)) == "0" and number_text(-0.8) == "-0.8"
    right = ex.check("03-dbeta-example", (-0.8, -0.0, -1.28))  # -0.8 * relu(-1) = -0.0, as numpy computes it
    assert right.passed and "(-0.8, 0, -1.28)" in right.message
    for answer in [(-0.8, -0.0, -1.2), (0.8, -0.0, 1.28), (-0.4, -0.0, -0.64), -0.0]:
        text = ex.check("03-dbeta-example", answer).message
        assert not re.search(r"(?<![\d.e])-0(?![.\d])", text), text
