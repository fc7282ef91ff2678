"""Plain data types at the seams of the figure pipeline (units in the names; PyMuPDF Rect inside)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pymupdf


@dataclass
class Caption:
    """A figure or table caption found on a page."""

    kind: str  # "figure" | "table"
    number: str  # as printed: "3", "A.1", "IV", "S2"
    page_index: int  # 0-based
    rect: pymupdf.Rect  # the caption's text, all its lines
    text: str  # full caption text, hyphenation undone

    @property
    def label(self) -> str:
        return f"{'Table' if self.kind == 'table' else 'Figure'} {self.number}"


@dataclass
class Figure:
    """A captioned figure or table: where its body is, what it says, and how it will be named."""

    caption: Caption
    body: pymupdf.Rect  # the body without the caption, page coordinates in points
    fig_type: str = "result"  # arch | method | result | ablation | compare | setup
    description: str = "figure"
    file: str = ""  # images/<name>.png, relative to the note folder
    size_px: tuple[int, int] = (0, 0)
    extras: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.caption.kind

    @property
    def number(self) -> str:
        return self.caption.number

    @property
    def page(self) -> int:
        """1-based page number."""
        return self.caption.page_index + 1

    @property
    def bbox_pt(self) -> list[float]:
        return [round(v, 1) for v in self.body]
