"""Stage 4 of the figure pipeline: names by rule and the manifest images/figures.yaml that the agent writes from.

Deciding what to write lives here; smart_extract.py does the rendering and the writing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf
import yaml

from .model import Figure
from .naming import figure_filename

GENERATOR = "ai-paper-reader smart_extract"
MANIFEST_NAME = "figures.yaml"
IMAGES_DIR = "images"


@dataclass
class Planned:
    """One file to render: what it shows, where on which page, and its name in images/."""

    name: str
    page_index: int
    rect: pymupdf.Rect
    figure: Figure | None  # None for an uncaptioned graphic


def plan(figures: list[Figure], uncaptioned: list[tuple[int, pymupdf.Rect]]) -> list[Planned]:
    """Names every output by the naming rule; names are unique and the same on every run for the same PDF."""
    out = []
    seen: set[str] = set()
    for f in figures:
        name = figure_filename(f.kind, f.number, f.fig_type, f.description)
        k = 2
        while name in seen:  # two captions with one number (a paper's typo): keep both, apart, still by rule
            words = f.description.split("-")[:3]
            name = figure_filename(f.kind, f.number, f.fig_type, "-".join([*words, str(k)]))
            k += 1
        seen.add(name)
        out.append(Planned(name, f.caption.page_index, f.body, f))
    counts: dict[int, int] = {}
    for pi, rect in sorted(uncaptioned, key=lambda t: (t[0], t[1].y0, t[1].x0)):
        counts[pi] = counts.get(pi, 0) + 1
        out.append(Planned(f"extra_p{pi + 1}_{counts[pi]}.png", pi, rect, None))
    return out


def _bbox(rect: pymupdf.Rect) -> list[float]:
    return [round(v, 1) for v in rect]


def build(pdf_name: str, page_count: int, dpi: int, planned: list[Planned],
          sizes: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """The manifest: figures and tables in page order, each with what the note needs to show and cite it."""
    figures, tables, extras = [], [], []
    for p in planned:
        file = f"{IMAGES_DIR}/{p.name}"
        w, h = sizes.get(p.name, (0, 0))
        if p.figure is None:
            extras.append({"page": p.page_index + 1, "bbox": _bbox(p.rect), "file": file, "size_px": [w, h]})
            continue
        f = p.figure
        item = {"label": f.caption.label, "kind": f.kind, "number": f.number, "page": f.page, "bbox": _bbox(p.rect),
                "caption": f.caption.text, "type": f.fig_type, "file": file, "size_px": [w, h]}
        (tables if f.kind == "table" else figures).append(item)
    data: dict[str, Any] = {"generator": GENERATOR, "pdf": pdf_name, "pages": page_count, "dpi": dpi,
                            "figures": figures, "tables": tables}
    if extras:
        data["uncaptioned"] = extras
    return data


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)


def previous_outputs(images_dir: Path) -> set[str] | None:
    """The file names a previous run of this tool wrote (from its manifest), or None when there is no manifest of
    ours: a figures.yaml someone else wrote is not ours to replace."""
    path = images_dir / MANIFEST_NAME
    if not path.exists():
        return set()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(data, dict) or data.get("generator") != GENERATOR:
        return None
    names = set()
    for key in ("figures", "tables", "uncaptioned"):
        for item in data.get(key) or []:
            if isinstance(item, dict) and isinstance(item.get("file"), str):
                names.add(Path(item["file"]).name)
    return names
