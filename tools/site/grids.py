"""Which states of each live panel the static site bakes, and how its figure is described in words.

Per panel class and control, a hint says which values of the control get a frame:

- ``"fine"``: every value the slider can take (its own step);
- an int ``n``: the values that are multiples of ``n`` slider steps, plus both ends;
- a list: exactly these values (snapped to the slider's lattice, kept inside its range);
- a dict from a context ("schedule=constant", the dropdown settings) to one of the above,
  with ``"*"`` for every other context.

The values a notebook sets from code (``panel.set(...)``), the constructor's values, the
panel's landmark buttons and the tours are always added: every state the notebook prints is
baked. States are the product of the per-control lists, per context; ``MAX_STATES`` caps the
product per panel (the build fails rather than silently dropping states). A class without a
hint gets the ends, the default and the landmarks of each control plus evenly spaced values,
as many as the cap allows.
"""

from __future__ import annotations

MAX_STATES = 1600  # per panel (contexts included)

HINTS: dict[str, dict[str, object]] = {
    "GradientDescent1DPanel": {
        "gamma": {"schedule=constant": "fine", "*": [0.01, 0.1, 0.3, 0.5, 0.75, 0.9, 1.0, 1.05, 1.2]},
        "decay": {"schedule=exponential": [0.5, 0.9, 1.0], "schedule=inverse-time": [0.0, 0.2, 1.0],
                  "schedule=step": [0.1, 0.5, 1.0], "*": []},
        "w0": [-10.0, 23.0],
        "num_steps": [10, 30],
    },
    "TaylorStepPanel": {
        "w0": {"objective=(w - 6)^2": 6, "*": 15},
        "lam": {"objective=(w - 6)^2": 10, "*": 10},
    },
    "NetworkTrainingPanel": {
        "gamma": {"activation=tanh": 2, "*": 4},
        "decay": [0.0, 0.01],
        "m": [1, 8, 32],
    },
    "ToyGraphPanel": {
        "a": [-3.0, 1.0, 5.0],
        "b": [-3.0, 2.0, 3.0],
        "c": [-3.0, 0.0, 2.0, 3.0],
        "step": "fine",
    },
    "SGDvsGDPanel": {
        "gamma0": [0.002, 0.006, 0.010, 0.014, 0.018, 0.022, 0.030, 0.040, 0.045, 0.050],
        "decay": [0.0, 0.002, 0.01],
        "batch_size": "fine",
        "seed": [0, 1],
    },
    "TwoLayerPanel": {
        "learning_rate": "fine",
        "hidden_units": [1, 4, 8],
        "iteration": [0, 300, 1000, 1500, 2000],
    },
    "MomentumPanel": {  # notebook 07 (about 90 states; without a hint the generic grid bakes ~1400, ~33 MB)
        "gamma": {"method=RMSProp": [0.03, 0.1, 0.3, 1.0], "method=Adam": [0.03, 0.1, 0.3, 1.0],
                  "*": [0.5, 1.0, 1.98, 3.0, 3.3, 3.8]},
        "beta": [0.0, 0.5, 0.67, 0.9],
        "num_steps": [100],
    },
}

# What the figure shows, for the text alternative: "<this> at <settings>: <the run's result>."
DESCRIPTIONS: dict[str, str] = {
    "GradientDescent1DPanel": "Gradient descent on (w − 6)²: the iterates on the curve, the loss per step "
                              "and the step-size ruler",
    "TaylorStepPanel": "The objective with its tangent line and penalised model at w⁽⁰⁾, and the step they give",
    "NetworkTrainingPanel": "The training loss per step and the fitted curve with its basis functions",
    "ToyGraphPanel": "The computation graph of j = 3(a + b·c) with the backward pass shown edge by edge",
    "SGDvsGDPanel": "The paths of SGD and full-batch GD on the two-basin risk and their loss against work",
    "TwoLayerPanel": "The decision boundary of the two-layer network on the moons and its cost curve",
    "MomentumPanel": "GD, momentum, Nesterov, RMSProp or Adam in the ravine: the path, the loss per step beside "
                     "the closed-form slope, and the closed-form rate over the (γ, β) plane",
}
