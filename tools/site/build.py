"""Build the static site: `make site` runs `python tools/site/build.py` and writes build/site/.

One page per committed notebook (notebooks/NN_*.ipynb) and an index; every live panel becomes a
baked player (tools/site/bake.py renders its frames with the panel itself). Nothing is fetched
at build time except MathJax (from npm, see the Makefile's `site` target) and nothing at all
when a page is read. Prints the budgets (sizes, time, state counts) and writes them to
build/site/budgets.json, which tests/site checks.
"""

from __future__ import annotations

import argparse
import html
import json
import multiprocessing
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import bake  # noqa: E402
import convert  # noqa: E402

SITE_BUDGET = 60_000_000
PAGE_BUDGET = 12_000_000
BUILD_BUDGET_S = 300
CHUNK = 40  # states per rendering job
MATHJAX = "tex-svg-full.js"

# What to try on each page (the index's table); a notebook not listed gets its first paragraph.
TRY = {
    "01": "Slide γ₀ from 0.1 to 1.05 (or press the landmark buttons): creeping, one step, zig-zag, "
          "period 2, divergence; then let a decay schedule rescue γ₀ = 1.05.",
    "02": "Lower λ from 5 to 0.3 and watch the step length 1/(2λ) overshoot; switch to the quartic.",
    "03": "Widen the network at a fixed γ until it diverges, then shrink γ or add decay.",
    "04": "Step through the backward pass with Next; change a, b, c and read the gradients and the nudge check.",
    "05": "Change the batch size from 32 to 64 and see SGD stay in the shallow basin; try other seeds.",
    "06": "Drag the iteration through the plateau; try α = 0.1 and α = 100.",
}


def log(message: str) -> None:
    print(message, flush=True)


# --- players ---------------------------------------------------------------------------------------

def walk_buttons(widget: Any) -> list:
    import ipywidgets as widgets
    found = []
    if isinstance(widget, widgets.Button):
        found.append(widget)
    for child in getattr(widget, "children", ()):
        found.extend(walk_buttons(child))
    return found


def button_actions(panel: Any, names: list[str], kinds: dict[str, str]) -> list[dict]:
    """What each button of the panel does: set controls to values, or move a slider by a step."""
    controls = panel.controls
    initial = {n: controls[n].value for n in names}
    middle = {}
    for n in names:
        if kinds[n] == "slider":
            values = bake.lattice(controls[n])
            candidates = sorted(values, key=lambda v: abs(values.index(v) - len(values) // 2))
            middle[n] = next(v for v in candidates if v != initial[n])
        else:
            middle[n] = initial[n]
    actions = []
    for button in walk_buttons(panel.widget):
        after = []
        for start in (initial, middle):
            panel.set(**start)
            button.click()
            after.append({n: controls[n].value for n in names})
        action: dict[str, Any] = {}
        for n in names:
            first, second = after[0][n], after[1][n]
            if first == initial[n] and second == middle[n]:
                continue
            if first == second:
                action[n] = {"set": first}
            elif kinds[n] == "slider":
                action[n] = {"add": round(second - middle[n], 10)}
        if action:
            actions.append({"label": str(button.description), "action": action})
    panel.set(**initial)
    return actions


def tour_stops(stem: str, var: str) -> tuple[str | None, list, dict]:
    """The tour lecture_utils.tours writes for this panel (empty if there is none)."""
    try:
        from lecture_utils import tours
    except ImportError:  # pragma: no cover - the tours module is optional for the site
        return None, [], {}
    stops = getattr(tours, "TOURS", {}).get(stem, {}).get(var, [])
    title = getattr(tours, "TITLES", {}).get(stem, {}).get(var)
    return title, [{"state": dict(s), "caption": c} for s, c in stops], dict(getattr(tours, "KEYS", {}))


def cap_text(plan: bake.Plan) -> str:
    """Which values are baked, per control, for the page."""
    lines = []
    choice_specs = plan.choice_specs  # type: ignore[attr-defined]
    for n in plan.names:
        if plan.kinds[n] == "choice":
            s = choice_specs[n]
            lines.append(f"{s['label']}: {len(s['values'])} of {len(s['all'])} options")
            continue
        per: dict[str, list[str]] = {}
        for context in plan.contexts:
            s = context["specs"][n]
            if s["disabled"]:
                continue
            if s["kind"] == "slider":
                if len(s["values"]) == s["live_count"]:
                    text = f"all {s['live_count']} values (the live step {s['shown_step']})"
                else:
                    text = f"{len(s['values'])} of {s['live_count']} values"
            else:
                text = f"{len(s['values'])} of {s['live_count']} options"
            per.setdefault(text, []).append(context["label"] or "")
        parts = []
        for text, where in per.items():
            if len(per) > 1 and where[0]:
                where_text = ", ".join(w.replace("=", " ") for w in where)
                parts.append(f"{text} with {where_text}")
            else:
                parts.append(text)
        lines.append(f"{plan.contexts[0]['specs'][n]['label']}: " + "; ".join(parts))
    return "; ".join(lines)


def json_script(data: Any) -> str:
    return bake.to_json(data).replace("</", "<\\/")


def bake_json(baked: dict, bake_id: str) -> str:
    """Per context the frames, summaries and descriptions: once per page, shared by its players of one bake."""
    data = [{"base": baked[i][3], "frames": baked[i][0], "summaries": baked[i][1], "alts": baked[i][2]}
            for i in sorted(baked)]
    return f'<script type="application/json" class="bake" id="{bake_id}">{json_script(data)}</script>'


def player_html(spec: bake.PanelSpec, plan: bake.Plan, baked: dict, frame_dir: str, title: str | None,
                stops: list, keys: dict, buttons: list, bake_id: str) -> tuple[str, dict]:
    """The player's markup (showing the notebook's own initial state) and its manifest."""
    initial = {}
    first_context = 0
    # the constructor's state: its choices' context, each control at its constructed value (nearest baked)
    built = plan.constructed[spec.var]  # type: ignore[attr-defined]
    for i, context in enumerate(plan.contexts):
        if all(built[k] == v for k, v in context["choices"].items()):
            first_context = i
            break
    context = plan.contexts[first_context]
    index = 0
    for n in plan.names:
        if plan.kinds[n] == "choice":
            initial[n] = built[n]
            continue
        values = context["specs"][n]["values"]
        value = min(values, key=lambda v: abs(v - built[n]) if isinstance(v, (int, float)) and not isinstance(v, bool)
                    else (0 if v == built[n] else 1))
        initial[n] = value
        index = index * len(values) + values.index(value)
    frames, summaries, alts, base = baked[first_context]
    manifest = {
        "var": spec.var, "notebook": spec.notebook, "cls": spec.cls, "title": title, "dir": frame_dir,
        "names": plan.names, "kinds": plan.kinds, "choices": plan.choice_specs,  # type: ignore[attr-defined]
        "contexts": [{"choices": c["choices"], "label": c["label"], "specs": c["specs"]} for c in plan.contexts],
        "bake": bake_id,
        "initial": initial, "buttons": buttons, "tour": stops, "keys": keys, "size": plan.size,  # type: ignore[attr-defined]
        "count": plan.count,
    }
    width, height = plan.size  # type: ignore[attr-defined]
    lines = max(len(text.rstrip("\n").split("\n")) for entry in baked.values() for text in entry[1])  # the readout's height
    heading = html.escape(title or spec.cls)
    markup = f"""<section class="player" id="player-{spec.var}" data-var="{spec.var}" aria-label="{heading} (baked panel)">
<p class="player-title"><strong>{heading}</strong> <span class="badge">baked: works without Python</span></p>
<div class="controls"></div>
<div class="buttons"></div>
<div class="frame" tabindex="0" role="group" aria-label="figure; PageDown/PageUp step through the tour" style="aspect-ratio: {width} / {height}">
<img class="base" src="{frame_dir}{base}" width="{width}" height="{height}" alt="" decoding="sync">
<img class="overlay" src="{frame_dir}{frames[index]}" width="{width}" height="{height}" decoding="sync" alt="{html.escape(alts[index], quote=True)}">
</div>
<div class="tour" hidden></div>
<pre class="readout" aria-live="polite" style="--lines: {lines}">{html.escape(summaries[index])}</pre>
<details class="cap"><summary>{plan.count:,} baked states (cap {bake.MAX_STATES:,}): what the sliders reach</summary>
<p>Each frame was drawn at build time by <code>{spec.cls}</code> itself (<code>{spec.var}.set(**state)</code>), the readout
is its <code>summary()</code>. The live notebook reaches every value; here: {html.escape(cap_text(plan))}.
The page address keeps the state: copy it to share this exact view.</p></details>
<script type="application/json" class="manifest">{json_script(manifest)}</script>
</section>"""
    return markup, manifest


# --- pages -----------------------------------------------------------------------------------------

HEAD = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="assets/site.css">
<script>window.MathJax = {{tex: {{inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
  processEscapes: true}}, svg: {{fontCache: "global"}}, options: {{enableMenu: false,
  skipHtmlTags: ["script", "noscript", "style", "textarea", "pre", "code"]}}}};</script>
<meta name="mathjax" content="assets/mathjax/{mathjax}">
</head>
<body>
"""


def nav(pages: list[tuple[str, str]], index: int) -> str:
    links = ['<a href="index.html">All notebooks</a>']
    if index > 0:
        links.append(f'<a href="{pages[index - 1][0]}.html" rel="prev">← {html.escape(pages[index - 1][1])}</a>')
    if index + 1 < len(pages):
        links.append(f'<a href="{pages[index + 1][0]}.html" rel="next">{html.escape(pages[index + 1][1])} →</a>')
    return '<nav class="top">' + " · ".join(links) + "</nav>"


def page_html(title: str, body: str, navigation: str, stem: str) -> str:
    return (HEAD.format(title=html.escape(title), mathjax=MATHJAX) + navigation
            + f'<main class="notebook" data-notebook="{stem}">\n{body}\n</main>\n'
            + f'<footer>Made from <code>notebooks/{stem}.ipynb</code> as committed (executed); '
              'the sliders are baked players. Run it live: <code>make lab</code> in the repository.</footer>'
            + '\n<script src="assets/player.js"></script>\n</body>\n</html>\n')


def index_html(rows: list[dict]) -> str:
    table = "\n".join(
        f'<tr><td><a href="{r["stem"]}.html">{html.escape(r["number"])}</a></td>'
        f'<td><a href="{r["stem"]}.html">{html.escape(r["title"])}</a></td>'
        f'<td>{html.escape(r["try"])}</td><td>{r["players"]}</td></tr>' for r in rows)
    body = f"""<h1>Gradient descent and backpropagation, interactively</h1>
<p>The course's notebooks as static pages: prose, equations, code and every output as committed, and
each live panel as a <strong>baked player</strong>. Its sliders, dropdowns and buttons show frames that
the panel itself rendered when this site was built, with the same readout it prints in the notebook.
Nothing is loaded from the network: the pages work offline, from a USB stick or from any web server.</p>
<div class="table-wrap"><table class="index">
<thead><tr><th scope="col">#</th><th scope="col">notebook</th><th scope="col">what to try</th><th scope="col">players</th></tr></thead>
<tbody>
{table}
</tbody>
</table></div>
<h2 id="keys">Using a player</h2>
<ul>
<li>Tab to a control; the arrow keys move a slider one baked value, Home and End jump to its ends.</li>
<li>The text under the figure is the panel's own summary; screen readers announce it after each move.</li>
<li>The address bar keeps the state (for example <code>01_gradient_descent_1d.html#gamma=0.75</code>):
copy it to share an exact view.</li>
<li>Where a panel has a tour, click the figure (or Tab to it) and press PageDown / PageUp to step through it.</li>
<li>Each player says which values were baked: the live notebook reaches every value of every slider.</li>
</ul>
<h2 id="live">Running it live</h2>
<pre class="out">git clone &lt;this repository&gt; &amp;&amp; cd &lt;it&gt;
make lab        # creates .venv, installs the packages, opens JupyterLab on notebooks/</pre>
<p>Prefer conda: <code>conda env create -f environment.yml</code>, then <code>jupyter lab notebooks/</code>.
Rebuild this site with <code>make site</code>; <code>make test-site</code> checks it in Chromium.</p>
"""
    return (HEAD.format(title="Gradient descent and backpropagation: the notebooks", mathjax=MATHJAX)
            + f'<main class="index">\n{body}\n</main>\n<script src="assets/player.js"></script>\n</body>\n</html>\n')


# --- the build -------------------------------------------------------------------------------------

def sources(notebooks: list[Path]) -> dict[str, str]:
    """A digest of each file the site is made from (tests/site checks the site is not older than they are)."""
    import hashlib
    files = list(notebooks) + sorted((ROOT / "lecture_utils").rglob("*.py")) + sorted(HERE.glob("*.*"))
    return {str(f.relative_to(ROOT)): hashlib.sha1(f.read_bytes()).hexdigest()[:16] for f in files}


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--mathjax", type=Path, default=ROOT / "build" / "npm" / "node_modules" / "mathjax" / "es5")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    out: Path = args.out
    mathjax = args.mathjax / MATHJAX
    if not mathjax.exists():
        raise SystemExit(f"{mathjax} is missing: `make site` installs MathJax from npm into build/npm first")
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    made_from = sources(paths)  # before reading them: an edit during the build makes the site stale
    if out.exists():
        shutil.rmtree(out)
    (out / "assets" / "mathjax").mkdir(parents=True)
    shutil.copy(mathjax, out / "assets" / "mathjax" / MATHJAX)
    shutil.copy(args.mathjax.parent / "LICENSE", out / "assets" / "mathjax" / "LICENSE")
    shutil.copy(HERE / "player.js", out / "assets" / "player.js")
    (out / "assets" / "site.css").write_text((HERE / "site.css").read_text() + "\n" + convert.pygments_css() + "\n")

    # 1. find the panels and plan their states (panels of one class and constructor share one bake)
    notebooks = {p.stem: json.loads(p.read_text()) for p in paths}
    plans: dict[str, bake.Plan] = {}
    specs_by_nb: dict[str, list[bake.PanelSpec]] = {}
    extras: dict[str, list[dict]] = {}
    grouped: dict[str, list[bake.PanelSpec]] = {}
    panels: dict[str, Any] = {}
    buttons: dict[str, list] = {}
    for stem, nb in notebooks.items():
        specs_by_nb[stem] = bake.find_panels(nb, stem)
        for spec in specs_by_nb[stem]:
            panel = spec.build()
            names = list(panel.controls)
            key = (f"{spec.module}.{spec.cls}{spec.args!r}"
                   f"{sorted((k, v) for k, v in spec.kwargs.items() if k not in names)!r}")
            spec.key = key  # type: ignore[attr-defined]
            grouped.setdefault(key, []).append(spec)
            if key not in panels:
                panels[key] = panel
            kinds = {n: bake.control_kind(c) for n, c in panel.controls.items()}
            order = [n for n in names if kinds[n] == "choice"] + [n for n in names if kinds[n] != "choice"]
            spec.constructed = {n: panel.controls[n].value for n in order}  # type: ignore[attr-defined]
            if key not in buttons:
                buttons[key] = button_actions(panel, order, kinds)
            _, stops, _ = tour_stops(stem, spec.var)
            extras.setdefault(key, []).extend(s["state"] for s in stops)
            extras[key].append(spec.constructed)  # type: ignore[attr-defined]
            extras[key].extend({n: a["set"] for n, a in b["action"].items() if "set" in a} for b in buttons[key])
    for key, specs in grouped.items():
        landmarks = [s for spec in specs for s in spec.landmarks] + extras[key]
        plan = bake.plan_panel(specs[0], panels[key], landmarks)
        plan.key = key
        plan.constructed = {s.var: s.constructed for s in specs}  # type: ignore[attr-defined]
        plan.size = bake.decode(bake.panel_png(panels[key])).shape[1::-1]  # type: ignore[attr-defined]
        plans[key] = plan
        log(f"  {specs[0].cls}: {plan.count} states in {len(plan.contexts)} context(s) "
            f"({', '.join(str(c['count']) for c in plan.contexts)})")
    panels.clear()
    bake._PANELS.clear()

    # 2. render: bases first, then the states in chunks, across processes
    context = multiprocessing.get_context("fork")
    results: dict[tuple[str, int], list] = {}
    bases: dict[tuple[str, int], np.ndarray] = {}
    worker_cpu = 0.0
    with context.Pool(args.jobs) as pool:
        jobs = [(plan, i) for plan in plans.values() for i in range(len(plan.contexts))]
        for key, i, data, shape, cpu in pool.imap_unordered(bake.render_base, jobs):
            bases[key, i] = np.frombuffer(data, dtype=np.uint8).reshape(shape)
            worker_cpu += cpu
        chunks = [(plan, i, s, min(s + CHUNK, c["count"]), bases[plan.key, i])
                  for plan in plans.values() for i, c in enumerate(plan.contexts) for s in range(0, c["count"], CHUNK)]
        chunks.sort(key=lambda job: -job[0].count)
        for key, i, s, rows, cpu in pool.imap_unordered(bake.render_chunk, chunks, chunksize=1):
            results[key, i, s] = rows
            worker_cpu += cpu
    render_seconds = time.perf_counter() - start
    log(f"  rendered {sum(p.count for p in plans.values())} states in {render_seconds:.0f} s on {args.jobs} processes")

    # 3. frames to files (deduplicated), players into pages
    baked: dict[str, dict[int, tuple]] = {}
    frame_dirs: dict[str, str] = {}
    for key, plan in plans.items():
        spec = plan.spec
        frame_dir = f"frames/{spec.notebook}-{spec.var}/"
        frame_dirs[key] = frame_dir
        (out / frame_dir).mkdir(parents=True, exist_ok=True)
        baked[key] = {}
        for i, c in enumerate(plan.contexts):
            from PIL import Image
            import io
            buffer = io.BytesIO()
            Image.fromarray(bases[key, i]).save(buffer, "WEBP", lossless=True, quality=100, method=4)
            base_name = bake.digest(buffer.getvalue()) + ".webp"
            (out / frame_dir / base_name).write_bytes(buffer.getvalue())
            frames, summaries, alts = [], [], []
            for s in range(0, c["count"], CHUNK):
                for data, summary, alt in results[key, i, s]:
                    name = bake.digest(data) + ".webp"
                    target = out / frame_dir / name
                    if not target.exists():
                        target.write_bytes(data)
                    frames.append(name)
                    summaries.append(summary)
                    alts.append(alt)
            baked[key][i] = (frames, summaries, alts, base_name)

    pages = [(stem, convert.notebook_title(nb, stem)) for stem, nb in notebooks.items()]
    rows, page_sizes, players_report = [], {}, []
    for number, (stem, nb) in enumerate(notebooks.items()):
        by_cell: dict[int, str] = {}
        bake_ids: dict[str, str] = {}
        for spec in specs_by_nb[stem]:
            plan = plans[spec.key]  # type: ignore[attr-defined]
            title, stops, keys = tour_stops(stem, spec.var)
            shared = spec.key in bake_ids  # type: ignore[attr-defined]
            bake_id = bake_ids.setdefault(spec.key, f"bake-{len(bake_ids) + 1}")  # type: ignore[attr-defined]
            markup, manifest = player_html(spec, plan, baked[spec.key], frame_dirs[spec.key], title, stops, keys,
                                           buttons[spec.key], bake_id)
            by_cell[spec.cell] = markup if shared else markup + "\n" + bake_json(baked[spec.key], bake_id)
            players_report.append({"notebook": stem, "var": spec.var, "cls": spec.cls, "states": plan.count,
                                   "frames_bytes": folder_size(out / frame_dirs[spec.key]),
                                   "tour": len(stops)})
        body = convert.convert(nb, stem, out, by_cell.get)
        title = pages[number][1]
        (out / f"{stem}.html").write_text(page_html(title, body, nav(pages, number), stem))
        rows.append({"stem": stem, "number": stem[:2], "title": title,
                     "try": TRY.get(stem[:2]) or convert.first_paragraph(nb)[:200], "players": len(by_cell)})
    (out / "index.html").write_text(index_html(rows))

    # 4. budgets
    assets = folder_size(out / "assets")
    for stem in notebooks:
        size = (out / f"{stem}.html").stat().st_size + assets
        if (out / stem).exists():
            size += folder_size(out / stem)
        for directory in {frame_dirs[s.key] for s in specs_by_nb[stem]}:  # type: ignore[attr-defined]
            size += folder_size(out / directory)
        page_sizes[stem] = size
    total = folder_size(out)
    seconds = time.perf_counter() - start
    # The machine may be shared: the time the build needs on `jobs` cores of its own is this process's
    # CPU time (serial) plus the workers' spread over the cores; the wall time is reported beside it.
    cpu = time.process_time() + worker_cpu
    on_own_cores = time.process_time() + worker_cpu / args.jobs
    budgets = {"site_bytes": total, "site_budget": SITE_BUDGET, "page_bytes": page_sizes, "page_budget": PAGE_BUDGET,
               "build_seconds": round(on_own_cores, 1), "build_wall_seconds": round(seconds, 1),
               "build_cpu_seconds": round(cpu, 1), "build_budget_seconds": BUILD_BUDGET_S, "jobs": args.jobs,
               "players": players_report, "sources": made_from}
    (out / "budgets.json").write_text(json.dumps(budgets, indent=1) + "\n")
    log(f"\nbuild/site: {total / 1e6:.1f} MB of {SITE_BUDGET / 1e6:.0f} MB; build time {on_own_cores:.0f} s on "
        f"{args.jobs} cores of its own (budget {BUILD_BUDGET_S} s): {cpu:.0f} CPU-seconds, {seconds:.0f} s wall clock "
        "on this machine")
    for stem, size in page_sizes.items():
        log(f"  {stem}.html with its frames, figures and scripts: {size / 1e6:5.1f} MB of {PAGE_BUDGET / 1e6:.0f} MB")
    for p in players_report:
        log(f"  player {p['notebook']}:{p['var']} ({p['cls']}): {p['states']} states, "
            f"frames {p['frames_bytes'] / 1e6:.1f} MB, tour of {p['tour']} stops")
    over = [f"site {total}" for _ in [0] if total > SITE_BUDGET] + [
        f"{s} {b}" for s, b in page_sizes.items() if b > PAGE_BUDGET] + (
        [f"build {on_own_cores:.0f} s"] if on_own_cores > BUILD_BUDGET_S else [])
    if over:
        log("OVER BUDGET: " + ", ".join(over))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
