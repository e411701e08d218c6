"""The live panels on a classroom projector, checked by test_notebooks_in_browser.test_jupyterlab after
its Run All: 1024 x 768 with and without JupyterLab's left sidebar, and 1366 x 768.

Each notebook is run once; then, in each layout, every panel must show every control whole
(inside its output area, labels and button texts not cut, every slider's readout shown), be
operable (each enabled slider's handle dragged by the mouse to the end of its track reaches its
maximum), fit its picture and text readout in the notebook's visible height, and no text on
screen in any output area may be smaller than 12 px. Where no sidebar takes room, the picture
is shown at least at the scale that keeps its smallest text at 12 px (the figure's own font
sizes, read in the kernel). The sizes measured are printed.
"""

from __future__ import annotations

import ui

LAYOUTS = [  # name, viewport width, height, left sidebar open
    ("1024x768", 1024, 768, False),
    ("1024x768+sidebar", 1024, 768, True),
    ("1366x768", 1366, 768, False),
]
MIN_TEXT_PX = 12.0

SIDEBAR_OPEN = "() => { const s = document.querySelector('#jp-left-stack'); return !!s && s.offsetWidth > 0; }"

MEASURE = r"""() => {
  const cut = e => e.scrollWidth > e.clientWidth + 1;
  const inside = (r, box) => r.left >= box.left - 4 && r.right <= box.right + 4;  // a slider's own 2 px margin
  const scroller = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')
                   || document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  const problems = [], panels = [], small = [];
  for (const out of document.querySelectorAll('.jp-OutputArea-output')) {  // text size: every output area
    for (const e of out.querySelectorAll('*')) {
      const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      if (!own || e.getClientRects().length === 0) continue;
      const size = parseFloat(getComputedStyle(e).fontSize);
      if (size < %MIN%) small.push(`${size}px: ${e.textContent.trim().slice(0, 40)}`);
    }
  }
  const areas = [...document.querySelectorAll('.jp-OutputArea-output')].filter(a => a.querySelector('img.widget-image'));
  areas.forEach((area, k) => {
    const box = area.getBoundingClientRect();
    const where = `panel ${k}`;
    for (const c of area.querySelectorAll('.widget-slider, .widget-dropdown, .widget-button')) {
      const r = c.getBoundingClientRect();
      const name = c.textContent.trim().slice(0, 30);
      if (r.width === 0 || !inside(r, box)) problems.push(`${where}: '${name}' outside its output area (${Math.round(r.left)}-${Math.round(r.right)} of ${Math.round(box.left)}-${Math.round(box.right)})`);
      for (const label of c.querySelectorAll('.widget-label')) if (cut(label)) problems.push(`${where}: label '${label.textContent}' cut`);
      if (c.classList.contains('widget-button') && cut(c)) problems.push(`${where}: button '${name}' cut`);
      if (c.classList.contains('widget-slider')) {
        const readout = c.querySelector('.widget-readout'), track = c.querySelector('.noUi-base');
        const rr = readout.getBoundingClientRect();
        if (readout.style.display === 'none' || rr.width === 0 || !inside(rr, r) || cut(readout) || readout.classList.contains('overflow'))
          problems.push(`${where}: readout of '${name}' not shown whole`);
        if (track.getBoundingClientRect().width < 80) problems.push(`${where}: track of '${name}' ${Math.round(track.getBoundingClientRect().width)} px`);
      }
    }
    const img = area.querySelector('img.widget-image');
    const text = [...area.querySelectorAll('.widget-html')].pop();
    const top = img.getBoundingClientRect().top, bottom = (text || img).getBoundingClientRect().bottom;
    panels.push({area_width: Math.round(box.width), area_height: Math.round(box.height),
                 picture: [img.clientWidth, img.clientHeight], natural: [img.naturalWidth, img.naturalHeight],
                 scale: img.clientWidth / img.naturalWidth, picture_and_text: Math.round(bottom - top),
                 readout_height: text ? Math.round(text.getBoundingClientRect().height) : 0});
  });
  return {problems, panels, small: small.slice(0, 20), visible_height: scroller ? scroller.clientHeight : null,
          page_width: document.documentElement.scrollWidth, viewport: window.innerWidth};
}""".replace("%MIN%", str(MIN_TEXT_PX))


def set_sidebar(page, want_open: bool) -> None:
    if page.evaluate(SIDEBAR_OPEN) != want_open:
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab").first.click()
        page.wait_for_function(f"() => ({SIDEBAR_OPEN})() === {str(want_open).lower()}")
    page.wait_for_timeout(600)  # the notebook relays out


def drag_to_max(page, index: int) -> str | None:
    """Drag slider ``index``'s handle past the right end of its track; a problem, or None if it reached its max."""
    slider = page.locator(".jp-OutputArea-output .widget-slider").nth(index)
    handle = slider.locator(".noUi-handle")
    ui.settle_into_view(slider)
    box, track = handle.bounding_box(), slider.locator(".noUi-base").bounding_box()
    viewport = page.viewport_size
    if not (0 <= box["x"] and box["x"] + box["width"] <= viewport["width"] and 0 <= box["y"] <= viewport["height"]):
        return f"handle of slider {index} off screen at {box}"
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] + 40, y, steps=10)
    page.mouse.up()
    try:
        page.wait_for_function("""(i) => { const h = document.querySelectorAll('.jp-OutputArea-output .widget-slider')[i]
                                  .querySelector('.noUi-handle');
                                  const max = h.closest('.noUi-target').noUiSlider.options.range.max;
                                  return Math.abs(Number(h.getAttribute('aria-valuetext')) - max) < 1e-9; }""",
                               arg=index, timeout=10_000)
    except Exception:  # noqa: BLE001 - reported as the problem it is
        return f"slider {index} did not reach its maximum: at {handle.get_attribute('aria-valuetext')}"
    return None


def check_panels_fit_a_projector(page, lab_server, name):
    """Run by test_notebooks_in_browser.test_jupyterlab on the notebook it ran (one Run All per notebook)."""
    min_font = [p["min_font_px"] for p in ui.kernel_panels(lab_server)]
    failures = []
    for layout, width, height, sidebar in LAYOUTS:
        page.set_viewport_size({"width": width, "height": height})
        set_sidebar(page, sidebar)
        m = page.evaluate(MEASURE)
        print(f"\n{name} at {layout}: notebook shows {m['visible_height']} px of height")
        for k, p in enumerate(m["panels"]):
            shown = min_font[k] * p["scale"] if k < len(min_font) and min_font[k] else None
            print(f"  panel {k}: output area {p['area_width']} x {p['area_height']} px, picture {p['picture'][0]} x "
                  f"{p['picture'][1]} of {p['natural'][0]} x {p['natural'][1]} (scale {p['scale']:.2f}, smallest "
                  f"figure text {shown:.1f} px), picture + readout {p['picture_and_text']} px, readout {p['readout_height']} px")
            if p["picture_and_text"] > m["visible_height"]:
                failures.append(f"{layout}: panel {k}'s picture and readout ({p['picture_and_text']} px) are taller "
                                f"than the notebook's visible {m['visible_height']} px")
            if not sidebar and shown is not None and shown < MIN_TEXT_PX - 0.05:
                failures.append(f"{layout}: panel {k}'s picture at scale {p['scale']:.2f}: its smallest text "
                                f"{shown:.1f} px")
        failures += [f"{layout}: {problem}" for problem in m["problems"]]
        failures += [f"{layout}: text under {MIN_TEXT_PX:g} px: {s}" for s in m["small"]]
        for s in page.evaluate(ui.SLIDERS):
            if not s["disabled"]:
                problem = drag_to_max(page, s["index"])
                if problem:
                    failures.append(f"{layout}: {problem} ('{s['label']}')")
    assert page.evaluate(ui.BAD_OUTPUTS) == []
    assert not failures, "\n".join(failures)
