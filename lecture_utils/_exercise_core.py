"""The machinery behind ``exercises.check``: feedback records, safe calls into a student's code, diagnoses.

Nothing here is sent anywhere and nothing needs widgets: a ``Feedback`` is
shown as HTML (a green ✓ / orange ○ / red ✗ line, hints folded in
``<details>``) by Jupyter, VS Code and Colab, and as plain text in a terminal.

A checker never lets a student's answer crash it. The student's function is
called with copies of the inputs, warnings silenced, and every exception
turned into feedback (``NotImplementedError`` and a returned ``...`` mean
"not yet"); a call that does not return within ``TIME_LIMIT`` seconds (an
endless loop) is stopped and becomes feedback too. Arrays are compared part by part; a wrong part is diagnosed in
this order: its shape, a match with a known typical mistake (a *mutant*:
the reference with one bug put in), a sign or a constant factor (n, m, 2),
and only then "differs, look at ...".
"""

from __future__ import annotations

import copy
import ctypes
import html
import math
import numbers
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np

PASSED = "passed"
NOT_YET = "not yet"
WRONG = "wrong"
_SYMBOL = {PASSED: "✓", NOT_YET: "○", WRONG: "✗"}
# Okabe-Ito hues darkened to 4.6:1 on white (WCAG AA for text): bluish green, orange, vermillion
_COLOR = {PASSED: "#008661", NOT_YET: "#9D6B00", WRONG: "#C15500"}
NOT_YET_TEXT = ("not yet: replace the `...` (or the `raise NotImplementedError`) with your code, "
                "then run this cell again")


@dataclass(frozen=True)
class Feedback:
    """What ``check`` says about one answer: ``passed``, a ``status``, a ``message`` naming what is wrong, hints."""

    exercise_id: str
    status: str
    message: str
    hints: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """True only when the answer is right."""
        return self.status == PASSED

    @property
    def not_yet(self) -> bool:
        """True while the answer is still the stub (``...`` or ``raise NotImplementedError``)."""
        return self.status == NOT_YET

    def _headline(self) -> str:
        return f"{_SYMBOL[self.status]} {self.exercise_id}{' passed' if self.passed else ''}:"

    def __str__(self) -> str:
        lines = [f"{self._headline()} {self.message}"]
        if not self.passed and self.hints:
            lines.append(f"  hints: exercises.hint({self.exercise_id!r}, 1) for a nudge, "
                         f"exercises.hint({self.exercise_id!r}, 2) for the formula")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        color = _COLOR[self.status]
        main, context = self._split()
        parts = [f'<div style="border-left: 5px solid {color}; padding: 2px 10px; margin: 4px 0;">',
                 f'<span style="color: {color}; font-weight: bold;">{html.escape(self._headline())}</span> ',
                 f"<span>{html.escape(main)}</span>"]
        if context:
            parts.append(f'<div style="opacity: 0.75; font-size: 90%;">{html.escape(context)}</div>')
        if not self.passed:
            for level, (label, text) in enumerate(zip(("Hint 1: a nudge", "Hint 2: the formula"), self.hints), 1):
                parts.append(f"<details><summary>{label}</summary><div style=\"white-space: pre-wrap;\">"
                             f"{html.escape(text)}</div></details>")
        parts.append("</div>")
        return "".join(parts)

    def _split(self) -> tuple[str, str]:
        """The message without, and the trailing "[called with ...]" context on its own."""
        start = self.message.rfind(" [called ")
        if start < 0 or not self.message.endswith("]"):
            return self.message, ""
        return self.message[:start], self.message[start + 2:-1]

    def assert_passed(self) -> None:
        """Raise AssertionError with the message unless passed: the same check as a pytest test, for grading."""
        if not self.passed:
            raise AssertionError(str(self))


class Stop(Exception):
    """Raised inside a checker to return ``feedback`` at once."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def not_yet(extra: str = "") -> Stop:
    """The "not yet" verdict (the stub is still there)."""
    return Stop(NOT_YET, NOT_YET_TEXT + (f" ({extra})" if extra else "") + ".")


def wrong(message: str) -> Stop:
    """A wrong answer with the message that says what is wrong."""
    return Stop(WRONG, message)


# --- calling the student's code ------------------------------------------------------------------

_SHAPE_WORDS = ("matmul", "shapes", "broadcast", "aligned", "dimension")
TIME_LIMIT = 5.0  # seconds one call of the student's function may take; every exercise's call takes milliseconds


class _TimedOut(BaseException):
    """Put into the thread of a student's call that ran past the time limit, to end it (not an Exception)."""


def _run_with_time_limit(function: Callable, args: Sequence[Any], where: str) -> Any:
    """``function(*args)`` in a daemon thread, warnings silenced; a Stop if it does not return within TIME_LIMIT.

    A thread works the same on Linux, macOS and Windows and inside a Jupyter kernel (signal.alarm exists
    on neither Windows nor outside the main thread). A call still running at the limit is ended by raising
    ``_TimedOut`` inside it (it lands at its next Python instruction; a loop in pure Python stops at once).
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            with np.errstate(all="ignore"):  # errstate is per thread: set it in the thread that computes
                outcome["result"] = function(*args)
        except _TimedOut:
            pass
        except BaseException as error:  # noqa: BLE001 - reported to the caller below
            outcome["error"] = error

    worker = threading.Thread(target=target, name="exercise-answer", daemon=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        worker.start()
        try:
            worker.join(TIME_LIMIT)
        except BaseException:  # KeyboardInterrupt (the kernel's stop button): end the answer's call too
            _interrupt(worker)
            raise
        if worker.is_alive():
            _interrupt(worker)
            worker.join(0.5)
            raise wrong(f"your function did not return within {TIME_LIMIT:g} s (called {where}): an endless loop? "
                        "Check that every `while` loop ends and that each step changes what its condition tests.")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def _interrupt(worker: threading.Thread) -> None:
    """Raise _TimedOut inside ``worker`` (CPython's PyThreadState_SetAsyncExc; elsewhere the daemon runs on)."""
    if worker.ident is None or not hasattr(ctypes, "pythonapi"):
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(_TimedOut))


def call(function: Callable, args: Sequence[Any], where: str) -> Any:
    """``function(*copies of args)`` with warnings silenced and a time limit; any exception becomes a Stop naming it."""
    args = [copy.deepcopy(a) for a in args]
    try:
        result = _run_with_time_limit(function, args, where)
    except Stop:
        raise
    except NotImplementedError:
        raise not_yet() from None
    except Exception as error:  # the student's bug, reported, never re-raised
        text = f"your function raised {type(error).__name__}: {error}"
        if any(word in str(error) for word in _SHAPE_WORDS):
            text += " (a shape mismatch: print the shape of each factor and compare with the shapes the task gives)"
        raise wrong(f"{text}; called {where}.") from None
    if result is Ellipsis:
        raise not_yet()
    return result


def require_callable(answer: Any, signature: str) -> Callable:
    """The answer if it is a function, else a Stop that says what to pass."""
    if answer is Ellipsis or answer is None:
        raise not_yet()
    if not callable(answer):
        extra = " (pass the function itself, without calling it)" if isinstance(answer, (tuple, dict, np.ndarray,
                                                                                    numbers.Number)) else ""
        raise wrong(f"expected a function {signature}, got {type(answer).__name__}{extra}.")
    return answer


def as_number_array(name: str, value: Any) -> np.ndarray:
    """``value`` as a float array, or a Stop saying what ``name`` should have been."""
    if value is None:
        raise wrong(f"{name} is None: did you forget a `return`?")
    if value is Ellipsis:
        raise not_yet()
    if isinstance(value, (str, bytes, dict)) or callable(value):
        raise wrong(f"{name} should hold numbers, got {type(value).__name__}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.array(value, dtype=float)
    except Exception:
        raise wrong(f"{name} should hold numbers, got {type(value).__name__} that NumPy cannot turn into an array "
                    "of floats.") from None
    return array


# --- comparing one part with the reference ---------------------------------------------------------

def close(got: np.ndarray, expected: np.ndarray, rtol: float = 1e-6) -> bool:
    """Same shape and equal up to rounding (relative to the size of ``expected``)."""
    if np.shape(got) != np.shape(expected) or not np.all(np.isfinite(got)):
        return False
    scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-12)
    return bool(np.allclose(got, expected, rtol=rtol, atol=rtol * scale))


def quiet_close(got: Any, expected: Any) -> bool:
    """``close`` for an answer of any type: False, not an error, when ``got`` is not an array of numbers."""
    try:
        return close(np.asarray(got, dtype=float), np.asarray(expected, dtype=float))
    except Exception:
        return False


def raise_problems(problems: Sequence[str], parts: Sequence[tuple[str, Any, Any]], where: str) -> None:
    """Raise the problems found (if any), naming the parts (name, got, expected) that are right, to keep."""
    if not problems:
        return
    right = [name for name, got, expected in parts if quiet_close(got, expected)]
    tail = f"; {', '.join(right)} right" if right else ""
    raise wrong(" ".join(problems) + f" [called {where}{tail}]")


def shape_problem(name: str, got: np.ndarray, expected: np.ndarray) -> Optional[str]:
    """None when the shapes agree, else a sentence on what the wrong shape suggests."""
    gs, es = got.shape, expected.shape
    if gs == es:
        return None
    text = f"{name} has shape {gs}, expected {es}"
    if len(es) == 2 and es[1] == 1 and gs == (es[0],):
        return text + ": the sum dropped its axis; keep it as a column with np.sum(..., axis=1, keepdims=True)."
    if len(es) == 2 and es[1] == 1 and gs == (es[0], es[0]):
        return (text + ": a flat (n,) array was broadcast against an (n, 1) column into an (n, n) matrix; "
                "keep the sum a column with keepdims=True.")
    if len(es) == 2 and es[1] == 1 and len(gs) == 2 and gs[0] == 1:
        return text + ": summed over the wrong axis; axis=1 sums over the examples (the columns)."
    if len(es) == 2 and gs == es[::-1]:
        return text + ": transposed? A gradient has the shape of its parameter."
    if len(gs) == 0 and len(es) > 0:
        return text + ": you returned one number where an array is needed (a sum too many?)."
    if len(es) == 0:
        return text + ": this should be a single number (summed over all examples)."
    if got.size == expected.size:
        return text + ": the right numbers of entries, arranged wrongly (a reshape or transpose)."
    return text + "."


def factor_of(got: np.ndarray, expected: np.ndarray, factors: dict[str, tuple[float, str]]
              ) -> Optional[tuple[str, str]]:
    """If ``got`` is a constant multiple of ``expected``: (how to name the constant, why); else None."""
    e = expected.ravel()
    g = got.ravel()
    denominator = float(e @ e)
    if denominator == 0 or not np.all(np.isfinite(g)):
        return None
    c = float(g @ e) / denominator
    if not close(got, c * expected, rtol=1e-6) or abs(c - 1) < 1e-9:
        return None
    if abs(c + 1) < 1e-6:
        return "minus 1", "the sign is wrong."
    for label, (value, why) in factors.items():
        for sign, prefix in ((1, ""), (-1, "minus ")):
            if value != 0 and abs(c - sign * value) < 1e-6 * max(1.0, abs(value)):
                return prefix + label, why + (" The sign is wrong too." if sign < 0 else "")
    return f"{c:.4g}", "some constant factor is off."


def factor_sentence(names: Sequence[str], label: str, why: str) -> str:
    """"dL/dTheta and dL/dbeta are both 1/n times the right value: why"."""
    subject = names[0] if len(names) == 1 else " and ".join([", ".join(names[:-1]), names[-1]])
    verb, both = ("is", "") if len(names) == 1 else ("are", " all" if len(names) > 2 else " both")
    if label == "minus 1":
        return f"{subject} {verb}{both} minus the right value{'s' if len(names) > 1 else ''}: the sign is wrong."
    return f"{subject} {verb}{both} {label} times the right value{'s' if len(names) > 1 else ''}: {why}"


def shared_factor(parts: Sequence[Part], got: Sequence[Any], expected: Sequence[np.ndarray]
                  ) -> Optional[tuple[list[str], str, str]]:
    """When several parts are wrong by the SAME constant (a shared factor): their names, the constant and why."""
    found = []
    for part, g, e in zip(parts, got, expected):
        try:
            array = np.array(g, dtype=float)
        except Exception:
            return None
        if array.shape != np.shape(e):
            return None
        if close(array, e):
            continue
        factor = factor_of(array, np.asarray(e, dtype=float), part.factors)
        if factor is None:
            return None
        found.append((part.name, factor))
    if len(found) < 2 or len({f for _, f in found}) != 1:
        return None
    return [n for n, _ in found], found[0][1][0], found[0][1][1]


def first_difference(got: np.ndarray, expected: np.ndarray) -> str:
    """Where two same-shaped arrays differ most, for the fallback message."""
    if got.ndim == 0:
        return f"you got {number_text(got)}, expected {number_text(expected)}"
    with np.errstate(all="ignore"):
        index = np.unravel_index(int(np.nanargmax(np.abs(got - expected))), got.shape)
    return (f"largest difference at entry {tuple(int(i) for i in index)}: "
            f"{number_text(got[index])} instead of {number_text(expected[index])}")


@dataclass(frozen=True)
class Part:
    """One returned array of a code exercise, how to name it, and where to look when it is wrong."""

    name: str
    where_to_look: str
    factors: dict[str, tuple[float, str]] = field(default_factory=dict)


def diagnose_part(part: Part, got: Any, expected: np.ndarray,
                  mutants: Sequence[tuple[str, np.ndarray]] = ()) -> Optional[str]:
    """None when ``got`` matches ``expected``; else the sentence naming what is wrong with this part."""
    array = as_number_array(part.name, got)
    shape = shape_problem(part.name, array, expected)
    if shape:
        return shape
    if not np.all(np.isfinite(array)):
        return f"{part.name} contains NaN or inf (a division by zero, or an overflow?)."
    if close(array, expected):
        return None
    for text, value in mutants:
        if np.shape(value) == array.shape and close(array, value):
            return text
    factor = factor_of(array, expected, part.factors)
    if factor:
        return factor_sentence([part.name], *factor)
    return f"{part.name} is wrong ({first_difference(array, expected)}); {part.where_to_look}"


# --- number answers ----------------------------------------------------------------------------

@dataclass(frozen=True)
class NumberExercise:
    """A predict-then-check question: one number, a vector or a shape, with typical wrong answers explained."""

    answer: Any
    reasoning: str
    tolerance: float = 1e-6
    mistakes: tuple[tuple[Any, str], ...] = ()
    integer_tuple: bool = False

    def check(self, value: Any) -> str:
        """The pass message, or raise Stop with the diagnosis and the right reasoning."""
        if value is Ellipsis or value is None:
            what = "a shape such as (3, 2)" if self.integer_tuple else "a number"
            raise Stop(NOT_YET, f"not yet: replace the `...` with your answer ({what}), then run this cell again.")
        if self.integer_tuple:
            return self._check_shape(value)
        if isinstance(value, (bool, np.bool_)):
            raise wrong(f"expected a number, got {value!r} (a bool). {self.reasoning}")
        if isinstance(value, str):
            raise wrong(f"expected a number, got the text {value!r}: write it without quotes. {self.reasoning}")
        if callable(value):
            raise wrong(f"expected a number, got a function. {self.reasoning}")
        array = as_number_array("your answer", value)
        expected = np.asarray(self.answer, dtype=float)
        if expected.ndim == 0 and array.size == 1:
            array = array.reshape(())  # np.array([-2.5]) is one number too
        if array.shape != expected.shape:
            if expected.ndim == 0:
                raise wrong(f"expected one number, got an array of shape {array.shape}. {self.reasoning}")
            raise wrong(f"expected {expected.size} numbers (shape {expected.shape}), got shape {array.shape}. "
                        f"{self.reasoning}")
        if not np.all(np.isfinite(array)):
            raise wrong(f"your answer is not a finite number ({array}). {self.reasoning}")
        if np.allclose(array, expected, rtol=0, atol=self.tolerance):
            return f"right: {_fmt(array)}."
        for mistake, why in self.mistakes:
            if np.allclose(array, np.asarray(mistake, dtype=float), rtol=0, atol=self.tolerance):
                raise wrong(f"{_fmt(array)} is not it: {why} {self.reasoning}")
        if np.any(expected != 0) and np.allclose(array, -expected, rtol=0, atol=self.tolerance):
            raise wrong(f"{_fmt(array)} has the wrong sign. {self.reasoning}")
        for factor, label in ((2.0, "twice"), (0.5, "half")):
            if np.any(expected != 0) and np.allclose(array, factor * expected, rtol=0, atol=self.tolerance):
                raise wrong(f"{_fmt(array)} is {label} the right value: a factor 2 is off. {self.reasoning}")
        raise wrong(f"{_fmt(array)} is not it. {self.reasoning}")

    def _check_shape(self, value: Any) -> str:
        try:
            got = tuple(int(v) for v in value)
            if any(float(v) != int(v) for v in value):
                raise ValueError
        except Exception:
            raise wrong(f"expected a shape, a tuple of whole numbers such as (3, 2), got {value!r}. "
                        f"{self.reasoning}") from None
        if got == tuple(self.answer):
            return f"right: {got}."
        for mistake, why in self.mistakes:
            if got == tuple(mistake):
                raise wrong(f"{got} is not it: {why} {self.reasoning}")
        raise wrong(f"{got} is not it. {self.reasoning}")


def number_text(x: Any) -> str:
    """``x`` with 6 significant digits, never "-0" (a negative zero, e.g. -0.8 * 0, prints as 0)."""
    return f"{float(x) + 0.0:.6g}"  # -0.0 + 0.0 is +0.0


def _fmt(array: np.ndarray) -> str:
    if array.ndim == 0:
        return number_text(array)
    return "(" + ", ".join(number_text(x) for x in array.ravel()) + ")"


# --- the registry -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Exercise:
    """One exercise: its id, notebook, kind, title, two hints, the checker and the reference answer."""

    id: str
    title: str
    kind: str  # "number" or "code"
    hints: tuple[str, str]
    checker: Callable[[Any], str]  # returns the pass message or raises Stop
    reference: Any
    signature: str = ""

    @property
    def notebook(self) -> str:
        """The two-digit notebook number the id starts with."""
        return self.id[:2]


def number_exercise(id: str, title: str, hints: tuple[str, str], spec: NumberExercise) -> Exercise:
    """An Exercise for a predict-then-check number."""
    return Exercise(id, title, "number", hints, spec.check, spec.answer)


def is_close_number(a: float, b: float) -> bool:
    """math.isclose with a tolerance for rounding only."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def call_same(student: Callable, args: list, where: str) -> Any:
    """Like ``call`` but passes the given objects themselves (to see in-place changes, or a .grad set)."""
    try:
        result = _run_with_time_limit(student, args, where)
    except Stop:
        raise
    except NotImplementedError:
        raise not_yet() from None
    except Exception as error:
        raise wrong(f"your function raised {type(error).__name__}: {error}; called {where}.") from None
    if result is Ellipsis:
        raise not_yet()
    return result
