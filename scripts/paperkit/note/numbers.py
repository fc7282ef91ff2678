"""The note's side of the number check: every number a note quotes is printed where its source says.

For each text block of the note (paragraph, list with its lead-in, table) the stages are:
sources (the "(Table 3, p. 7)", "（B 表 1，第 6 页）" references, grouped by their parentheses) -> numbers (decimals,
percentages, thousands, multipliers, integers from 10 up, years left out) -> each number's sources (the nearest group
in its sentence, else every group of its block) -> a verdict against the PaperText of the paper the source names.

A number that is not printed at its source is an error unless the note marks it as its own: approximate (≈, about,
roughly, 约, 大约), computed ("(our calculation)", "（笔者计算）"), or the result of an arithmetic expression that
recomputes from the numbers before it (6.91/0.32 ≈ 21.6). A number read off a plot (its source a figure, printed
nowhere in the paper's text) must be marked approximate or as a bound ("below 0.56"). A number with no source that
the paper prints nowhere is a warning.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .papertext import PaperText, canon, norm_label_number, roman_to_int

# ---------------------------------------------------------------- sources

_ID = r"(?:[A-Z]?\d+(?:\.\d+)*[a-z]?(?:\([a-z]\))?|[IVXL]+\b(?:[-.][A-Z]\b)?|[A-Z](?:\.\d+)*\b|\(\d+\))"
_IDS = rf"{_ID}(?:\s*(?:,|and|&|-|–|—|to|和|、|至)\s*{_ID}(?!\s*\.\s*\d))*"
_KINDS = {
    "table": r"Tables?|Tabs?\.|TABLES?|(?<![代列发报量图])表",  # not 代表 (represent), 列表, 发表 ...
    "figure": r"Figures?|Figs?\.|FIGURES?|(?<![意试地企视构草])图",  # not 意图 (intent), 地图, 视图 ...
    "section": r"Sections?|Secs?\.|§",
    "eq": r"Eqs?\.|Equations?|公式|式",
    "appendix": r"Appendix|附录",
    "algorithm": r"Algorithm|算法",
}
_KIND_RE = "|".join(f"(?P<{k}>{v})" for k, v in _KINDS.items())
_ANCHOR = re.compile(
    rf"(?:(?<![A-Za-z0-9_])(?:{_KIND_RE})\s*(?P<ids>{_IDS})?)"
    rf"|(?P<zhsec>第\s*(?P<zhsecid>[\dIVX]+(?:[.-][\dA-Z]+)*)\s*节)"
    rf"|(?P<zhsec2>(?<![\d.])(?P<zhsec2id>\d+(?:\.\d+)+|[IVX]+(?:-[A-Z])?)\s*节)"
    rf"|(?P<page>\bpp?\.\s*(?P<p1>\d+)?(?:\s*[-–—]\s*(?P<p2>\d+))?)"
    rf"|(?P<page2>\bpages?\s+(?P<p3>\d+)(?:\s*[-–—]\s*(?P<p4>\d+))?)"
    rf"|(?P<zhpage>第\s*(?P<p5>\d+)?(?:\s*[-–—~至到]\s*(?P<p6>\d+))?\s*页)"
    rf"|(?P<abstract>\b[Aa]bstract\b|摘要)"
)
_PAPER_BEFORE = re.compile(r"(?:(?:Paper|paper|论文)\s*(?P<ab>[AB])|(?P<ab2>\b[AB])|(?P<name>[A-Za-z][\w.+-]*?)"
                           r"(?:'s|’s)?)\s*(?:的|[:：])?\s*$")
_COMMON = {"in", "see", "the", "and", "of", "from", "its", "their", "this", "that", "with", "on", "as", "by", "to",
           "a", "an", "both", "each", "per", "vs", "or", "at", "same", "whose", "which", "figure", "table", "whole"}


@dataclass
class Ref:
    paper: str | None  # "a", "b", "other" (another paper: not checked), None (not said)
    kind: str  # table | figure | section | eq | appendix | algorithm | abstract | page
    ids: list[str]
    pages: list[int]
    line: int  # 0-based line in the note
    text: str
    malformed: bool = False
    label: str = ""  # the reference as written, without its page: "Table III", "第 4.3 节"

    def describe(self, b_name: str = "", a_name: str = "") -> str:
        who = f"{b_name or 'paper B'}'s " if self.paper == "b" else f"{a_name}'s " if a_name else ""
        pg = ""
        if self.pages:
            pg = f"p. {self.pages[0]}" if len(self.pages) == 1 else f"pp. {self.pages[0]}-{self.pages[-1]}"
        if self.kind == "page":
            return f"{who}{pg}" if who else pg
        core = who + (self.label if self.kind != "abstract" else "the abstract")
        return f"{core} ({pg})" if pg else core


@dataclass
class Group:
    """The sources written together: one pair of parentheses, or one reference in running text."""
    start: int
    end: int
    refs: list[Ref] = field(default_factory=list)
    paren: bool = True  # False: a mention in running text ("Figure 2 shows ...")


def _expand_ids(kind: str, ids: str) -> list[str]:
    """'2-4' -> 2, 3, 4; '2 and 5' -> 2, 5; 'IV-E' (a section) -> 4.5; '3(b)' -> 3."""
    out: list[str] = []
    prev: str | None = None
    last_end = 0
    for m in re.finditer(_ID, ids):
        sep = ids[last_end:m.start()].strip()
        p = m.group(0)
        p = p.strip("()") if re.fullmatch(r"\(\d+\)", p) else p  # "Eq. (3)"
        n = _section_id(p) if kind in ("section", "appendix") else norm_label_number(re.sub(r"\([a-z]\)$", "", p))
        if sep in ("-", "–", "—", "to", "至") and prev and prev.isdigit() and n.isdigit() and kind != "section" \
                and 0 < int(n) - int(prev) <= 20:
            out += [str(k) for k in range(int(prev) + 1, int(n) + 1)]
        else:
            out.append(n)
        prev, last_end = n, m.end()
    return out


def _section_id(s: str) -> str:
    """'4.2' -> '4.2'; 'IV-E' / 'IV.E' -> '4.5'; 'III' -> '3'."""
    m = re.fullmatch(r"([IVXL]+)(?:[-.]([A-Z]))?", s)
    if m and roman_to_int(m.group(1)):
        return str(roman_to_int(m.group(1))) + (f".{ord(m.group(2)) - 64}" if m.group(2) else "")
    return s.rstrip(".")


def _paper_before(before: str, names: dict[str, set[str]], default: str | None) -> str | None:
    """The paper a source names just before it: 'B Table 1', 'Paper A's Table 2', 'SASRec Table 3', '论文 B 的表 2'."""
    pb = _PAPER_BEFORE.search(before)
    if not pb:
        return default
    ab = pb.group("ab") or pb.group("ab2")
    if ab:
        return ab.lower()
    name = pb.group("name")
    if not name or name.lower() in _COMMON:
        return default
    hit = next((k for k, ns in names.items() if any(name.lower() == n.lower() for n in ns)), None)
    if hit:
        return hit
    if re.search(r"[A-Z].*[A-Z]|\d", name) or re.search(r"['’]s\s*$", before):
        return "other"  # "SASRec's Table IV" in a note on another paper
    return default


def find_groups(text: str, line_of: Callable[[int], int], names: dict[str, set[str]], default: str | None) \
        -> list[Group]:
    """The source groups of a block's text, in order; names maps "a"/"b" to the short names of each paper."""
    parens = [(m.start(), m.end()) for m in re.finditer(r"[(（][^()（）]*[)）]", text)]
    refs: list[tuple[int, int, Ref, bool]] = []  # start, end, ref, is a page
    for m in _ANCHOR.finditer(text):
        g = m.groupdict()
        ln = line_of(m.start())
        paper = _paper_before(text[max(0, m.start() - 40):m.start()], names, default)
        if g["page"] or g["page2"] or g["zhpage"]:
            a = g["p1"] or g["p3"] or g["p5"]
            b = g["p2"] or g["p4"] or g["p6"]
            if not a:
                refs.append((m.start(), m.end(), Ref(paper, "page", [], [], ln, m.group(0), True), True))
                continue
            lo, hi = int(a), int(b or a)
            pages = list(range(lo, hi + 1)) if 0 <= hi - lo <= 30 else [lo, hi]
            refs.append((m.start(), m.end(), Ref(paper, "page", [], pages, ln, m.group(0)), True))
            continue
        if g["abstract"]:
            if not any(s <= m.start() < e for s, e in parens):
                continue  # "the abstract says" in running text is not a source
            refs.append((m.start(), m.end(), Ref(paper, "abstract", [], [], ln, m.group(0)), False))
            continue
        if g["zhsec"] or g["zhsec2"]:
            kind, ids = "section", _expand_ids("section", g["zhsecid"] or g["zhsec2id"])
        else:
            kind = next(k for k in _KINDS if g.get(k))
            if not g["ids"]:
                inside = any(s <= m.start() < e for s, e in parens)
                if inside and re.match(r"\s*[,，;；)）]", text[m.end():]) and kind in ("table", "figure", "section"):
                    refs.append((m.start(), m.end(), Ref(paper, kind, [], [], ln, m.group(0), True), False))
                continue
            ids = _expand_ids(kind, g["ids"])
        refs.append((m.start(), m.end(), Ref(paper, kind, ids, [], ln, m.group(0), label=m.group(0).strip()), False))
    groups: list[Group] = []
    for s, e in parens:
        inside = [r for r in refs if s <= r[0] < e]
        if inside:
            grp = Group(s, e)
            _attach_pages(grp, inside, text)
            groups.append(grp)
    outside = [r for r in refs if not any(s <= r[0] < e for s, e in parens)]
    k = 0
    while k < len(outside):
        chunk = [outside[k]]
        while k + 1 < len(outside) and re.fullmatch(r"[\s,，;；]*", text[chunk[-1][1]:outside[k + 1][0]]) \
                and outside[k + 1][3]:
            k += 1
            chunk.append(outside[k])
        grp = Group(chunk[0][0], chunk[-1][1], paren=False)
        _attach_pages(grp, chunk, text)
        groups.append(grp)
        k += 1
    groups.sort(key=lambda g: g.start)
    return groups


def _attach_pages(grp: Group, items: list[tuple[int, int, Ref, bool]], text: str) -> None:
    """A page belongs to the references before it in its part of the group ('Table 1 and Figure 2, p. 5')."""
    pending: list[Ref] = []
    last_end = grp.start
    for s, e, ref, is_page in items:
        if re.search(r"[;；]", text[last_end:s]):
            pending = []
        if is_page:
            if pending:
                for r in pending:
                    r.pages = ref.pages
                    r.malformed = r.malformed or ref.malformed
                    r.text += ", " + ref.text
                pending = []
            else:
                grp.refs.append(ref)
        else:
            grp.refs.append(ref)
            pending.append(ref)
        last_end = e


# ---------------------------------------------------------------- numbers

# ASCII word characters only around a number: '提高到0.3455个点' is a number in Chinese text
NOTE_NUM = re.compile(r"(?<![A-Za-z0-9_.@/^\\#$])(?<![A-Za-z][-−])(?<![A-Za-z]\s[-−])"
                      r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\.\d+|\d+)"
                      r"(\s?%|\s?×|x(?![A-Za-z0-9_])|[kKMB](?![A-Za-z0-9_]))?(?![A-Za-z0-9_]|\.\d|[-‑]\d)")
_LABEL_BEFORE = re.compile(r"(?:Section|Sec\.|§|Eqs?\.|Equation|Figures?|Figs?\.|Tables?|Tabs?\.|Appendix|Algorithm|"
                           r"version|v|Python|PyTorch|TensorFlow|JAX|CUDA|Ubuntu|release|Q|top|Top|图|表|节|式|公式|arXiv|layer|Layer|步骤|问题|Step|step|第|"
                           r"NDCG@|HR@|Hit@|Recall@|MRR@)\s*$")
# "about 0.59": the note's own estimate, never looked up; "below 0.56": a bound, which may stand for a plot reading
# but quotes a printed number when its source is a table or the text
_APPROX_BEFORE = re.compile(
    r"(?:≈|≃|~|∼|\babout|\baround|\broughly|\bapproximately|\bapprox\.?|\bnearly|\bnear|\balmost|\bclose to|\bsome|"
    r"\bestimated|\bat roughly|\bon the order of|约|大约|大概|近|将近|接近)[^,;:()，；：（）]{0,12}$", re.I)
_BOUND_BEFORE = re.compile(
    r"(?:\bunder|\bover|\bbelow|\babove|\bless than|\bmore than|\bfewer than|\bat least|\bat most|\bup to|"
    r"\bbetween|\bjust|\bwithin|[<>≤≥]|不到|超过|低于|高于|至少|最多|介于|少于|多于)[^,;:()，；：（）]{0,24}$", re.I)
_APPROX_AFTER = re.compile(r"^\s*(?:左右|上下|or so)")
_BOUND_AFTER = re.compile(r"^\s*(?:或更多|以上|以下|or more|or less|\+)")
_COMPUTED = re.compile(r"our (?:own )?calculation|our computation|computed here|computed by us|we compute|"
                       r"笔者计算|笔者估算|笔者推算|计算得出|由此算出|our estimate|by our count", re.I)
_N = r"(?:\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)"
_EXPR = re.compile(rf"((?:[(（]\s*)*{_N}%?(?:\s*[)）])*(?:\s*[-−+×*/÷]\s*(?:[(（]\s*)*{_N}%?(?:\s*[)）])*)+)"
                   rf"\s*(=|≈|≃)\s*({_N})(\s?%|[kKMB](?!\w))?")
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass
class Num:
    start: int
    end: int
    text: str  # as written, with its unit
    value: str  # canonical
    line: int
    approx: bool = False
    bound: bool = False  # "below 0.56", "不到 4%"


def note_numbers(text: str, line_of: Callable[[int], int]) -> list[Num]:
    out: list[Num] = []
    for m in NOTE_NUM.finditer(text):
        digits, unit = m.group(1), (m.group(2) or "").strip()
        before = text[max(0, m.start() - 40):m.start()]
        if _LABEL_BEFORE.search(before):
            continue
        is_dec = "." in digits or "," in digits
        if not is_dec and not unit and (int(digits) < 10 or (_YEAR.fullmatch(digits) and not unit)):
            continue
        value = canon(digits)
        if value is None:
            continue
        after = text[m.end():m.end() + 8]
        approx = bool(_APPROX_BEFORE.search(before) or _APPROX_AFTER.match(after)) or unit in ("k", "K", "M", "B")
        bound = bool(_BOUND_BEFORE.search(before) or _BOUND_AFTER.match(after))
        out.append(Num(m.start(), m.end(), m.group(0), value, line_of(m.start()), approx, bound))
    return out


def _eval_expr(expr: str) -> float | None:
    s = expr.replace("×", "*").replace("÷", "/").replace("−", "-").replace("（", "(").replace("）", ")")
    s = re.sub(r"(\d),(\d{3})", r"\1\2", s)
    s = re.sub(r"([\d.]+)%", r"(\1/100)", s)
    if not re.fullmatch(r"[\d.\s()+\-*/]+", s):
        return None
    try:
        return float(eval(s, {"__builtins__": {}}, {}))
    except (SyntaxError, ZeroDivisionError, TypeError, ValueError):
        return None


@dataclass
class ExprCheck:
    result_start: int
    ok: bool
    got: float
    text: str


def expressions(text: str) -> list[ExprCheck]:
    out = []
    for m in _EXPR.finditer(text):
        got = _eval_expr(m.group(1))
        if got is None:
            continue
        stated_s = m.group(3).replace(",", "")
        try:
            stated = float(stated_s)
        except ValueError:
            continue
        unit = (m.group(4) or "").strip()
        scale = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}.get(unit, 1.0)
        dp = len(stated_s.split(".")[1]) if "." in stated_s else 0
        tol = 0.5 * 10 ** -dp * 1.0001 + 1e-12
        cands = [got / scale]
        if unit == "%":
            cands.append(got * 100)
        if m.group(2) != "=":
            tol = max(tol, 0.01 * abs(stated))
        ok = any(abs(c - stated) <= tol for c in cands)
        out.append(ExprCheck(m.start(3), ok, cands[-1], m.group(0).strip()))
    return out


# ---------------------------------------------------------------- the check

_ABBR_DOT = re.compile(r"\b(?:e\.g|i\.e|et al|etc|vs|cf|Figs?|Eqs?|Tabs?|Secs?|No|approx|pp?|resp|Ref|[A-Z])\.")
Issue = tuple[int, str, str, str, str]  # 0-based line, severity, code, message, fix


def _sentences(text: str) -> list[tuple[int, int]]:
    t = _ABBR_DOT.sub(lambda m: m.group(0)[:-1] + "_", text)
    t = re.sub(r"(\d)\.(\d)", r"\1_\2", t)
    cuts = [0]
    for m in re.finditer(r"[.!?](?=[\"”’)*_]*\s+[\"“(*_]*[A-Z\d$\[])|[。！？]|\n(?=\s*(?:[-*+]|\d+[.)]|\|)\s?)", t):
        cuts.append(m.end())
    cuts.append(len(text))
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


@dataclass
class Resolved:
    values: set[str] | None  # None: cannot be checked here
    figure: bool
    desc: str
    paper: PaperText | None = None
    pages: set[int] = field(default_factory=set)  # where the source lies, to read off the PDF as a last resort


class NumberChecker:
    """Checks the numbers of a note's blocks against the papers' texts ("a": the note's paper, "b": paper B)."""

    def __init__(self, papers: dict[str, PaperText], compare: bool) -> None:
        self.papers = papers
        self.compare = compare
        self.issues: list[Issue] = []
        self._seen: set[tuple[int, str, str]] = set()
        self.b_name = papers["b"].names[0] if "b" in papers and papers["b"].names else "B"
        self.a_name = papers["a"].names[0] if "a" in papers and papers["a"].names else "A"
        self.names = {k: set(p.names) for k, p in papers.items()}
        self.names.setdefault("a", set())
        self.names.setdefault("b", set())

    def _issue(self, line: int, severity: str, code: str, message: str, fix: str, key: str = "") -> None:
        key = (line, code, key or message)
        if key not in self._seen:
            self._seen.add(key)
            self.issues.append((line, severity, code, message, fix))

    # -- one reference
    def resolve(self, ref: Ref, used: bool = True) -> Resolved:
        """What ref covers; used: a number leans on it (only then must a comparison say which paper it is)."""
        desc = ref.describe(self.b_name, self.a_name if self.compare and ref.paper == "a" else "")
        if ref.malformed:
            self._issue(ref.line, "error", "source-malformed", f"malformed source '{ref.text.strip()}'",
                        "write the table, figure or section number and the page, e.g. '(Table 2, p. 6)'")
            return Resolved(None, False, desc)
        if ref.paper == "other":
            return Resolved(None, False, desc)
        paper = ref.paper
        if paper is None:
            if not self.compare:
                paper = "a"
            elif not used:
                return Resolved(None, False, desc)
            else:
                self._issue(ref.line, "error", "source-paper", f"the source '{ref.text.strip()}' does not say which "
                            "paper it is from", f"write '(A {ref.text.strip()})' or '({self.b_name} "
                            f"{ref.text.strip()})' ('（B 表 1，第 6 页）' in Chinese)")
                return Resolved(None, False, desc)
        pt = self.papers.get(paper)
        if pt is None:
            return Resolved(None, False, desc)
        cited = [p for p in ref.pages if p]
        for p in cited:
            if pt.last_page and p > pt.last_page:
                self._issue(ref.line, "error", "source-page", f"p. {p} in '{ref.text.strip()}' is past the last page "
                            f"of {'paper B' if paper == 'b' else 'the paper'} ({pt.last_page})", "fix the page")
                return Resolved(None, False, desc)
        values: set[str] = set(pt.page_values(cited))
        where: set[int] = set()
        known = True
        if ref.kind == "table" and not pt.has_cells:
            return Resolved(None, False, desc)  # no tables/: said once, in the numbers-skipped warning
        if ref.kind in ("table", "figure"):
            regs = pt.tables if ref.kind == "table" else pt.figures
            for i in ref.ids:
                reg = regs.get(i)
                if reg is None:
                    word = "Table" if ref.kind == "table" else "Figure"
                    if regs and i not in pt.mentioned(ref.kind):
                        have = ", ".join(sorted(regs, key=lambda x: (len(x), x))[:12])
                        self._issue(ref.line, "error", "source-missing",
                                    f"{'paper B' if paper == 'b' else 'the paper'} has no {word} {i} "
                                    f"({word.lower()}s found: {have})", "fix the number")
                    return Resolved(None, False, desc)  # a table the tools did not find: its cells are unknown
                values |= reg.values
                where |= reg.pages
        elif ref.kind in ("section", "abstract", "appendix"):
            for i in ref.ids or ["abstract"]:
                key = tuple(i.split(".")) if ref.kind != "abstract" else ("abstract",)
                reg = pt.section(key)
                if reg is None:
                    if ref.kind == "section" and key[0].isdigit() and pt.has_section(key) is False:
                        found = sorted({".".join(k) for k in pt.sections if k[0].isdigit()} | {".".join(k) for k in
                                       pt.outline}, key=lambda x: [int(p) if p.isdigit() else 0 for p in x.split(".")])
                        self._issue(ref.line, "error", "source-missing",
                                    f"{'paper B' if paper == 'b' else 'the paper'} has no Section {i} (sections: "
                                    f"{', '.join(found[:16])}{' ...' if len(found) > 16 else ''})", "fix the number")
                        return Resolved(None, False, desc)
                    known = False
                    continue
                if not cited:  # with a page, the number must be on that page of the section
                    values |= reg.values
                where |= reg.pages
        else:
            known = False
        if not known and not cited:
            return Resolved(None, False, desc)
        if where and cited and not (where & set(cited)):
            pages = sorted(where)
            on = f"p. {pages[0]}" if len(pages) == 1 else f"pp. {pages[0]}-{pages[-1]}"
            label = desc.split(" (")[0]
            self._issue(ref.line, "error", "source-page", f"{label} is on {on}, not {ref.text.split(',')[-1].strip()}",
                        f"fix the page to {on}")
        pdf_pages = (where | set(cited)) if ref.kind == "table" else (set(cited) or where)
        return Resolved(values, ref.kind == "figure", desc, pt, pdf_pages)

    # -- one block
    def check_block(self, text: str, line_of: Callable[[int], int], default: Callable[[int], str | None],
                    extra_groups: list[Group], item_starts: list[int]) -> list[Group]:
        groups = find_groups(text, line_of, self.names, None)
        for g in groups:
            for r in g.refs:
                if r.paper is None and not self.compare:
                    r.paper = "a"
                elif r.paper is None:
                    r.paper = default(r.line)
        for g in groups:  # every reference is checked for its page, whether or not a number leans on it
            for r in g.refs:
                self.resolve(r, used=False)
        blanked = _ANCHOR.sub(lambda m: " " * len(m.group(0)), text)
        nums = note_numbers(blanked, line_of)
        exprs = expressions(blanked)
        sents = _sentences(text)
        for e in exprs:
            if not e.ok:
                self._issue(line_of(e.result_start), "error", "number-arithmetic",
                            f"'{e.text}' does not hold: the left side gives {e.got:.4g}",
                            "recompute it, or quote the numbers as printed")
        results = {e.result_start for e in exprs if e.ok}
        for n in nums:
            if n.start in results:
                continue
            sa, sb = next(((a, b) for a, b in sents if a <= n.start < b), (0, len(text)))
            sentence = text[sa:sb]
            computed = bool(_COMPUTED.search(sentence))
            in_sent = [g for g in groups if sa <= g.start < sb]
            after = [g for g in in_sent if g.start >= n.start]
            if after:
                scope = [after[0]]
            elif in_sent:
                scope = [in_sent[-1]]
            else:
                scope = []
            direct = bool(scope) and scope[0].paren
            if scope and not scope[0].paren:
                scope = groups + extra_groups  # "Figure 2 varies d from 10 to 50": a subject, not a source
            elif not scope:
                item = max((s for s in item_starts if s <= n.start), default=None)
                nxt = min((s for s in item_starts if s > n.start), default=len(text))
                in_item = [g for g in groups if item is not None and item <= g.start < nxt]
                scope = in_item or groups + extra_groups
            refs = [r for g in scope for r in g.refs if direct or r.paper is not None]
            if not refs:
                everywhere = set().union(*(p.all_values for p in self.papers.values()))
                if n.value not in everywhere and not (n.approx or n.bound or computed):
                    self._issue(n.line, "warning", "number-unprinted",
                                f"{n.text.strip()} has no source and is printed nowhere in the paper",
                                "give its source, e.g. '(Table 2, p. 6)', or mark it as the note's own: "
                                "'(our calculation)', '≈', '（笔者计算）'")
                continue
            res = [self.resolve(r) for r in refs]
            if any(r.values is None for r in res):
                continue
            if any(n.value in (r.values or set()) for r in res):
                continue
            if n.approx or computed:
                continue
            if any(r.paper is not None and n.value in r.paper.pdf_page_values(r.pages) for r in res):
                continue  # printed on the page, though paper.md or the cell grid lost it
            if not direct and any(n.value in p.all_values for p in self.papers.values()):
                continue  # a source borrowed from the block (no source in its sentence): printed in the paper is enough
            descs = list(dict.fromkeys(r.desc for r in res))
            descs = [d for d in descs if not any(o != d and o.startswith(d + " (") for o in descs)]
            desc = " or ".join(descs)
            if all(r.figure for r in res):
                if n.bound or any(r.paper is not None and n.value in r.paper.all_values for r in res):
                    continue  # printed in the paper's text, so not read off the plot
                self._issue(n.line, "error", "number-plot",
                            f"{n.text.strip()} is read off {desc} but stated as exact",
                            "mark it approximate ('about', '≈', '约') and say which axis values it lies between",
                            key=n.value)
            else:
                self._issue(n.line, "error", "number-not-at-source", f"{n.text.strip()} is not printed in {desc}",
                            "quote the value as printed, or fix the source (a number the note computes says "
                            "'(our calculation)' or shows its arithmetic)", key=n.value)
        return groups
