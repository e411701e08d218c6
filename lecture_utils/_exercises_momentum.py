"""Exercises of notebook 07 (momentum, Nesterov, RMSProp and Adam; beyond the lecture).

Three predict-then-check questions (the rates for kappa = 10^4, the edges of
divergence at beta = 0.9, Adam's first step) and two write-the-code steps
(one heavy-ball step, one Adam step). The code checkers call the student's
step on seeded inputs and compare each returned array with the library's own
update rules in ``momentum``; typical bugs (the gradient added instead of
subtracted, beta on the wrong term, the old velocity used for the move, Adam
without its bias correction or with it off by one, eps inside the root, s
averaging g instead of g^2) are recognised by running the rule with that bug
put in, on the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .momentum import _adam_step, _momentum_step
from ._exercise_core import (WRONG, Exercise, NumberExercise, Part, Stop, call, diagnose_part, number_exercise,
                             quiet_close, raise_problems, require_callable, wrong)

# --- predict, then check: two numbers, each diagnosed on its own -----------------------------------------


@dataclass(frozen=True)
class PairExercise(NumberExercise):
    """A NumberExercise whose answer is a few named numbers; a wrong one is explained number by number."""

    names: tuple[str, ...] = ()
    component_mistakes: tuple[tuple[tuple[float, str], ...], ...] = ()

    def check(self, value: Any) -> str:
        """The pass message, or raise Stop naming which number is wrong and why."""
        try:
            return super().check(value)
        except Stop as stop:
            if stop.status != WRONG or " is not it. " not in stop.message:
                raise  # not yet, junk, a wrong shape, or a listed whole-answer mistake: already explained
        array = np.asarray(value, dtype=float).reshape(-1)
        expected = np.asarray(self.answer, dtype=float).reshape(-1)
        parts, right = [], []
        for name, got, want, mistakes in zip(self.names, array, expected, self.component_mistakes):
            if abs(got - want) <= self.tolerance:
                right.append(name)
                continue
            why = next((text for mistake, text in mistakes if abs(got - mistake) <= self.tolerance), "")
            if not why and want != 0 and abs(got + want) <= self.tolerance:
                why = "the sign is wrong."
            parts.append(f"{name} = {got:.6g} is not it" + (f": {why.rstrip('.')}" if why else ""))
        tail = f" ({', '.join(right)} right.)" if right else ""
        raise wrong(f"{'; '.join(parts)}.{tail} {self.reasoning}")


KAPPA = 1e4
_SQRT_KAPPA = KAPPA ** 0.5
_RATE_GD = (KAPPA - 1) / (KAPPA + 1)                  # 0.99980
_RATE_HB = (_SQRT_KAPPA - 1) / (_SQRT_KAPPA + 1)      # 0.98020
BETA = 0.9
_EDGE_HB = 2 * (1 + BETA)                             # 3.8 with L = 1
_EDGE_NESTEROV = 2 * (1 + BETA) / (1 + 2 * BETA)      # 1.3571


def _adam_first_step(w0: np.ndarray, gamma: float, correct_m: bool = True, correct_s: bool = True) -> np.ndarray:
    """w1 of Adam (beta1 = 0.9, beta2 = 0.999, eps = 1e-8) on the ravine mu = 0.01, L = 1, with or without corrections."""
    g = np.array([0.01, 1.0]) * w0
    m = 0.1 * g / (0.1 if correct_m else 1.0)
    s = 0.001 * g**2 / (0.001 if correct_s else 1.0)
    return w0 - gamma * m / (np.sqrt(s) + 1e-8)


_ADAM_W0 = np.array([3.0, -0.001])
_ADAM_W1 = _adam_first_step(_ADAM_W0, 0.05)           # (2.95, 0.049)

EX_07_NUMBERS = [
    number_exercise("07-rates", "gradient descent's and heavy ball's best rates for kappa = 10^4",
                    ("GD's best rate depends on kappa, momentum's on the square root of kappa.",
                     "GD: (kappa - 1) / (kappa + 1); heavy ball: (sqrt(kappa) - 1) / (sqrt(kappa) + 1)."),
                    PairExercise((_RATE_GD, _RATE_HB),
                                 "With the best constants, gradient descent shrinks the error by (kappa - 1)/(kappa + 1) "
                                 "per step and heavy ball by sqrt(beta*) = (sqrt(kappa) - 1)/(sqrt(kappa) + 1); "
                                 "for kappa = 10^4, sqrt(kappa) = 100.", 5e-5,
                                 ((( _RATE_HB, _RATE_GD), "the two rates are swapped: gradient descent is the SLOWER "
                                   "one, its rate is the closer to 1."),),
                                 names=("GD's rate", "heavy ball's rate"),
                                 component_mistakes=(
                                     ((1 - 1 / KAPPA, "that is the flat factor 1 - gamma mu at gamma = 1/lam_max; the best "
                                       "step 2/(lam_max + mu) makes it (kappa - 1)/(kappa + 1)."),
                                      (_RATE_HB, "that is heavy ball's rate, with sqrt(kappa); gradient descent's "
                                       "has kappa itself.")),
                                     (((_RATE_HB) ** 2, "that is beta* itself; the rate is its square root, "
                                       "sqrt(beta*) = (sqrt(kappa) - 1)/(sqrt(kappa) + 1)."),
                                      (_RATE_GD, "that is gradient descent's rate: momentum replaces kappa by "
                                       "sqrt(kappa)."),
                                      (1 - 1 / _SQRT_KAPPA, "that is (sqrt(kappa) - 1)/sqrt(kappa); the denominator "
                                       "is sqrt(kappa) + 1."))))),
    number_exercise("07-edges", "the longest stable step of heavy ball and of Nesterov at beta = 0.9, lam_max = 1",
                    ("Both edges come from the steep direction lam = lam_max; momentum stretches notebook 01's 2/lam_max.",
                     "heavy ball: gamma < 2 (1 + beta) / lam_max; Nesterov: gamma < 2 (1 + beta) / ((1 + 2 beta) lam_max)."),
                    PairExercise((_EDGE_HB, _EDGE_NESTEROV),
                                 "For the steep curvature lam_max both roots stay inside the unit circle while "
                                 "gamma lam_max < 2 (1 + beta) for heavy ball, and while gamma lam_max < 2 (1 + beta)/(1 + 2 beta) "
                                 "for Nesterov, whose look-ahead multiplies both coefficients by (1 - gamma lam_max).",
                                 1e-3,
                                 (((_EDGE_NESTEROV, _EDGE_HB), "the two are swapped: Nesterov's look-ahead brakes, "
                                   "and the price is the SHORTER stable range."),),
                                 names=("heavy ball's edge", "Nesterov's edge"),
                                 component_mistakes=(
                                     ((2.0, "that is gradient descent's edge 2/lam_max (beta = 0); momentum stretches it "
                                       "to 2 (1 + beta)/lam_max."),
                                      (2 / (1 + BETA), "beta is on the wrong side of the fraction: 2 (1 + beta)/lam_max."),
                                      (2 * (1 - BETA), "the sign of beta: the edge grows with beta, 2 (1 + beta)/lam_max."),
                                      (1 + BETA, "the factor 2 is missing: 2 (1 + beta)/lam_max.")),
                                     ((_EDGE_HB, "that is heavy ball's edge; Nesterov's divides it by 1 + 2 beta."),
                                      (2 / (1 + 2 * BETA), "the factor 1 + beta of the numerator is missing: "
                                       "2 (1 + beta)/((1 + 2 beta) lam_max)."),
                                      (2.0, "that is gradient descent's edge 2/lam_max."),
                                      ((1 + BETA) / (1 + 2 * BETA), "the factor 2 is missing."))))),
    number_exercise("07-adam-first-step", "Adam's first step from w^(0) = (3, -0.001) on the ravine with gamma = 0.05",
                    ("After the bias correction, m_hat = g0 and s_hat = g0^2 at the first step: what is "
                     "m_hat / sqrt(s_hat)?",
                     "w^(1) = w^(0) - gamma g0 / (|g0| + eps), about w^(0) - gamma sign(g0), coordinate by coordinate."),
                    NumberExercise(_ADAM_W1,
                                   "The gradient at (3, -0.001) is (mu w1, lam_max w2) = (0.03, -0.001). After the bias "
                                   "correction m_hat = g0 and s_hat = g0^2, so each coordinate moves by "
                                   "gamma g0/(|g0| + eps), about gamma = 0.05 against the sign of its gradient, "
                                   "however small the gradient is.", 1e-4,
                                   ((_adam_first_step(_ADAM_W0, 0.05, False, False),
                                     "that is Adam without the bias correction: m_1 = 0.1 g0 and s_1 = 0.001 g0^2 "
                                     "make the first step 0.1/sqrt(0.001) = 3.16 times gamma. Divide m by "
                                     "1 - beta1 and s by 1 - beta2."),
                                    (_adam_first_step(_ADAM_W0, 0.05, True, False),
                                     "only m is bias-corrected: s_1 = 0.001 g0^2 must be divided by 1 - beta2 = "
                                     "0.001 too."),
                                    (_adam_first_step(_ADAM_W0, 0.05, False, True),
                                     "only s is bias-corrected: m_1 = 0.1 g0 must be divided by 1 - beta1 = 0.1 too."),
                                    (_ADAM_W0 - 0.05 * np.array([0.03, -0.001]),
                                     "that is gradient descent's step w^(0) - gamma g0; Adam divides by the root of "
                                     "the averaged squared gradient."),
                                    (_ADAM_W0 + 0.05 * np.sign([0.03, -0.001]),
                                     "the sign: each coordinate moves AGAINST its gradient."),
                                    (np.array([2.95, -0.001]),
                                     "w2 moves too: Adam's first step is about gamma in EVERY coordinate, however "
                                     "small its gradient."),
                                    (-0.05 * np.sign([0.03, -0.001]),
                                     "that is the step itself; add it to w^(0).")))),
]


# --- write the code: one step, several returned arrays ----------------------------------------------------

def _tuple_checker(signature: str, names: tuple[str, ...], order: tuple[int, ...],
                   trials: Callable[[], list[tuple[tuple, str]]], reference: Callable,
                   mutants: Callable[[tuple], list[tuple[str, tuple]]], where_to_look: dict[str, str],
                   passed: str) -> Callable[[Any], str]:
    """A checker for a step returning the arrays ``names``; they are diagnosed in ``order`` (causes first)."""
    def checker(answer: Any) -> str:
        student = require_callable(answer, signature)
        for args, where in trials():
            result = call(student, args, where)
            if not isinstance(result, (tuple, list)):
                raise wrong(f"your function returned {type(result).__name__}; it should return the tuple "
                            f"({', '.join(names)}) [called {where}].")
            if len(result) != len(names):
                raise wrong(f"your function returned {len(result)} values; it should return {len(names)}: "
                            f"({', '.join(names)}) [called {where}].")
            expected = [np.asarray(e, dtype=float) for e in reference(*args)]
            if _in_another_order(result, expected):
                raise wrong(f"the values come back in another order; return them as ({', '.join(names)}) "
                            f"[called {where}].")
            bugs = [(text, [np.asarray(v, dtype=float) for v in values]) for text, values in mutants(args)]
            problems = []
            for index in order:
                name = names[index]
                problem = diagnose_part(Part(name, where_to_look[name]), result[index], expected[index],
                                        [(text, values[index]) for text, values in bugs])
                if problem and problem not in problems:
                    problems.append(problem)
            raise_problems(problems, list(zip(names, result, expected)), where)
        return passed
    return checker


def _in_another_order(result: Any, expected: list[np.ndarray]) -> bool:
    """True when every returned value is right but not in its place."""
    if all(quiet_close(r, e) for r, e in zip(result, expected)):
        return False
    return all(any(quiet_close(r, e) for e in expected) for r in result)


# 07-momentum-step: (w, v, g, gamma, beta) -> (w_new, v_new)

def _reference_07_momentum_step(w: np.ndarray, v: np.ndarray, g: np.ndarray, gamma: float,
                                beta: float) -> tuple[np.ndarray, np.ndarray]:
    """Heavy ball: v_new = beta v - gamma g, w_new = w + v_new."""
    w_new, v_new = _momentum_step(np.asarray(w, dtype=float), np.asarray(g, dtype=float),
                                  np.asarray(v, dtype=float), gamma, beta)
    return w_new, v_new


def _momentum_trials() -> list[tuple[tuple, str]]:
    rng = np.random.default_rng(707)
    out = []
    for size, gamma, beta in ((2, 0.5, 0.9), (3, 1.3, 0.5), (1, 0.2, 0.75)):
        w, v, g = rng.uniform(-2, 2, size), rng.uniform(-1, 1, size), rng.uniform(-2, 2, size)
        out.append(((w, v, g, gamma, beta), f"with w, v, g in R^{size}, gamma = {gamma}, beta = {beta}"))
    return out


def _momentum_mutants(args: tuple) -> list[tuple[str, tuple]]:
    w, v, g, gamma, beta = args
    right_v = beta * v - gamma * g
    uphill = beta * v + gamma * g
    both = beta * (v - gamma * g)
    swapped = v - beta * gamma * g
    averaged = beta * v + (1 - beta) * g
    return [("the velocity must move AGAINST the gradient: v_new = beta v - gamma g (the gradient's sign is wrong).",
             (w + uphill, uphill)),
            ("beta is on the wrong term: it multiplies the old velocity only, v_new = beta v - gamma g "
             "(you wrote beta (v - gamma g)).", (w + both, both)),
            ("beta is on the wrong term: it multiplies the old velocity v, not the gradient step "
             "(v_new = beta v - gamma g).", (w + swapped, swapped)),
            ("the position moves by the NEW velocity: w_new = w + v_new (you used the old v).", (w + v, right_v)),
            ("the velocity already carries the minus sign: w_new = w + v_new, not w - v_new.", (w - right_v, right_v)),
            ("that is the averaged-gradient form (v = beta v + (1 - beta) g, w -= gamma v), another convention "
             "whose gamma means something else; this notebook's velocity is v_new = beta v - gamma g.",
             (w - gamma * averaged, averaged)),
            ("that is Nesterov's step (w + beta v_new - gamma g); heavy ball moves by v_new itself.",
             (w + beta * right_v - gamma * g, right_v)),
            ("the old velocity is missing: that is a plain gradient step, v_new = beta v - gamma g.",
             (w - gamma * g, -gamma * g))]


# 07-adam-step: (w, m, s, g, k, gamma, beta1, beta2, eps) -> (w_new, m_new, s_new)

def _reference_07_adam_step(w: np.ndarray, m: np.ndarray, s: np.ndarray, g: np.ndarray, k: int, gamma: float,
                            beta1: float, beta2: float, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Adam's step k (k = 0 first): the averages m, s of g and g^2, bias-corrected by 1 - beta^(k+1)."""
    w_new, m_new, s_new, _ = _adam_step(np.asarray(w, dtype=float), np.asarray(g, dtype=float),
                                        np.asarray(m, dtype=float), np.asarray(s, dtype=float), k, gamma,
                                        beta1, beta2, eps)
    return w_new, m_new, s_new


def _adam_trials() -> list[tuple[tuple, str]]:
    rng = np.random.default_rng(708)
    out = []
    for size, k, gamma, eps in ((2, 3, 0.1, 1e-8), (3, 0, 0.05, 1e-8), (2, 7, 0.2, 1e-2)):
        w, g = rng.uniform(-2, 2, size), rng.uniform(-2, 2, size)
        m = rng.uniform(-1, 1, size) if k else np.zeros(size)
        s = rng.uniform(0.2, 2, size) if k else np.zeros(size)
        out.append(((w, m, s, g, k, gamma, 0.9, 0.999, eps),
                    f"at step k = {k} with w, m, s, g in R^{size}, gamma = {gamma}, beta1 = 0.9, beta2 = 0.999, "
                    f"eps = {eps:g}"))
    return out


def _adam_mutants(args: tuple) -> list[tuple[str, tuple]]:
    w, m, s, g, k, gamma, b1, b2, eps = args
    m1 = b1 * m + (1 - b1) * g
    s1 = b2 * s + (1 - b2) * g**2
    c1, c2 = 1 - b1 ** (k + 1), 1 - b2 ** (k + 1)
    m_hat, s_hat = m1 / c1, s1 / c2

    def move(mm: np.ndarray, ss: np.ndarray) -> np.ndarray:
        return w - gamma * mm / (np.sqrt(ss) + eps)
    out = [("Adam without the bias correction: m and s start at 0, so divide them by 1 - beta1^(k+1) and "
            "1 - beta2^(k+1) before the step.", (move(m1, s1), m1, s1)),
           ("only m is bias-corrected: s_hat = s_new / (1 - beta2^(k+1)) too.", (move(m_hat, s1), m1, s1)),
           ("only s is bias-corrected: m_hat = m_new / (1 - beta1^(k+1)) too.", (move(m1, s_hat), m1, s1)),
           ("the square root must not cover eps: gamma m_hat / (sqrt(s_hat) + eps).",
            (w - gamma * m_hat / np.sqrt(s_hat + eps), m1, s1)),
           ("the sign: Adam moves AGAINST the averaged gradient, w - gamma m_hat / (sqrt(s_hat) + eps).",
            (2 * w - move(m_hat, s_hat), m1, s1)),
           ("beta1 and 1 - beta1 are swapped: m_new = beta1 m + (1 - beta1) g keeps most of the OLD average.",
            (move(((1 - b1) * m + b1 * g) / c1, s_hat), (1 - b1) * m + b1 * g, s1)),
           ("beta2 and 1 - beta2 are swapped: s_new = beta2 s + (1 - beta2) g**2.",
            (move(m_hat, ((1 - b2) * s + b2 * g**2) / c2), m1, (1 - b2) * s + b2 * g**2)),
           ("you returned the bias-corrected m_hat and s_hat; return the running averages m_new and s_new "
            "themselves (the next step averages on from them and corrects afresh).",
            (move(m_hat, s_hat), m_hat, s_hat)),
           ("that is RMSProp with a bias correction: Adam steps along the averaged gradient m_hat, not g.",
            (move(g / 1.0, s_hat), m1, s1))]
    if k > 0:  # at k = 0 the off-by-one divides by 1 - beta^0 = 0 and is caught as inf
        out.append(("off by one in the bias correction: step k (counted from 0) divides by 1 - beta^(k+1), "
                    "not 1 - beta^k.", (move(m1 / (1 - b1**k), s1 / (1 - b2**k)), m1, s1)))
    s_abs = b2 * s + (1 - b2) * np.abs(g)
    out.append(("s averages the SQUARED gradient: s_new = beta2 s + (1 - beta2) g**2 (not g or |g|).",
                (move(m_hat, s_abs / c2), m1, s_abs)))
    s_g = b2 * s + (1 - b2) * g
    out.append(("s averages the SQUARED gradient: s_new = beta2 s + (1 - beta2) g**2 (not g or |g|).",
                (move(m_hat, np.abs(s_g) / c2), m1, s_g)))
    return out


_MOMENTUM_LOOK = {"w_new": "w_new = w + v_new.", "v_new": "v_new = beta v - gamma g."}
_ADAM_LOOK = {"w_new": "w_new = w - gamma m_hat / (sqrt(s_hat) + eps) with m_hat = m_new / (1 - beta1^(k+1)), "
                       "s_hat = s_new / (1 - beta2^(k+1)).",
              "m_new": "m_new = beta1 m + (1 - beta1) g.",
              "s_new": "s_new = beta2 s + (1 - beta2) g**2."}

EX_07_CODE = [
    Exercise("07-momentum-step", "one heavy-ball step", "code",
             ("First the new velocity from the old one and the gradient, then move by that new velocity.",
              "v_new = beta * v - gamma * g; w_new = w + v_new; return w_new, v_new"),
             _tuple_checker("(w, v, g, gamma, beta) -> (w_new, v_new)", ("w_new", "v_new"), (1, 0),
                            _momentum_trials, _reference_07_momentum_step, _momentum_mutants, _MOMENTUM_LOOK,
                            "v_new = beta v - gamma g and w_new = w + v_new, in 1D, 2D and 3D."),
             _reference_07_momentum_step, "(w, v, g, gamma, beta) -> (w_new, v_new)"),
    Exercise("07-adam-step", "one Adam step with its bias correction", "code",
             ("Update the two running averages first; correct each for its start at 0 (step k is the (k+1)-th "
              "average); then step each coordinate.",
              "m_new = beta1 * m + (1 - beta1) * g; s_new = beta2 * s + (1 - beta2) * g**2;\n"
              "m_hat = m_new / (1 - beta1**(k + 1)); s_hat = s_new / (1 - beta2**(k + 1));\n"
              "w_new = w - gamma * m_hat / (np.sqrt(s_hat) + eps); return w_new, m_new, s_new"),
             _tuple_checker("(w, m, s, g, k, gamma, beta1, beta2, eps) -> (w_new, m_new, s_new)",
                            ("w_new", "m_new", "s_new"), (1, 2, 0), _adam_trials, _reference_07_adam_step,
                            _adam_mutants, _ADAM_LOOK,
                            "the averages, their bias correction and the step match momentum.adam at steps "
                            "k = 0, 3 and 7."),
             _reference_07_adam_step, "(w, m, s, g, k, gamma, beta1, beta2, eps) -> (w_new, m_new, s_new)"),
]

EXERCISES = EX_07_NUMBERS + EX_07_CODE

