"""Stage 4 of the figure pipeline: names by rule and the manifest images/figures.yaml that the agent writes from.

Deciding what to write lives here; jobs.extract_figures does the rendering and the writing.

Every entry records the sha256 of the PNG the tool wrote. A listed file whose bytes changed since, or whose entry is
marked hand_fixed (crop_figure.py re-cut it), is the user's: a re-run keeps it and its box, and only --force
replaces it.
"""
from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymupdf
import yaml

from ..io import yamlio
from ..io.errors import OutputError
from .equations import Display, unique_files
from .model import Figure
from .naming import figure_filename

GENERATOR = "ai-paper-reader smart_extract"
MANIFEST_NAME = "figures.yaml"
IMAGES_DIR = "images"
HAND_FIXED = "hand_fixed"
KEPT_KEYS = ("page", "bbox", "size_px", "sha256", HAND_FIXED)  # what a hand fix decides, kept over a re-run


@dataclass
class Planned:
    """One file to render: what it shows, where on which page, and its name in images/."""

    name: str
    page_index: int
    rect: pymupdf.Rect
    figure: Figure | None  # None for an uncaptioned graphic
    display: Display | None = None  # a numbered equation or an algorithm block (images/eqN.png, algN.png)


def plan(figures: list[Figure], uncaptioned: list[tuple[int, pymupdf.Rect]],
         displays: list[Display] | None = None) -> list[Planned]:
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
    displays = displays or []
    for d, name in zip(displays, unique_files(displays), strict=True):  # eq3.png, alg1.png
        out.append(Planned(name, d.page_index, d.rect, None, d))
    return out


def _bbox(rect: pymupdf.Rect) -> list[float]:
    return [round(v, 1) for v in rect]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def png_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height from its header; (0, 0) for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    return 0, 0


def build(pdf_name: str, page_count: int, dpi: int, planned: list[Planned],
          sizes: dict[str, tuple[int, int]], *, hashes: dict[str, str] | None = None,
          kept: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The manifest: figures and tables in page order, each with what the note needs to show and cite it.

    hashes: sha256 of each PNG written; kept: the entries of files fixed by hand, whose box, size and hash win."""
    hashes, kept = hashes or {}, kept or {}
    figures, tables, extras = [], [], []
    shown: dict[str, list[dict[str, Any]]] = {"equation": [], "algorithm": []}
    for p in planned:
        file = f"{IMAGES_DIR}/{p.name}"
        w, h = sizes.get(p.name, (0, 0))
        if p.display is not None:
            d = p.display
            item = {"label": d.label, "number": d.number, "page": d.page_index + 1, "bbox": _bbox(p.rect)}
            item.update({"title": d.title} if d.kind == "algorithm" else {})
            item.update({"file": file, "size_px": [w, h]})
            shown[d.kind].append(_finish(item, p.name, hashes, kept))
            continue
        if p.figure is None:
            item: dict[str, Any] = {"page": p.page_index + 1, "bbox": _bbox(p.rect), "file": file, "size_px": [w, h]}
            extras.append(_finish(item, p.name, hashes, kept))
            continue
        f = p.figure
        item = {"label": f.caption.label, "kind": f.kind, "number": f.number, "page": f.page, "bbox": _bbox(p.rect),
                "caption": f.caption.text, "type": f.fig_type, "file": file, "size_px": [w, h]}
        (tables if f.kind == "table" else figures).append(_finish(item, p.name, hashes, kept))
    data: dict[str, Any] = {"generator": GENERATOR, "pdf": pdf_name, "pages": page_count, "dpi": dpi,
                            "figures": figures, "tables": tables}
    if extras:
        data["uncaptioned"] = extras
    data["equations"] = shown["equation"]
    if shown["algorithm"]:
        data["algorithms"] = shown["algorithm"]
    return data


def _finish(item: dict[str, Any], name: str, hashes: dict[str, str],
            kept: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if name in kept:
        item.update({k: kept[name][k] for k in KEPT_KEYS if k in kept[name]})
    elif name in hashes:
        item["sha256"] = hashes[name]
    return item


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)


def entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every entry that names a file, in every list of the manifest (figures, tables, uncaptioned, equations...);
    anything of the wrong type (a hand edit gone wrong) is passed over."""
    out = []
    for value in data.values():
        if isinstance(value, list):
            out += [e for e in value if isinstance(e, dict) and isinstance(e.get("file"), str) and e["file"].strip()]
    return out


def load(path: Path, prog: str = "smart_extract.py") -> dict[str, Any]:
    """The manifest at path, checked to be one this tool wrote: OutputError with a sentence to act on otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OutputError(f"{path} cannot be read ({getattr(exc, 'strerror', None) or type(exc).__name__}); "
                          "fix it or pass --force to write a new one") from None
    try:
        data = yamlio.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise OutputError(f"{path} is not valid YAML{where} (edited by hand?); fix it, or pass --force to write a "
                          "new one (images changed by hand are then replaced too)") from None
    if not isinstance(data, dict) or data.get("generator") != GENERATOR:
        raise OutputError(f"{path} exists and was not written by {prog}; pass --force to replace it")
    return data


@dataclass
class Previous:
    """What an earlier run left in images/: the files its manifest lists, and their entries by file name."""

    owned: set[str] = field(default_factory=set)
    listed: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_previous(images_dir: Path, *, force: bool = False, prog: str = "smart_extract.py") -> Previous:
    """The earlier run's manifest. A manifest that is not ours, or damaged, stops the run (nothing is lost);
    with force it is ignored and replaced."""
    path = images_dir / MANIFEST_NAME
    if not path.exists():
        return Previous()
    try:
        data = load(path, prog)
    except OutputError:
        if force:
            return Previous()
        raise
    listed = {Path(e["file"]).name: e for e in entries(data)}
    return Previous(set(listed), listed)


def previous_outputs(images_dir: Path) -> set[str] | None:
    """The file names a previous run of this tool wrote (from its manifest), or None when there is no manifest of
    ours: a figures.yaml someone else wrote is not ours to replace."""
    try:
        return read_previous(images_dir).owned
    except OutputError:
        return None


def hand_fixed(entry: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """The entry as a hand fix when the file at path is the user's, else None.

    The user's: marked hand_fixed, or its bytes differ from the hash the tool recorded, or the recorded hash is
    not a hash at all (a damaged entry: better kept than lost). An entry without a hash (an older manifest) and a
    missing file are the tool's to write."""
    if not path.is_file():
        return None
    marked = entry.get(HAND_FIXED) is True
    recorded = entry.get("sha256")
    if not marked and recorded is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    now = sha256_hex(data)
    if not marked and isinstance(recorded, str) and recorded == now:
        return None
    fixed = {k: entry[k] for k in ("page", "bbox") if _well_typed(k, entry.get(k))}
    w, h = png_size(data)
    fixed.update({"size_px": [w, h], "sha256": now, HAND_FIXED: True})
    return fixed


def _well_typed(key: str, value: Any) -> bool:
    if key == "page":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return (isinstance(value, list) and len(value) == 4
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value))


def keep_hand_fixes(planned: list[Planned], previous: Previous, images_dir: Path) -> dict[str, dict[str, Any]]:
    """The planned files that are the user's now, by name, with what their entries keep.

    A hand-fixed file found under another name than this run plans for its figure (the naming rule or the type
    changed) keeps its name: the planned item is renamed to it."""
    fixed = {}
    for name, entry in previous.listed.items():
        got = hand_fixed(entry, images_dir / name)
        if got is not None:
            fixed[name] = (entry, got)
    if not fixed:
        return {}
    names = {p.name for p in planned}
    kept: dict[str, dict[str, Any]] = {}
    for p in planned:
        if p.name in fixed:
            kept[p.name] = fixed[p.name][1]
            continue
        if p.figure is None:
            continue
        same = [n for n, (e, _) in fixed.items() if n not in names and n not in kept
                and e.get("kind") == p.figure.kind and str(e.get("number")) == str(p.figure.number)]
        if len(same) == 1:
            names.discard(p.name)
            p.name = same[0]
            names.add(p.name)
            kept[p.name] = fixed[p.name][1]
    return kept


def record_hand_fix(data: dict[str, Any], name: str, page: int, bbox: list[float], size_px: tuple[int, int],
                    sha256: str) -> dict[str, Any] | None:
    """Marks the entry of images/NAME as cut by hand, with its new page, box, size and hash; returns the entry,
    or None when the manifest does not list NAME."""
    for entry in entries(data):
        if Path(entry["file"]).name == name:
            entry.update({"page": page, "bbox": [round(v, 2) for v in bbox], "size_px": list(size_px),
                          "sha256": sha256, HAND_FIXED: True})
            return entry
    return None
