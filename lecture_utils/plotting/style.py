"""The house style: Okabe-Ito colour-blind-safe colours and fonts that read from the back of a room."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import matplotlib as mpl
from cycler import cycler

# The lecture's three colours come first; the rest complete the Okabe-Ito palette.
COLORS = {
    "vermillion": "#D55E00",
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#6E6E6E",
}
CYCLE = [COLORS[name] for name in ("vermillion", "blue", "orange", "green", "purple", "sky", "black")]

RC_PARAMS = {
    "figure.dpi": 100,  # a 9 in wide figure is 900 px
    "savefig.dpi": 100,
    "font.size": 15,
    "axes.titlesize": 17,
    "axes.labelsize": 16,
    "xtick.labelsize": 14,
    "ytick.labelsize": 14,
    "legend.fontsize": 13,
    "lines.linewidth": 2.5,
    "lines.markersize": 8,
    "axes.prop_cycle": cycler(color=CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.constrained_layout.use": True,
    "image.cmap": "cividis",
}


def use_lecture_style() -> None:
    """Apply the house style to every later figure (called in each notebook's first cell).

    In a notebook it also gives every figure's PNG alt text written from the figure's data
    (``plotting/alt.py``), and a collapsible long description under contours and graphs.
    """
    mpl.rcParams.update(RC_PARAMS)
    from . import alt  # imported here: nothing happens at import time

    alt.register()


@contextmanager
def lecture_style() -> Iterator[None]:
    """Apply the house style inside a ``with`` block only (used for the live panels' figures)."""
    with mpl.rc_context(RC_PARAMS):
        yield
