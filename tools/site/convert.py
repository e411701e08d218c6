"""A committed, executed notebook as one HTML page: prose and equations, code, text and figure outputs.

Markdown goes through nbconvert's mistune renderer (which leaves ``$...$`` and ``$$...$$``
untouched for MathJax, vendored into the site), code through Pygments. Figures are written
next to the page as PNG files; widget outputs are replaced by the baked players.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from typing import Callable

from nbconvert.filters.markdown_mistune import markdown2html_mistune
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# What tools/execute_notebooks.py (PANEL_PLACEHOLDER) stores where a live panel was displayed.
PANEL_PLACEHOLDER = "Live panel: run the notebook's cells in order to show the sliders."


def is_panel_output(data: dict) -> bool:
    """A stored live panel: its widget view, or the plain-text note the clean step leaves in its place."""
    return WIDGET_MIME in data or "".join(data.get("text/plain", "")) == PANEL_PLACEHOLDER
FORMATTER = HtmlFormatter(nowrap=True)


def pygments_css() -> str:
    """The CSS of the code highlighting (scoped to ``pre.code``)."""
    return FORMATTER.get_style_defs("pre.code")


def notebook_title(nb: dict, fallback: str) -> str:
    """The notebook's first heading (without markdown or math markers)."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def first_paragraph(nb: dict) -> str:
    """The first prose paragraph of the notebook (after its title), as plain text."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for block in "".join(cell["source"]).split("\n\n"):
            block = block.strip()
            if block and not block.startswith(("#", "|", "-", "*", ">", "<", "$$")):
                return " ".join(block.split())
    return ""


def _figure_alt(source: str, count: int) -> str:
    titles = re.findall(r"""(?:set_title|title=)\(?\s*f?["']([^"']+)["']""", source)
    titles = [re.sub(r"[${}\\]|\^|mathrm|_", "", t).strip() for t in titles]
    titles = [t for t in titles if t and "{" not in t]
    if titles:
        return "Figure of code cell [" + str(count) + "]: " + "; ".join(titles[:3])
    return f"Figure drawn by code cell [{count}]"


def _heading_ids(markup: str, used: set[str]) -> str:
    def add(match: re.Match) -> str:
        level, inner = match.group(1), match.group(2)
        slug = re.sub(r"[^a-z0-9]+", "-", re.sub(r"<[^>]+>", "", inner).lower()).strip("-")[:60] or "section"
        base, n = slug, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        return f'<h{level} id="{slug}">{inner}</h{level}>'
    return re.sub(r"<h([1-6])>(.*?)</h\1>", add, markup)


def convert(nb: dict, stem: str, out_dir: Path, player_for_cell: Callable[[int], str | None]) -> str:
    """The <main> content of a notebook's page; figures are written to ``out_dir / stem / img``."""
    parts: list[str] = []
    used: set[str] = set()
    image_dir = out_dir / stem / "img"
    figures = 0
    for index, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            markup = _heading_ids(markdown2html_mistune(source), used)
            markup = re.sub(r"<table>(.*?)</table>", r'<div class="table-wrap"><table>\1</table></div>', markup,
                            flags=re.S)  # a wide table scrolls inside its box, not the page
            parts.append(f'<div class="md">{markup}</div>')
            continue
        if cell["cell_type"] != "code":
            continue
        count = cell.get("execution_count")
        code = highlight(source, PythonLexer(), FORMATTER).rstrip("\n")
        parts.append(f'<div class="cell"><div class="prompt" aria-hidden="true">[{count}]</div>'
                     f'<pre class="code" aria-label="code cell {count}"><code>{code}</code></pre></div>')
        outputs: list[str] = []
        for output in cell.get("outputs", []):
            kind = output["output_type"]
            if kind == "stream":
                cls = "out err" if output.get("name") == "stderr" else "out"
                outputs.append(f'<pre class="{cls}">{html.escape("".join(output["text"]))}</pre>')
            elif kind in ("display_data", "execute_result"):
                data = output.get("data", {})
                if is_panel_output(data):
                    player = player_for_cell(index)
                    outputs.append(player if player is not None else
                                   '<p class="note">(A live widget: run the notebook to use it.)</p>')
                elif "image/png" in data:
                    figures += 1
                    image_dir.mkdir(parents=True, exist_ok=True)
                    name = f"figure-{figures:02d}.png"
                    png = base64.b64decode("".join(data["image/png"]))
                    (image_dir / name).write_bytes(png)
                    from PIL import Image
                    import io
                    width, height = Image.open(io.BytesIO(png)).size
                    metadata = output.get("metadata", {})
                    stored = (metadata.get("image/png") or {}).get("alt") or metadata.get("alt")  # IPython's Image(alt=...)
                    alt = html.escape(stored or _figure_alt(source, count), quote=True)
                    outputs.append(f'<img class="figure" src="{stem}/img/{name}" width="{width}" height="{height}" '
                                   f'loading="lazy" alt="{alt}">')
                elif "text/html" in data:
                    outputs.append(f'<div class="out-html">{"".join(data["text/html"])}</div>')
                elif "text/plain" in data:
                    outputs.append(f'<pre class="out">{html.escape("".join(data["text/plain"]))}</pre>')
        if outputs:
            parts.append('<div class="outputs">' + "\n".join(outputs) + "</div>")
    return "\n".join(parts)
