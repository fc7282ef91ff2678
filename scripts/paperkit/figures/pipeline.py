"""The figure pipeline, stage by stage: page content -> captions -> graphic elements -> region proposals -> figures.

find_figures(doc) is the library call other scripts use (paper_info's table cells, smart_extract's renders).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import pymupdf

from ..io.errors import UserError
from . import captions as cap_stage
from . import figtype
from . import regions as reg
from .equations import Display, find_displays
from .graphics import Blob, find_blobs
from .layout import Columns, PageContent, body_font_size, find_columns, read_page
from .model import Caption, Figure

DEFAULT_DIRECTION = {"figure": "up", "table": "down"}
MIN_UNCAPTIONED_PT = 72.0  # smaller graphics no caption claims are decoration (logos, icons)
PAD_PT = 2.0  # white margin around a rendered figure
MIN_BODY_PT = 12.0  # a thinner "body" is a sliver, not a figure
HUG_RULE_PT = 8.0  # a running header's rule lies this close under its text (a footer's, over it)


@dataclass
class PageAnalysis:
    content: PageContent
    columns: Columns
    blobs: list[Blob]
    elements: list[reg.Element]
    walls: list[pymupdf.Rect]


@dataclass
class Analysis:
    figures: list[Figure]
    uncaptioned: list[tuple[int, pymupdf.Rect]]  # (page index, box) of large graphics no caption claims
    pages: int
    has_text: bool
    unreadable: list[int] = dataclasses.field(default_factory=list)  # 1-based pages MuPDF could not load
    displays: list[Display] = dataclasses.field(default_factory=list)  # numbered equations, algorithm blocks


def _header_rules(pc: PageContent, cols: Columns, caption_lines: set[int]) -> list[pymupdf.Rect]:
    """Page-wide rules that set a running header (or footer) off the page: walls, not parts of a figure.

    Such a rule hugs the header's text (within HUG_RULE_PT) and has nothing but that text between it and the page
    edge. A table's own top rule near the top of a page lies further from the header, and one under a caption
    that starts the page is the table's; a table's bottom rule lies further from the page number.
    """
    text_w = cols.spans[-1][1] - cols.spans[0][0]
    h = pc.rect.height
    out = []
    for r in pc.drawings:
        if r.height > 2.5 or r.width < 0.8 * text_w:
            continue
        if r.y1 < pc.rect.y0 + 0.1 * h:
            outside = [ln for ln in pc.lines if ln.rect.y1 <= r.y0 + 1]
            near = [ln for ln in outside if r.y0 - ln.rect.y1 <= HUG_RULE_PT]
        elif r.y0 > pc.rect.y1 - 0.1 * h:
            outside = [ln for ln in pc.lines if ln.rect.y0 >= r.y1 - 1]
            near = [ln for ln in outside if ln.rect.y0 - r.y1 <= HUG_RULE_PT]
        else:
            continue
        if not outside or any(id(ln) in caption_lines for ln in outside):
            continue
        if near:
            out.append(r)
    return out


def _is_scribble(blob: Blob, pc: PageContent, cols: Columns, body_size: float) -> bool:
    """A reader's pen strokes saved into the page: one drawing that runs from the page margin over paragraphs of
    body text. A figure keeps to the text area and holds no justified paragraphs."""
    r = blob.rect
    if blob.ruled or blob.n_images or abs(r) < 0.2 * abs(pc.rect):
        return False
    if r.x0 > cols.spans[0][0] - 25 and r.x1 < cols.spans[-1][1] + 25:
        return False
    prose = reg.paragraph_lines([ln for ln in pc.lines if r.contains(ln.rect)], body_size)
    return len(prose) >= 6


def analyse_page(pc: PageContent, page_caps: list[cap_stage.Candidate], body_size: float,
                 margins: set[tuple[int, str, int]], cols: Columns) -> PageAnalysis:
    margin_lines = [ln for i, ln in enumerate(pc.lines) if reg.is_margin_line(pc, i, margins)]
    caption_lines = {id(ln) for c in page_caps for ln in c.lines}
    rules = _header_rules(pc, cols, caption_lines)
    drawings = [r for r in pc.drawings if all(r is not x for x in rules)]
    separators = [c.caption.rect for c in page_caps] + [ln.rect for ln in margin_lines]
    blobs = find_blobs(drawings, pc.images, separators, [ln.rect for ln in pc.lines])
    blobs = [b for b in blobs if not _is_scribble(b, pc, cols, body_size)]
    reg.assign_roles(pc, caption_lines, blobs, body_size, cols, margins)
    walls = [ln.rect for ln in pc.lines if ln.role in ("body", "heading", "margin", "caption")] + rules
    elements = [reg.Element(b.rect, "blob", ruled=b.ruled) for b in blobs]
    # a rotated label (an axis title) may stick out of its column like a drawing: it counts as one
    elements += [reg.Element(ln.rect, "text" if ln.horizontal else "blob", size=ln.size) for ln in pc.lines
                 if ln.role == ""]
    return PageAnalysis(pc, cols, blobs, elements, walls)


def _nearest_gap(cap: Caption, direction: str, pa: PageAnalysis, zone: tuple[float, float],
                 kinds: tuple[str, ...]) -> float:
    limit = reg.wall_limit(cap, direction, zone, pa.walls, pa.content.rect)
    seed = reg.Seed(cap, direction, zone, limit)
    gaps = [reg.gap(e.rect, cap.rect, direction) for e in pa.elements if e.kind in kinds and reg.fits(e, seed)]
    return min(gaps, default=float("inf"))


def _below_front_matter(body: pymupdf.Rect | None, si: int, seed: reg.Seed, pa: PageAnalysis,
                        body_size: float) -> pymupdf.Rect | None:
    """A first-page figure grown upward keeps the text hugging its graphics' top (a title, a legend) and not the
    lines set near the body size stacked above that: on page 1 those are the authors, affiliations and title, which
    no other rule tells from labels (a teaser figure under the author block took it in on three corpus2 papers).
    Smaller text above the graphics (an example set in 5 pt over a diagram) stays the figure's."""
    if body is None or seed.direction != "up":
        return body
    mine = [e for e in pa.elements if e.owner == si]
    blobs = [e.rect for e in mine if e.kind == "blob"]
    if not blobs:
        return body
    big = [r for r in blobs if max(r.width, r.height) >= 2 * body_size]  # not an ORCID icon in the author line
    top = min(r.y0 for r in big or blobs)
    hug = top - 1.5 * body_size  # about one line of text right above the graphics
    above = [e for e in mine if e.rect.y1 <= top and e.rect.y0 < hug
             and (e.size >= 0.7 * body_size if e.kind == "text" else e.rect not in big)]
    if not above:
        return body
    for e in above:
        e.owner = -1
    kept = [e.rect for e in mine if e.owner == si]
    out = pymupdf.Rect(kept[0])
    for r in kept[1:]:
        out |= r
    return out


def _grow_alone(seed: reg.Seed, si: int, elements: list[reg.Element], max_gap: float) -> pymupdf.Rect | None:
    """reg.grow for one seed over the elements no caption took; what it takes becomes caption si's. Text alone is
    no body here (on the side a caption was not voted to, loose text is a reference list or a long caption)."""
    free = [(e, reg.Element(e.rect, e.kind, ruled=e.ruled, size=e.size)) for e in elements if e.owner < 0]
    body = reg.grow([seed], [copy for _, copy in free], max_gap)[0]
    taken = [e for e, copy in free if copy.owner == 0]
    if not any(e.kind == "blob" for e in taken):
        return None
    for e in taken:
        e.owner = si
    return body


def _finish(body: pymupdf.Rect, si: int, seed: reg.Seed, pa: PageAnalysis) -> pymupdf.Rect | None:
    """The grown region made a figure body: neighbours taken in, cut off its caption (and a table's notes), with a
    white margin; None for a sliver (the body is on another page, or is no graphic)."""
    if seed.direction in ("up", "down"):
        body = reg.absorb(body, si, pa.elements, seed)
    body = reg.trim_to_walls(body, seed.caption.rect, seed.direction) & pa.content.rect
    if seed.caption.kind == "table":
        owned = [e.rect for e in pa.elements if e.owner == si and e.kind == "blob"]
        body = reg.cut_table_notes(body, pa.content.drawings, owned, pa.content.lines)
    if body.is_empty or body.width < MIN_BODY_PT or body.height < MIN_BODY_PT:
        return None
    # the white margin stops at any text left out of the body: a table's notes under its bottom rule too
    foreign = []
    for ln in pa.content.lines:
        r = pymupdf.Rect(ln.rect)
        if r.intersects(body):
            if seed.caption.kind != "table" or not r.y0 < body.y1 < r.y1 or abs(r & body) >= 0.5 * abs(r):
                continue
            r.y0 = body.y1  # a note line that the cut at the bottom rule runs through
        foreign.append(r)
    return reg.pad(body, pa.walls + foreign + [seed.caption.rect], PAD_PT, pa.content.rect)


def vote_sides(votes: dict[str, list[str]]) -> dict[str, str]:
    """Which side of its body each kind's captions sit on ("up": the body is above): the side most of its captions
    voted for; a tie, or no vote, gives the kind's usual side. (A set's order would follow the interpreter's hash
    seed, so one paper's figures came out differently from one run to the next.)"""
    return {k: max(("up", "down"), key=lambda d, v=v, k=k: (v.count(d), d == DEFAULT_DIRECTION[k])) if v
            else DEFAULT_DIRECTION[k] for k, v in votes.items()}


def find_figures(doc: pymupdf.Document, progress: Callable[[int, int], None] | None = None) -> list[Figure]:
    """Every captioned figure and table of the document, with its body box, type and description."""
    return analyse(doc, progress).figures


def analyse(doc: pymupdf.Document, progress: Callable[[int, int], None] | None = None) -> Analysis:
    pages: list[PageContent] = []
    unreadable: list[int] = []
    for i in range(doc.page_count):
        try:
            pages.append(read_page(doc[i]))
        except (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase):
            # a page MuPDF cannot load (a broken page tree, a damaged content stream): the others still count
            unreadable.append(i + 1)
            pages.append(PageContent(index=i, rect=pymupdf.Rect(0, 0, 612, 792), lines=[], drawings=[], images=[]))
        if progress:
            progress(i + 1, doc.page_count)
    if len(unreadable) == doc.page_count:
        raise UserError("no page of this PDF can be read: it is damaged; get the file again")
    has_text = any(pc.lines for pc in pages)
    body_size = body_font_size(pages)
    margins = reg.margin_keys(pages)
    # the columns are the paper's, not the page's: a page of references or of tables says little about them
    cols = find_columns([ln for pc in pages for ln in pc.lines], pages[0].rect, body_size)
    cands = []
    for pc in pages:
        cands += cap_stage.page_candidates(pc, body_size, cols.spans)
    chosen = cap_stage.select(cands)
    by_page: dict[int, list[cap_stage.Candidate]] = {}
    for c in chosen:
        by_page.setdefault(c.caption.page_index, []).append(c)

    analyses = {i: analyse_page(pages[i], by_page.get(i, []), body_size, margins, cols) for i in range(len(pages))
                if by_page.get(i) or pages[i].drawings or pages[i].images}
    max_gap = reg.MAX_GAP_FACTOR * body_size

    # which side of its body a caption sits on is a habit of the paper: vote per kind
    votes: dict[str, list[str]] = {"figure": [], "table": []}
    zones: dict[int, tuple[float, float]] = {}
    prefs: dict[int, tuple[float, float]] = {}
    for pi, cs in by_page.items():
        pa = analyses[pi]
        page_caps = [c.caption for c in cs]
        for c in cs:
            z = reg.zone_for(c.caption, page_caps, pa.content, pa.columns)
            zones[id(c)] = z
            up, down = (_nearest_gap(c.caption, d, pa, z, ("blob", "text")) for d in ("up", "down"))
            prefs[id(c)] = (up, down)
            # drawings and images say more than stray text lines do about where the body is
            bup, bdown = (_nearest_gap(c.caption, d, pa, z, ("blob",)) for d in ("up", "down"))
            if min(bup, bdown) <= max_gap:
                votes[c.caption.kind].append("up" if bup <= bdown else "down")
            elif min(up, down) <= max_gap:
                votes[c.caption.kind].append("up" if up <= down else "down")
    direction = vote_sides(votes)

    figures: list[Figure] = []
    for pi, cs in sorted(by_page.items()):
        pa = analyses[pi]
        seeds = []
        for c in cs:
            d = direction[c.caption.kind]
            up, down = prefs[id(c)]
            mine, other = (up, down) if d == "up" else (down, up)
            if mine > max_gap and other <= max_gap:
                d = "down" if d == "up" else "up"
            z = zones[id(c)]
            seeds.append(reg.Seed(c.caption, d, z, reg.wall_limit(c.caption, d, z, pa.walls, pa.content.rect)))
        bodies = reg.grow(seeds, pa.elements, max_gap)
        if pi == 0:
            bodies = [_below_front_matter(bodies[si], si, sd, pa, body_size) for si, sd in enumerate(seeds)]
        for si, seed in enumerate(seeds):
            body = _finish(bodies[si], si, seed, pa) if bodies[si] is not None else None
            if body is None:  # nothing above or below: a caption set beside its figure?
                for e in pa.elements:
                    if e.owner == si:
                        e.owner = -1
                side = reg.grow_sideways(seed, si, pa.elements, pa.walls, max_gap,
                                          (pa.columns.spans[0][0], pa.columns.spans[-1][1]))
                body = _finish(side, si, seed, pa) if side is not None else None
            if body is None and seed.direction in ("up", "down"):
                # nothing on the paper's usual side nor beside: the other side (a figure's caption with a table
                # right under it is voted "down" by the table's nearness)
                for e in pa.elements:
                    if e.owner == si:
                        e.owner = -1
                flip = "down" if seed.direction == "up" else "up"
                other = reg.Seed(seed.caption, flip, seed.zone,
                                 reg.wall_limit(seed.caption, flip, seed.zone, pa.walls, pa.content.rect))
                grown = _grow_alone(other, si, pa.elements, max_gap)
                body = _finish(grown, si, other, pa) if grown is not None else None
                if body is not None:
                    seed = seeds[si] = other
            if body is None:
                continue
            to_page = pa.content.to_page
            caption = dataclasses.replace(seed.caption, rect=seed.caption.rect * to_page)
            fig = Figure(caption=caption, body=body * to_page)
            fig.fig_type = figtype.classify(seed.caption.kind, seed.caption.text)
            fig.description = figtype.describe(seed.caption.kind, seed.caption.text)
            figures.append(fig)

    uncaptioned = []
    for pi, pa in analyses.items():
        bodies = [f.body for f in figures if f.caption.page_index == pi]
        for e in pa.elements:
            if e.owner >= 0 or e.kind != "blob" or e.rect.width < MIN_UNCAPTIONED_PT \
                    or e.rect.height < MIN_UNCAPTIONED_PT:
                continue
            r = e.rect * pa.content.to_page
            if any(abs(r & b) > 0.5 * abs(r) for b in bodies):
                continue  # a piece of a captioned figure, already rendered with it
            if any(abs(r & u) > 0.5 * min(abs(r), abs(u)) for p, u in uncaptioned if p == pi):
                continue  # the same graphic twice (a raster under its vector copy)
            uncaptioned.append((pi, r))
    figures.sort(key=lambda f: (f.caption.page_index, f.body.y0, f.body.x0))
    displays = find_displays(pages, cols, body_size, figures)
    return Analysis(figures, uncaptioned, len(pages), has_text, unreadable, displays)
