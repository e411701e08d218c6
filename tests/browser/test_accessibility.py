"""Accessibility in a real browser (issue 21): alt text on every figure, an axe-core audit, the keyboard.

- Every stored figure of every notebook shows in JupyterLab 4 (and 01's in Notebook 7) as an <img>
  whose alt is the text stored in the output's metadata (tools/image_alt puts it there).
- axe-core (build/axe, from npm by `make test-browser`) audits our output areas in JupyterLab after
  Run All for every notebook, and Voila's page of notebook 01: no serious or critical violation in
  what we render (Jupyter's own interface is not ours to fix and is left out).
- Keyboard only, from the top of notebook 01's panel: Tab reaches every control and landmark
  button, each visibly focused; arrows, Home and End move a slider; Enter on a landmark sets γ₀;
  the live region and the picture's title say the new result.

A11Y_NOTEBOOKS=<folder> audits that folder's notebooks instead of notebooks/ (e.g. freshly executed copies).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

import ui
from conftest import NOTEBOOKS, REPO

AXE_JS = REPO / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
FIRST = "01_gradient_descent_1d.ipynb"
SOURCE = Path(os.environ.get("A11Y_NOTEBOOKS", REPO / "notebooks"))
OUTPUT_AREAS = ".jp-OutputArea"
RESULTS = REPO / "build" / "browser" / "axe-results.json"


@pytest.fixture(scope="module")
def a11y_notebooks(tmp_path_factory) -> Path:
    """A copy of the audited notebooks (committed ones unless A11Y_NOTEBOOKS says otherwise)."""
    from conftest import _copy_notebooks

    return _copy_notebooks(tmp_path_factory, SOURCE)


def _start(kind, root, tmp_path_factory):
    from conftest import _server

    yield from _server(kind, root, tmp_path_factory, log_name=f"a11y-{kind}-server.log")


@pytest.fixture(scope="module")
def a11y_lab(a11y_notebooks, tmp_path_factory):
    yield from _start("lab", a11y_notebooks, tmp_path_factory)


@pytest.fixture(scope="module")
def a11y_notebook7(a11y_notebooks, tmp_path_factory):
    yield from _start("notebook", a11y_notebooks, tmp_path_factory)


@pytest.fixture(scope="module")
def a11y_voila(a11y_notebooks, tmp_path_factory):
    yield from _start("voila", a11y_notebooks, tmp_path_factory)


def stored_alts(name: str) -> list[str]:
    """The alt text stored with each image output of a notebook, in order ('' where there is none)."""
    nb = nbformat.read(SOURCE / name, as_version=4)
    return [out.get("metadata", {}).get("image/png", {}).get("alt", "")
            for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
            if "image/png" in out.get("data", {})]


RENDERED_ALTS = """() => [...document.querySelectorAll('.jp-RenderedImage img')].map(i => i.getAttribute('alt') ?? '')"""


def check_figures_alt(page, name: str) -> list[str]:
    stored = stored_alts(name)
    page.wait_for_function(f"() => document.querySelectorAll('.jp-RenderedImage img').length >= {len(stored)}")
    shown = page.evaluate(RENDERED_ALTS)
    assert stored, f"{name} stores no figure"
    missing = [k for k, text in enumerate(stored) if len(text) < 40 or text.startswith("<Figure")]
    assert not missing, f"{name}: figures {missing} of {len(stored)} have no alt text written from their data"
    assert shown == stored, f"{name}: the page's <img> alt differs from the stored alt"
    return shown


def close_kernels(server) -> None:
    for kernel in server.api("kernels"):
        server.api(f"kernels/{kernel['id']}", method="DELETE")


def axe(page, context: str) -> list[dict]:
    """axe-core's violations inside ``context`` (a CSS selector; every match is audited)."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make test-browser` (it installs axe-core from npm)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate("""async (context) => {
      const found = [...document.querySelectorAll(context)];
      if (!found.length) return [];
      const result = await axe.run({include: found}, {resultTypes: ['violations']});
      return result.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                         where: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary.slice(0, 160))}));
    }""", context)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def record(key: str, violations: list[dict]) -> None:
    """Keep every audit's counts in build/browser/axe-results.json (the numbers behind the report)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[f"{SOURCE.name}:{key}"] = {"serious_or_critical": sum(v["nodes"] for v in serious(violations)),
                                    "all": sum(v["nodes"] for v in violations), "violations": violations}
    RESULTS.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_jupyterlab_alt_text_and_axe(page, a11y_lab, name):
    close_kernels(a11y_lab)
    page.goto(a11y_lab.url(f"lab/tree/{name}?reset"))
    ui.wait_for_idle_kernel(page)
    stored_problems = serious(axe(page, OUTPUT_AREAS))
    record(f"{name}:stored", stored_problems)
    check_figures_alt(page, name)
    ui.run_all(page, timeout=120_000)
    if "widgets" in (SOURCE / name).read_text():
        ui.wait_for_widgets(page, timeout=120_000)
    violations = axe(page, OUTPUT_AREAS)
    record(f"{name}:after-run-all", violations)
    assert serious(violations) == [], json.dumps(serious(violations), indent=1, ensure_ascii=False)
    assert page.evaluate(RENDERED_ALTS) and all(page.evaluate(RENDERED_ALTS)), "a figure lost its alt after Run All"


def test_notebook7_alt_text(page, a11y_notebook7):
    page.goto(a11y_notebook7.url(f"notebooks/{FIRST}"))
    ui.wait_for_idle_kernel(page)
    check_figures_alt(page, FIRST)


def test_voila_axe(page, a11y_voila):
    page.goto(a11y_voila.url(f"voila/render/{FIRST}"))
    ui.wait_for_widgets(page, timeout=120_000)
    page.wait_for_function("() => !document.querySelector('#loading, .voila-spinner')", timeout=120_000)
    whole = axe(page, "body")
    ours = axe(page, OUTPUT_AREAS)
    record(f"voila:{FIRST}:page", whole)
    record(f"voila:{FIRST}:outputs", ours)
    assert serious(ours) == [], json.dumps(serious(ours), indent=1, ensure_ascii=False)
    alts = page.eval_on_selector_all(".jp-OutputArea-output img", "es => es.map(e => e.alt || e.title || '')")
    assert alts and all(alts), alts


FOCUSED = """() => {
  const e = document.activeElement;
  const area = e && e.closest('.jp-OutputArea-output') === window.__panel;
  const style = e ? getComputedStyle(e) : null;
  const slider = e && e.closest('.widget-slider');
  const labelled = e && e.closest('.widget-inline-hbox, .widget-button, .jupyter-button, .widget-dropdown');
  return {
    inOutput: !!area,
    kind: e.classList.contains('noUi-handle') ? 'slider' : e.tagName.toLowerCase(),
    label: (slider ? slider.querySelector('.widget-label').textContent
            : (e.tagName === 'SELECT' ? e.closest('.widget-dropdown').querySelector('.widget-label').textContent
               : e.textContent)).trim(),
    value: e.getAttribute('aria-valuetext') ?? e.value ?? null,
    outline: style ? (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none' : false,
  };
}"""


# The γ₀ slider's readout at its ends (GradientDescent1DPanel: 0.01 to 1.2, two decimals).
AT_END = """(shown) => document.querySelector('.jp-OutputArea-output .widget-slider .widget-readout')
  .textContent.trim() === shown"""


def test_keyboard_only_through_the_panel_of_01(page, a11y_lab):
    close_kernels(a11y_lab)
    page.goto(a11y_lab.url(f"lab/tree/{FIRST}?reset"))
    ui.wait_for_idle_kernel(page)
    ui.run_all(page, timeout=120_000)
    ui.wait_for_widgets(page, timeout=120_000)
    panel = page.locator('.jp-OutputArea-output:has(.widget-slider)').first
    ui.settle_into_view(panel)
    # Start just before the panel: its output area is focused, nothing inside it yet.
    panel.evaluate("e => { window.__panel = e; e.tabIndex = -1; e.focus(); }")
    reached = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED)
        if not focus["inOutput"]:
            break
        reached.append(focus)
    labels = [f["label"] for f in reached]
    sliders = [f for f in reached if f["kind"] == "slider"]
    buttons = [f for f in reached if f["kind"] == "button"]
    assert {"γ₀ (step size)", "start w⁽⁰⁾", "steps"} <= set(labels), labels
    assert any(f["kind"] == "select" for f in reached), "the schedule chooser is not reachable by Tab"
    assert len(buttons) >= 5, f"landmark buttons reached: {labels}"
    assert all(f["label"] for f in reached), f"a control without a visible label: {reached}"
    assert all(f["outline"] for f in reached), f"focus not visible on: {[f['label'] for f in reached if not f['outline']]}"
    # Arrows, Home and End on the γ₀ slider; the live region and the picture's title follow.
    handle = page.locator('.jp-OutputArea-output .widget-slider .noUi-handle').first
    region = page.locator('.jp-OutputArea-output [aria-live="polite"]').first
    handle.focus()
    before = handle.get_attribute("aria-valuetext")
    said = region.text_content()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([h, b]) => document.querySelector(h).getAttribute('aria-valuetext') !== b",
                           arg=['.jp-OutputArea-output .widget-slider .noUi-handle', before])
    page.keyboard.press("End")
    page.wait_for_function(AT_END, arg="1.20")
    page.wait_for_function("([s]) => { const r = document.querySelector('.jp-OutputArea-output [aria-live=\"polite\"]');"
                           " return r && r.textContent !== s; }", arg=[said], timeout=10_000)
    page.keyboard.press("Home")
    page.wait_for_function(AT_END, arg="0.01")
    # Wait for the kernel to draw γ₀ = 0.01 first: a slider change still queued in the
    # front end (ipywidgets buffers it while earlier ones are pending) would land after the click.
    page.wait_for_function("() => /gamma=0\\.01\\)/.test(document.querySelector('.jp-OutputArea-output img.widget-image').alt)",
                           timeout=30_000)
    # A landmark without dragging: Enter on "1.05 diverges" sets γ₀ = 1.05.
    page.locator('.jp-OutputArea-output button:has-text("1.05 diverges")').first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.jp-OutputArea-output .widget-slider .widget-readout')"
                           ".textContent.trim() === '1.05'", timeout=10_000)
    page.wait_for_function("() => /1\\.05/.test(document.querySelector('.jp-OutputArea-output [aria-live=\"polite\"]')"
                           ".textContent)", timeout=10_000)
    page.wait_for_function("() => /1\\.05/.test(document.querySelector('.jp-OutputArea-output img.widget-image').alt)")
    title = page.locator('.jp-OutputArea-output img.widget-image').first.get_attribute("alt")
    assert title and "1.05" in title, title
    print(f"\nkeyboard: {len(reached)} stops: {labels}")
