"""Paper facts read off the first page: title, authors, affiliations, venue, year, arXiv id, DOI, abstract, keywords.

Heuristics on font sizes, styles and positions (the title is the largest text near the top; the authors are
the lines between the title and the abstract that look like lists of names), regular expressions for stamps
(arXiv margin stamp, conference footers, ACM reference blocks), the PDF's own metadata only as a hint.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pymupdf

from .textlines import (
    MARK_CHARS,
    Line,
    body_font_size,
    clean_text,
    is_bold_span,
    join_hyphenated,
    page_lines,
    page_text,
    page_vocabulary,
    reading_order,
)

ARXIV_NEW = r"(\d{4}\.\d{4,5})(v\d+)?"
ARXIV_OLD = r"([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?"
_ARXIV_STAMP = re.compile(rf"ar\s?X\s?iv\s*:\s*(?:{ARXIV_NEW}|{ARXIV_OLD})", re.IGNORECASE)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>\]\[(){}]+)")
_TITLE_STAMP = re.compile(
    r"published as|conference paper|proceedings of|^\s*preprint\b|under review|ar\s?xiv\s*:|copyright|©|"
    r"accepted (?:at|to|for|as)|in submission|camera.ready|^vol\.", re.IGNORECASE)
_STAMP_WORDS = re.compile(
    r"published as|conference paper|proceedings|preprint|under review|workshop|arxiv|journal of|copyright|"
    r"accepted (?:at|to|for|as)|in submission|camera.ready|^vol\.|technical report|draft", re.IGNORECASE)
_ABSTRACT = re.compile(r"^\s*a\s?b\s?s\s?t\s?r\s?a\s?c\s?t\s*(?:[.:—–\-]\s*|$)", re.IGNORECASE)
_STOP_AFTER_ABSTRACT = re.compile(
    r"^\s*(?:(?:\d+|[IVX]+)\.?\s+)?(?:introduction|keywords?|key\s?words|index terms|ccs concepts|"
    r"acm reference format|categories and subject descriptors|general terms|additional key words|"
    r"related work|background|preliminaries|motivation)\b",
    re.IGNORECASE)
_KEYWORDS = re.compile(r"^\s*(?:keywords?|key\s?words|index terms|additional key words and phrases)\s*[:.—–\-]?\s*",
                       re.IGNORECASE)
_EMAIL = re.compile(r"@|\bemail\b|e-mail|https?://|www\.", re.IGNORECASE)
_NOTE_WORDS = re.compile(
    r"contribut|equal|corresponding|work (?:was )?done|intern\b|internship|visiting|these authors|advis|"
    r"now at|currently at|listing order|footnote|project lead|correspondence", re.IGNORECASE)
ORG_WORDS = re.compile(
    r"\b(?:univ\.?|university|universit[àäée]t?|universiteit|universidad|universidade|université|institute|institut|inst\.|lab|labs|laboratory|"
    r"laboratories|research|inc\.?|corp\.?|corporation|company|co\.|ltd\.?|llc|gmbh|group|dept\.?|department|"
    r"school|college|academy|center|centre|foundation|hospital|faculty|polytechnic|polytechnique|"
    r"science|sciences|technology|technologies|engineering|google|microsoft|facebook|meta|alibaba|tencent|"
    r"baidu|huawei|amazon|apple|ibm|nvidia|openai|deepmind|brain|team|ai|kaust|eth|epfl|mit|cmu|ucla|"
    r"motors|electronics|robotics|analytics|pharma\w*|studios?|games|holdings|ventures|"
    r"stanford|berkeley|oxford|cambridge|tsinghua|peking|mila|inria|cnrs|max planck|street|road|avenue|"
    r"china|usa|u\.s\.a\.|canada|germany|france|japan|korea|india|uk|united|kingdom|states|singapore|"
    r"israel|switzerland|netherlands|australia|italy|spain)\b",
    re.IGNORECASE)
_NAME_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "la", "le", "du", "dos", "das",
                   "bin", "al", "el", "ibn", "y", "zu", "ter", "ten"}

VENUES = (
    "ICLR", "ICML", "NeurIPS", "NIPS", "CVPR", "ICCV", "ECCV", "ACL", "EMNLP", "NAACL", "COLING", "EACL", "AAAI",
    "IJCAI", "KDD", "WWW", "SIGIR", "CIKM", "WSDM", "RecSys", "ICDM", "ICDE", "UAI", "AISTATS", "COLT", "TPAMI",
    "JMLR", "TACL", "TMLR", "MLSys", "ICASSP", "INTERSPEECH", "SIGGRAPH", "CoRL", "RSS", "ICRA", "IROS", "BMVC",
    "WACV", "MICCAI", "SDM", "ECML", "PAKDD", "DLRS", "VLDB", "SIGMOD", "CHI", "UIST", "MM", "ICASSP", "ICPR",
)


@dataclass
class TitleInfo:
    text: str
    lines: list[Line]


def read_metadata(doc: pymupdf.Document) -> dict:
    """Everything the first page (and the PDF's info dictionary, as a hint) says about the paper; the first page
    is the paper's, after a repository's cover page (ResearchGate, a university archive) where there is one."""
    first = paper_first_page(doc)
    page = doc[first]
    lines = page_lines(page)
    order = reading_order(lines, page.rect.width)
    body = body_font_size(doc, max_pages=4)
    vocab = set().union(*(page_vocabulary(doc[i]) for i in range(min(4, doc.page_count))))
    page1_text = "\n".join(ln.text for ln in lines)

    abstract_line = _find_abstract_heading(order)
    title_lines = lines
    if abstract_line is not None and abstract_line.rect.y0 < page.rect.height * 0.7:
        # the title stands above the abstract: large text in a figure beside or below it is no title
        title_lines = [ln for ln in lines if ln.rect.y1 <= abstract_line.rect.y0 + 1]
    title = find_title(title_lines, page.rect, hint=(doc.metadata or {}).get("title") or "", vocab=vocab)
    if title is None and title_lines is not lines:
        title = find_title(lines, page.rect, hint=(doc.metadata or {}).get("title") or "", vocab=vocab)
    authors, affiliations, front_bottom = find_authors(lines, title, abstract_line, page.rect, body)
    abstract = find_abstract(order, abstract_line, vocab) if abstract_line else ""
    if not abstract and doc.page_count > first + 1:
        nxt = doc[first + 1]
        order2 = reading_order(page_lines(nxt), nxt.rect.width)
        a2 = _find_abstract_heading(order2)
        if a2 is not None and a2.rect.y0 < nxt.rect.height * 0.5:
            abstract = find_abstract(order2, a2, vocab)
    if not abstract and abstract_line is None and authors:
        abstract = find_headless_abstract(order, front_bottom, page.rect, vocab)
    arxiv_id, arxiv_version = find_arxiv(lines)
    arxiv_date = find_arxiv_date(lines)
    venue, venue_text, venue_year = find_venue(lines, page.rect)
    stamp_year = int(arxiv_date[-4:]) if arxiv_date else None
    year = venue_year or _copyright_year(page1_text) or stamp_year or _arxiv_year(arxiv_id)
    return {
        "title": title.text if title else "",
        "authors": authors,
        "affiliations": affiliations,
        "venue": venue,
        "venue_text": venue_text,
        "year": year,
        "arxiv_id": arxiv_id,
        "arxiv_version": arxiv_version,
        "arxiv_date": arxiv_date,
        "doi": find_doi(page1_text),
        "abstract": abstract,
        "keywords": find_keywords(order, vocab),
    }


# ----------------------------------------------------------------------------------------------- cover pages

_COVER = (
    re.compile(r"see discussions, stats,? and author profiles for this publication", re.I),
    re.compile(r"researchgate\.net/publication", re.I),
    re.compile(r"all content following this page was uploaded by", re.I),
    re.compile(r"citation for published version", re.I),
    re.compile(r"take\s*down policy", re.I),
    re.compile(r"^\s*general rights\s*$", re.I | re.M),
    re.compile(r"link to publication", re.I),
    re.compile(r"document version\s*:?", re.I),
    re.compile(r"this version is available at", re.I),
    re.compile(r"(?:downloaded|retrieved) from\b.{0,80}(?:repository|archive|eprints|escholarship|handle\.net)",
               re.I),
    re.compile(r"research (?:online|repository|portal|explorer)\b", re.I),
    re.compile(r"(?:deposited|archived) (?:in|on)\b", re.I),
    re.compile(r"please cite the original version", re.I),
)


def paper_first_page(doc: pymupdf.Document) -> int:
    """0, or 1 when page 1 is a repository's cover sheet (ResearchGate's, a university archive's) in front of
    the paper: two or more of the phrases such sheets print, and a page after it."""
    if doc.page_count < 2:
        return 0
    text = page_text(doc[0])
    hits = sum(1 for rx in _COVER if rx.search(text))
    return 1 if hits >= 2 else 0


# ----------------------------------------------------------------------------------------------- title

def _display_size(ln: Line) -> float:
    return max([s["size"] for s in ln.spans if any(c.isalpha() for c in s["text"])] or [ln.size])


def _is_stamp(ln: Line, page_rect: pymupdf.Rect) -> bool:
    """A conference stamp or running head, not a title: strong stamp words anywhere, weaker ones ('technical
    report', 'workshop', 'draft') only in the head band, where a title that uses them never stands."""
    if _TITLE_STAMP.search(ln.text):
        return True
    return bool(_STAMP_WORDS.search(ln.text)) and ln.rect.y1 < page_rect.height * 0.1


def _journal_masthead(lines: list[Line]) -> pymupdf.Rect | None:
    """The masthead box of Elsevier-style journals ('Contents lists available at ScienceDirect' down to 'journal
    homepage: ...'), whose journal name is set larger than the title."""
    top = next((ln for ln in lines if re.match(r"\s*contents lists available at", ln.text, re.I)), None)
    bottom = next((ln for ln in lines if re.match(r"\s*journal homepage", ln.text, re.I)), None)
    if top is None or bottom is None or bottom.rect.y1 <= top.rect.y0:
        return None
    return pymupdf.Rect(0, top.rect.y0 - 1, 10_000, bottom.rect.y1 + 1)


def find_title(lines: list[Line], page_rect: pymupdf.Rect, hint: str = "",
               vocab: set[str] | None = None) -> TitleInfo | None:
    """The largest text in the upper half of page 1 (stamps, running heads and journal mastheads aside), all its
    lines; a word broken at a line end is joined ('Dis-' + 'entangled'), an author line below is left out."""
    masthead = _journal_masthead(lines)
    cands = [ln for ln in lines if ln.horizontal and ln.rect.y1 < page_rect.height * 0.55
             and sum(c.isalpha() for c in ln.text) >= 2 and not _is_stamp(ln, page_rect)
             and ln.rect.x0 > page_rect.width * 0.06
             and not (masthead is not None and masthead.contains(ln.rect))]
    if not cands:
        return None
    top = max(_display_size(ln) for ln in cands)
    big = sorted((ln for ln in cands if _display_size(ln) >= top - 0.6), key=lambda ln: (ln.rect.y0, ln.rect.x0))
    first = big[0]
    chosen = [first]
    for ln in big[1:]:
        gap = ln.rect.y0 - chosen[-1].rect.y1
        below = gap < top * 1.6 and not _same_row(ln, chosen[-1])
        beside = _same_row(ln, chosen[-1]) and ln.rect.x0 >= chosen[-1].rect.x1 - 1
        if not (below or beside) or _author_line_under_title(ln, first, gap):
            break
        chosen.append(ln)
    parts = [p for p in (_strip_title_marks(ln, top) for ln in chosen) if p]
    text = ""
    for p in parts:
        if re.search(r"[^\W\d_]-$", text) and p[:1].isalpha():
            text = join_hyphenated(text, p, vocab or set())
        else:
            text = f"{text} {p}" if text else p
    text = clean_text(text)
    text = re.sub(r"\s*[" + re.escape(MARK_CHARS) + r"]+$", "", text).strip()
    if hint and _norm(hint) == _norm(text) and text.isupper() and not hint.isupper():
        text = clean_text(hint)  # the PDF's own title restores the case small capitals hide
    return TitleInfo(text=text, lines=chosen)


def _author_line_under_title(ln: Line, first: Line, gap: float) -> bool:
    """An author line set as large as the title (all-caps layouts): it lists names, and its style differs from
    the title's, or it carries an author list's marks, or its commas come after more space than a title's
    line spacing leaves (a title goes on with commas too: 'NETWORKS WITH PRUNING, TRAINED QUANTIZATION')."""
    if _author_part(ln) is None:
        return False
    fam = lambda f: re.sub(r"[-,+].*$", "", f)  # noqa: E731 -- family without the style suffix
    restyled = ln.bold != first.bold or ln.italic != first.italic or fam(ln.font) != fam(first.font)
    marked = "|" in ln.text_without_marks()
    listed = bool(re.search(r",|\s(?:and|&)\s", ln.text)) and gap > ln.size * 0.5
    return restyled or marked or listed


def _strip_title_marks(ln: Line, top: float) -> str:
    """The title line without its footnote marks ('Title∗', 'Title1'); spaces stay whatever their size (some PDFs
    set them small), and a small digit inside a name ('R²-Guard') is no mark."""
    keep = []
    for i, s in enumerate(ln.spans):
        nxt = ln.spans[i + 1]["text"] if i + 1 < len(ln.spans) else ""
        mark = (s["size"] < top * 0.75 and s["text"].strip()
                and re.fullmatch(r"[\s\d,*" + re.escape(MARK_CHARS) + "]+", s["text"])
                and not (s["text"].strip().isdigit() and re.match(r"[\w-]", nxt)))
        if not mark:
            keep.append(s["text"])
    raw = "".join(keep)
    if ln.text != clean_text("".join(s["text"] for s in ln.spans)):
        return ln.text  # small capitals were rebuilt: use the rebuilt text
    return clean_text(raw)


def _same_row(a: Line, b: Line) -> bool:
    return abs(a.rect.y1 - b.rect.y1) < 3


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


# ----------------------------------------------------------------------------------------------- authors

def _find_abstract_heading(order: list[Line]) -> Line | None:
    for ln in order:
        if _ABSTRACT.match(ln.text) and (len(ln.text) < 12 or re.match(r"^\s*abstract\s*[.:—–\-]", ln.text, re.I)):
            return ln
    return None


_HONORIFIC = re.compile(r"^(?:dr|prof|professor|mr|mrs|ms|sir)\.?\s+", re.IGNORECASE)


def _name_tokens(s: str) -> list[str]:
    s = _HONORIFIC.sub("", s.strip().strip(",;"))
    return re.sub(r"\.(?=[^\W\d_])", ". ", s).split()  # "Yu.A.Pusep" reads as "Yu. A. Pusep"


def looks_like_name(s: str) -> bool:
    """'Ashish Vaswani', 'Ian J. Goodfellow', 'Wang-Cheng Kang', 'Laurens van der Maaten', 'ANDREW CHARLES',
    'Michael J Cafarella'; not 'UC San Diego', 'Google Inc.' or 'Mountain View, CA'."""
    s = unicodedata.normalize("NFC", s)
    if not s.strip() or ORG_WORDS.search(s) or any(ch.isdigit() for ch in s):
        return False
    tokens = [t for t in _name_tokens(s) if not re.fullmatch(r"[“\"‘'(][^\s”\"’')]+[”\"’')]", t)]  # “Stephen”
    if not 2 <= len(tokens) <= 6:
        return False
    # "van der", "de", "bin" lower case are particles; capitalised ("Di He", "Le Sun", "Kang Du") they are names
    words = [t for t in tokens if not (t.lower() in _NAME_PARTICLES and t.islower())]
    all_caps = not any(c.islower() for t in words for c in t)
    capital = 0
    for k, t in enumerate(words):
        if re.fullmatch(r"(?:[^\W\d_]\.?)(?:-?[^\W\d_]\.)*", t) and t[0].isupper():
            capital += 1  # initials: J. or J or J.-P.
            continue
        if re.fullmatch(r"[a-z]{1,2}['’][A-Z][^\W\d_]+", t):
            capital += 1  # d'Ascoli, d’Autume
            continue
        if k == len(words) - 1 and k > 0 and len(t) >= 2 and t.isalpha() and t.isupper() \
                and any(c.islower() for c in words[0]):
            capital += 1  # 'Peng YANG': a surname in capitals after a given name that is not
            continue
        core = t.strip("’'.()")
        if not core or not core[0].isupper() or not all(c.isalpha() or c in "-’'." for c in core):
            return False
        if not all_caps and not any(c.islower() for c in core):
            return False  # "UC" in "UC San Diego": capitals among mixed-case words are not a name
        capital += 1
    long_words = [t for t in words if len(t.strip(".")) >= 2]
    return capital >= 2 and bool(long_words)


def _tidy_name(name: str) -> str:
    name = _HONORIFIC.sub("", name).strip()
    if not any(c.islower() for c in name):  # ANDREW CHARLES -> Andrew Charles
        name = re.sub(r"[^\W\d_]{2,}", lambda m: m.group(0).capitalize(), name)
    return name


_IEEE_GRADE = re.compile(r",?\s*\b(?:(?:Senior|Student|Life|Graduate Student)\s+)?(?:Member|Fellow)\s*,?\s*IEEE\b",
                         re.IGNORECASE)
_EMAIL_PART = re.compile(r"@|^\{|\}$|\.(?:edu|com|org|net|ac|cn|de|uk|fr|jp)\b", re.IGNORECASE)


def _split_names(text: str) -> list[str]:
    """'Ada Lovelace1, Alan Turing and Grace Hopper' -> the three names; IEEE grades ('Senior Member, IEEE') and
    e-mail addresses printed beside a name (JMLR, ACM grids) dropped."""
    text = _IEEE_GRADE.sub("", text)
    text = re.sub(r"\[[\d\s|−‐-]{6,}X?\]", " ", text)  # ORCID ids printed after a name: [0009-0007-6840-5791]
    text = re.sub(r"\s+(?:and|&)\s+", ",", text)
    text = re.sub(r"^(?:and|&)\s+|(?:^|\s+)(?:and|&)\s*$", "", text)  # 'Shen Li and' at a line end
    parts = re.split(r"[,;|·•]", text)
    out = []
    for p in parts:
        if _EMAIL_PART.search(p.strip()):
            continue
        if re.search(r"(?<![\w-])\d{3,}\b", p):
            out.append(clean_text(p))  # 'Redmond WA 98052': a postcode, no affiliation mark; no name either
            continue
        p = re.sub(r"[" + re.escape(MARK_CHARS) + r"\d]+", " ", p)
        p = clean_text(p).strip(" ,.;")
        if p:
            out.append(p)
    return out


def _line_names(ln: Line) -> list[str]:
    return _split_names(ln.text_without_marks())


def _is_email(ln: Line) -> bool:
    """A line of e-mail addresses or links; not a line that prints a name beside its address (JMLR style)."""
    if not _EMAIL.search(ln.text):
        return False
    return not (len(ln.cells) > 1 and _line_names(ln))


def _is_note(ln: Line) -> bool:
    t = ln.text
    if re.fullmatch(r"[\s" + re.escape(MARK_CHARS) + r"\d,]+", t):
        return True
    first = ln.spans[0]["text"].strip() if ln.spans else ""
    starts_with_mark = bool(t) and (t[0] in MARK_CHARS or (first and re.fullmatch(r"[\d" + re.escape(MARK_CHARS)
                                                                                   + "]+", first)
                                                         and ln.spans[0]["size"] < ln.size * 0.8))
    return bool(_NOTE_WORDS.search(t)) or (starts_with_mark and len(t) > 1 and t[1:2].islower())


def find_authors(lines: list[Line], title: TitleInfo | None, abstract_line: Line | None,
                 page_rect: pymupdf.Rect, body: float) -> tuple[list[str], list[str], float]:
    """Author names in printed order, affiliations, and where that front matter ends (y), from the lines between
    the title and the abstract."""
    if title is None:
        return [], [], 0.0
    top = max(ln.rect.y1 for ln in title.lines)
    bottom = abstract_line.rect.y0 if abstract_line else top + page_rect.height * 0.3
    zone = [ln for ln in lines if ln.horizontal and top - 1 <= ln.rect.y0 and ln.rect.y1 <= bottom + 1
            and ln not in title.lines and ln.rect.x0 > page_rect.width * 0.06]
    if abstract_line is None:
        zone = _cut_at_body(zone, page_rect, body)
    zone.sort(key=lambda ln: (ln.rect.y0, ln.rect.x0))
    sig = None
    for ln in zone:
        if _is_email(ln) or _is_note(ln) or _STAMP_WORDS.search(ln.text):
            continue
        if _author_part(ln) is not None:
            sig = ln
            break
    bottom = _front_bottom(zone, top)
    if sig is None:
        names, used = _names_over_lines(zone)
        if names:  # 'Yujia Li, ..., Tom' / 'Eccles, ...': names broken at every line end
            return [_tidy_name(n) for n in names], _affiliations(zone, {id(ln): "" for ln in used}), bottom
        group = next((ln for ln in zone[:3] if _GROUP_AUTHOR.match(ln.text_without_marks().strip(" |"))), None)
        if group is not None:  # "Kimi Team": a team signs the paper
            return [clean_text(group.text_without_marks().strip(" |"))], _affiliations(zone, {id(group): ""}), bottom
        return [], _affiliations(zone, {}), bottom
    author_lines: dict[int, tuple[Line, list[str], str]] = {}
    for ln in zone:
        if ln is sig or (_same_style(ln, sig) and not _is_email(ln) and not _is_note(ln)):
            part = _author_part(ln)
            if part is not None:
                author_lines[id(ln)] = (ln, *part)
            else:
                _join_broken_name(ln, zone, author_lines)
    authors: list[str] = []
    for row in _author_rows(list(author_lines.values()), zone, set(author_lines)):
        for cell in row:
            for _, names, _ in cell:
                for n in names:
                    n = _tidy_name(n)
                    if n not in authors:
                        authors.append(n)
    rest = {k: v[2] for k, v in author_lines.items()}
    return authors, _affiliations(zone, rest), bottom


def _names_over_lines(zone: list[Line]) -> tuple[list[str], list[Line]]:
    """The first run of lines, each set at one size right under the last, whose joined text is a list of two or
    more names, where no line alone is one because a name breaks at each line end ('..., Harshil' over 'Bhatia,
    ...'); ([], []) when there is none."""
    lines = [ln for ln in zone if not _is_email(ln) and not _is_note(ln) and not _STAMP_WORDS.search(ln.text)]
    for i, first in enumerate(lines):
        run = [first]
        for ln in lines[i + 1:]:
            if _directly_below(run[-1], ln) and abs(ln.size - first.size) < 0.6:
                run.append(ln)
            elif ln.rect.y0 > run[-1].rect.y1 + 1:
                break
        if len(run) < 2:
            continue
        names = _split_names(" ".join(ln.text_without_marks().strip(" |") for ln in run))
        if len(names) >= 2 and all(looks_like_name(n) for n in names):
            return names, run
    return [], []


_GROUP_AUTHOR = re.compile(r"^(?:the\s+)?[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,2}\s+(?:Team|Consortium|Collaboration)$|"
                           r"^[A-Z][A-Za-z]+-AI$")  # 'Kimi Team', 'DeepSeek-AI'

_AuthorEntry = tuple[Line, list[str], str]


def _directly_below(upper: Line, lower: Line) -> bool:
    overlap = min(upper.rect.x1, lower.rect.x1) - max(upper.rect.x0, lower.rect.x0)
    return overlap > 0 and -lower.size * 0.3 <= lower.rect.y0 - upper.rect.y1 < lower.size * 0.8


def _join_broken_name(ln: Line, zone: list[Line], author_lines: dict[int, _AuthorEntry]) -> None:
    """'Annie Wong · Thomas Bäck · Anna V.' over 'Kononova · Aske Plaat': a name broken at the line end is joined
    with the author line above, when the two together read as a list of names."""
    above = [e for e in author_lines.values() if _directly_below(e[0], ln)]
    if len(above) != 1:
        return
    prev = above[0][0]
    if re.search(r"(?:[,;·•&]|\band)\s*$", prev.text_without_marks().rstrip(" |")):
        return  # the line above ended its list cleanly: this line is no continuation
    joined = _split_names(prev.text_without_marks().rstrip(" |") + " " + ln.text_without_marks())
    if joined and all(looks_like_name(n) for n in joined):
        author_lines[id(prev)] = (prev, joined, above[0][2])
        author_lines[id(ln)] = (ln, [], "")


def _author_rows(entries: list[_AuthorEntry], zone: list[Line], author_ids: set[int]) -> list[list[list[_AuthorEntry]]]:
    """Author lines grouped into rows (top to bottom) of cells (left to right), a cell holding the names stacked
    in one grid cell, top to bottom: ACM grids print two authors of one affiliation one above the other, and
    they come before the next cell's author, not after the whole row."""
    rows: list[list[_AuthorEntry]] = []
    for entry in sorted(entries, key=lambda e: e[0].rect.y1):
        ln = entry[0]
        if rows and abs(rows[-1][0][0].rect.y1 - ln.rect.y1) < max(3.0, ln.size * 0.45):
            rows[-1].append(entry)
        else:
            rows.append([entry])
    grid: list[list[list[_AuthorEntry]]] = []
    for row in rows:
        row.sort(key=lambda e: e[0].rect.x0)
        if grid:
            above = [cell for cell in grid[-1]]
            homes = [next((c for c in above if _directly_below(c[-1][0], e[0])), None) for e in row]
            # stacked only in a grid whose cells hold more than names: some cell of the row above has an
            # e-mail or affiliation line right under its name, where the stacked cell has a second name
            has_other = any(any(_directly_below(c[-1][0], z) and id(z) not in author_ids for z in zone)
                            for c in above)
            if len(row) < len(above) and all(h is not None for h in homes) and has_other:
                for h, e in zip(homes, row, strict=True):
                    h.append(e)  # type: ignore[union-attr]
                continue
        grid.append([[e] for e in row])
    return grid


def _front_bottom(zone: list[Line], top: float) -> float:
    """Where the author block ends: the last of the author, affiliation, e-mail and note lines that follow one
    another from the title down (a headless abstract starts below it)."""
    bottom = top
    for ln in zone:  # sorted top to bottom
        if ln.rect.y0 - bottom > max(2.5 * ln.size, 24):
            break
        front = (_is_email(ln) or _is_note(ln) or _author_part(ln) is not None
                 or (len(ln.text) < 120 and bool(ORG_WORDS.search(ln.text))))
        if not front:
            break
        bottom = max(bottom, ln.rect.y1)
    return bottom


def _author_part(ln: Line) -> tuple[list[str], str] | None:
    """(names, affiliation printed after them) when the line lists authors: 'Ada Lovelace, Alan Turing' or, in
    ACM's journal style, 'TAL AUGUST, University of Washington, USA'."""
    names = _line_names(ln)
    if names and all(looks_like_name(n) for n in names):
        return names, ""
    if len(names) >= 2 and looks_like_name(names[0]) and ORG_WORDS.search(", ".join(names[1:])):
        return names[:1], ", ".join(names[1:])
    return None


def _cut_at_body(zone: list[Line], page_rect: pymupdf.Rect, body: float) -> list[Line]:
    """Without an abstract heading, the author zone ends at the first line of body text or a section heading."""
    out = []
    for ln in sorted(zone, key=lambda ln: ln.rect.y0):
        long_body_line = ln.rect.width > page_rect.width * 0.3 and abs(ln.size - body) < 0.6 and len(ln.text) > 60
        if long_body_line and _author_part(ln) is None:
            break
        if re.match(r"^\s*(?:1|I)\.?\s+[A-Z]", ln.text) and ln.bold:
            break
        out.append(ln)
    return out


def _name_style(ln: Line) -> tuple[float, bool, str]:
    """(size, bold, font family) of the line's text outside e-mail cells: a name printed beside its address
    (JMLR, PMLR) is styled by the name, not by whichever of the two is longer."""
    weight: dict[tuple[float, bool, str], int] = {}
    cell: list[dict] = []
    for sp in [*ln.spans, {"cell_break": True, "text": ""}]:
        if not sp.get("cell_break"):
            cell.append(sp)
            continue
        if not _EMAIL.search("".join(c["text"] for c in cell)):
            for c in cell:
                n = sum(ch.isalpha() for ch in c["text"])
                if n and c["size"] >= ln.size * 0.8:
                    key = (round(c["size"], 1), is_bold_span(c), re.sub(r"[-,+].*$", "", c["font"]))
                    weight[key] = weight.get(key, 0) + n
        cell = []
    if not weight:
        return ln.size, ln.bold, re.sub(r"[-,+].*$", "", ln.font)
    return max(weight, key=lambda k: weight[k])


def _same_style(a: Line, b: Line) -> bool:
    (sa, ba, fa), (sb, bb, fb) = _name_style(a), _name_style(b)
    return abs(sa - sb) < 0.6 and ba == bb and fa == fb


def _affiliations(zone: list[Line], author_rest: dict[int, str]) -> list[str]:
    """Affiliation lines, each run of lines stacked under one another (one grid cell) joined into one entry;
    author_rest: for author lines, the affiliation printed after the name (or "")."""
    pieces: list[tuple[pymupdf.Rect, float, bool, str]] = []
    for ln in sorted(zone, key=lambda ln: (ln.rect.y0, ln.rect.x0)):
        if id(ln) in author_rest:
            if author_rest[id(ln)]:
                pieces.append((ln.rect, ln.size, True, author_rest[id(ln)]))
            continue
        if _is_email(ln) or _is_note(ln) or _STAMP_WORDS.search(ln.text):
            continue
        whole = ln.text_without_marks()
        texts = [whole]
        if whole.startswith("|") or len(ln.cells) > 1:
            texts = ["|" + t for t in whole.split("|") if t.strip()]  # "1Univ. A 2Company B": two entries
        for t in texts:
            marked = bool(re.match(r"^\s*(?:\||[\d" + re.escape(MARK_CHARS) + r"])", t))
            t = clean_text(re.sub(r"^[\d" + re.escape(MARK_CHARS) + r"|\s]+", "", t)).strip(" ,;|")
            t = t.replace(" | ", ", ").replace("|", "")
            if len(re.sub(r"[^A-Za-z]", "", t)) < 3 or len(t) > 200:
                continue
            if looks_like_name(t) and not ORG_WORDS.search(t):
                continue
            pieces.append((ln.rect, ln.size, marked, t))
    groups: list[list[tuple[pymupdf.Rect, float, bool, str]]] = []
    for piece in pieces:
        rect, size, marked, _ = piece
        home = None
        if not marked:
            for g in reversed(groups):
                last = g[-1][0]
                overlap = min(last.x1, rect.x1) - max(last.x0, rect.x0)
                if overlap > 0 and 0 <= rect.y0 - last.y1 < size * 0.9:
                    home = g
                    break
        if home is None:
            groups.append([piece])
        else:
            home.append(piece)
    out: list[str] = []
    seen: set[str] = set()
    for g in groups:
        joined = ""
        for *_, p in g:
            glue = joined.endswith(",") or p[:1].islower() or re.search(r"\b(?:and|of|for|the|&|de|in)$", joined)
            joined = p if not joined else (joined + " " + p if glue else joined + ", " + p)
        k = _norm(joined)
        if k and k not in seen:
            seen.add(k)
            out.append(joined)
    return out


# ----------------------------------------------------------------------------------------------- abstract

def find_abstract(order: list[Line], heading: Line, vocab: set[str]) -> str:
    """The abstract's text: the lines after its heading, in reading order, up to the next heading."""
    start = order.index(heading)
    first_text = ""
    m = re.match(r"^\s*abstract\s*[.:—–\-]\s*(.*)$", heading.text, re.IGNORECASE)
    if m and m.group(1).strip():
        first_text = m.group(1).strip()
    paras: list[list[str]] = [[first_text]] if first_text else [[]]
    ref_size = heading.size if first_text else None
    prev: Line | None = heading if first_text else None
    for ln in order[start + 1:]:
        if ln.rect.y0 < heading.rect.y0 - 2:
            continue
        if _STOP_AFTER_ABSTRACT.match(ln.text) or _looks_heading(ln, ref_size):
            break
        if ref_size is None:
            ref_size = ln.size
        if ln.size < ref_size * 0.82 or (_STAMP_WORDS.search(ln.text) and len(ln.text) < 100):
            continue
        if prev is not None and _new_paragraph(prev, ln):
            if ln.rect.y1 - prev.rect.y1 > 4 * ln.size:
                break  # a big gap: the abstract is over
            paras.append([])
        paras[-1].append(ln.text_dropping_marks())
        prev = ln
    return "\n\n".join(join_lines(p, vocab) for p in paras if p)


def find_headless_abstract(order: list[Line], after_y: float, page_rect: pymupdf.Rect, vocab: set[str]) -> str:
    """An abstract printed without a heading (ACM journals, REVTeX): the first paragraph below the authors."""
    parts: list[str] = []
    prev: Line | None = None
    for ln in order:
        if ln.rect.y0 <= after_y or _is_email(ln):
            continue
        if not parts and ln.rect.y0 > page_rect.height * 0.6:
            return ""
        if _STOP_AFTER_ABSTRACT.match(ln.text) or _looks_heading(ln, prev.size if prev else ln.size + 9):
            break
        if prev is not None and (_new_paragraph(prev, ln) or abs(ln.size - prev.size) > 1):
            break
        parts.append(ln.text_dropping_marks())
        prev = ln
    text = join_lines(parts, vocab)
    return text if len(text) >= 200 else ""


def _looks_heading(ln: Line, ref_size: float | None) -> bool:
    if ref_size is None:
        return False
    numbered = re.match(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+[A-Z]", ln.text)
    styled = ln.bold or ln.size > ref_size + 0.8
    return bool(numbered and styled and len(ln.text) < 80)


def _new_paragraph(prev: Line, ln: Line) -> bool:
    if ln.rect.x0 > prev.rect.x1 or ln.rect.x1 < prev.rect.x0:
        return False  # moved to the next column
    pitch = ln.rect.y1 - prev.rect.y1  # bottoms, not tops: some fonts report squashed line boxes
    indent = ln.rect.x0 - prev.rect.x0
    return pitch > ln.size * 1.75 or (indent > ln.size * 0.6 and prev.rect.x1 < ln.rect.x1 + ln.size * 8)


def join_lines(parts: list[str], vocab: set[str]) -> str:
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if not out:
            out = p
        elif out.endswith("-") and re.match(r"[a-z]", p):
            out = join_hyphenated(out, p, vocab)
        else:
            out = out + " " + p
    return clean_text(out)


# ----------------------------------------------------------------------------------------------- keywords

def find_keywords(order: list[Line], vocab: set[str]) -> list[str]:
    for i, ln in enumerate(order):
        m = _KEYWORDS.match(ln.text)
        if not m or (len(ln.text) > 20 and not re.match(r"^\s*(?:keywords?|index terms)\s*[:.—–\-]", ln.text, re.I)):
            continue
        parts = [ln.text[m.end():]] if ln.text[m.end():].strip() else []
        prev = ln
        for nxt in order[i + 1:i + 8]:
            if parts and (nxt.rect.y0 - prev.rect.y1 > nxt.height * 0.8 or nxt.size < ln.size * 0.7):
                break
            if _STOP_AFTER_ABSTRACT.match(nxt.text) or re.match(r"^\s*(?:acm reference|ccs concepts)", nxt.text, re.I):
                break
            if nxt.bold and not parts:
                break
            parts.append(nxt.text)
            prev = nxt
        text = join_lines(parts, vocab)
        sep = ";" if ";" in text else ("·" if "·" in text else ",")
        words = [clean_text(w).strip(" .;,—–-") for w in text.split(sep)]
        return [w for w in words if w and len(w) < 80]
    return []


# ----------------------------------------------------------------------------------------------- stamps

def find_arxiv(lines: list[Line]) -> tuple[str, str]:
    """arXiv id and version from the margin stamp ('arXiv:1706.03762v5 [cs.CL] 6 Dec 2017'), rotated or not."""
    candidates = sorted(lines, key=lambda ln: (ln.horizontal, ln.rect.y0))
    for ln in candidates:
        m = _ARXIV_STAMP.search(ln.text)
        if not m:
            continue
        stamp_like = (not ln.horizontal) or re.search(r"\[[a-zA-Z\-]+(?:\.[A-Za-z\-]+)?\]", ln.text)
        stamp_like = stamp_like or re.match(r"^\s*(?:preprint\.?\s*)?ar\s?x\s?iv\s*:", ln.text, re.IGNORECASE)
        if not stamp_like:
            continue
        if m.group(1):
            return m.group(1), m.group(2) or ""
        return m.group(3), m.group(4) or ""
    return "", ""


def find_arxiv_date(lines: list[Line]) -> str:
    """The date of the arXiv margin stamp ('arXiv:2406.08177v3 [eess.IV] 24 Oct 2024' -> '24 Oct 2024')."""
    for ln in sorted(lines, key=lambda ln: (ln.horizontal, ln.rect.y0)):
        if _ARXIV_STAMP.search(ln.text):
            m = re.search(r"\]\s*(\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+(?:19|20)\d{2})\b", ln.text)
            if m:
                return clean_text(m.group(1))
    return ""


def find_doi(text: str) -> str:
    text = re.sub(r"doi\.\s*\n?\s*org", "doi.org", text)
    for m in _DOI.finditer(text):
        doi = m.group(1).rstrip(".,;:")
        if len(doi) > 8:
            return doi
    return ""


_NEURIPS = re.compile(r"Conference on Neural Information Processing Systems\s*\(\s*(NeurIPS|NIPS)\s*(\d{4})\s*\)",
                      re.IGNORECASE)
_PUBLISHED_AT = re.compile(r"(?:Published|Accepted)\s+(?:as\s+an?\s+(?:conference|workshop|journal)\s+paper\s+)?"
                           r"(?:at|in|to)\s+(?:the\s+)?([A-Z][A-Za-z\-]{1,20}(?:\s[A-Z][A-Za-z\-]{1,20}){0,2})\s*"
                           r"['’]?(\d{4})", re.IGNORECASE)
_ACM_SHORT = re.compile(r"(?<![A-Za-z])([A-Z][A-Za-z]{1,9}(?:-[A-Z]{2,})?)\s?['’‘`´]\s?(\d{2})(?!\d)")
_AAAI = re.compile(r"Copyright\s*(?:©|c⃝|\(c\)|c\s)?\s*(\d{4}),?\s*Association for the Advancement of Artificial "
                   r"Intelligence", re.IGNORECASE)
_AAAI_HEADER = re.compile(r"\bThe\s+[A-Z][a-z]+(?:-[A-Za-z]+)?\s+AAAI Conference on Artificial Intelligence\s*"
                          r"\(\s*AAAI-(\d{2})\s*\)", re.IGNORECASE)
_ICML = re.compile(r"Proceedings of the\s+\d+\s?\w*\s+International Conference on Machine\s+Learning.*?(\d{4})",
                   re.IGNORECASE | re.DOTALL)
_CVF = re.compile(r"\bThis\s+(CVPR|ICCV|ECCV|WACV|ACCV)\s*(\d{4})?\s+(?:workshop\s+)?paper\b", re.IGNORECASE)
_SHORT_HEADER = re.compile(r"^\s*(?:Full Paper\s*[–—-]\s*)?(IJCAI|AAAI|ECAI|KR|MIDL|IJCNLP|COLING)[-–\s]?['’]?"
                           r"(\d{4}|\d{2})\s*$")
_JOURNAL_HEADER = re.compile(
    r"^\s*(?P<name>(?:IEEE|ACM)\s+[A-Z][A-Za-z ,&-]+?|[A-Z][A-Za-z&.\- ]{2,80}?)\s*,?\s+"
    r"(?:(?:VOL\.?|Vol\.?|Volume)\s*\d+|\d+\s*(?:[:(]\s*\d|\(\s*(?:19|20)\d{2}\s*\)))")
_GENERIC = re.compile(r"\b(" + "|".join(sorted(set(VENUES), key=len, reverse=True))
                      + r")(?:-[A-Z]{2,})?\s*['’]?\s*(\d{4}|\d{2})\b")
_VENUE_CONTEXT = re.compile(r"conference|proceedings|workshop|symposium|published|accepted|copyright|©|"
                            r"association for|society|journal|transactions|open access|this [A-Za-z]+ \d{4} paper",
                            re.IGNORECASE)
# what a template prints until the venue is filled in: no venue
_TEMPLATE_VENUE = re.compile(r"conference acronym|woodstock|conference[’'`]\s?\d{2}\b|july 2017, washington|"
                             r"noname manuscript|inserted by the editor|under review|submitted to|in submission|"
                             r"do not distribute|anonymous authors?", re.IGNORECASE)


def _full_year(yy: str) -> int:
    y = int(yy)
    if y >= 100:
        return y
    return 2000 + y if y < 70 else 1900 + y


_LONG_NAMES = (
    (r"Annual Meeting of the Association (?:for|of) Computational Linguistics", "ACL"),
    (r"Conference on Empirical Methods in Natural Language Processing", "EMNLP"),
    (r"North American Chapter of the Association for Computational Linguistics", "NAACL"),
    (r"European Chapter of the Association for Computational Linguistics", "EACL"),
    (r"Asia-Pacific Chapter of the Association for Computational Linguistics", "AACL"),
    (r"International Conference on Computational Linguistics", "COLING"),
    (r"Conference on Computational Natural Language Learning", "CoNLL"),
    (r"Conference on Computer Vision and Pattern Recognition", "CVPR"),
    (r"International Conference on Computer Vision", "ICCV"),
    (r"European Conference on Computer Vision", "ECCV"),
    (r"International Conference on Learning Representations", "ICLR"),
    (r"International Conference on Machine Learning", "ICML"),
    (r"AAAI Conference on Artificial Intelligence", "AAAI"),
    (r"International Joint Conference on Artificial Intelligence", "IJCAI"),
    (r"Conference on Uncertainty in Artificial Intelligence", "UAI"),
    (r"International Conference on Artificial Intelligence and Statistics", "AISTATS"),
    (r"Conference on Knowledge Discovery and Data Mining", "KDD"),
    (r"Conference on Research and Development in Information Retrieval", "SIGIR"),
    (r"Conference on Web Search and Data Mining", "WSDM"),
    (r"Conference on Information and Knowledge Management", "CIKM"),
    (r"Conference on Recommender Systems", "RecSys"),
    (r"Conference on Human Factors in Computing Systems", "CHI"),
    (r"The Web Conference|World Wide Web Conference", "WWW"),
    (r"VLDB Endowment|\d+\s?\w*\s+VLDB Conference|Conference on Very Large Data Bases", "VLDB"),
    (r"Transactions on Pattern Analysis and Machine Intelligence", "TPAMI"),
    (r"Journal of Machine Learning Research", "JMLR"),
    (r"Transactions of the Association for Computational Linguistics", "TACL"),
    (r"Transactions on Machine Learning Research", "TMLR"),
)


def _venue_chunks(lines: list[Line]) -> list[tuple[str, Line]]:
    """Each horizontal line of page 1 with the next line of its block joined on (a stamp or footnote often runs
    over two lines, 'International Con-' / 'ference on Machine Learning'), template lines left out."""
    hs = sorted((ln for ln in lines if ln.horizontal), key=lambda ln: (ln.block, ln.rect.y0, ln.rect.x0))
    out = []
    for i, ln in enumerate(hs):
        if _TEMPLATE_VENUE.search(ln.text):
            continue
        text = ln.text
        nxt = hs[i + 1] if i + 1 < len(hs) else None
        if nxt is not None and nxt.block == ln.block and not _TEMPLATE_VENUE.search(nxt.text):
            text = join_hyphenated(text, nxt.text, set()) if text.endswith("-") else f"{text} {nxt.text}"
        out.append((clean_text(text), ln))
    return out


def find_venue(lines: list[Line], page_rect: pymupdf.Rect | None = None) -> tuple[str, str, int | None]:
    """(venue, the line that prints it, year) from conference stamps and footers, ACM blocks, proceedings
    headers ('Proceedings of the 58th Annual Meeting of the ACL'), conference and journal headers ('The
    Thirty-Fourth AAAI Conference ...', 'Biomedical Signal Processing and Control 114 (2026) 109289') on page 1;
    a template's unfilled line ('Conference acronym 'XX', 'Woodstock '18') is no venue."""
    chunks = _venue_chunks(lines)
    head_band = (page_rect.y0 + page_rect.height * 0.1) if page_rect is not None else None
    masthead = _journal_masthead(lines)
    if masthead is not None:  # Elsevier: the journal name inside the masthead, the year from the line above it
        name = max((ln for ln in lines if ln.horizontal and masthead.contains(ln.rect)
                    and not re.match(r"\s*(?:contents lists|journal homepage)", ln.text, re.I)),
                   key=lambda ln: ln.size, default=None)
        if name is not None:
            head = next((ln for ln in lines if ln.horizontal and ln.rect.y1 <= masthead.y0 + 1
                         and re.search(r"\((?:19|20)\d{2}\)", ln.text)), None)
            year = re.search(r"\(((?:19|20)\d{2})\)", head.text) if head is not None else None
            return name.text, clean_text(head.text if head is not None else name.text), \
                int(year.group(1)) if year else None

    def first(rx: re.Pattern[str]) -> tuple[re.Match[str], str] | None:
        for text, _ in chunks:
            m = rx.search(text)
            if m:
                return m, _cut(text, m)
        return None

    found = first(_PUBLISHED_AT)
    if found and not re.fullmatch(r"(?:the|a|an|this|our)", found[0].group(1), re.I):
        return found[0].group(1).strip(), found[1], int(found[0].group(2))
    found = first(_NEURIPS)
    if found:
        return found[0].group(1), found[1], int(found[0].group(2))
    found = first(_ICML)
    if found and int(found[0].group(1)) > 1980:
        return "ICML", found[1], int(found[0].group(1))
    for rx in (_AAAI, _AAAI_HEADER):
        found = first(rx)
        if found:
            return "AAAI", found[1], _full_year(found[0].group(1))
    found = first(_CVF)
    if found:
        year = found[0].group(2)
        return found[0].group(1).upper(), found[1], int(year) if year else None
    # ACM: "KDD ’18, August 19–23, 2018, London, United Kingdom", else "In Proceedings of ... (KDD ’18)"
    parens: tuple[str, str, int] | None = None
    for _text, ln in chunks:
        for m in _ACM_SHORT.finditer(ln.text):
            acro = m.group(1)
            rest = ln.text[m.end():]
            if acro.lower() in {"in", "the", "and", "of", "it", "we"}:
                continue
            full = re.match(r"\s*,?\s*(?:[A-Z][a-z]+\.?\s+\d{1,2}\s*(?:[-–]\s*(?:[A-Z][a-z]+\s+)?\d{1,2})?,?\s*)?"
                            r"((?:19|20)\d{2})\b", rest)
            if full:
                return acro, clean_text(ln.text), int(full.group(1))
            placed = acro in VENUES and re.match(r"\s*,\s*[A-Z][a-z]+", rest) and len(ln.text) < 90
            if parens is None and (placed or (ln.text[:m.start()].rstrip().endswith("(")
                                              and rest.lstrip().startswith(")"))):
                parens = (acro, clean_text(ln.text), _full_year(m.group(2)))
    if parens:
        return parens
    page_text = "\n".join(text for text, _ in chunks)
    for pattern, acro in _LONG_NAMES:  # "Proceedings of the 58th Annual Meeting of the ACL ... 2020"
        if not re.search(pattern, page_text, re.IGNORECASE):
            continue  # the name is nowhere on the page: no line can match (most papers, most names)
        rx = re.compile(r"(?:Proceedings of|Published (?:in|at)|Accepted (?:at|to|in)|\bIn)\s+(?:the\s+)?[^.]{0,80}?"
                        + pattern, re.IGNORECASE)
        found = first(rx)
        if found:
            y = re.search(r"\b((?:19|20)\d{2})\b", found[1]) or re.search(r"©\s*((?:19|20)\d{2})", "\n".join(
                ln.text for ln in lines))
            return acro, found[1], int(y.group(1)) if y else None
    for text, ln in chunks:
        m = next((m for m in map(_SHORT_HEADER.match, [ln.text, *ln.cells]) if m), None)
        if m:  # 'IJCAI-07', 'Full Paper – MIDL 2026' (a cell of a head line)
            return m.group(1), clean_text(m.group(0)), _full_year(m.group(2))
        if not _VENUE_CONTEXT.search(text):
            continue
        m = _GENERIC.search(text)
        if m:
            return m.group(1), _cut(text, m), _full_year(m.group(2))
    if head_band is not None:  # a journal's running head on page 1: 'GLIA 24:39–49 (1998)', 'IEEE TRANSACTIONS ...'
        for ln in sorted(lines, key=lambda ln: ln.rect.y0):
            if not ln.horizontal or ln.rect.y1 > head_band or len(ln.text) > 160:
                continue
            m = _JOURNAL_HEADER.match(ln.text)
            y = re.search(r"\b((?:19|20)\d{2})\b", ln.text)
            if m and y and not _ARXIV_STAMP.search(ln.text):
                return clean_text(m.group("name")).rstrip(" ,"), clean_text(ln.text), int(y.group(1))
    return "", "", None


def _cut(text: str, m: re.Match[str]) -> str:
    """The sentence of text that holds the match: from the line's start to the first full stop after it."""
    end = re.search(r"\.(?:\s|$)", text[m.end():])
    s = text[:m.end() + end.start() + 1] if end else text
    stop = s.rfind(". ", 0, m.start())
    return clean_text(s[stop + 2 if stop >= 0 else 0:]).rstrip(".")


def _copyright_year(text: str) -> int | None:
    m = re.search(r"(?:©|c⃝|\(c\)|\bcopyright)\s*(?:©|c⃝|\(c\))?\s*((?:19|20)\d{2})", text, re.IGNORECASE)
    return int(m.group(1)) if m else None


def _arxiv_year(arxiv_id: str) -> int | None:
    m = re.match(r"(\d{2})(\d{2})\.", arxiv_id or "")
    if m:
        return 2000 + int(m.group(1))
    m = re.search(r"/(\d{2})\d{5}", arxiv_id or "")
    if m:
        return _full_year(m.group(1))
    return None


def front_matter(doc: pymupdf.Document) -> tuple[list[pymupdf.Rect], pymupdf.Rect | None]:
    """(the title's line boxes, the area of page 1 above the abstract heading or None): places on page 1 that
    hold no section heading."""
    page = doc[0]
    lines = page_lines(page)
    title = find_title(lines, page.rect)
    heading = _find_abstract_heading(reading_order(lines, page.rect.width))
    above = pymupdf.Rect(0, 0, page.rect.width, heading.rect.y0 - 1) if heading is not None else None
    return ([ln.rect for ln in title.lines] if title else []), above
