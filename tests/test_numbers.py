"""The note checker's number check: numbers compare as numbers, sources are parsed (and a malformed one is reported),
and on three real notes written with the skill (tests/data/notes: an English full note on SASRec, a Chinese focus
note on ESMM, a comparison of BERT4Rec with SASRec) every finding is a real fault and at least 95% of 100+ planted
single faults are caught on their line.

The notes' papers are corpus PDFs: their paper.md, tables/ and figures are regenerated here with prepare_paper.py
into a temporary folder (the third-party text is never kept in the repository); the tests skip without the corpus.
"""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import CORPUS_PDFS, ROOT, run_script
from paperkit.note.notecheck import check_note, mask
from paperkit.note.numbers import _APPROX_BEFORE, _BOUND_BEFORE, NOTE_NUM, expressions, find_groups
from paperkit.note.papertext import PaperText, canon, load_paper_text, norm_label_number, roman_to_int

NOTES = ROOT / "tests" / "data" / "notes"
PAPERS = {"sasrec": "sasrec.pdf", "esmm": "esmm.pdf", "bert4rec": "bert4rec.pdf"}


# ---------------------------------------------------------------- numbers as numbers

@pytest.mark.parametrize("a,b", [("0.8", ".8"), ("1,500", "1500"), ("3.50", "3.5"), ("−0.3", "0.3"), ("70.40", "70.4")])
def test_numbers_compare_as_numbers(a, b):
    assert canon(a) == canon(b)


def test_labels_normalise():
    assert [norm_label_number(x) for x in ("III", "4c", "A-1", "12")] == ["3", "4", "A.1", "12"]
    assert roman_to_int("IV") == 4 and roman_to_int("IIX") is not None and roman_to_int("Q") is None


def groups_of(text: str, names: dict[str, set[str]] | None = None):
    return find_groups(text, lambda _o: 0, names or {"a": {"GateRec"}, "b": {"SASRec"}}, None)


def test_sources_are_parsed():
    g = groups_of("NDCG rises to 0.3455 (Table 2, p. 3; Section 4.4, pp. 2-3) and Figure 4c shows it.")
    assert [(r.kind, r.ids, r.pages) for r in g[0].refs] == [("table", ["2"], [3]), ("section", ["4.4"], [2, 3])]
    assert g[1].paren is False and g[1].refs[0].ids == ["4"]
    g = groups_of("提高到 0.3455（B 表 1，第 6 页），见（第 4.3 节，第 2 页）和 Section IV-E.")
    assert [(r.paper, r.kind, r.ids, r.pages) for x in g for r in x.refs] == [
        ("b", "table", ["1"], [6]), (None, "section", ["4.3"], [2]), (None, "section", ["4.5"], [])]
    g = groups_of("(SASRec Table III, p. 7) against (GateRec's Table 1, p. 2) and (BERT4Rec's Table 2)")
    assert [r.paper for x in g for r in x.refs] == ["b", "a", "other"]


def test_malformed_source_is_reported_not_crashed_on():
    g = groups_of("the gain is 4.1% (Table , p.) on Beauty")
    assert g and all(r.malformed for r in g[0].refs)


def test_arithmetic_is_recomputed():
    got = {e.text: e.ok for e in expressions("6.91/0.32 ≈ 21.6, 68.56 − 66.00 = 2.56, 19.1/1.7 ≈ 13.2")}
    assert got == {"6.91/0.32 ≈ 21.6": True, "68.56 − 66.00 = 2.56": True, "19.1/1.7 ≈ 13.2": False}


# ---------------------------------------------------------------- the three real notes

def _relink_images(text: str, folder: Path) -> str:
    """The notes link figures by the names the pipeline gave; a renamed type word (fig1_result_ -> fig1_setup_)
    is followed so that the notes test the checker, not the namer."""
    def sub(m: re.Match[str]) -> str:
        sub_dir, stem = m.group(1), m.group(2)
        hits = sorted((folder / "images" / sub_dir).glob(f"{stem}_*.png"))
        return f"](images/{sub_dir}{hits[0].name})" if hits else m.group(0)
    return re.sub(r"\]\(images/((?:b/)?)((?:fig|tab)[A-Za-z0-9-]+?)_[^)]*\.png\)", sub, text)


def _prepare(root: Path, slug: str) -> Path:
    pdf = CORPUS_PDFS / PAPERS[slug]
    r = run_script("prepare_paper", pdf, "--root", root, "--name", slug, "--quiet", timeout=600)
    assert r.returncode == 0, r.stderr
    return root / slug


@pytest.fixture(scope="module")
def notes(tmp_path_factory) -> dict[str, Path]:
    if not all((CORPUS_PDFS / p).is_file() for p in PAPERS.values()):
        pytest.skip(f"the corpus papers {sorted(PAPERS.values())} are not in {CORPUS_PDFS}")
    root = tmp_path_factory.mktemp("notes")
    sasrec, esmm, bert4rec = (_prepare(root, s) for s in ("sasrec", "esmm", "bert4rec"))
    # the comparison: paper B's files under b/ and images/b/ (with its own manifest), built as prepare_paper lays
    # them out for --mode compare
    (bert4rec / "b").mkdir()
    for name in ("paper.md", "paper.yaml", "paper.pdf"):
        shutil.copy(sasrec / name, bert4rec / "b" / name)
    shutil.copytree(sasrec / "tables", bert4rec / "b" / "tables")
    shutil.copytree(sasrec / "images", bert4rec / "images" / "b")
    manifest = bert4rec / "images" / "b" / "figures.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("file: images/", "file: images/b/"),
                        encoding="utf-8")
    out = {}
    for key, folder, note in (("sasrec", sasrec, "sasrec-full-en"), ("esmm", esmm, "esmm-focus-zh"),
                              ("compare", bert4rec, "bert4rec-vs-sasrec-compare-en")):
        text = (NOTES / note / "README.md").read_text(encoding="utf-8")
        (folder / "README.md").write_text(_relink_images(text, folder), encoding="utf-8")
        out[key] = folder
    return out


@pytest.mark.corpus
@pytest.mark.parametrize("key,mode,lang", [("sasrec", "full", "en"), ("esmm", "focus", "zh"),
                                           ("compare", "compare", "en")])
def test_real_notes_pass(notes, key, mode, lang):
    r = check_note(notes[key])
    assert (r["mode"], r["lang"]) == (mode, lang)
    assert r["findings"] == [], "\n".join(f.text() for f in r["_objects"])


# ---------------------------------------------------------------- planted faults

def _papers(folder: Path) -> dict[str, PaperText]:
    out = {"a": load_paper_text(folder)}
    b = load_paper_text(folder, "b/", folder / "images" / "b" / "figures.yaml")
    if b is not None:
        out["b"] = b
    return out


def _body_lines(text: str) -> list[tuple[int, str, str]]:
    """(index, line, masked line) of the note's prose: after the header, no code, math, images or 'Not shown'."""
    doc = mask(text, "README.md")
    start = next(i for i, s in enumerate(doc.lines) if s.startswith("## "))
    return [(i, doc.lines[i], doc.masked[i]) for i in range(start, len(doc.lines))
            if not doc.in_fence[i] and not doc.lines[i].startswith(("#", "![", "Not shown", "未展示"))]


def _line_paper(text: str, i: int, line: str) -> str:
    """Which paper a line's numbers come from in the comparison note (its source names it, or its section)."""
    if re.search(r"\b(?:SASRec|B) (?:Table|Section|Figure)", line):
        return "b"
    section = [s for s in text.split("\n")[:i + 1] if s.startswith("## ")][-1]
    return "b" if "Paper B" in section else "a"


_CHANGED_DIGIT_OK = re.compile(r"\d+\.\d+|\d{1,3}(?:,\d{3})+|[1-9]\d{2,3}")


def plant(text: str, papers: dict[str, PaperText]) -> list[tuple[str, int, str]]:
    """Single faults, each (kind, 1-based line, the note with that one fault), chosen from the note itself:
    - digit: the last digit of a quoted number (a decimal, 1,500, or 100 and up) changed to a value the paper
      prints nowhere; section: the same done to a section number ("Section 4.2" -> "Section 4.3");
    - page: the page of a table, figure or section source moved to a page the object is not on;
    - table: a table source pointed at another table of the paper, on another page;
    - plot: 'about' / 'near' / '约' dropped before a number read off a figure (one the paper prints nowhere);
    - computed: '(our calculation)' / '（笔者计算）' dropped, or a recomputable 'a/b ≈ c' cut to c."""
    lines = text.split("\n")
    out: list[tuple[str, int, str]] = []

    def put(kind: str, i: int, new_line: str) -> None:
        if new_line != lines[i]:
            out.append((kind, i + 1, "\n".join([*lines[:i], new_line, *lines[i + 1:]])))

    for i, line, masked in _body_lines(text):
        pt = papers[_line_paper(text, i, line) if "b" in papers else "a"]
        has_source = re.search(r"\bpp?\. \d|第 \d+ 页|Source:|来源：", line) or line.lstrip().startswith("|")
        # digit (a number the note computed itself is not quoted: changing it is not a misquote)
        own = re.search(r"our calculation|笔者计算", line)
        for m in NOTE_NUM.finditer(masked):
            num = m.group(1)
            plot_bound = _BOUND_BEFORE.search(masked[:m.start()]) and re.search(r"(?:Figure|图) \d", line)
            if not _CHANGED_DIGIT_OK.fullmatch(num) or not has_source or own or plot_bound or \
                    _APPROX_BEFORE.search(masked[:m.start()]):
                continue  # an estimate, a plot reading or the note's own arithmetic: no misquote to plant
            if any(e.result_start == m.start() for e in expressions(masked)):
                continue
            kind = "section" if re.search(r"(?:Section|Sec\.|§|第)\s*$", masked[:m.start()]) else "digit"
            for step in range(1, 10):
                new = num[:-1] + str((int(num[-1]) + step) % 10)
                if canon(new) not in pt.all_values:
                    put(kind, i, line[:m.start()] + new + line[m.end():])
                    break
        # page and table
        for g in find_groups(masked, lambda _o, i=i: i, {k: set(p.names) for k, p in papers.items()}, None):
            if not g.paren:
                continue
            for ref in g.refs:
                if ref.paper == "other" or not ref.pages or len(ref.pages) > 1 or ref.kind == "page":
                    continue
                rpt = papers.get(ref.paper or _line_paper(text, i, line), pt) if "b" in papers else pt
                if ref.kind == "table":
                    where = rpt.tables.get(ref.ids[0])
                elif ref.kind == "figure":
                    where = rpt.figures.get(ref.ids[0])
                elif ref.kind == "section":
                    where = rpt.section(tuple(ref.ids[0].split(".")))
                else:
                    continue
                if where is None or not where.pages:
                    continue
                page = ref.pages[0]
                wrong = next((p for p in (page + 1, page - 1, page + 2, page - 2)
                              if 1 <= p <= rpt.last_page and p not in where.pages), None)
                pm = re.search(rf"(?:p\. |第 ){page}(?= 页|\b)", line[g.start:g.end])
                if wrong and pm:
                    a = g.start + pm.start()
                    put("page", i, line[:a] + pm.group(0).replace(str(page), str(wrong)) + line[a + pm.end() -
                                                                                           pm.start():])
                if ref.kind == "table":
                    other = next((n for n, r in sorted(rpt.tables.items())
                                  if n != ref.ids[0] and r.pages and not (r.pages & where.pages)), None)
                    tm = re.search(r"(Table |表 )([IVXL]+|\d+)\b", line[g.start:g.end])
                    if other and tm and norm_label_number(tm.group(2)) == ref.ids[0]:
                        roman = re.fullmatch(r"[IVXL]+", tm.group(2))
                        label = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII"][int(other)] if roman else other
                        a = g.start + tm.start(2)
                        put("table", i, line[:a] + label + line[a + len(tm.group(2)):])
        # plot
        if re.search(r"(?:Figure|图) \d", line):
            for m in re.finditer(r"(?:\babout |\bnear |约 ?)(\d+\.\d+)", line):
                new = line[:m.start()] + m.group(1) + line[m.end():]
                before = new[:m.start()]
                still = _APPROX_BEFORE.search(before) or _BOUND_BEFORE.search(before)  # "below about 0.56"
                if canon(m.group(1)) not in pt.all_values and not still:
                    put("plot", i, new)
        # computed
        for marker in (" (our calculation)", "（笔者计算）", "our calculation from "):
            if marker in line:
                put("computed", i, line.replace(marker, "", 1).replace("about ", "", 1))
        for e in expressions(masked):
            result = re.match(r"[\d.,]*\d", masked[e.result_start:]).group(0)
            if e.ok and canon(result) not in pt.all_values:
                a = line.index(e.text)
                put("computed", i, line[:a] + result + line[a + len(e.text):])
    return out


@pytest.mark.corpus
def test_planted_faults_are_caught_on_their_line(notes, capsys):
    total, caught, missed = 0, 0, []
    kinds: dict[str, list[int]] = {}
    for key, folder in notes.items():
        readme = folder / "README.md"
        good = readme.read_text(encoding="utf-8")
        papers = _papers(folder)
        try:
            for kind, line, text in plant(good, papers):
                readme.write_text(text, encoding="utf-8")
                got = {f["line"] for f in check_note(folder)["findings"]}
                total += 1
                hit = line in got
                caught += hit
                kinds.setdefault(kind, [0, 0])[0] += hit
                kinds[kind][1] += 1
                if not hit:
                    missed.append(f"{key}:{line} {kind}: {text.split(chr(10))[line - 1][:160]}")
        finally:
            readme.write_text(good, encoding="utf-8")
    with capsys.disabled():
        print(f"\nplanted faults: {caught}/{total} caught on their line ({100 * caught / max(total, 1):.1f}%); "
              + ", ".join(f"{k} {c}/{n}" for k, (c, n) in sorted(kinds.items())))
        for m in missed:
            print("  missed", m)
    assert total >= 100 and set(kinds) >= {"digit", "page", "table", "plot", "computed"}, kinds
    assert caught >= 0.95 * total, missed


# ---------------------------------------------------------------- the comparison's own faults

@pytest.mark.corpus
@pytest.mark.parametrize("old,new,code", [
    ("- **Authors B:** Wang-Cheng Kang, Julian McAuley", "- **Authors B:** Wang-Cheng Kang, Julian Mcauley",
     "header-authors"),
    ("![Figure 1 of SASRec (B): ", "![Figure 1: ", "image-paper"),
    ("(SASRec Table III, p. 7), against 0.6629", "(BERT4Rec Table III, p. 7), against 0.6629",
     "number-not-at-source"),
    ("ICDM 2018 (from the arXiv record's comments)", "ICDM 2018", "header-venue"),
    ("(BERT4Rec Table 3, p. 7).\n- The full", "(Table 3, p. 7).\n- The full", "source-paper"),
])
def test_compare_faults(notes, old, new, code):
    folder = notes["compare"]
    readme = folder / "README.md"
    good = readme.read_text(encoding="utf-8")
    assert good.count(old) == 1, old
    text = good.replace(old, new)
    try:
        readme.write_text(text, encoding="utf-8")
        got = [(f["code"], f["line"]) for f in check_note(folder)["findings"]]
    finally:
        readme.write_text(good, encoding="utf-8")
    line = good[:good.index(old)].count("\n") + 1
    assert (code, line) in got, got


# ---------------------------------------------------------------- bad input and speed

def test_no_paper_md_gets_structure_checks_and_one_line(tmp_path):
    folder = tmp_path / "gaterec"
    shutil.copytree(ROOT / "examples" / "gaterec" / "images", folder / "images")
    shutil.copy(ROOT / "examples" / "gaterec" / "paper.yaml", folder / "paper.yaml")
    text = (ROOT / "examples" / "gaterec" / "README.md").read_text(encoding="utf-8")
    (folder / "README.md").write_text(text.replace("## Experiments\n", "## Results\n"), encoding="utf-8")
    r = run_script("validate_note", folder)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    skipped = [s for s in lines if "numbers not checked" in s]
    assert len(skipped) == 1 and "paper.md is missing" in skipped[0] and ": warning: " in skipped[0]
    assert any("section '## Experiments' is missing" in s for s in lines)


def test_malformed_source_in_a_note(tmp_path):
    folder = tmp_path / "gaterec"
    shutil.copytree(ROOT / "examples" / "gaterec", folder)
    text = (folder / "README.md").read_text(encoding="utf-8")
    text = text.replace("(Section 4.5, p. 3). Figure 3", "(Table , p.). Figure 3")
    (folder / "README.md").write_text(text, encoding="utf-8")
    r = run_script("validate_note", folder)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert [s for s in r.stdout.splitlines() if "malformed source '(Table , p.)'" in s or
            "malformed source 'Table , p.'" in s], r.stdout


@pytest.mark.corpus
def test_a_400_line_note_is_checked_in_about_a_second(notes, capsys):
    """Benchmark: prints the time; fails only when it is far off (a busy shared machine is slower)."""
    folder = notes["sasrec"]
    readme = folder / "README.md"
    good = readme.read_text(encoding="utf-8")
    body = good.split("## Experiments\n")[1].split("## In-depth Q&A")[0]
    text = good.replace("## In-depth Q&A", body.replace("### ", "#### ") * 4 + "## In-depth Q&A", 1)
    try:
        readme.write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        check_note(folder)
        took = time.perf_counter() - t0
    finally:
        readme.write_text(good, encoding="utf-8")
    with capsys.disabled():
        print(f"\nvalidate_note on a {text.count(chr(10))}-line note: {took:.2f} s")
    assert text.count("\n") >= 400 and took < 5
