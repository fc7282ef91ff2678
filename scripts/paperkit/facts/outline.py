"""The paper's section outline: level, number, title and page of every heading.

Headings are found by their looks (bold or larger than the body text, a line of their own, numbered like
"1 Introduction", "2.1 ...", "A Appendix", "IV. RESULTS", or one of the usual unnumbered names), checked for a
sensible numbering sequence, then merged with the PDF's bookmarks (doc.get_toc()) when it has them: bookmarks
give the structure, the page gives the printed number, title and place.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import pymupdf

from ..figures.naming import roman_to_int
from .textlines import Line, Margins, clean_text, is_bold_span, reading_order

KNOWN_UNNUMBERED = re.compile(
    r"^(?:abstract|introduction|related work|background|preliminaries|method|methods|methodology|approach|"
    r"experiments?|experimental (?:setup|results|evaluation)|results|evaluation|discussion|analysis|"
    r"conclusions?|conclusions? and future work|summary|future work|limitations|broader impacts?|"
    r"ethics statement|reproducibility statement|acknowledge?ments?|references|bibliography|"
    r"appendix|appendices|supplementary materials?|author contributions)$",
    re.IGNORECASE)
REFERENCES = re.compile(r"^(?:\d+\.?\s+)?(?:references|bibliography|literature cited)$", re.IGNORECASE)
_NUMBERED = re.compile(
    r"^(?P<num>(?:\d{1,2}|[A-Z]|[IVX]{1,5})(?:\.\d{1,2}){0,3})(?P<dot>[.:]?)\s+(?P<title>[A-Z0-9(“\"'][^\n]*)$")
_CAPTION = re.compile(r"^(?:fig(?:ure)?|table|tab|algorithm|alg|listing|eq|equation)\.?\s*[A-Z]?\d", re.IGNORECASE)


@dataclass
class Heading:
    level: int
    number: str
    title: str
    page: int  # 1-based
    rect: pymupdf.Rect | None = field(default=None, repr=False)
    style: tuple = field(default=(), repr=False)

    def as_dict(self) -> dict:
        return {"level": self.level, "number": self.number, "title": self.title, "page": self.page}


def _style(ln: Line) -> tuple:
    family = re.sub(r"[-,+].*$", "", ln.font)
    return (round(ln.size * 2) / 2, ln.bold, ln.italic, family)


def _heading_looks(ln: Line, body: float, numbered: bool) -> bool:
    if ln.bold or ln.size >= body + 0.9 or ln.smallcaps:
        return True
    if numbered and ln.italic:
        return True  # IEEE subsections: "A. Embedding Layer" in italics
    letters = [c for c in ln.text if c.isalpha()]
    return numbered and len(letters) >= 4 and all(c.isupper() for c in letters)


def _candidate(ln: Line, body: float, page_rect: pymupdf.Rect) -> tuple[str, str] | None:
    """(number, title) when the line looks like a heading, else None."""
    if not ln.horizontal or ln.size < body - 1.2:
        return None  # footnotes, figure labels
    text = clean_text(ln.text_dropping_marks() if ln.spans else ln.text)
    if not 2 <= len(text) <= 90 or _CAPTION.match(text) or "@" in text:
        return None
    if sum(c.isalpha() for c in text) < 3 or len(text.split()) > 14:
        return None
    m = _NUMBERED.match(text)
    if m:
        num, title = m.group("num"), m.group("title").strip()
        if re.fullmatch(r"[A-Z]", num) and not m.group("dot") and len(title.split()) > 8:
            return None
        if title.endswith((",", ";")) or re.search(r"\d{3,}", title) or sum(c.isdigit() for c in title) > 4:
            return None
        if _heading_looks(ln, body, True):
            return num, title.rstrip(".")
        return None
    if text.endswith((".", ",", ";", ":")) and not KNOWN_UNNUMBERED.match(text.rstrip(".:")):
        return None
    if _heading_looks(ln, body, False):
        return "", text.rstrip(".:")
    return None


def _uniform(ln: Line) -> bool:
    """Whether the whole line is set in one style (a heading), not a bold run-in lead followed by body text."""
    total = sum(sum(c.isalpha() for c in s["text"]) for s in ln.spans)
    if not total:
        return False
    same = sum(sum(c.isalpha() for c in s["text"]) for s in ln.spans
               if abs(s["size"] - ln.size) < 0.6 or s["size"] < ln.size * 0.8)
    bold = sum(sum(c.isalpha() for c in s["text"]) for s in ln.spans if is_bold_span(s))
    return same >= 0.9 * total and (not ln.bold or bold >= 0.9 * total)


def detect_headings(pages: list[list[Line]], margins: list[Margins], page_rects: list[pymupdf.Rect],
                    body: float, skip: dict[int, list[pymupdf.Rect]] | None = None) -> list[Heading]:
    """Headings found by their looks, numbering checked, in document order."""
    skip = skip or {}
    raw: list[Heading] = []
    for i, lines in enumerate(pages):
        pr = page_rects[i]
        order = [ln for ln in reading_order(lines, pr.width) if margins[i].keeps(ln.rect, pr)
                 and not any(ln.rect.intersects(r) for r in skip.get(i, []))]
        k = 0
        while k < len(order):
            ln = order[k]
            k += 1
            c = _candidate(ln, body, pr)
            if c is None or not _uniform(ln):
                continue
            num, title = c
            rect = pymupdf.Rect(ln.rect)
            # a heading wrapped over two or three lines: same style, right below, not a heading of its own
            wraps = ln.bold or ln.size >= body + 0.9  # only a heading set apart from the body can run on
            while wraps and k < len(order) and len(title) < 160:
                nxt = order[k]
                if (_style(nxt) != _style(ln) or nxt.smallcaps != ln.smallcaps or nxt.rect.y0 < rect.y0
                        or nxt.rect.y1 - rect.y1 > ln.size * 1.6 or _NUMBERED.match(nxt.text) or not _uniform(nxt)
                        or len(nxt.text) > 90):
                    break
                title = clean_text(title + " " + nxt.text_dropping_marks()).rstrip(".:")
                rect |= nxt.rect
                k += 1
            raw.append(Heading(level=0, number=num, title=title, page=i + 1, rect=rect, style=_style(ln)))
    return _check_numbering(raw, body)


def _depth(num: str) -> int:
    return num.count(".") + 1


def _check_numbering(raw: list[Heading], body: float) -> list[Heading]:
    roman_top = sum(1 for h in raw if re.fullmatch(r"[IVX]+", h.number) and h.number != "I") >= 2 or any(
        h.number == "I" and re.match(r"introduction", h.title, re.I) for h in raw)
    out: list[Heading] = []
    top_seen: list[str] = []  # numbers of accepted top-level sections, in order
    current_top = ""
    sub_seen: dict[str, list[str]] = {}
    for h in raw:
        num = h.number
        if not num:
            out.append(h)
            continue
        if roman_top and re.fullmatch(r"[IVX]+", num):
            level, key = 1, roman_to_int(num)
        elif roman_top and re.fullmatch(r"[A-Z]", num):
            level, key = 2, ord(num) - 64
        elif re.fullmatch(r"[A-Z](?:\.\d+)*", num) and not roman_top:
            level, key = _depth(num), None  # appendix A, A.1
        elif re.fullmatch(r"\d+(?:\.\d+)*", num):
            level, key = _depth(num), None
        else:
            continue
        if level == 1:
            if not _next_top(num, top_seen, roman_top):
                continue
            top_seen.append(num)
            current_top = num
        else:
            parent = num.rsplit(".", 1)[0] if "." in num else current_top
            orphan = parent != current_top and not (roman_top and level == 2)
            if orphan and not (level == 3 and parent in sub_seen.get(current_top, [])):
                continue
            sub_seen.setdefault(current_top, []).append(num)
        _ = key
        h.level = level
        out.append(h)
    # unnumbered headings: in a numbered paper only the usual names (Abstract, References, Acknowledgments);
    # in an unnumbered one, lines set larger than the body text, and body-size bold lines below them
    any_numbered = sum(1 for h in out if h.number) >= 2
    final: list[Heading] = []
    top_sizes = [h.style[0] for h in out if not h.number and h.style and h.style[0] >= body + 1.5]
    for h in out:
        if h.number:
            final.append(h)
            continue
        name = re.sub(r"\s+", " ", h.title).strip()
        if KNOWN_UNNUMBERED.match(name) or re.match(r"^appendix\b", name, re.IGNORECASE):
            h.level = 1
            final.append(h)
        elif any_numbered or not name[:1].isupper() or len(name.split()) > 10:
            continue
        elif h.style[0] >= body + 1.5:
            h.level = 1
            final.append(h)
        elif top_sizes and h.style[1] and h.style[0] >= body - 0.2:
            h.level = 2
            final.append(h)
    return _dedupe(final)


def _next_top(num: str, seen: list[str], roman_top: bool) -> bool:
    """Whether num can follow the top-level sections seen so far (1, 2, 3 ...; then appendices A, B ...)."""
    if num in seen:
        return False
    if re.fullmatch(r"\d+", num):
        n = int(num)
        digits = [int(s) for s in seen if s.isdigit()]
        if any(re.fullmatch(r"[A-Z]", s) for s in seen):
            return False
        last = max(digits, default=0)
        return last < n <= last + 2
    if roman_top and re.fullmatch(r"[IVX]+", num):
        n = roman_to_int(num)
        last = max((roman_to_int(s) for s in seen if re.fullmatch(r"[IVX]+", s)), default=0)
        return last < n <= last + 2
    if re.fullmatch(r"[A-Z]", num):
        letters = [s for s in seen if re.fullmatch(r"[A-Z]", s)]
        if not letters:
            return num in ("A", "B") and bool(seen)
        return ord(num) == ord(letters[-1]) + 1
    return False


def _dedupe(hs: list[Heading]) -> list[Heading]:
    out: list[Heading] = []
    seen: set[tuple[str, str]] = set()
    for h in hs:
        key = (h.number, h.title.lower())
        if key in seen:
            continue
        seen.add(key)
        out.append(h)
    return out


# ----------------------------------------------------------------------------------------------- bookmarks

def _split_number(title: str) -> tuple[str, str]:
    m = re.match(r"^((?:\d{1,2}|[A-Z]|[IVX]{1,5})(?:\.\d{1,2}){0,3})[.:]?\s+(\S.*)$", title.strip())
    if m and (not re.fullmatch(r"[A-Z]", m.group(1)) or len(m.group(2).split()) <= 8):
        return m.group(1), m.group(2)
    return "", title.strip()


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def merge_with_toc(toc: list[list], detected: list[Heading], pages: list[list[Line]],
                   margins: list[Margins], page_rects: list[pymupdf.Rect]) -> list[Heading]:
    """Bookmarks give the structure; each entry takes its printed number, title and page from the heading line
    it names. Unnumbered headings the bookmarks leave out (Abstract, References) are added where they stand."""
    out: list[Heading] = []
    used: set[int] = set()
    for entry in toc:
        level, title, page = int(entry[0]), clean_text(str(entry[1])), int(entry[2])
        if not title:
            continue
        num, name = _split_number(title)
        key = _norm(name)
        match = None
        for j, h in enumerate(detected):
            if j in used or abs(h.page - page) > 1:
                continue
            if _norm(h.title) == key or (key and _norm(h.title).startswith(key)) or (
                    len(key) > 12 and key.startswith(_norm(h.title))):
                match = j
                break
        if match is not None:
            used.add(match)
            h = detected[match]
            out.append(Heading(level=level, number=h.number or num, title=h.title, page=h.page, rect=h.rect,
                               style=h.style))
            continue
        line = _find_line(key, page, pages, margins, page_rects)
        if line is not None:
            n2, t2 = _split_number(line.text)
            printed = t2 if _norm(t2) == key else name
            out.append(Heading(level=level, number=num or n2, title=printed, page=line.page_index + 1,
                               rect=line.rect))
        else:
            out.append(Heading(level=level, number=num, title=name, page=max(page, 1)))
    for j, h in enumerate(detected):
        if j in used or h.number or not KNOWN_UNNUMBERED.match(h.title):
            continue
        if any(_norm(o.title) == _norm(h.title) for o in out):
            continue
        h.level = 1
        out.append(h)
    return _in_reading_order(out, page_rects)


def _in_reading_order(hs: list[Heading], page_rects: list[pymupdf.Rect]) -> list[Heading]:
    """Within a page: left column before right column (two-column papers). An entry whose place on the page is
    unknown keeps its place after the entry before it (the bookmarks' order)."""
    keys: list[tuple] = []
    prev: tuple = (0, -1, -1.0, 0)
    for i, h in enumerate(hs):
        if h.rect is None:
            k = (h.page, -1, -1.0, i) if prev[0] != h.page else (*prev[:3], i)
        else:
            mid = page_rects[h.page - 1].width / 2
            col = 0 if h.rect.x1 <= mid + 20 or h.rect.x0 < mid - 20 else 1
            k = (h.page, col, h.rect.y0, i)
        keys.append(k)
        prev = k
    return [h for _, h in sorted(zip(keys, hs, strict=True), key=lambda kh: kh[0])]


def _find_line(key: str, page: int, pages: list[list[Line]], margins: list[Margins],
               page_rects: list[pymupdf.Rect]) -> Line | None:
    if not key:
        return None
    for p in (page - 1, page - 2, page):
        if not 0 <= p < len(pages):
            continue
        for ln in pages[p]:
            if not ln.horizontal or len(ln.text) > 120 or not margins[p].keeps(ln.rect, page_rects[p]):
                continue
            _, t = _split_number(ln.text)
            lead = re.split(r"\s*[—–:.]\s*", t, maxsplit=1)[0]  # "Abstract—Sequential dynamics ..."
            if _norm(t) == key or _norm(lead) == key or (len(key) > 8 and _norm(t).startswith(key)):
                return ln
    return None


def build_outline(doc: pymupdf.Document, pages: list[list[Line]], margins: list[Margins], body: float,
                  skip: dict[int, list[pymupdf.Rect]] | None = None) -> list[Heading]:
    """The outline: bookmarks merged with detected headings when the PDF has bookmarks, else detected headings."""
    from .metadata import front_matter  # the title and the author block are no section headings

    rects = [p.rect for p in doc]
    skip = {k: list(v) for k, v in (skip or {}).items()}
    title_rects, above_abstract = front_matter(doc)
    skip.setdefault(0, []).extend(title_rects + ([above_abstract] if above_abstract is not None else []))
    detected = detect_headings(pages, margins, rects, body, skip)
    detected = _in_reading_order(detected, rects)
    toc = [e for e in doc.get_toc(simple=True) if e[1] and str(e[1]).strip()]
    if len(toc) >= 3:
        return merge_with_toc(toc, detected, pages, margins, rects)
    return detected


def count_references(pages: list[list[Line]], margins: list[Margins], page_rects: list[pymupdf.Rect],
                     outline: list[Heading]) -> int:
    """Entries in the reference list: the highest [n] when numbered, else the lines that start an entry
    (hanging indent, or extra space above when entries are not indented)."""
    idx = next((k for k, h in enumerate(outline) if REFERENCES.match(h.title) and h.rect is not None), None)
    if idx is None:
        return 0
    head = outline[idx]
    end = next((h for h in outline[idx + 1:] if h.level == 1 and h.rect is not None), None)
    lines: list[Line] = []
    for p in range(head.page - 1, len(pages)):
        pr = page_rects[p]
        for ln in reading_order(pages[p], pr.width):
            if not margins[p].keeps(ln.rect, pr):
                continue
            if p == head.page - 1 and not _after(ln, head.rect, pr):
                continue
            if end is not None and (p > end.page - 1 or (p == end.page - 1 and _after(ln, end.rect, pr, True))):
                break
            lines.append(ln)
        else:
            continue
        break
    if not lines:
        return 0
    size = sorted(ln.size for ln in lines)[len(lines) // 2]
    lines = [ln for ln in lines if ln.size >= size * 0.8]
    numbers = [int(m.group(1)) for ln in lines if (m := re.match(r"^\s*\[(\d{1,3})\]", ln.text))]
    if len(numbers) >= 3 and max(numbers) <= len(numbers) * 1.5 + 2:
        return max(numbers)
    dotted = [int(m.group(1)) for ln in lines if (m := re.match(r"^\s*(\d{1,3})\.\s+[A-Z]", ln.text))]
    if len(dotted) >= 3 and sorted(dotted) == list(range(1, len(dotted) + 1)):
        return len(dotted)
    count = 0
    groups: dict[tuple[int, int], list[Line]] = {}
    for ln in lines:
        col = 0 if ln.rect.x0 < page_rects[ln.page_index].width / 2 - 10 else 1
        groups.setdefault((ln.page_index, col), []).append(ln)
    for group in groups.values():
        left = min(ln.rect.x0 for ln in group)
        indented = [ln for ln in group if ln.rect.x0 > left + 3]
        if indented:
            count += sum(1 for ln in group if ln.rect.x0 <= left + 1.5)
        else:
            pitches = sorted(b.rect.y1 - a.rect.y1 for a, b in itertools.pairwise(group) if b.rect.y1 > a.rect.y1)
            usual = pitches[len(pitches) // 2] if pitches else size * 1.2
            count += 1 + sum(1 for a, b in itertools.pairwise(group) if b.rect.y1 - a.rect.y1 > usual * 1.3)
    return count


def _after(ln: Line, rect: pymupdf.Rect, pr: pymupdf.Rect, inclusive: bool = False) -> bool:
    """Whether ln comes after the heading at rect in reading order on the same page."""
    mid = pr.width / 2
    col = lambda r: 0 if r.x1 <= mid + 20 else (1 if r.x0 >= mid - 20 else -1)  # noqa: E731
    c_ln, c_h = col(ln.rect), col(rect)
    if c_h == -1 or c_ln == -1 or c_ln == c_h:
        return ln.rect.y0 >= rect.y0 - 1 if inclusive else ln.rect.y0 > rect.y1 - 1
    return c_ln > c_h
