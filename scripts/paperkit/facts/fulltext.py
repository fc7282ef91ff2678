"""The paper's full text as Markdown in reading order, one page marker per page, for the agent to read and cite.

pymupdf4llm (bundled with PyMuPDF 2.x) does the conversion page by page. Its default layout mode runs an ONNX
layout model at about 0.3-0.45 s a page, too slow for the 5-second budget of a 15-page paper on two cores, so the
default here is its rule-based path (about 0.05 s a page) with our own heading list, running heads, footers,
page numbers and margin stamps cut off, and line-end hyphens decided against the paper's own vocabulary.
`layout=True` switches the ONNX model on. Pages that are mostly formula fragments (hundreds of text blocks) make
the rule-based path's column finder quadratic; those pages are read line by line in column order instead.
"""
from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pymupdf

from .outline import Heading
from .textlines import Line, Margins, fix_accents, keep_hyphen, reading_order

MAX_BLOCKS_FOR_COLUMNS = 150
ProgressFn = Callable[[int, int], None]
PAGE_MARKER = "<!-- page {n} -->"
_WORD = re.compile(r"[A-Za-z0-9][\w'’\-]*")


@dataclass
class FullText:
    pages: list[str]  # Markdown of each page, without markers
    engine: str  # what converted the pages

    def markdown(self, source: str = "paper.pdf") -> str:
        head = (f"<!-- paper.md written by paper_info.py from {source}: the full text in reading order, "
                "one page marker per page; cite pages by them -->\n")
        body = "\n\n".join(f"{PAGE_MARKER.format(n=i + 1)}\n\n{md.strip()}\n" for i, md in enumerate(self.pages))
        return head + "\n" + body

    def word_count(self) -> int:
        return sum(len(_WORD.findall(_strip_markup(p))) for p in self.pages)


def _strip_markup(md: str) -> str:
    md = re.sub(r"<!--.*?-->", " ", md, flags=re.DOTALL)
    md = re.sub(r"\]\([^)]*\)", "]", md)  # link targets
    md = re.sub(r"</?(?:sup|sub|mark|u)>", "", md)
    return re.sub(r"[*_`#>|\[\]]", " ", md)


@contextlib.contextmanager
def _fast_rag_flags() -> Iterator[None]:
    """pymupdf4llm's rule-based path asks MuPDF to collect styles, which costs up to a second a page on some papers
    and only serves strike-out/underline/highlight marks we do not want; it also sets the table finder's flags.
    Both are module globals, restored on the way out."""
    old_styles = pymupdf.TEXT_COLLECT_STYLES
    old_table_flags = getattr(pymupdf.table, "FLAGS", None)
    pymupdf.TEXT_COLLECT_STYLES = 0
    try:
        yield
    finally:
        pymupdf.TEXT_COLLECT_STYLES = old_styles
        if old_table_flags is not None:
            pymupdf.table.FLAGS = old_table_flags


def convert(doc: pymupdf.Document, pages: list[list[Line]], margins: list[Margins], headings: list[Heading],
            title_rects: list[pymupdf.Rect], vocab: set[str], *, layout: bool = False,
            regions: list[tuple[int, pymupdf.Rect, str]] | None = None, title: str = "",
            progress: ProgressFn | None = None) -> FullText:
    """Markdown for every page: headings marked from the outline, running heads and page numbers cut off, the
    text inside figure and table bodies (regions: 0-based page, box, what to say instead) replaced by a pointer."""
    work = _without_regions(doc, regions or [])
    try:
        text = _convert(work, pages, margins, headings, title_rects, vocab, layout, progress)
    finally:
        if work is not doc:
            work.close()
    squash = lambda t: re.sub(r"[^a-z0-9]", "", t.lower())  # noqa: E731
    if title and text.pages and squash(title) not in squash(text.pages[0]):
        text.pages[0] = f"# {title}\n\n{text.pages[0]}"  # the layout model files the title under page headers
    return text


def _without_regions(doc: pymupdf.Document, regions: list[tuple[int, pymupdf.Rect, str]]) -> pymupdf.Document:
    """A copy of the document whose figure and table bodies hold one line of text ('[Table 2: cells in
    tables/tab2.md]') instead of their labels, tick marks and cells, which read as noise in running text."""
    if not regions:
        return doc
    try:
        work = pymupdf.open("pdf", doc.tobytes(garbage=0, encryption=pymupdf.PDF_ENCRYPT_NONE))
    except (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase):
        try:
            work = pymupdf.open()
            work.insert_pdf(doc)
        except (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase):
            return doc  # a damaged object MuPDF will not copy: read the text with the figures' labels in it
    by_page: dict[int, list[tuple[pymupdf.Rect, str]]] = {}
    for pi, rect, text in regions:
        if 0 <= pi < work.page_count:
            by_page.setdefault(pi, []).append((rect, text))
    for pi, items in by_page.items():
        page = work[pi]
        for rect, text in items:
            page.add_redact_annot(rect, text=text or None, fontsize=6, fill=False, cross_out=False)
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE,
                              text=pymupdf.PDF_REDACT_TEXT_REMOVE)
    return work


def _convert(doc: pymupdf.Document, pages: list[list[Line]], margins: list[Margins], headings: list[Heading],
             title_rects: list[pymupdf.Rect], vocab: set[str], layout: bool,
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
        md_pages, engine = _rag_pages(doc, pages, margins, by_page, progress), "pymupdf4llm"
    out = []
    for i, md in enumerate(md_pages):
        md = _fix_hyphens(md, pages[i], margins[i], doc[i].rect, vocab)
        out.append(_tidy(fix_accents(md)))
    return FullText(pages=out, engine=engine)


def _rag_pages(doc: pymupdf.Document, pages: list[list[Line]], margins: list[Margins],
               by_page: dict[int, list[tuple[pymupdf.Rect, str]]], progress: ProgressFn | None) -> list[str]:
    from pymupdf4llm.helpers import pymupdf_rag

    def header_id(span: dict, page: pymupdf.Page | None = None) -> str:
        if page is None:
            return ""
        r = pymupdf.Rect(span["bbox"])
        c = (r.tl + r.br) * 0.5
        for rect, tag in by_page.get(page.number, []):
            if (rect + (-1, -1, 1, 1)).contains(c):
                return tag
        return ""

    out = []
    with _fast_rag_flags():
        for i, page in enumerate(doc):
            m = margins[i]
            blocks = len({ln.block for ln in pages[i]})
            if page.rotation:  # a landscape page (wide tables): pymupdf4llm reads nothing there; plain blocks
                out.append("\n\n".join(b[4].strip() for b in page.get_text("blocks", sort=True) if b[4].strip()))
            elif blocks > MAX_BLOCKS_FOR_COLUMNS:
                out.append(_lines_page(pages[i], m, page.rect, by_page.get(i, [])))
            else:
                md = pymupdf_rag.to_markdown(
                    doc, pages=[i], hdr_info=header_id, margins=(m.left, m.top, m.right, m.bottom),
                    table_strategy=None, ignore_images=True, ignore_graphics=True, detect_bg_color=False,
                    force_text=True, write_images=False, embed_images=False, show_progress=False,
                    ignore_code=True)
                out.append(md)
            if progress:
                progress(i + 1, doc.page_count)
    return out


def _layout_pages(doc: pymupdf.Document, progress: ProgressFn | None) -> list[str]:
    import pymupdf4llm

    chunks = pymupdf4llm.to_markdown(doc, page_chunks=True, header=False, footer=False, use_ocr=False,
                                     force_text=True, show_progress=False)
    if progress:
        progress(doc.page_count, doc.page_count)
    return [c.get("text", "") for c in chunks]


def _lines_page(lines: list[Line], m: Margins, page_rect: pymupdf.Rect,
                heads: list[tuple[pymupdf.Rect, str]]) -> str:
    """A formula-heavy page read line by line in column order: paragraphs by PyMuPDF block, headings marked."""
    parts: list[str] = []
    prev_block = None
    prev_head: pymupdf.Rect | None = None
    for ln in reading_order(lines, page_rect.width):
        if not m.keeps(ln.rect, page_rect):
            continue
        hit = next(((r, t) for r, t in heads if (r + (-1, -1, 1, 1)).contains((ln.rect.tl + ln.rect.br) * 0.5)),
                   None)
        if hit:
            if parts and parts[-1] == "\n\n" and prev_head is hit[0]:
                parts[-2] = parts[-2] + " " + ln.text  # the heading's second line
            else:
                parts.extend([f"\n\n{hit[1]}{ln.text}", "\n\n"])
            prev_head, prev_block = hit[0], None
            continue
        prev_head = None
        if prev_block is not None and ln.block != prev_block:
            parts.append("\n\n")
        elif parts and not parts[-1].endswith("\n"):
            parts.append("\n")
        parts.append(ln.text)
        prev_block = ln.block
    return "".join(parts)


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
