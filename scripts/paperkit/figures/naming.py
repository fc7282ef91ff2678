"""Names by rule (references/naming-rules.md): note folders and figure files, safe on every OS."""
from __future__ import annotations

import re
import unicodedata

MAX_SHORT_NAME = 50
FIGURE_TYPES = ("arch", "method", "result", "ablation", "compare", "setup")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_STOP = {
    "a", "an", "the", "of", "and", "or", "for", "in", "on", "to", "with", "by", "from", "at", "as", "is", "are",
    "be", "we", "our", "its", "their", "this", "that", "these", "those", "via", "using", "used", "use", "left",
    "right", "top", "bottom", "each", "between", "which", "when", "where", "over", "into", "than", "both", "all",
    "figure", "fig", "table", "tab", "shows", "show", "shown", "see", "e", "g", "i", "ie", "eg", "vs", "x",
}


def ascii_words(text: str) -> list[str]:
    """Lowercase ASCII words of text, accents folded, everything else a separator."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.findall(r"[a-z0-9]+", folded)


def slugify(text: str, max_len: int = MAX_SHORT_NAME, fallback: str = "paper") -> str:
    """Lowercase-hyphenated ASCII, cut at a word boundary, never a reserved device name or a dot path."""
    words = ascii_words(text)
    out = ""
    for w in words:
        cand = f"{out}-{w}" if out else w
        if len(cand) > max_len:
            if not out:
                out = w[:max_len]
            break
        out = cand
    out = out.strip("-") or fallback
    if out in _RESERVED or (out.split("-")[0] in _RESERVED and len(out) <= 4):
        out = f"{out}-{fallback}"
    return out


def short_name(title: str) -> str:
    """Folder name from a title: the part before a colon when it is a short model name ("BERT: ..." -> "bert")."""
    head, sep, _ = title.partition(":")
    if sep and 1 <= len(ascii_words(head)) <= 3 and len(head) <= 30:
        return slugify(head)
    return slugify(title)


def number_for_filename(number: str) -> str:
    """'3' -> '3', 'A.1' -> 'A-1', 'IV' -> '4' (Roman table numbers become Arabic), 'S2' -> 'S2'."""
    n = number.strip().rstrip(".:")
    if n and re.fullmatch(r"[IVXLC]+", n):
        n = str(roman_to_int(n))
    n = re.sub(r"[^A-Za-z0-9]+", "-", n).strip("-")
    return n or "0"


def roman_to_int(s: str) -> int:
    vals = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    digits = [vals[c] for c in s.upper()]
    return sum(-v if i + 1 < len(digits) and v < digits[i + 1] else v for i, v in enumerate(digits))


def caption_description(caption_text: str, max_words: int = 4) -> str:
    """1-4 lowercase ASCII words from the caption (label and stop words dropped), joined by hyphens."""
    body = re.sub(r"^\s*(fig(ure)?\.?|table|tab\.?)\s*[A-Za-z]?[\dIVXivx]+(\.\d+)*\s*[:.|]?", "", caption_text,
                  flags=re.IGNORECASE)
    words = [w for w in ascii_words(body) if w not in _STOP and not w.isdigit() and len(w) > 1]
    return "-".join(words[:max_words]) or "figure"


def figure_filename(kind: str, number: str, fig_type: str, description: str) -> str:
    """images/ file name: fig{number}_{type}_{description}.png, tab{number}_... for tables."""
    if fig_type not in FIGURE_TYPES:
        raise ValueError(f"unknown figure type {fig_type!r}")
    prefix = "tab" if kind == "table" else "fig"
    return f"{prefix}{number_for_filename(number)}_{fig_type}_{description}.png"


FIGURE_FILE_RE = re.compile(
    r"^(fig|tab)([A-Za-z]?\d+(?:-\d+)*|[A-Z]-\d+(?:-\d+)*)_(arch|method|result|ablation|compare|setup)_[a-z0-9]+(?:-[a-z0-9]+){0,3}\.png$"
)
UNCAPTIONED_FILE_RE = re.compile(r"^extra_p\d+_\d+\.png$")
DISPLAY_FILE_RE = re.compile(r"^(eq|alg)([A-Za-z]-?\d+|\d+)(?:-\d+)*(?:_\d+)?\.png$")  # eq3.png, eqA-2.png, alg1.png


def is_rule_name(filename: str) -> bool:
    """Whether a file name in images/ follows the naming rule (captioned, the uncaptioned extra_ form, or a
    numbered equation or algorithm block: eq{N}.png, alg{N}.png)."""
    return bool(FIGURE_FILE_RE.match(filename) or UNCAPTIONED_FILE_RE.match(filename)
                or DISPLAY_FILE_RE.match(filename))
