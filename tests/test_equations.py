"""figures/equations.py: numbered display equations and algorithm blocks, on PDFs built here with PyMuPDF and on
the real papers of ../shared/corpus (skipped where absent)."""
from __future__ import annotations

import pymupdf
import pytest
from conftest import CORPUS_PDFS
from paperkit.figures.equations import Display, find_algorithms, find_equations, is_prose, unique_files
from paperkit.figures.layout import body_font_size, find_columns, read_page
from paperkit.figures.naming import is_rule_name
from paperkit.figures.pipeline import analyse

PROSE = ("The model reads the whole sequence at once and attends to every position with learned weights, which "
         "lets it relate distant words without recurrence. We train it on large corpora and report the results "
         "of every run in the tables below, with the settings of each experiment. ")


def _paragraph(page: pymupdf.Page, x0: float, y0: float, x1: float, lines: int) -> float:
    """Justified body text at 10 pt, every line reaching the right edge; returns the y below it."""
    words = (PROSE * 4).split()
    y = y0 + 10
    for _ in range(lines):
        row: list[str] = []
        while words and pymupdf.get_text_length(" ".join([*row, words[0]]), "tiro", 10) <= x1 - x0:
            row.append(words.pop(0))
        ink = sum(pymupdf.get_text_length(w, "tiro", 10) for w in row)
        space = (x1 - x0 - ink) / (len(row) - 1)
        x = x0
        for w in row:
            page.insert_text((x, y), w, fontsize=10, fontname="tiro")
            x += pymupdf.get_text_length(w, "tiro", 10) + space
        y += 12
    return y


def _fraction(page: pymupdf.Page, x: float, y: float, num: str, den: str) -> pymupdf.Rect:
    """'num / den' as a display fraction: numerator, a drawn bar, denominator; returns its ink box."""
    page.insert_text((x + 4, y - 4), num, fontsize=10, fontname="tiit")
    page.draw_line((x, y), (x + 40, y), width=0.5)
    page.insert_text((x + 4, y + 11), den, fontsize=10, fontname="tiit")
    return pymupdf.Rect(x, y - 12, x + 40, y + 13)


def _analyse(doc: pymupdf.Document) -> tuple[list, object, float]:
    pages = [read_page(p) for p in doc]
    body = body_font_size(pages)
    return pages, find_columns([ln for pc in pages for ln in pc.lines], pages[0].rect, body), body


@pytest.fixture
def one_column() -> tuple[pymupdf.Document, pymupdf.Rect]:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    y = _paragraph(page, 108, 72, 504, 4)
    page.insert_text((108, y + 10), "we compute the matrix of outputs as:", fontsize=10, fontname="tiro")
    # (1): a fraction, centred, its number flush right
    page.insert_text((230, y + 44), "Attention(Q, K, V) = softmax", fontsize=10, fontname="tiro")
    frac = _fraction(page, 366, y + 40, "QK", "sqrt d")
    page.insert_text((490, y + 44), "(1)", fontsize=10, fontname="tiro")
    y = _paragraph(page, 108, y + 70, 504, 3)
    # an enumeration that ends a line with "(1)" and a year: no equation numbers
    text = "The comparisons are made on two different tasks with the same data split: (1)"
    page.insert_text((504 - pymupdf.get_text_length(text, "tiro", 10), y + 14), text, fontsize=10, fontname="tiro")
    page.insert_text((400, y + 30), "Vaswani et al. (2017)", fontsize=10, fontname="tiro")
    # (2): one line
    page.insert_text((250, y + 60), "FFN(x) = max(0, xW1 + b1)W2 + b2", fontsize=10, fontname="tiro")
    page.insert_text((490, y + 60), "(2)", fontsize=10, fontname="tiro")
    _paragraph(page, 108, y + 74, 504, 4)
    return doc, frac


def test_numbered_equations_are_found_by_their_printed_number(one_column):
    pages, cols, body = _analyse(one_column[0])
    eqs = find_equations(pages[0], cols, body)
    assert [e.number for e in eqs] == ["1", "2"]
    assert [e.label for e in eqs] == ["Equation (1)", "Equation (2)"]
    assert [e.filename for e in eqs] == ["eq1.png", "eq2.png"]
    assert all(e.kind == "equation" and e.page_index == 0 for e in eqs)


def test_equation_box_holds_its_ink_and_no_body_text_nor_number(one_column):
    doc, frac = one_column
    pages, cols, body = _analyse(doc)
    eq1, eq2 = find_equations(pages[0], cols, body)
    page = doc[0]
    words = page.get_text("words")
    inside = [w[4] for w in words if pymupdf.Rect(w[:4]).intersects(eq1.rect)]
    # the whole formula: left side, numerator, fraction bar, denominator
    assert {"Attention(Q,", "softmax", "QK", "sqrt", "d"} <= set(inside), inside
    assert eq1.rect.contains(pymupdf.Rect(frac.x0, frac.y0 + 3, frac.x1, frac.y1 - 3))
    assert "(1)" not in inside and "as:" not in inside and "model" not in inside
    assert eq1.rect.x1 < 490  # the number stays out
    inside2 = [w[4] for w in words if pymupdf.Rect(w[:4]).intersects(eq2.rect)]
    assert inside2[0] == "FFN(x)" and "(2)" not in inside2 and len(inside2) == 8, inside2
    # no slice of the paragraph around it
    body_lines = [ln for ln in pages[0].lines if ln.width > 300]
    assert not any(ln.rect.intersects(e.rect) for ln in body_lines for e in (eq1, eq2))


def test_two_columns_and_a_number_pushed_below_a_long_equation():
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    for x0, x1 in ((54, 294), (318, 558)):
        _paragraph(page, x0, 60, x1, 12)
        _paragraph(page, x0, 420, x1, 12)
    page.insert_text((100, 260), "y = h(f(x)),", fontsize=10, fontname="tiit")
    page.insert_text((284, 260), "(3)", fontsize=9, fontname="tiro")
    # too long for its line: LaTeX sets the number on the row below, flush right
    page.insert_text((58, 330), "F = LayerNorm(S + Dropout(LeakyReLU(SW + b)W + b)),", fontsize=10, fontname="tiit")
    page.insert_text((284, 344), "(4)", fontsize=9, fontname="tiro")
    page.insert_text((360, 300), "L = -1/N sum log p(x)", fontsize=10, fontname="tiit")
    page.insert_text((542, 300), "(5)", fontsize=9, fontname="tiro")
    pages, cols, body = _analyse(doc)
    assert len(cols.spans) == 2
    eqs = {e.number: e for e in find_equations(pages[0], cols, body)}
    assert set(eqs) == {"3", "4", "5"}
    assert eqs["3"].rect.x0 >= 95 and eqs["3"].rect.x1 < 284
    assert eqs["4"].rect.x0 < 60 and eqs["4"].rect.y1 < 338  # the formula, above its number
    assert eqs["5"].rect.x0 > 300  # the right column's
    words = page.get_text("words")
    for e in eqs.values():
        assert not [w for w in words if pymupdf.Rect(w[:4]).intersects(e.rect) and w[4] in ("(3)", "(4)", "(5)")]


def test_a_number_inside_a_table_is_none():
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    _paragraph(page, 108, 72, 504, 6)
    page.insert_text((200, 200), "Model", fontsize=10, fontname="tiro")
    page.insert_text((482, 200), "(F1)", fontsize=10, fontname="tiro")
    page.insert_text((200, 214), "Ours", fontsize=10, fontname="tiro")
    page.insert_text((490, 214), "(2)", fontsize=10, fontname="tiro")
    _paragraph(page, 108, 240, 504, 6)
    pages, cols, body = _analyse(doc)
    # on its own a "(F1)" reads like an appendix equation's number ("(A1)"): the table box says otherwise
    assert [e.number for e in find_equations(pages[0], cols, body)] == ["F1", "2"]
    table = pymupdf.Rect(190, 185, 505, 220)
    assert find_equations(pages[0], cols, body, avoid=[table]) == []


def test_algorithm_block_between_its_rules_and_not_a_sentence():
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    _paragraph(page, 108, 60, 504, 3)
    page.draw_line((108, 112), (504, 112), width=0.8)
    page.insert_text((108, 124), "Algorithm 1", fontsize=10, fontname="tibo")
    page.insert_text((170, 124), "Minibatch training of the two nets.", fontsize=10, fontname="tiro")
    page.draw_line((108, 129), (504, 129), width=0.4)
    for i, text in enumerate(["for number of iterations do", "  sample a minibatch of m examples",
                              "  update the discriminator", "end for"]):
        page.insert_text((118 + (10 if text.startswith("  ") else 0), 142 + 12 * i), text.strip(), fontsize=10,
                         fontname="tiro")
    page.draw_line((108, 196), (504, 196), width=0.8)
    y = _paragraph(page, 108, 210, 504, 3)
    page.insert_text((108, y + 12), "Algorithm 2 shows the other loop, which we leave to the appendix of the paper.",
                     fontsize=10, fontname="tiro")
    _paragraph(page, 108, y + 20, 504, 3)
    pages, cols, body = _analyse(doc)
    algs = find_algorithms(pages[0], cols, body)
    assert len(algs) == 1
    a = algs[0]
    assert (a.number, a.label, a.filename, a.title) == ("1", "Algorithm 1", "alg1.png",
                                                        "Minibatch training of the two nets.")
    assert 110 <= a.rect.y0 <= 112.5 and 196 <= a.rect.y1 <= 198 and a.rect.x0 <= 108 and a.rect.x1 >= 504


def test_prose_and_formula_lines_told_apart():
    assert is_prose("we compute the matrix of outputs as follows, with")
    assert is_prose("represents the (ia, ib)-th block in the weight W of the layer")
    assert not is_prose("lrate = d^-0.5 · min(step_num^-0.5, step_num · warmup_steps^-1.5)")
    assert not is_prose("where head_i = Attention(QW, KW, VW)")
    assert not is_prose("PE(pos,2i) = sin(pos/10000^(2i/dmodel))")


def test_a_number_printed_twice_keeps_both_files():
    r = pymupdf.Rect(0, 0, 10, 10)
    ds = [Display("equation", "1", 0, r), Display("equation", "A.2", 1, r), Display("equation", "1", 9, r),
          Display("algorithm", "1", 2, r)]
    assert unique_files(ds) == ["eq1.png", "eqA-2.png", "eq1_2.png", "alg1.png"]
    # names by rule: a note may show them and validate_note accepts them
    assert all(is_rule_name(n) for n in unique_files(ds))
    assert not is_rule_name("eq.png") and not is_rule_name("equation1.png") and not is_rule_name("alg_1.png")


# -- the real papers: every numbered equation, by hand-checked count --------------------------------------------

# printed numbered display equations per paper, counted on the pages and every crop looked at
CORPUS_EQUATIONS = {
    "attention": 3, "autoint": 10, "bert4rec": 8, "bert_a": 0, "bst": 9, "dcnv2": 10, "deepfm": 4, "dien": 12,
    "esmm": 3, "gan": 6, "gpt2": 1, "mmoe": 8, "resnet": 2, "sasrec": 6, "vit": 8, "widedeep": 3, "xdeepfm": 17,
    "youtubednn": 0,
}


def _corpus_displays(slug: str) -> list[Display]:
    pdf = CORPUS_PDFS / f"{slug}.pdf"
    if not pdf.is_file():
        pytest.skip(f"corpus paper {pdf} not found (the corpus lives in ../shared beside the repo)")
    with pymupdf.open(pdf) as doc:
        return analyse(doc).displays


def test_attention_equations_1_to_3():
    eqs = [d for d in _corpus_displays("attention") if d.kind == "equation"]
    assert [(e.number, e.page_index + 1) for e in eqs] == [("1", 4), ("2", 5), ("3", 7)]
    eq1 = eqs[0].rect
    assert 215 <= eq1.x0 <= 222 and 388 <= eq1.x1 <= 395 and eq1.height > 20  # softmax(QK^T / sqrt(d_k)) V


@pytest.mark.parametrize("slug", sorted(CORPUS_EQUATIONS))
def test_corpus_equation_counts(slug):
    displays = _corpus_displays(slug)
    eqs = [d for d in displays if d.kind == "equation"]
    assert len(eqs) == CORPUS_EQUATIONS[slug], [(e.number, e.page_index + 1) for e in eqs]
    numbers = [e.number for e in eqs]
    assert numbers == [str(i) for i in range(1, len(eqs) + 1)]  # these papers number 1, 2, 3, ... in order
    assert all(e.rect.width > 10 and 5 < e.rect.height < 120 for e in eqs)
    if slug == "gan":
        algs = [d for d in displays if d.kind == "algorithm"]
        assert [(a.number, a.page_index + 1) for a in algs] == [("1", 4)]
        assert algs[0].rect.height > 200
