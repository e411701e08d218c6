"""The house style: Okabe-Ito colour-blind-safe colours and fonts that read from the back of a room."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Optional

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib import patheffects
from matplotlib.colors import to_rgba
from matplotlib.typing import ColorType
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

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


# Orange and sky blue are below 3:1 on white (2.25:1 and 2.31:1), the least a line needs (WCAG 2.1, 1.4.11).
# Darkening them enough merges orange with vermillion for deuteranopes, so they keep their colour and get
# a thin edge of the same hue, darkened: the edge carries the contrast.
MIN_LINE_CONTRAST = 3.0
EDGE_SHADE = 0.5  # the edge is the line's colour times this (orange's edge is 7.5:1 on white)


def contrast_on_white(color: ColorType) -> float:
    """WCAG contrast ratio of a colour against the white figure background (1 to 21)."""
    rgb = np.array(to_rgba(color)[:3])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = float(np.array([0.2126, 0.7152, 0.0722]) @ linear)
    return 1.05 / (luminance + 0.05)


def _stroke_colour(line: Line2D) -> Optional[ColorType]:
    """The colour a reader sees a line by: its own, or its markers' edge when it is markers only."""
    if line.get_linestyle() in ("None", "", " ") or line.get_linewidth() == 0:
        return line.get_markeredgecolor() if line.get_marker() not in ("None", "", " ", None) else None
    return line.get_color()


def outline_faint_lines(fig: Figure) -> None:
    """Edge every opaque line (and its legend entry) whose colour is below 3:1 on white, in place.

    Called just before a figure is drawn for the reader: by the notebooks' PNG formatter
    (``alt.png_with_alt``) and by the live panels (``widgets.core.LiveFigure``). Faint lines drawn
    on purpose (alpha below 0.6) stay faint; lines that already have path effects are left alone.
    """
    for line in fig.findobj(Line2D):
        colour = _stroke_colour(line)
        alpha = line.get_alpha()
        if colour is None or line.get_path_effects() or (alpha is not None and alpha < 0.6):
            continue
        if str(colour).lower() == "none" or contrast_on_white(colour) >= MIN_LINE_CONTRAST:
            continue
        edge = tuple(EDGE_SHADE * c for c in to_rgba(colour)[:3])
        width = max(line.get_linewidth(), 1.0) + 1.5  # about 1 px of edge either side at dpi 100
        line.set_path_effects([patheffects.Stroke(linewidth=width, foreground=edge), patheffects.Normal()])
