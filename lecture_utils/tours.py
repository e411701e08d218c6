"""Guided tours of the live panels, as data: for each panel, the states an instructor shows, in order.

Used by the presenter pages (``make present``, ``lecture_utils.widgets.presenter``) and by the
static site's players; checked by tests/test_tours.py (every state is inside the panel's ranges,
and every caption agrees with what the panel's ``summary()`` says for that state).

The format is plain Python data, so it converts to JSON as is (``tours_json()``):

    TOURS[notebook][panel] = [(state, caption), ...]

* ``notebook``: a lesson's file name without ``.ipynb`` (``"01_gradient_descent_1d"``);
* ``panel``: the name the lesson's code cell gives the panel (``panel``, ``decay_panel``);
  ``PANELS[notebook][panel]`` is the panel's class as ``"module:Class"``;
* ``state``: the keyword arguments of one ``panel.set(**state)`` call. Every state names every
  control of its panel, so a state means the same whatever was shown before it; choosers that
  reshape another control's range (a schedule, an objective) come first, as ``set`` requires;
* ``caption``: one line, in the course's words, said while the state is on the screen.

``KEYS`` lists the keys (what a presentation clicker sends) that step through a tour; the
presenter pages and the static players both follow it.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

State = dict[str, Any]
Stop = tuple[State, str]

PANELS: dict[str, dict[str, str]] = {
    "01_gradient_descent_1d": {"panel": "lecture_utils.widgets.descent:GradientDescent1DPanel",
                               "decay_panel": "lecture_utils.widgets.descent:GradientDescent1DPanel"},
    "02_taylor_expansion": {"panel": "lecture_utils.widgets.taylor:TaylorStepPanel"},
    "03_backprop_by_hand": {"panel": "lecture_utils.widgets.network:NetworkTrainingPanel"},
    "04_computation_graph": {"panel": "lecture_utils.widgets.graphs:ToyGraphPanel"},
    "05_sgd_vs_full_batch": {"panel": "lecture_utils.widgets.sgd:SGDvsGDPanel"},
    "06_two_layer_network": {"panel": "lecture_utils.widgets.twolayer:TwoLayerPanel"},
    "07_momentum_and_adam": {"panel": "lecture_utils.widgets.momentum:MomentumPanel"},
}

# One title a tour, shown above the panel on the presenter page.
TITLES: dict[str, dict[str, str]] = {
    "01_gradient_descent_1d": {"panel": "Gradient descent on (w − 6)²: the step size γ₀",
                               "decay_panel": "Shrinking the step: decay schedules"},
    "02_taylor_expansion": {"panel": "The penalised linear model: λ sets the step γ = 1/(2λ)"},
    "03_backprop_by_hand": {"panel": "Training a one-hidden-layer network by full-batch descent"},
    "04_computation_graph": {"panel": "The backward pass of j = 3(a + b·c), one edge at a time"},
    "05_sgd_vs_full_batch": {"panel": "SGD against full-batch descent on two basins"},
    "06_two_layer_network": {"panel": "A two-layer network on the moons: the plateau"},
    "07_momentum_and_adam": {"panel": "Momentum in a ravine: the step γ and the momentum β"},
}


def _gd(gamma: float, schedule: str = "constant", decay: float = 0.9, num_steps: int = 10) -> State:
    return {"schedule": schedule, "decay": decay, "gamma": gamma, "w0": 23.0, "num_steps": num_steps}


def _net(gamma: float, m: int = 8, activation: str = "tanh", decay: float = 0.0) -> State:
    return {"gamma": gamma, "decay": decay, "m": m, "activation": activation}


def _sgd(gamma0: float = 0.018, decay: float = 0.002, batch_size: int = 32, seed: int = 0) -> State:
    return {"gamma0": gamma0, "decay": decay, "batch_size": batch_size, "seed": seed}


def _moons(iteration: int, learning_rate: float = 1.0, hidden_units: int = 4, activation: str = "tanh") -> State:
    return {"learning_rate": learning_rate, "hidden_units": hidden_units, "hidden_activation": activation,
            "iteration": iteration}


def _ravine(gamma: float, beta: float, method: str = "momentum", num_steps: int = 100) -> State:
    return {"method": method, "gamma": gamma, "beta": beta, "num_steps": num_steps}


def _toy(step: int, a: float = 1.0, b: float = 2.0, c: float = 3.0) -> State:
    return {"a": a, "b": b, "c": c, "step": step}


TOURS: dict[str, dict[str, list[Stop]]] = {
    "01_gradient_descent_1d": {
        "panel": [
            (_gd(0.1), "γ₀ = 0.1, the lecture's step: each step keeps 80 % of the distance to 6, "
                       "so the iterates creep in from one side"),
            (_gd(0.5), "γ₀ = 0.5: the factor 1 − 2γ₀ is 0, and the first step lands exactly on the minimum w = 6"),
            (_gd(0.75), "γ₀ = 0.75: every step jumps across 6 and lands half as far away: "
                        "a zig-zag that converges"),
            (_gd(1.0), "γ₀ = 1: period 2. The iterates bounce between 23 and −11 for ever"),
            (_gd(1.05), "γ₀ = 1.05: each jump across 6 is 10 % longer than the last: the run diverges"),
        ],
        "decay_panel": [
            (_gd(1.05, num_steps=30), "A constant γ = 1.05 diverges: after 30 steps, w = 302.6"),
            (_gd(1.05, "exponential", 0.9, 30), "γₖ = 1.05 · 0.9ᵏ: already the second step is below 1, "
                                                "and the run converges to w = 6"),
            (_gd(1.05, "inverse-time", 0.2, 30), "γₖ = 1.05 / (1 + 0.2 k): a gentler decay, "
                                                 "and it still converges to 6"),
            (_gd(1.05, "step", 0.5, 30), "Halving γ every 5 steps: the first five steps swing out, "
                                         "then the halved step converges to 6"),
            (_gd(0.01, "exponential", 0.9, 100), "Decay too fast: γ₀ = 0.01, r = 0.9: the step sizes γₖ add up to at "
                                                 "most 0.1, not the steps; the run stalls near w = 19.9"),
        ],
    },
    "02_taylor_expansion": {
        "panel": [
            ({"objective": "(w - 6)^2", "w0": 23.0, "lam": 5.0},
             "λ = 5 gives γ = 0.1: the model's minimum is w⁽¹⁾ = 19.6, the first iterate of notebook 01"),
            ({"objective": "(w - 6)^2", "w0": 23.0, "lam": 1.0},
             "λ = 1 matches the curvature: the model is f itself, and one step lands on w = 6"),
            ({"objective": "(w - 6)^2", "w0": 23.0, "lam": 0.5},
             "λ = 0.5 gives γ = 1: the step jumps to w = −11, exactly as high as the start"),
            ({"objective": "(w - 6)^2", "w0": 23.0, "lam": 0.3},
             "λ = 0.3: too cheap to move, the step overshoots to w = −33.67 and f goes up"),
            ({"objective": "non-convex quartic", "w0": 1.5, "lam": 2.0},
             "The quartic with λ = 2: the tangent is trusted too far, "
             "the model promises 5.64 and f goes up instead"),
            ({"objective": "non-convex quartic", "w0": 1.5, "lam": 20.0},
             "λ = 20: a short step of 0.168, and f really goes down, by 1.18"),
        ],
    },
    "03_backprop_by_hand": {
        "panel": [
            (_net(0.003), "γ = 0.003 with 8 tanh units: the loss comes down to the noise floor, a good fit"),
            (_net(0.003, m=32), "The same γ with 32 units: the summed loss's gradient grows with m, "
                                "and the run diverges after 15 steps"),
            (_net(0.001, m=32), "A step three times smaller suits 32 units: a good fit again"),
            (_net(0.008), "γ = 0.008 is too long a step even for 8 units: the run diverges"),
            (_net(0.008, decay=0.01), "The same γ with decay d = 0.01: the step shrinks in time, "
                                      "and the run settles to a good fit"),
            (_net(0.001, activation="identity"), "g = identity: the network is a straight line in x, "
                                                 "and the loss stays well above the noise floor"),
            (_net(0.003, activation="relu"), "g = relu: the sine is built from kinks, a good fit"),
            (_net(0.003, m=1), "One unit cannot draw both the dip and the bump: well above the noise floor"),
        ],
    },
    "04_computation_graph": {
        "panel": [
            (_toy(0), "First the forward pass: every node gets its value, up to j = 21"),
            (_toy(1), "Then backward from the output: its gradient with respect to itself is ∂j/∂j = 1"),
            (_toy(2), "j = 3v: the times-3 node multiplies the gradient by 3, so ∂j/∂v = 3"),
            (_toy(3), "A plus node hands the gradient to each input unchanged: ∂j/∂a = 3"),
            (_toy(4), "…and to its other input: ∂j/∂u = 3"),
            (_toy(5), "A times node multiplies by the other factor: ∂u/∂b = c, so ∂j/∂b = 3 · 3 = 9"),
            (_toy(6), "…and ∂u/∂c = b, so ∂j/∂c = 3 · 2 = 6: every gradient is known"),
            (_toy(6, 5.0, 3.0, 2.0), "Andrew Ng's inputs a = 5, b = 3, c = 2: j = 33, ∂j/∂b = 6, ∂j/∂c = 9"),
            (_toy(6, 1.0, 2.0, 0.0), "c = 0: b no longer changes j, so ∂j/∂b = 0"),
        ],
    },
    "05_sgd_vs_full_batch": {
        "panel": [
            (_sgd(), "|B| = 32: the noisy steps carry SGD out of the shallow basin into the deep one, "
                     "while full-batch GD stays trapped"),
            (_sgd(batch_size=64), "|B| = 64: less noise, and SGD stays trapped with GD"),
            (_sgd(batch_size=128), "|B| = 128: even less noise, trapped again"),
            (_sgd(decay=0.0), "Back to 32 without decay: SGD still escapes, "
                              "but its last step is still 0.018, so it keeps wandering"),
            (_sgd(decay=0.01), "Decay too fast (d = 0.01): the steps shrink before the noise "
                               "has moved SGD out, trapped"),
            (_sgd(gamma0=0.034, decay=0.0, batch_size=512), "|B| = 512 = n: SGD is full-batch GD, "
                                                            "and with γ₀ = 0.034 both escape"),
        ],
    },
    "06_two_layer_network": {
        "panel": [
            (_moons(0), "Iteration 0: small random weights answer 0.5 for everyone, cost ln 2 ≈ 0.693"),
            (_moons(300), "Iteration 300: on the plateau near 0.28, the boundary is a straight line, "
                          "like logistic regression"),
            (_moons(1000), "Iteration 1000: still on the plateau"),
            (_moons(1600), "Iteration 1600: off the plateau, the boundary bends round the moons"),
            (_moons(2000), "Iteration 2000: cost 0.021, 99.5 % of the points right"),
            (_moons(2000, 0.1), "α = 0.1: too small a step, still on the plateau after 2000 iterations"),
            (_moons(300, 3.0), "α = 3: off the plateau by iteration 300, but the cost jumps up at times: "
                               "steps overshoot"),
            (_moons(2000, 100.0), "α = 100: the steps overshoot so far that the cost went up"),
        ],
    },
    "07_momentum_and_adam": {
        "panel": [
            (_ravine(1.98, 0.0), "β = 0 is plain gradient descent: at its best step, γ = 1.98, "
                                 "the error only shrinks at rate 0.980 a step"),
            (_ravine(1.0, 0.9), "The usual β = 0.9 with γ = 1: the ball swings across the ravine "
                                "but rolls along its floor, rate 0.949"),
            (_ravine(3.3, 0.67), "The optimum γ* = 3.3 and β* = 0.67: rate 0.819, the fastest there is here"),
            (_ravine(3.3, 0.668), "β = 0.668, only 0.002 lower: the rate jumps to 0.835. "
                                  "The optimum is a sharp corner"),
            (_ravine(3.0, 0.5), "At β = 0.5 the edge is γ = 2(1 + β)/λ_max = 3: "
                                "there the steep direction never shrinks (rate 1.000)"),
            (_ravine(3.2, 0.5), "Past the edge, γ = 3.2: the run diverges"),
            (_ravine(1.0, 0.9, "Nesterov"), "Nesterov's look-ahead at γ = 1 and β = 0.9: "
                                            "calmer swings, rate 0.944"),
            (_ravine(3.0, 0.9, "Nesterov"), "Nesterov at γ = 3: outside its shorter stable range "
                                            "(γ < 1.357), it diverges"),
            (_ravine(0.1, 0.9, "Adam", 300), "Adam with γ = 0.1: a step size per coordinate, "
                                             "the flat one gets a much longer step (no closed-form rate)"),
        ],
    },
}

# What a presentation clicker (or a keyboard) sends, as KeyboardEvent.key values.
KEYS: dict[str, list[str]] = {
    "next": ["PageDown", "ArrowRight", "ArrowDown", " "],
    "previous": ["PageUp", "ArrowLeft", "ArrowUp"],
    "first": ["Home"],
    "blank": ["b", "B", "."],
}


def tour(notebook: str, panel: str = "panel") -> list[Stop]:
    """The tour of ``panel`` in ``notebook`` (a lesson's file name without .ipynb)."""
    for name, value in (("notebook", notebook), ("panel", panel)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if notebook not in TOURS:
        raise ValueError(f"notebook must be one of {list(TOURS)}, got {notebook!r}")
    if panel not in TOURS[notebook]:
        raise ValueError(f"panel must be one of {list(TOURS[notebook])} for {notebook}, got {panel!r}")
    return TOURS[notebook][panel]


def panel_class(notebook: str, panel: str = "panel") -> type:
    """The class of the panel a tour is written for (imported on demand)."""
    tour(notebook, panel)  # checks the names
    module, name = PANELS[notebook][panel].split(":")
    return getattr(importlib.import_module(module), name)


def tours_json() -> str:
    """All tours, titles, panel classes and keys as one JSON document (for the static site's players)."""
    data = {"keys": KEYS,
            "tours": {nb: {name: {"panel": PANELS[nb][name], "title": TITLES[nb][name],
                                  "stops": [{"state": state, "caption": caption} for state, caption in stops]}
                           for name, stops in panels.items()}
                      for nb, panels in TOURS.items()}}
    return json.dumps(data, ensure_ascii=False, indent=1)
