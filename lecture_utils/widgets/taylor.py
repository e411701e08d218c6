"""Notebook 02's live panel: the tangent line and penalised model of f at w0, with sliders for w0 and lam."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..functions import LECTURE_1D, QUARTIC
from ..plotting.style import RC_PARAMS, lecture_style
from ..plotting.taylor import draw_taylor_1d
from ..taylor import StepReport, take_step
from .core import LiveFigure, Panel, panel_layout, reshape_slider, slider

# Per objective: view limits, w0 slider (min, max, step, default), lam slider (min, max, step, default).
SETTINGS = {
    "(w - 6)^2": dict(objective=LECTURE_1D, xlim=(-18.0, 24.0), ylim=(-100.0, 320.0),
                      w0=(-12.0, 23.0, 0.5, 23.0), lam=(0.1, 5.0, 0.05, 5.0)),
    "non-convex quartic": dict(objective=QUARTIC, xlim=(-1.5, 3.5), ylim=(-3.0, 10.0),
                               w0=(-1.4, 3.2, 0.02, 1.5), lam=(0.5, 50.0, 0.5, 5.0)),
}


class TaylorStepPanel(Panel):
    """Objective chooser and sliders for w⁽⁰⁾ and λ over a live picture of the Lagrangian (gradient) step."""

    def __init__(self, objective: str = "(w - 6)^2") -> None:
        super().__init__()
        first = next(iter(SETTINGS))
        s = SETTINGS[first]
        self.controls = {
            "objective": widgets.Dropdown(options=list(SETTINGS), value=first, description="objective",
                                          style={"description_width": "110px"}),
            "w0": slider("float", "start w⁽⁰⁾", s["w0"][3], *s["w0"][:3]),
            "lam": slider("float", "penalty λ", s["lam"][3], *s["lam"][:3]),
        }
        self.controls["objective"].observe(self._on_objective, names="value")
        with lecture_style():
            self.fig = Figure(figsize=(11.25, 5.6), dpi=80, layout="constrained")  # 900 x 448 px
            self.ax = self.fig.add_subplot()
        self.live = LiveFigure(self.fig)
        self._positions: dict = {}  # per objective: the axes' position from its first layout
        self.apply_arguments(objective=objective)
        if objective == first:
            self._draw()  # no change event: draw the first objective's picture here
        self._watch()
        self.widget = panel_layout([[self.controls[n] for n in ("objective", "w0", "lam")]], self.live.image)
        self.update()

    def step(self) -> StepReport:
        """The Lagrangian step the controls describe."""
        c = self.controls
        return take_step(SETTINGS[c["objective"].value]["objective"], c["w0"].value, c["lam"].value)

    def _draw(self) -> None:
        s = SETTINGS[self.controls["objective"].value]
        with lecture_style():
            self.ax.clear()
            self.artists = draw_taylor_1d(self.ax, s["objective"], self.step(), xlim=s["xlim"], ylim=s["ylim"],
                                          animated=True)
        self.ax.tick_params(labelsize=RC_PARAMS["xtick.labelsize"])  # ticks made at the next draw, outside the style
        self.live.animated = self.artists.animated
        name = self.controls["objective"].value
        if name in self._positions:  # laid out before: put the axes back where the layout engine put them
            self.ax.set_position(self._positions[name])
            self.live.invalidate()
        else:  # new tick labels: lay out now, at this objective's default sliders, and keep that layout: the
            # readout's width changes with the numbers, and a layout made later would depend on the path taken
            self.fig.set_layout_engine("constrained")
            self.live.invalidate()
            self.artists.update(self.step())
            self.live.render()  # LiveFigure freezes the layout at this full draw
            self._positions[name] = self.ax.get_position()

    def _on_objective(self, change: dict) -> None:
        s = SETTINGS[change["new"]]
        with self.muted():
            for key in ("w0", "lam"):
                low, high, step, default = s[key]
                reshape_slider(self.controls[key], low, high, step, default)  # one message to the browser
            self._draw()

    def update(self) -> None:
        """Recompute the step from the sliders and redraw the changing artists."""
        self.report = self.step()
        self.artists.update(self.report)
        self.live.render()

    def summary(self) -> str:
        """Plain-text numbers of the current step (printed under the panel for nbval)."""
        r = self.report
        return "\n".join([
            f"objective: {self.controls['objective'].value}",
            f"w⁽⁰⁾ = {float(r.w0):.4f}, f(w⁽⁰⁾) = {r.f_w0:.4f}, f′(w⁽⁰⁾) = {float(r.grad_w0):.4f}",
            f"λ = {r.lam:.4f} → γ = 1/(2λ) = {r.gamma:.4f}, step length α = {r.alpha:.4f}",
            f"w⁽¹⁾ = {float(r.w1):.4f}, m_λ(w⁽¹⁾) = {r.model_w1:.4f}, f(w⁽¹⁾) = {r.f_w1:.4f}",
            f"predicted decrease f(w⁽⁰⁾) − m_λ(w⁽¹⁾) = {r.predicted_decrease:.4f}, actual decrease f(w⁽⁰⁾) − f(w⁽¹⁾) = {r.actual_decrease:.4f}",
        ])


SUMMARY_HEADER = (f"{'objective':<18} {'w⁽⁰⁾':>6} {'λ':>6} {'γ':>6} {'w⁽¹⁾':>8}   {'m_λ(w⁽¹⁾)':>9} {'f(w⁽¹⁾)':>9}   "
                  f"{'decrease: predicted':>19} {'actual':>9}")


def summary_row(panel: TaylorStepPanel) -> str:
    """One line of the replay table under ``SUMMARY_HEADER``: settings, the step, the predicted and actual decrease."""
    r = panel.report
    return (f"{panel.controls['objective'].value:<18} {float(r.w0):6.2f} {r.lam:6.2f} {r.gamma:6.4f} "
            f"{float(r.w1):8.4f}   {r.model_w1:9.4f} {r.f_w1:9.4f}   {r.predicted_decrease:19.4f} {r.actual_decrease:9.4f}")
