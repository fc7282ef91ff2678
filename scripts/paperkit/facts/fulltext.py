"""The paper's full text as Markdown in reading order, one page marker per page, for the agent to read and cite.

pymupdf4llm (bundled with PyMuPDF 2.x) does the conversion page by page. Its default layout mode runs an ONNX
layout model at about 0.3-0.45 s a page, too slow for the 5-second budget of a 15-page paper on two cores, so the
default here is its rule-based path (about 0.05 s a page) with our own heading list, running heads, footers,
page numbers and margin stamps cut off, and line-end hyphens decided against the paper's own vocabulary.
`layout=True` switches the ONNX model on. Pages that are mostly formula fragments (hundreds of text blocks) make
the rule-based path's column finder quadratic; those pages are read line by line in column order instead.
"""
from __future__ import annotations

import functools
import itertools
import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf

from ..io import yamlio
from . import record
from .outline import Heading
from .textlines import Line, Margins, clean_text, fix_accents, is_bold_span, keep_hyphen, reading_order

# fonts that set math: Computer Modern math italic and symbols, Libertine's math italic (newtxmath), STIX, Cambria
MATH_FONT = re.compile(r"CMMI|CMSY|CMEX|CMBSY|MathMI|Math|^LinLibertine(?:I|ZI|BI)\d*$|MSBM|MSAM|txmi|pxmi|ntxmi|"
                       r"rtxmi|NewTXMI|MTMI|MTSY|Symbol|rsfs|eufm", re.IGNORECASE)
ProgressFn = Callable[[int, int], None]
PAGE_MARKER = "<!-- page {n} -->"
_WORD = re.compile(r"[A-Za-z0-9][\w'’\-]*")


@dataclass
class FullText:
    pages: list[str]  # Markdown of each page, without markers
    engine: str  # what converted the pages

    def markdown(self, source: str = "paper.pdf") -> str:
        first = (f"<!-- paper.md written by paper_info.py from {source}: the full text in reading order, "
                 "one page marker per page; cite pages by them")
        body = "\n\n".join(f"{PAGE_MARKER.format(n=i + 1)}\n\n{md.strip()}\n" for i, md in enumerate(self.pages))
        return record.stamped(first, "\n" + body)

    def word_count(self) -> int:
        return sum(len(_WORD.findall(_strip_markup(p))) for p in self.pages)


@dataclass
class DisplayRef:
    """A numbered equation or an algorithm block the figure manifest lists: where it is and its image."""

    kind: str  # "equation" | "algorithm"
    number: str
    page_index: int  # 0-based
    rect: pymupdf.Rect
    file: str  # images/eq3.png, relative to the note folder

    @property
    def label(self) -> str:
        return f"Equation ({self.number})" if self.kind == "equation" else f"Algorithm {self.number}"


def read_displays(manifest: Path | dict[str, Any] | None) -> list[DisplayRef]:
    """The equations and algorithm blocks images/figures.yaml lists (its keys `equations`, `algorithms`); none from
    a missing or unreadable manifest, and an entry without page, box, number or file is skipped (manifest: its
    path, or its data as yamlio.load_mapping read it)."""
    data = manifest if isinstance(manifest, dict) or manifest is None else yamlio.load_mapping(manifest)
    if data is None:
        return []
    out = []
    for key, kind in (("equations", "equation"), ("algorithms", "algorithm")):
        items = data.get(key)
        for it in items if isinstance(items, list) else []:
            if not isinstance(it, dict):
                continue
            try:
                rect = pymupdf.Rect([float(v) for v in it["bbox"]])
                page = int(it["page"])
                number, file = str(it["number"]).strip(), str(it["file"]).strip()
            except (KeyError, TypeError, ValueError):
                continue
            if page >= 1 and not rect.is_empty and number and file:
                out.append(DisplayRef(kind, number, page - 1, rect, file))
    return out


def _strip_markup(md: str) -> str:
    md = re.sub(r"<!--.*?-->", " ", md, flags=re.DOTALL)
    md = re.sub(r"\]\([^)]*\)", "]", md)  # link targets
    md = re.sub(r"</?(?:sup|sub|mark|u)>", "", md)
    return re.sub(r"[*_`#>|\[\]]", " ", md)



def convert(doc: pymupdf.Document, pages: list[list[Line]], margins: list[Margins], headings: list[Heading],
            title_rects: list[pymupdf.Rect], vocab: set[str], *, layout: bool = False,
            regions: list[tuple[int, pymupdf.Rect, str]] | None = None, title: str = "",
            progress: ProgressFn | None = None, displays: list[DisplayRef] | None = None) -> FullText:
    """Markdown for every page: headings marked from the outline, running heads and page numbers cut off, the
    text inside figure and table bodies (regions: 0-based page, box, what to say instead) replaced by a pointer,
    except lines of body text a box took in; each numbered equation's image after its text, each algorithm block
    as its image and its lines in a fence (displays, from the manifest)."""
    displays = [d for d in displays or [] if 0 <= d.page_index < min(doc.page_count, len(pages))]
    algorithms = [d for d in displays if d.kind == "algorithm"]
    all_regions = list(regions or []) + [(a.page_index, a.rect, _algorithm_pointer(a)) for a in algorithms]
    cuts = _cuts(pages, all_regions, whole={_algorithm_pointer(a) for a in algorithms})
    shown = [_shown(i, lines, cuts.get(i, [])) for i, lines in enumerate(pages)]
    work = _without_regions(doc, cuts, pages) if layout else doc  # the line reader skips the boxes itself
    try:
        text = _convert(work, pages, shown, margins, headings, title_rects, vocab, layout, progress)
    finally:
        if work is not doc:
            work.close()
    squash = lambda t: re.sub(r"[^a-z0-9]", "", t.lower())  # noqa: E731
    if title and text.pages and squash(title) not in squash(text.pages[0]):
        text.pages[0] = f"# {title}\n\n{text.pages[0]}"  # the layout model files the title under page headers
    for a in algorithms:
        text.pages[a.page_index] = _put_algorithm(text.pages[a.page_index], a, pages[a.page_index])
    for e in sorted((d for d in displays if d.kind == "equation"), key=lambda d: (d.page_index, d.rect.y0)):
        text.pages[e.page_index] = _put_equation(text.pages[e.page_index], e)
    return text


def _algorithm_pointer(a: DisplayRef) -> str:
    return f"[{a.label}: {a.file}]"


def _put_algorithm(md: str, a: DisplayRef, lines: list[Line]) -> str:
    """The algorithm's pointer replaced by its image and its lines, line breaks and indents kept, in a fence."""
    inside = [ln for ln in lines if ln.horizontal and a.rect.contains((ln.rect.tl + ln.rect.br) * 0.5)]
    rows: list[list[Line]] = []
    for ln in sorted(inside, key=lambda x: (x.rect.y0 + x.rect.y1) / 2):
        cy = (ln.rect.y0 + ln.rect.y1) / 2
        if rows and abs(cy - statistics.fmean((x.rect.y0 + x.rect.y1) / 2 for x in rows[-1])) <= 0.35 * ln.size:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    left = min((ln.rect.x0 for ln in inside), default=0.0)
    body = []
    for row in rows:
        row.sort(key=lambda x: x.rect.x0)
        indent = "  " * round((row[0].rect.x0 - left) / 10)
        body.append(_CONTROL.sub("", indent + " ".join(x.text for x in row).replace("```", "'''")).rstrip())
    block = f"![{a.label}]({a.file})\n\n```text\n" + "\n".join(body) + "\n```"
    pointer = _algorithm_pointer(a)
    at = md.find(pointer)
    if at < 0:
        return md.rstrip() + f"\n\n{block}\n"  # the pointer did not survive the conversion: at the page's end
    return md[:at].rstrip() + f"\n\n{block}\n\n" + md[at + len(pointer):].lstrip()


def _put_equation(md: str, e: DisplayRef) -> str:
    """The equation's image after the line that ends with its number '(N)'; else right after an '(N)' inside a
    paragraph (several displays run together), not one a sentence cites ('Eq. (N)'); at the page's end when the
    number is nowhere on the page."""
    image = f"![{e.label}]({e.file})"
    if image in md:
        return md
    num = re.escape(e.number)
    m = re.search(rf"^(?!!\[)[^\n]*\(\s*{num}\s*\)[ \t]*$", md, flags=re.MULTILINE)
    if m is None:
        cited = re.compile(r"(?:Eq|Eqs|Equations?|and|or|to|in|of)\.?\s*$", re.IGNORECASE)
        m = next((x for x in re.finditer(rf"\(\s*{num}\s*\)", md)
                  if not cited.search(md[max(0, x.start() - 12):x.start()])
                  and not md[:x.start()].rsplit("\n", 1)[-1].startswith("![")), None)
    if m is None:
        return md.rstrip() + f"\n\n{image}\n"
    end = m.end()
    while (k := re.match(r"\n+!\[Equation [^\n]*\n?", md[end:])) is not None:
        end += len(k.group(0).rstrip("\n"))  # after the images of the equations before it in that paragraph
    return md[:end].rstrip(" \t") + f"\n\n{image}\n\n" + md[end:].lstrip(" \t\n")


def _body_size(pages: list[list[Line]]) -> float:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            sizes[round(ln.size * 2) / 2] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


_PROSE_WORD = re.compile(r"[(\[\"'“‘]?[A-Za-z][a-z]+(?:-[a-z]+)*[)\]\"'”’,.;:!?]*")


def is_prose(text: str) -> bool:
    """Running text: three words or more, and words (letters, with prose punctuation) half its tokens or more."""
    tokens = text.split()
    words = [t for t in tokens if _PROSE_WORD.fullmatch(t)]
    return len(words) >= 3 and len(words) >= 0.5 * len(tokens)


def body_lines_in(box: pymupdf.Rect, lines: list[Line], body_size: float, line_width: float) -> list[Line]:
    """The lines of paragraph text a figure or table box took in: at the body size, one cell (no wide gaps),
    prose, and about as wide as a column; a paragraph's short last line right under such a line comes too.

    A table's cells have wide gaps, a plot's labels are short or no prose; a free-text table's rows (prompts,
    examples) are prose and are kept: text said twice is better than text lost."""
    inside = sorted((ln for ln in lines if ln.horizontal and box.contains((ln.rect.tl + ln.rect.br) * 0.5)),
                    key=lambda x: (x.rect.y0, x.rect.x0))
    kept: list[Line] = []
    for ln in inside:
        if len(ln.cells) > 1 or abs(ln.size - body_size) > 1.0 or not ln.text.strip():
            continue
        if ln.rect.width >= 0.75 * line_width and is_prose(ln.text):
            kept.append(ln)
        elif kept and 0 <= ln.rect.y0 - kept[-1].rect.y1 <= 0.6 * ln.size \
                and abs(ln.rect.x0 - kept[-1].rect.x0) <= 2 and _PROSE_WORD.fullmatch(ln.text.split()[0]):
            kept.append(ln)  # the paragraph's last line
    return kept


def _line_width(pages: list[list[Line]], body_size: float) -> float:
    """The width of a full line of body text (a column's): the median of the wider half of the prose lines."""
    widths = sorted(ln.rect.width for lines in pages for ln in lines
                    if ln.horizontal and abs(ln.size - body_size) <= 0.6 and len(ln.cells) <= 1
                    and is_prose(ln.text))
    return statistics.median(widths[len(widths) // 2:]) if widths else float("inf")


Cut = tuple[pymupdf.Rect, str, set[int]]  # a figure's or table's box, its pointer, the ids of body lines it keeps


def _cuts(pages: list[list[Line]], regions: list[tuple[int, pymupdf.Rect, str]],
          whole: set[str]) -> dict[int, list[Cut]]:
    """Per page, the boxes whose text paper.md leaves out, each with its pointer and the body-text lines it keeps
    (none for the pointers in whole: an algorithm block's lines all come back in its fence)."""
    body_size = _body_size(pages)
    line_width = _line_width(pages, body_size)
    out: dict[int, list[Cut]] = {}
    for pi, rect, text in regions:
        if not 0 <= pi < len(pages):
            continue
        keep = set() if text in whole else {id(ln) for ln in body_lines_in(rect, pages[pi], body_size, line_width)}
        out.setdefault(pi, []).append((rect, text, keep))
    return out


def _shown(pi: int, lines: list[Line], cuts: list[Cut]) -> list[Line]:
    """The lines paper.md shows of a page: those outside every box and the body lines a box keeps, and each box's
    pointer as a line of its own at the box's top."""
    out = [ln for ln in lines
           if not any(id(ln) not in keep and rect.contains((ln.rect.tl + ln.rect.br) * 0.5) for rect, _, keep in cuts)]
    for k, (rect, text, _) in enumerate(cuts):
        if text:
            out.append(Line(page_index=pi, text=text, rect=pymupdf.Rect(rect.x0, rect.y0, rect.x1, rect.y0 + 6),
                            size=6.0, font="", bold=False, italic=False, block=-1 - k))
    return out


def _without_regions(doc: pymupdf.Document, cuts: dict[int, list[Cut]], pages: list[list[Line]]) -> pymupdf.Document:
    """A copy of the document whose figure and table bodies hold one line of text ('[Table 2: cells in
    tables/tab2.md]') instead of their labels, tick marks and cells, which read as noise in running text. Lines of
    body text a box keeps stay where they are."""
    if not cuts:
        return doc
    try:
        work = pymupdf.open("pdf", doc.tobytes(garbage=0, encryption=pymupdf.PDF_ENCRYPT_NONE))
    except (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase):
        try:
            work = pymupdf.open()
            work.insert_pdf(doc)
        except (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase):
            return doc  # a damaged object MuPDF will not copy: read the text with the figures' labels in it
    for pi, items in cuts.items():
        if pi >= work.page_count:
            continue
        page = work[pi]
        lines = pages[pi]
        pointers: list[tuple[pymupdf.Point, str]] = []
        for rect, text, keep in items:
            if not keep:
                page.add_redact_annot(rect, text=text or None, fontsize=6, fill=False, cross_out=False)
                continue
            # line by line, each cut to the middle of its height: MuPDF removes every glyph a redaction touches,
            # and the boxes of neighbouring lines overlap
            gone = [ln.rect for ln in lines if id(ln) not in keep and rect.contains((ln.rect.tl + ln.rect.br) * 0.5)]
            for r in gone:
                h = r.height
                page.add_redact_annot(pymupdf.Rect(r.x0, r.y0 + 0.35 * h, r.x1, r.y1 - 0.35 * h), fill=False,
                                      cross_out=False)
            if text:
                top = min(gone, key=lambda r: (r.y0, r.x0)) if gone else rect
                pointers.append((pymupdf.Point(top.x0, top.y0 + 6), text))
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE,
                              text=pymupdf.PDF_REDACT_TEXT_REMOVE)
        for at, text in pointers:
            page.insert_text(at, text, fontsize=6)
    return work


def _convert(doc: pymupdf.Document, pages: list[list[Line]], shown: list[list[Line]], margins: list[Margins],
             headings: list[Heading], title_rects: list[pymupdf.Rect], vocab: set[str], layout: bool,
             progress: ProgressFn | None) -> FullText:
    by_page: dict[int, list[tuple[pymupdf.Rect, str]]] = {}
    for h in headings:
        if h.rect is not None:
            by_page.setdefault(h.page - 1, []).append((h.rect, "#" * min(h.level + 1, 6) + " "))
    if title_rects:
        by_page.setdefault(0, []).extend((r, "# ") for r in title_rects)
    if layout:
        md_pages, engine = _layout_pages(doc, progress), "pymupdf4llm layout (ONNX)"
    else:
        md_pages, engine = _text_pages(doc, shown, margins, by_page, progress), "lines"
    out = []
    for i, md in enumerate(md_pages):
        md = _fix_hyphens(md, pages[i], margins[i], doc[i].rect, vocab)
        md = plain_math(_CONTROL.sub("", md), *_math_text(pages[i]))
        out.append(_tidy(fix_accents(md)))
    return FullText(pages=out, engine=engine)


def _text_pages(doc: pymupdf.Document, shown: list[list[Line]], margins: list[Margins],
                by_page: dict[int, list[tuple[pymupdf.Rect, str]]], progress: ProgressFn | None) -> list[str]:
    """Every page from the lines already read (page_lines), in reading order, the figure and table boxes' lines
    left out (shown): each line once, and no page read again. A rotated (landscape) page keeps PyMuPDF's block
    order, its lines' boxes being in the unrotated page's frame."""
    out = []
    for i, page in enumerate(doc):
        if page.rotation:
            blocks: dict[int, list[str]] = {}
            for ln in shown[i]:
                blocks.setdefault(ln.block, []).append(_marked_text(ln))
            out.append(_CONTROL.sub("", "\n\n".join(" ".join(b) for b in blocks.values())))
        else:
            out.append(_lines_page(shown[i], margins[i], page.rect, by_page.get(i, [])))
        if progress:
            progress(i + 1, doc.page_count)
    return out


def _layout_pages(doc: pymupdf.Document, progress: ProgressFn | None) -> list[str]:
    import importlib
    import sys

    if sys.modules.get("pymupdf.layout", False) is None:  # kept out at import time (paperkit/__init__.py)
        del sys.modules["pymupdf.layout"]
        for name in [m for m in sys.modules if m.split(".")[0] == "pymupdf4llm"]:
            del sys.modules[name]  # imported without the layout package: legacy mode
    importlib.import_module("pymupdf.layout")
    pymupdf4llm = importlib.import_module("pymupdf4llm")

    chunks = pymupdf4llm.to_markdown(doc, page_chunks=True, header=False, footer=False, use_ocr=False,
                                     force_text=True, show_progress=False)
    if progress:
        progress(doc.page_count, doc.page_count)
    return [c.get("text", "") for c in chunks]


def _marked_text(ln: Line) -> str:
    """A line's text for paper.md: a run-in heading's bold words in **...**, footnote marks as <sup>...</sup>;
    lines with neither, all-bold lines (headings) and small-caps lines keep their text as read."""
    if ln.smallcaps or not ln.spans or all(is_bold_span(sp) for sp in ln.spans if sp["text"].strip()):
        return ln.text
    marks = [bool(sp.get("flags", 0) & pymupdf.TEXT_FONT_SUPERSCRIPT) and bool(sp["text"].strip())
             and not sp.get("cell_break") for sp in ln.spans]
    lead = 0
    while lead < len(ln.spans) and not marks[lead] \
            and (is_bold_span(ln.spans[lead]) or not ln.spans[lead]["text"].strip()):
        lead += 1
    lead_text = clean_text("".join(sp["text"] for sp in ln.spans[:lead]))
    heading = sum(c.isalpha() for c in lead_text) >= 3
    if not any(marks) and not heading:
        return ln.text
    out = [f"**{lead_text}** " if heading else lead_text]
    for sp, mark in zip(ln.spans[lead:], marks[lead:], strict=True):
        out.append(f"<sup>{sp['text'].strip()}</sup>" if mark else sp["text"])
    text = clean_text("".join(out))
    plain = re.sub(r"\*\*|</?sup>", "", text).replace(" ", "")
    return text if plain == ln.text.replace(" ", "") else ln.text  # rebuilt differently (small caps): as read


def _lines_page(lines: list[Line], m: Margins, page_rect: pymupdf.Rect,
                heads: list[tuple[pymupdf.Rect, str]]) -> str:
    """A page's lines in reading order as Markdown: paragraphs by PyMuPDF block, a word broken at a line's end
    joined, headings marked, run-in headings in bold, footnote marks as superscripts."""
    parts: list[str] = []
    prev_block = None
    prev_head: pymupdf.Rect | None = None
    for ln in reading_order(lines, page_rect.width):
        if not m.keeps(ln.rect, page_rect):
            continue
        cx, cy = (ln.rect.x0 + ln.rect.x1) * 0.5, (ln.rect.y0 + ln.rect.y1) * 0.5
        hit = next(((r, t) for r, t in heads if r.x0 - 1 <= cx < r.x1 + 1 and r.y0 - 1 <= cy < r.y1 + 1), None)
        if hit:
            # a heading's second line; the title's lines are boxes of their own
            if parts and parts[-1] == "\n\n" and prev_head is not None and (prev_head is hit[0] or hit[1] == "# "):
                parts[-2] = parts[-2] + " " + ln.text  # the heading's second line
            else:
                parts.extend([f"\n\n{hit[1]}{ln.text}", "\n\n"])
            prev_head, prev_block = hit[0], None
            continue
        prev_head = None
        if prev_block is not None and ln.block != prev_block:
            parts.append("\n\n")
        elif parts and re.search(r"[A-Za-z]-$", parts[-1]) and re.match(r"[a-z]", ln.text):
            parts[-1] = parts[-1][:-1]  # a word broken at the line's end: joined, _fix_hyphens puts a real hyphen back
            parts.append(_marked_text(ln))
            prev_block = ln.block
            continue
        elif parts and not parts[-1].endswith("\n"):
            parts.append("\n\n" if _EQUATION_END.search(parts[-1]) else "\n")  # a numbered display ends there
        parts.append(_marked_text(ln))
        prev_block = ln.block
    return "".join(parts)


_EQUATION_END = re.compile(r"\(\s*(?:\d{1,3}[a-z]?|[A-Z]\.?\d{1,3}(?:\.\d{1,3})*[a-z]?)\s*\)$")


def _fix_hyphens(md: str, lines: list[Line], m: Margins, page_rect: pymupdf.Rect, vocab: set[str]) -> str:
    """pymupdf4llm drops every line-end hyphen; put back those the paper spells with one ('high-order')."""
    order = [ln for ln in reading_order(lines, page_rect.width) if m.keeps(ln.rect, page_rect)]
    for a, b in itertools.pairwise(order):
        ma = re.search(r"([A-Za-z]+)-$", a.text)
        mb = re.match(r"([A-Za-z]+)", b.text)
        if ma and mb and keep_hyphen(ma.group(1), mb.group(1), vocab):
            wrong = ma.group(1) + mb.group(1)
            md = re.sub(rf"\b{re.escape(wrong)}\b", f"{ma.group(1)}-{mb.group(1)}", md, count=1)
    return md


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # glyphs a font maps to no character
_EMPHASIS = re.compile(r"(?<![\w\\])_(?=[^\s_])([^_\n]*?[^\s_])_(?!\w)")
_RUN = re.compile(r"[A-Za-z0-9]+")


@functools.cache
def _math_font(font: str) -> bool:
    return bool(MATH_FONT.search(font))


def _math_text(lines: list[Line]) -> tuple[set[str], str]:
    """What the page sets in math fonts: its tokens, and all of it run together line by line ('d' 'k' -> 'dk')."""
    tokens: set[str] = set()
    runs: list[str] = []
    for ln in lines:
        run = []
        for sp in ln.spans:
            if _math_font(sp.get("font", "")):
                tokens.update(_RUN.findall(sp["text"]))
                run.append(sp["text"].replace(" ", ""))
            elif run:
                runs.append("".join(run))
                run = []
        runs.append("".join(run))
    return tokens, "|".join(r for r in runs if r)


def plain_math(md: str, math_tokens: set[str], math_run: str) -> str:
    """Emphasis marks off math: pymupdf4llm writes every italic span as _x_, so each math letter of a formula
    ('_Wq_', '_Q, K, V_', '_dk_') is wrapped in underscores. An emphasis whose letters are all math (set in a math
    font on this page, or one or two letters long), or that holds an operator ('_E = X W + P_'), loses its marks;
    italics in prose ('_Scaled Dot-Product Attention_') keep them."""
    def unwrap(m: re.Match[str]) -> str:
        inner = m.group(1)
        if re.search(r"[=^+×·∑√∈≤≥]", inner):
            return inner  # a formula set in a text italic: no emphasis either
        for run in _RUN.findall(inner):
            if len(run) > 2 and run not in math_tokens and run not in math_run:
                return m.group(0)
        return inner

    return _EMPHASIS.sub(unwrap, md)


_FENCE = re.compile(r"^\s*```")
_STARTS_BLOCK = re.compile(r"^\s*(?:#{1,6}\s|[-*+•]\s|\d{1,2}[.)]\s|\||>|<!--|```|\$\$|\[(?:Table|Figure) )")
_ENDS_BLOCK = re.compile(r"^\s*(?:#{1,6}\s|\||<!--|```|\$\$|\[(?:Table|Figure) )")  # nothing runs on after these


def _tidy(md: str) -> str:
    """Headings without emphasis marks, paragraphs on one line each, no runs of blank lines."""
    out_lines: list[str] = []
    in_code = False
    for raw in md.replace("\r", "").split("\n"):
        line = raw.rstrip()
        if _FENCE.match(line):
            in_code = not in_code
            out_lines.append(line)
            continue
        if in_code:
            out_lines.append(line)
            continue
        hm = re.match(r"^(#{1,6})\s+(.*)$", line)
        if hm:
            text = re.sub(r"\*\*|__|(?<!\w)_|_(?!\w)|`", "", hm.group(2))
            text = re.sub(r"\s+", " ", text).strip()
            line = f"{hm.group(1)} {text}"
            out_lines.append("")
            out_lines.append(line)
            out_lines.append("")
            continue
        prev = out_lines[-1] if out_lines else ""
        if line.strip() and prev.strip() and not _STARTS_BLOCK.match(line) and not _ENDS_BLOCK.match(prev):
            out_lines[-1] = prev + " " + line.strip()
        else:
            out_lines.append(line)
    text = _join_broken_paragraphs("\n".join(out_lines))
    text = re.sub(r"\*\*\s*\*\*", " ", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _join_broken_paragraphs(text: str) -> str:
    """A sentence cut by a column break or a line starting with '[16]' is one paragraph, not two."""
    paras = text.split("\n\n")
    out: list[str] = []
    for p in paras:
        prev = out[-1] if out else ""
        if (prev and p and not _ENDS_BLOCK.match(prev) and not _STARTS_BLOCK.match(p)
                and re.search(r"[a-z,;(\-]$", prev.rstrip()) and re.match(r"\s*(?:\[\d|[a-z(])", p)):
            out[-1] = prev.rstrip() + " " + p.lstrip()
        else:
            out.append(p)
    return "\n\n".join(out)
