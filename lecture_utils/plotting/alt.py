"""Text alternatives for figures, written from what a figure holds (used by every notebook).

A screen reader cannot read a PNG. Each stored figure therefore carries alt
text in its output's metadata (IPython's ``{"image/png": {"alt": ...}}``),
built here from the figure itself:

- the sentences our ``draw_*`` functions leave on an axes with ``note`` when
  they know the story ("10 steps of gradient descent ... moving 23 → 7.83");
- a description read from the artists: title, axis labels and ranges, each
  labelled line's first and last values, scatter sizes, contour levels,
  legend entries. So a figure built with plain matplotlib gets one too.

Numbers are rounded to 3 significant digits, so the text is the same on any CPU
for any well-conditioned figure. ``use_lecture_style`` (``style.py``) registers
``png_with_alt`` as the notebook's PNG formatter and ``show_long_descriptions``,
which puts a collapsible long description under complex figures (contours,
images, graphs drawn without axes).
"""

from __future__ import annotations

import html
import math
import re
from typing import Any, Optional, Union

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import Collection, PathCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.text import Text

NOTES = "_lecture_alt_notes"  # attribute of an Axes or Figure: {key: sentence}
MAX_LINES = 8  # labelled lines described one by one in the short text (the long text lists all)
MAX_TEXTS = 40  # annotation texts quoted in the long description

_LATEX = {r"\gamma": "γ", r"\alpha": "α", r"\beta": "β", r"\lambda": "λ", r"\mu": "μ", r"\theta": "θ",
          r"\Theta": "Θ", r"\nabla": "∇", r"\eta": "η", r"\sigma": "σ", r"\rho": "ρ", r"\epsilon": "ε",
          r"\varepsilon": "ε", r"\delta": "δ", r"\Delta": "Δ", r"\partial": "∂", r"\cdot": "·",
          r"\times": "×", r"\approx": "≈", r"\leq": "≤", r"\geq": "≥", r"\le": "≤", r"\ge": "≥",
          r"\infty": "∞", r"\rightarrow": "→", r"\to": "→", r"\star": "*", r"\ast": "*", r"\|": "‖",
          r"\sum": "Σ", r"\ell": "ℓ", r"\mathcal{L}": "ℒ", r"\top": "ᵀ", r"\mathbf": "", r"\mathrm": "",
          r"\left": "", r"\right": "", r"\,": " ", r"\;": " ", r"\!": "", r"\quad": " "}
_SUPERSCRIPTS = str.maketrans("0123456789+-−()kntTi", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁽⁾ᵏⁿᵗᵀⁱ")
_SUBSCRIPTS = str.maketrans("0123456789+-−()kntij", "₀₁₂₃₄₅₆₇₈₉₊₋₋₍₎ₖₙₜᵢⱼ")


def note(target: Union[Axes, Figure], sentence: str, key: str = "story") -> None:
    """Leave ``sentence`` on an axes (or figure) for its alt text; a later note with the same ``key`` replaces it."""
    if not isinstance(target, (Axes, Figure)):
        raise TypeError(f"target must be a matplotlib Axes or Figure, got {type(target).__name__}")
    if not isinstance(sentence, str):
        raise TypeError(f"sentence must be a str, got {type(sentence).__name__}")
    notes = target.__dict__.setdefault(NOTES, {})
    if sentence.strip():
        notes[key] = sentence.strip()
    else:
        notes.pop(key, None)


def notes(target: Union[Axes, Figure]) -> list[str]:
    """The sentences left on an axes or figure by ``note``, in the order they were first written."""
    return list(target.__dict__.get(NOTES, {}).values())


def number(x: float, digits: int = 3, tiny: float = 1e-12) -> str:
    """``x`` rounded to ``digits`` significant digits, as a reader would say it (300, 0.000443, 1.5e−10).

    Anything below ``tiny`` in size is 0: roundoff-sized values differ from CPU to CPU.
    """
    x = float(x)
    if math.isnan(x):
        return "undefined"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0 or abs(x) < tiny:
        return "0"
    exponent = math.floor(math.log10(abs(x)))
    if -4 <= exponent < 6:
        rounded = round(x, digits - 1 - exponent)
        text = f"{rounded:.{max(digits - 1 - exponent, 0)}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    else:
        mantissa, power = f"{x:.{digits - 1}e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
        text = f"{mantissa}e{int(power)}"
    return text.replace("-", "−")


def plain(text: str) -> str:
    """Matplotlib mathtext (``$w_0$``, ``$\\gamma^k$``) as readable Unicode text."""
    if "$" not in text:
        return " ".join(text.split())
    out = text.replace("$", "")
    out = re.sub(r"\\hat\s*\{([^{}]*)\}|\\hat\s*(\w)", lambda m: (m.group(1) or m.group(2)) + "\u0302", out)  # Ŷ
    for latex, symbol in sorted(_LATEX.items(), key=lambda item: -len(item[0])):
        out = out.replace(latex, symbol)
    out = re.sub(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"\1/\2", out)  # ∂L/∂Ŷ
    out = re.sub(r"\^\{([^{}]*)\}", lambda m: m.group(1).translate(_SUPERSCRIPTS), out)
    out = re.sub(r"\^(.)", lambda m: m.group(1).translate(_SUPERSCRIPTS), out)
    out = re.sub(r"_\{([^{}]*)\}", lambda m: m.group(1).translate(_SUBSCRIPTS), out)
    out = re.sub(r"_(.)", lambda m: m.group(1).translate(_SUBSCRIPTS), out)
    out = out.replace("{", "").replace("}", "").replace("\\", "")
    return " ".join(out.split())


def _is_colorbar(ax: Axes) -> bool:
    return getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>"


def _finite(values: Any) -> np.ndarray:
    array = np.ma.filled(np.ma.asarray(values, dtype=float).ravel(), np.nan)
    return array[np.isfinite(array)]


def _axis_phrase(ax: Axes, which: str) -> str:
    label = plain(ax.get_xlabel() if which == "x" else ax.get_ylabel())
    low, high = ax.get_xlim() if which == "x" else ax.get_ylim()
    scale = ax.get_xscale() if which == "x" else ax.get_yscale()
    name = f"{which} axis" + (f" {label}" if label else "")
    log = ", log scale" if scale == "log" and "log scale" not in label else ""
    tiny = 0.0 if scale == "log" else 1e-12
    return f"{name} from {number(low, 2, tiny)} to {number(high, 2, tiny)}{log}"


def _line_phrase(line: Line2D) -> Optional[str]:
    x = np.ma.filled(np.ma.asarray(line.get_xdata(), dtype=float), np.nan).ravel()
    y = np.ma.filled(np.ma.asarray(line.get_ydata(), dtype=float), np.nan).ravel()
    if x.size != y.size:
        return None
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    label = plain(line.get_label())
    if x.size == 0:
        return None
    axes = line.axes
    if axes is not None and line.get_transform() != axes.transData:  # axhline / axvline: one side in axes units
        x_data, y_data = line.get_transform().contains_branch_seperately(axes.transData)
        if y_data and not x_data and np.ptp(y) == 0:
            return f"{label}: a horizontal line at {number(y[0])}"
        if x_data and not y_data and np.ptp(x) == 0:
            return f"{label}: a vertical line at x = {number(x[0])}"
    if x.size == 1:
        return f"{label}: one point at ({number(x[0])}, {number(y[0])})"
    if np.all(np.diff(x) > 0):  # a curve over x: what a reader follows is y
        if np.ptp(y) == 0:
            return f"{label}: constant at {number(y[0])} for x from {number(x[0])} to {number(x[-1])}"
        parts = f"{label}: {x.size} points, from {number(y[0])} at x = {number(x[0])} to {number(y[-1])} at x = {number(x[-1])}"
        low = int(np.argmin(y))
        if 0 < low < y.size - 1:
            parts += f", lowest {number(y[low])} at x = {number(x[low])}"
        return parts
    return (f"{label}: a path of {x.size} points from ({number(x[0])}, {number(y[0])}) "
            f"to ({number(x[-1])}, {number(y[-1])})")


def _collection_phrase(collection: Collection) -> Optional[str]:
    label = plain(str(collection.get_label()))
    named = label and not label.startswith("_")
    levels = getattr(collection, "levels", None)
    if levels is not None and len(levels):
        kind = "filled contours" if getattr(collection, "filled", False) else "contour lines"
        if len(levels) == 1:
            return f"{kind[:-1] if kind.endswith('s') else kind} at level {number(levels[0])}"
        return f"{kind} of {len(levels)} levels from {number(min(levels))} to {number(max(levels))}"
    if isinstance(collection, PathCollection):
        count = len(collection.get_offsets())
        if count == 0 or not named:
            return None
        return f"{label}: {count} marker{'s' if count != 1 else ''}"
    return f"{label}" if named else None


def _image_phrase(image: AxesImage) -> str:
    data = _finite(image.get_array())
    if data.size == 0:
        return "an empty image"
    return f"a colour map of values from {number(data.min())} to {number(data.max())}"


def _legend_entries(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    return [plain(t.get_text()) for t in legend.get_texts() if t.get_text()] if legend is not None else []


def _texts(ax: Axes) -> list[str]:
    """The visible texts drawn in an axes; a value written under its name ("= 21") joins it ("j = 3·v = 21")."""
    texts: list[str] = []
    for t in ax.texts:
        text = plain(t.get_text()) if isinstance(t, Text) and t.get_visible() else ""
        if not text:
            continue
        if text.startswith("=") and texts:
            texts[-1] = f"{texts[-1]} {text}"
        else:
            texts.append(text)
    return texts


def _title(ax: Axes) -> str:
    return " ".join(plain(ax.get_title(loc)) for loc in ("left", "center", "right") if ax.get_title(loc)).strip()


def describe_axes(ax: Axes, long: bool = False) -> str:
    """What one axes shows, in sentences: title, axes and ranges, lines, markers, contours, legend, notes."""
    sentences: list[str] = []
    title = _title(ax)
    said = notes(ax)
    sentences.extend(said)
    shows_axes = ax.axison
    if title:
        sentences.append(f"Titled “{title}”.")
    if shows_axes:
        sentences.append(f"{_axis_phrase(ax, 'x').capitalize()}; {_axis_phrase(ax, 'y')}.")
    labelled = [line for line in ax.get_lines() if line.get_visible() and not line.get_label().startswith("_")]
    phrases = [p for p in map(_line_phrase, labelled) if p]
    limit = len(phrases) if long else MAX_LINES
    if phrases:
        sentences.append("Lines: " + "; ".join(phrases[:limit]) + ("; and more" if len(phrases) > limit else "") + ".")
    others = [p for p in map(_collection_phrase, ax.collections) if p]
    others += [_image_phrase(image) for image in ax.images]
    if others:
        sentences.append("Also: " + "; ".join(dict.fromkeys(others)) + ".")
    legend = [entry for entry in _legend_entries(ax)  # each entry once: skip those a line or a note names
              if not any(entry in p for p in phrases) and not any(n.startswith(f"{entry} ") for n in said)]
    if legend:
        sentences.append("Legend: " + "; ".join(legend) + ".")
    texts = _texts(ax)
    if texts and (long or not shows_axes):
        quoted = texts[: MAX_TEXTS if long else 4]
        more = f" and {len(texts) - len(quoted)} more" if len(texts) > len(quoted) else ""
        sentences.append("Labels in the picture: " + "; ".join(f"“{t}”" for t in quoted) + more + ".")
    return " ".join(sentences)


def _panels(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.axes if ax.get_visible() and not _is_colorbar(ax)]


def describe_figure(fig: Figure, long: bool = False) -> str:
    """The alt text of a figure: its notes, then each axes described from its artists (``long``: everything)."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    parts = list(notes(fig))
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        parts.append(f"Figure titled “{plain(suptitle.get_text())}”.")
    axes = _panels(fig)
    if len(axes) > 1:
        parts.append(f"{len(axes)} panels, top to bottom and left to right.")
    for k, ax in enumerate(axes, start=1):
        text = describe_axes(ax, long=long)
        if text:
            parts.append(f"Panel {k}: {text}" if len(axes) > 1 else text)
    text = " ".join(parts).strip()
    return text or "An empty figure."


def is_complex(fig: Figure) -> bool:
    """Whether a figure needs a long description: contours, images, or a drawing without axes (a graph)."""
    for ax in _panels(fig):
        if ax.images or any(getattr(c, "levels", None) is not None for c in ax.collections):
            return True
        if not ax.axison and len(_texts(ax)) >= 3:
            return True
    return False


def png_with_alt(fig: Figure, **print_kwargs: Any) -> tuple[str, dict]:
    """IPython PNG formatter: the base64 PNG and its metadata ``{"alt": ...}`` (``print_kwargs``: IPython's)."""
    from IPython.core.pylabtools import print_figure

    from .style import outline_faint_lines

    outline_faint_lines(fig)  # orange and sky lines get a darker edge: 3:1 against the background
    data = print_figure(fig, "png", base64=True, **print_kwargs)
    _pending.append(fig)
    return data, {"alt": describe_figure(fig)}


_pending: list[Figure] = []  # figures formatted during the running cell


def long_description_html(fig: Figure) -> str:
    """The collapsible long description shown under a complex figure (HTML that survives Jupyter's sanitizer)."""
    return ("<details><summary>Text description of the figure above</summary><p>"
            + html.escape(describe_figure(fig, long=True)) + "</p></details>")


def show_long_descriptions(*_args: Any) -> None:
    """After a cell: a collapsible long description under each complex figure it showed (an IPython callback)."""
    from IPython.display import display

    figures, _pending[:] = list(dict.fromkeys(_pending)), []
    for fig in figures:
        if is_complex(fig):
            text = describe_figure(fig, long=True)
            display({"text/html": long_description_html(fig), "text/plain": "Text description: " + text}, raw=True)


def register(shell: Any = None) -> bool:
    """Make IPython's notebook PNGs of matplotlib figures carry alt text; False outside IPython."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    import matplotlib.pyplot  # noqa: F401 - activates the inline backend first, which sets its own formatter

    try:
        from matplotlib_inline.backend_inline import InlineBackend

        kwargs = dict(InlineBackend.instance().print_figure_kwargs)
    except ImportError:
        kwargs = {"bbox_inches": "tight"}
    formatter = shell.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, lambda fig: png_with_alt(fig, **kwargs))
    callbacks = shell.events.callbacks.get("post_execute", [])
    if show_long_descriptions not in callbacks:
        shell.events.register("post_execute", show_long_descriptions)
    return True
