"""Looking at a page without writing code: the page (or a region) rendered with rulers and a grid in PDF points and
the manifest's boxes drawn on it, and a listing of its text lines, rules and images with their coordinates.

Every coordinate is in the page as it is displayed (Page.rect: (0, 0) top left, rotation applied), the space
crop_figure.py and images/figures.yaml use, so a box read off the picture can be passed to crop_figure.py as it is.
"""
from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf
import yaml

from ..io import yamlio
from . import manifest
from .render import render_png

PNG_KEY, PNG_MARK = b"Software", b"ai-paper-reader look_page"
STEPS_PT = (5, 10, 20, 25, 50, 100, 200)
LABEL_PX = 13  # ruler and box labels, in pixels of the output whatever its dpi
RULE_MAX_PT = 2.0  # a drawing this thin (and longer than wide) is a rule
RULE_MIN_PT = 15.0  # shorter flat pieces are mostly segments of plotted curves
KIND_COLOURS = {"figure": (0.1, 0.35, 0.95), "table": (0.0, 0.6, 0.25), "equation": (0.95, 0.45, 0.0),
                "algorithm": (0.6, 0.2, 0.8), "uncaptioned": (0.45, 0.45, 0.45)}
HAND_COLOUR = (0.85, 0.0, 0.55)


@dataclass
class Box:
    """One entry of the manifest on this page: what it is, where, and whether the user cut it by hand."""

    label: str
    kind: str
    bbox_pt: pymupdf.Rect
    file: str
    hand_fixed: bool

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "kind": self.kind, "bbox": [round(v, 2) for v in self.bbox_pt], "file": self.file,
                "hand_fixed": self.hand_fixed}


def _r(rect: pymupdf.Rect | tuple[float, ...]) -> list[float]:
    return [round(float(v), 1) for v in rect]


# --- the manifest's boxes -----------------------------------------------------------------------------------------

def manifest_path(pdf_path: Path) -> Path:
    return Path(pdf_path).parent / manifest.IMAGES_DIR / manifest.MANIFEST_NAME


def manifest_boxes(pdf_path: Path, page_number: int) -> tuple[list[Box], str | None]:
    """The boxes images/figures.yaml (beside the PDF) lists on page page_number, and a warning when it exists but
    cannot be used. Read leniently: a damaged entry is passed over, never fatal (looking must always work)."""
    path = manifest_path(pdf_path)
    if not path.is_file():
        return [], None
    try:
        data = yamlio.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return [], f"{path} cannot be read ({type(exc).__name__}), so no boxes are drawn"
    if not isinstance(data, dict):
        return [], f"{path} is not a manifest (no mapping at its top), so no boxes are drawn"
    listed = data.get("pdf")
    if isinstance(listed, str) and listed != Path(pdf_path).name:
        return [], f"{path} lists the boxes of {listed}, not of {Path(pdf_path).name}, so none are drawn"
    kinds = {"figures": "figure", "tables": "table", "equations": "equation", "algorithms": "algorithm",
             "uncaptioned": "uncaptioned"}
    boxes = []
    for key, value in data.items():
        if not isinstance(value, list):
            continue
        for e in value:
            if not isinstance(e, dict) or e.get("page") != page_number:
                continue
            bbox = e.get("bbox")
            if not (isinstance(bbox, list) and len(bbox) == 4 and all(isinstance(v, (int, float)) for v in bbox)):
                continue
            rect = pymupdf.Rect(bbox)
            if rect.is_empty:
                continue
            file = str(e.get("file") or "")
            label = str(e.get("label") or Path(file).name or key)
            kind = str(e.get("kind") or kinds.get(key, key))
            boxes.append(Box(label, kind, rect, file, e.get(manifest.HAND_FIXED) is True))
    return boxes, None


# --- what is on the page ------------------------------------------------------------------------------------------

def _shown(rect: Any, to_page: pymupdf.Matrix) -> pymupdf.Rect:
    return pymupdf.Rect(rect) * to_page


def text_lines(page: pymupdf.Page, clip: pymupdf.Rect) -> list[dict[str, Any]]:
    """Each text line that touches clip: its text, box, font size, font and whether it is bold."""
    to_page = page.rotation_matrix
    out = []
    for block in page.get_text("dict", sort=True).get("blocks", []):
        for line in block.get("lines", []):
            spans = [s for s in line.get("spans", []) if s.get("text", "").strip()]
            if not spans:
                continue
            rect = _shown(line["bbox"], to_page)
            if not rect.intersects(clip):
                continue
            big = max(spans, key=lambda s: s.get("size", 0))
            out.append({"text": "".join(s["text"] for s in line["spans"]).strip(), "bbox": _r(rect),
                        "size": round(big.get("size", 0), 1), "font": big.get("font", ""),
                        "bold": bool(big.get("flags", 0) & 16)})
    return out


def rules(page: pymupdf.Page, clip: pymupdf.Rect) -> list[dict[str, Any]]:
    """Thin horizontal and vertical drawings (table rules, underlines, frame edges) that touch clip, with where they
    run and how thick they are; horizontal ones first, top to bottom."""
    to_page = page.rotation_matrix
    seen: set[tuple[Any, ...]] = set()
    out = []
    for path in page.get_drawings():
        width = float(path.get("width") or 0.0)
        for item in path.get("items", []):
            op = item[0]
            if op == "l":
                rect = pymupdf.Rect(item[1], item[2]) * to_page
                rect.normalize()
                thick = width
            elif op in ("re", "qu"):
                rect = (pymupdf.Rect(item[1]) if op == "re" else item[1].rect) * to_page
                thick = min(rect.width, rect.height) or width
            else:
                continue
            if rect.width >= RULE_MIN_PT and rect.height <= RULE_MAX_PT:
                y = (rect.y0 + rect.y1) / 2
                rule = {"dir": "h", "x0": round(rect.x0, 1), "x1": round(rect.x1, 1), "y": round(y, 1)}
                probe = pymupdf.Rect(rect.x0, y - 0.5, rect.x1, y + 0.5)
            elif rect.height >= RULE_MIN_PT and rect.width <= RULE_MAX_PT:
                x = (rect.x0 + rect.x1) / 2
                rule = {"dir": "v", "x": round(x, 1), "y0": round(rect.y0, 1), "y1": round(rect.y1, 1)}
                probe = pymupdf.Rect(x - 0.5, rect.y0, x + 0.5, rect.y1)
            else:
                continue
            if not probe.intersects(clip):
                continue
            key = tuple(rule.values())
            if key in seen:
                continue
            seen.add(key)
            rule["width_pt"] = round(max(thick, width), 2)
            out.append(rule)
    out.sort(key=lambda r: (r["dir"], r.get("y", r.get("x", 0)), r.get("x0", r.get("y0", 0))))
    return out


def images(page: pymupdf.Page, clip: pymupdf.Rect) -> list[dict[str, Any]]:
    """Each placed bitmap that touches clip: its box on the page and its size in pixels."""
    to_page = page.rotation_matrix
    out = []
    for info in page.get_image_info(xrefs=True):
        rect = _shown(info["bbox"], to_page)
        if rect.is_empty or not rect.intersects(clip):
            continue
        out.append({"bbox": _r(rect), "width_px": info.get("width"), "height_px": info.get("height"),
                    "xref": info.get("xref")})
    return out


# --- the picture --------------------------------------------------------------------------------------------------

def grid_steps(dpi: int) -> tuple[int, int]:
    """(labelled tick step, fine step) in points: labels at least about 60 pixels apart, fine lines a fifth."""
    px_per_pt = dpi / 72
    major = next((s for s in STEPS_PT if s * px_per_pt >= 60), STEPS_PT[-1])
    return major, {5: 1, 10: 2, 20: 5, 25: 5, 50: 10, 100: 20, 200: 50}[major]


def _ticks(lo: float, hi: float, step: int) -> list[int]:
    first = math.ceil(lo / step) * step
    return list(range(int(first), math.floor(hi) + 1, step))


def draw(page: pymupdf.Page, clip: pymupdf.Rect, dpi: int, *, grid: bool,
         boxes: list[Box]) -> tuple[bytes, tuple[int, int]]:
    """PNG of clip at dpi framed by rulers in points (labels on the labelled steps), with grid lines across it when
    grid, and boxes outlined and labelled; returns the PNG and its pixel size."""
    png, (w_px, h_px) = render_png(page, clip, dpi)
    pt = 72 / dpi  # one output pixel, in points of the sheet drawn here
    font = LABEL_PX * pt
    left, top = round(font * 2.6 / pt) * pt + 6 * pt, round(font * 1.2 / pt) * pt + 6 * pt
    right, bottom = 4 * pt, 4 * pt
    iw, ih = w_px * pt, h_px * pt
    sheet = pymupdf.open()
    sp = sheet.new_page(width=left + iw + right, height=top + ih + bottom)
    sp.insert_image(pymupdf.Rect(left, top, left + iw, top + ih), stream=png)
    sx, sy = iw / clip.width, ih / clip.height

    def at(x: float, y: float) -> pymupdf.Point:
        return pymupdf.Point(left + (x - clip.x0) * sx, top + (y - clip.y0) * sy)

    major, minor = grid_steps(dpi)
    ink, light = (0.15, 0.3, 0.85), (0.55, 0.7, 1.0)
    for step, long in ((minor, False), (major, True)):
        for x in _ticks(clip.x0, clip.x1, step):
            p = at(x, clip.y0)
            sp.draw_line((p.x, top - (5 if long else 2.5) * pt), (p.x, top), color=ink, width=pt)
            if grid and (long or step * sx / pt >= 6):
                sp.draw_line((p.x, top), (p.x, top + ih), color=ink if long else light, width=pt,
                             stroke_opacity=0.55 if long else 0.4)
        for y in _ticks(clip.y0, clip.y1, step):
            p = at(clip.x0, y)
            sp.draw_line((left - (5 if long else 2.5) * pt, p.y), (left, p.y), color=ink, width=pt)
            if grid and (long or step * sy / pt >= 6):
                sp.draw_line((left, p.y), (left + iw, p.y), color=ink if long else light, width=pt,
                             stroke_opacity=0.55 if long else 0.4)
    for x in _ticks(clip.x0, clip.x1, major):
        label = str(x)
        tw = pymupdf.get_text_length(label, fontsize=font)
        px = min(max(at(x, 0).x - tw / 2, 0), left + iw - tw)
        sp.insert_text((px, top - 6 * pt), label, fontsize=font, color=ink)
    for y in _ticks(clip.y0, clip.y1, major):
        label = str(y)
        tw = pymupdf.get_text_length(label, fontsize=font)
        py = min(max(at(0, y).y + font * 0.35, top + font * 0.8), top + ih)
        sp.insert_text((left - 6 * pt - tw, py), label, fontsize=font, color=ink)

    for b in boxes:
        r = b.bbox_pt & clip
        if r.is_empty:
            continue
        colour = HAND_COLOUR if b.hand_fixed else KIND_COLOURS.get(b.kind, (0.8, 0.1, 0.1))
        shown = pymupdf.Rect(at(r.x0, r.y0), at(r.x1, r.y1))
        sp.draw_rect(shown, color=colour, width=2 * pt)
        label = b.label + (" (hand fixed)" if b.hand_fixed else "")
        tw = pymupdf.get_text_length(label, fontsize=font)
        high = font * 1.3
        above = shown.y0 - high >= top  # the label sits on the box's top edge, outside, so it hides none of it
        y = shown.y0 - high if above else shown.y0
        tag = pymupdf.Rect(shown.x0, y, shown.x0 + tw + 4 * pt, y + high)
        sp.draw_rect(tag, color=None, fill=colour, fill_opacity=0.85)
        sp.insert_text((tag.x0 + 2 * pt, tag.y1 - font * 0.3), label, fontsize=font, color=(1, 1, 1))
    pix = sp.get_pixmap(dpi=dpi, alpha=False)
    pix.set_dpi(dpi, dpi)
    out = mark_png(pix.tobytes("png"))
    size = (pix.width, pix.height)
    sheet.close()
    return out, size


# --- telling our pictures from the user's files -------------------------------------------------------------------

def mark_png(png: bytes) -> bytes:
    """png with a tEXt chunk naming this tool, right after the header, so a later run knows the file is its own."""
    data = PNG_KEY + b"\x00" + PNG_MARK
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", zlib.crc32(b"tEXt" + data))
    return png[:33] + chunk + png[33:]


def is_ours(path: Path) -> bool:
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(128)
    except OSError:
        return False
    return head.startswith(b"\x89PNG") and PNG_KEY + b"\x00" + PNG_MARK in head


def default_out(pdf_path: Path, page_number: int, clip: pymupdf.Rect | None) -> Path:
    """look_p{N}.png beside the PDF (the note folder when the PDF is a note's paper.pdf); a region adds its box."""
    name = f"look_p{page_number}"
    if clip is not None:
        name += "_" + "-".join(f"{v:g}" for v in (round(c) for c in clip))
    return Path(pdf_path).parent / f"{name}.png"
