"""Helpers for the gradient-descent and backpropagation notebooks.

The math lives in small NumPy modules (``functions``, ``schedules``,
``descent``, ...); figures live in ``lecture_utils.plotting`` and the live
slider panels in ``lecture_utils.widgets``. Importing this package does no
work and imports neither matplotlib nor ipywidgets.
"""

__version__ = "0.1.0"
