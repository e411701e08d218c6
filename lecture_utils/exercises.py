"""Exercises with instant feedback for every notebook: ``check(exercise_id, answer)`` says what is wrong.

Two kinds of exercise, 3-6 per notebook (``exercise_ids()`` lists them):

* **predict, then check**: a number (or a vector, or a shape) worked out by
  hand, e.g. ``check("01-first-step", -2.5)``;
* **write the code**: a function with a given signature, e.g.
  ``check("03-backward", my_backward)`` for
  ``my_backward(X, Y, Theta, beta, activation) -> (L, dTheta, dbeta)``.

A code answer is called on seeded random problems of several shapes and
activations and compared part by part with the library's reference; the
message names the wrong part and, when it recognises a typical mistake
(wrong sign, a factor n or m, a missing g′, ∂L/∂β from P instead of A, a
missing ``keepdims``, ``=`` instead of ``+=``, gradients not reset), says
which. ``hint(exercise_id, 1)`` is a nudge, ``hint(exercise_id, 2)`` the
formula; the feedback shows both folded away.

Student copies (``make student``) replace each solution by a stub that
raises ``NotImplementedError``; ``check`` then answers "not yet", and
``answer_or_reference`` lets later cells go on with the reference solution.
Nothing is sent anywhere; no widgets are needed.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._exercise_core import NOT_YET, PASSED, WRONG, Exercise, Feedback, Stop
from ._exercises_backprop import EXERCISES as _BACKPROP
from ._exercises_descent import EXERCISES as _DESCENT
from ._exercises_momentum import EXERCISES as _MOMENTUM

__all__ = ["Feedback", "check", "hint", "answer_or_reference", "exercise_ids", "title"]

_EXERCISES: dict[str, Exercise] = {e.id: e for e in sorted(_DESCENT + _BACKPROP + _MOMENTUM, key=lambda e: e.notebook)}


def _exercise(exercise_id: Any) -> Exercise:
    if not isinstance(exercise_id, str):
        raise TypeError(f"exercise_id must be a string such as '03-backward', got {type(exercise_id).__name__}")
    if exercise_id not in _EXERCISES:
        close = [e for e in _EXERCISES if e[:2] == exercise_id[:2]]
        known = ", ".join(close or _EXERCISES)
        raise ValueError(f"exercise_id {exercise_id!r} is not an exercise; known ids: {known}")
    return _EXERCISES[exercise_id]


def exercise_ids(notebook: str = "") -> tuple[str, ...]:
    """The ids of all exercises, or of one notebook's (``notebook="03"``)."""
    if not isinstance(notebook, str):
        raise TypeError(f"notebook must be a string such as '03', got {type(notebook).__name__}")
    return tuple(e for e in _EXERCISES if e.startswith(notebook))


def title(exercise_id: str) -> str:
    """A short description of the exercise ``exercise_id``."""
    return _exercise(exercise_id).title


def check(exercise_id: str, answer: Any) -> Feedback:
    """Check ``answer`` (a number, or your function) against exercise ``exercise_id``; never raises on the answer."""
    exercise = _exercise(exercise_id)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):  # a wild answer may overflow: no warnings
            warnings.simplefilter("ignore")
            message = exercise.checker(answer)
        status = PASSED
    except Stop as stop:
        status, message = stop.status, stop.message
    except Exception as error:  # the answer broke something unforeseen: still feedback, never a crash
        status, message = WRONG, (f"the checker could not use your answer ({type(error).__name__}: {error}); "
                                  f"expected {exercise.signature or 'a number'}.")
    return Feedback(exercise.id, status, message, exercise.hints)


class _Text(str):
    """A string that a notebook displays as plain text (no quotes, real line breaks)."""

    def __repr__(self) -> str:
        return str(self)


def hint(exercise_id: str, level: int = 1) -> str:
    """The hint of ``exercise_id``: level 1 is a nudge, level 2 the formula."""
    exercise = _exercise(exercise_id)
    if isinstance(level, bool) or level not in (1, 2):
        raise ValueError(f"level must be 1 (a nudge) or 2 (the formula), got {level!r}")
    return _Text(exercise.hints[level - 1])


def answer_or_reference(answer: Any, exercise_id: str) -> Any:
    """``answer`` if it passes ``check``, else the reference solution (saying so), so that later cells still run."""
    exercise = _exercise(exercise_id)
    feedback = check(exercise_id, answer)
    if feedback.passed:
        return answer
    reason = "is not written yet" if feedback.status == NOT_YET else "does not pass the check yet"
    print(f"({exercise_id}: your answer {reason}, so the cells below use the reference solution.)")
    return exercise.reference
