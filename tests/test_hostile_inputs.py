"""Every bad input gets a clear answer, nothing is lost, and nothing is written where it should not be.

Each case runs a script on a hostile input inside a fresh folder tree (tmp_path: in/ holds the input, out/ is where
the script may write), snapshots the whole tree before and after, and checks:
- the exit code (0 ok, 1 bad input, 2 usage, 3 output not writable or exists, 4 network, 70 internal error),
- stderr: on failure exactly one line "SCRIPT.py: error: ..." naming the problem; never a traceback,
- that nothing changed outside out/ (and on failure nothing was written at all, no temporary or staging file left).
The cases run main() in this process through cli.run (what `python scripts/NAME.py` does) to stay fast; the ones
where the real process matters (argv with shell characters, memory, time) start a Python of their own.
"""
from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import hostile as H
import pymupdf
import pytest
from conftest import SAMPLE_PDF, SCRIPTS

ROOT = SCRIPTS.parent
SKILL_TEMPLATES = ROOT / "templates"
TRACE = re.compile(r"Traceback|^\s+File \"", re.M)
SAFE_FOLDER = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


_OWN_TEMPLATES: list[Path] = []  # set once per session by _own_templates


def _templates() -> list[str]:
    """--templates for scaffold_dir: the skill's own when they are there, else a small set of ours."""
    if (SKILL_TEMPLATES / "full.en.md").is_file():
        return []
    return ["--templates", str(_OWN_TEMPLATES[0])]


@pytest.fixture(scope="session", autouse=True)
def _own_templates(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("templates")
    for mode in ("full", "focus", "compare"):
        for lang in ("en", "zh"):
            (folder / f"{mode}.{lang}.md").write_text("# {{title}}\n\n{{authors}} · {{venue}} {{year}}\n",
                                                      encoding="utf-8")
    _OWN_TEMPLATES[:] = [folder]


# How each script that reads a PDF is called, with out/ the folder it may write into. quiet: no progress lines.
Argv = Callable[[Path, Path, bool], list[str]]
PDF_SCRIPTS: dict[str, Argv] = {
    "smart_extract": lambda pdf, out, q: [pdf, out, *(["--quiet"] if q else [])],
    "paper_info": lambda pdf, out, q: [pdf, "--out", out, *(["--quiet"] if q else [])],
    "scaffold_dir": lambda pdf, out, q: [pdf, "--root", out, *_templates()],
    "extract_embedded": lambda pdf, out, q: [pdf, out, *(["--quiet"] if q else [])],
    "extract_vector": lambda pdf, out, q: [pdf, out, *(["--quiet"] if q else [])],
    "crop_figure": lambda pdf, out, q: [pdf, "1", "72", "72", "540", "400", out / "crop.png"],
    "prepare_paper": lambda pdf, out, q: [pdf, "--root", out, *(["--quiet"] if q else [])],
}
PRESENT = [n for n in PDF_SCRIPTS if (SCRIPTS / f"{n}.py").is_file()]
ALL_SCRIPTS = sorted(p.stem for p in SCRIPTS.glob("*.py"))
# the scripts that analyse pages (and so must say when MuPDF had to repair the file)
ANALYSING = [n for n in ("smart_extract", "paper_info", "extract_embedded", "extract_vector") if n in PRESENT]


def needs_skill_templates(script: str) -> None:
    if script == "prepare_paper" and not (SKILL_TEMPLATES / "full.en.md").is_file():
        pytest.skip("prepare_paper.py needs the skill's templates/ (written by another engineer), not there yet")


# ---------------------------------------------------------------------------------------------------------------
# Inputs, built once per session


@pytest.fixture(scope="session")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("inputs")
    ok = H.paper(d / "ok.pdf")
    plain = H.uncompressed_paper(d / "plain.pdf")
    made = {
        "ok": ok,
        "folder": d,
        "empty": H.write(d / "empty.pdf", b""),
        "html": H.html_as_pdf(d / "html.pdf"),
        "png": H.png_as_pdf(d / "png.pdf"),
        "truncated10": H.truncated(ok, d / "truncated10.pdf", 0.10),
        "truncated50": H.truncated(ok, d / "truncated50.pdf", 0.50),
        "truncated90": H.truncated(ok, d / "truncated90.pdf", 0.90),
        "header-only": H.write(d / "header-only.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
        "no-pages": H.no_pages(d / "no-pages.pdf"),
        "bad-dict-key": H.bad_dict_key(plain, d / "bad-dict-key.pdf"),
        "damaged-xref": H.damaged_xref(plain, d / "damaged-xref.pdf"),
        "encrypted": H.encrypted(d / "encrypted.pdf", "s3cret"),
        "scanned": H.scanned(d / "scanned.pdf"),
        "rotated": H.rotated_and_cropped(d / "rotated.pdf"),
    }
    return made


def stage(inputs: dict[str, Path], case: str, root: Path) -> Path:
    """Puts the input for case into root/in/ (a missing file is just a name there) and returns its path."""
    (root / "in").mkdir(parents=True, exist_ok=True)
    if case == "missing":
        return root / "in" / "nope.pdf"
    if case == "folder":
        (root / "in" / "paper.pdf").mkdir()
        return root / "in" / "paper.pdf"
    if case == "fifo":  # a named pipe: reading it would wait for a writer forever
        os.mkfifo(root / "in" / "pipe.pdf")
        return root / "in" / "pipe.pdf"
    dst = root / "in" / inputs[case].name
    shutil.copyfile(inputs[case], dst)
    return dst


@contextlib.contextmanager
def watched(root: Path, *allowed: str) -> Iterator[dict[str, list[str]]]:
    """Snapshots root before and after the block; fills the dict with what changed and fails on a change outside
    the allowed folders (relative to root) or on a temporary/staging file left anywhere."""
    before = H.snapshot(root)
    diff: dict[str, list[str]] = {}
    yield diff
    diff.update(H.changes(before, H.snapshot(root)))
    touched = diff["created"] + diff["removed"] + diff["changed"]
    assert not H.outside(touched, *allowed), f"written outside {allowed}: {H.outside(touched, *allowed)}"
    assert not H.leftovers(root), f"temporary files left: {H.leftovers(root)}"


def one_line_error(r: H.Result, script: str, code: int, pattern: str) -> None:
    assert not TRACE.search(r.err), r.err
    assert r.code == code, (r.code, r.err)
    assert len(r.err_lines) == 1, r.err
    assert r.err_lines[0].startswith(f"{script}.py: error: "), r.err
    assert re.search(pattern, r.err_lines[0]), (pattern, r.err)


def clean_success(r: H.Result, script: str) -> None:
    assert not TRACE.search(r.err), r.err
    assert r.code == 0, (r.code, r.err)
    for line in r.err_lines:  # every message says which script it comes from (prepare_paper.py runs the others)
        assert re.match(r"[a-z_]+\.py: |warning: |note: |downloading |looking up |got a ", line), line


# ---------------------------------------------------------------------------------------------------------------
# Files that are not (readable) PDFs: one line, exit 1, nothing written


BAD_INPUTS = {
    "missing": r"nope\.pdf: no such file",
    "folder": r"paper\.pdf is a folder, not a PDF file",
    "fifo": r"pipe\.pdf is not a regular file",
    "empty": r"empty\.pdf is empty \(0 bytes\), not a PDF",
    "html": r"html\.pdf is not a PDF \(it is an HTML page",
    "png": r"png\.pdf is not a PDF \(it is a PNG image\)",
    "truncated10": r"truncated10\.pdf is damaged \(it is cut short",
    "header-only": r"header-only\.pdf (has no pages|is damaged)",
    "no-pages": r"no-pages\.pdf has no pages \(it is cut short",
    "encrypted": r"encrypted\.pdf is encrypted; pass --password to open it",
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
@pytest.mark.parametrize("script", PRESENT)
def test_bad_pdf_is_one_line_and_writes_nothing(script, case, inputs, tmp_path):
    pdf = stage(inputs, case, tmp_path)
    with watched(tmp_path) as diff:  # nothing at all may change, not even an empty out/
        r = H.call(script, *PDF_SCRIPTS[script](pdf, tmp_path / "out", True))
    one_line_error(r, script, 1, BAD_INPUTS[case])
    assert not any(diff.values()), diff


def test_bad_inputs_as_real_processes(inputs, tmp_path):
    """The same through `python scripts/NAME.py` (MuPDF's own C messages would reach the real stderr here)."""
    for i, case in enumerate(BAD_INPUTS):
        script = PRESENT[i % len(PRESENT)]
        root = tmp_path / case
        pdf = stage(inputs, case, root)
        with watched(root):
            p = subprocess.run([sys.executable, str(SCRIPTS / f"{script}.py"),
                                *map(str, PDF_SCRIPTS[script](pdf, root / "out", True))],
                               capture_output=True, text=True, timeout=120, check=False)
        one_line_error(H.Result(p.returncode, p.stdout, p.stderr), script, 1, BAD_INPUTS[case])
        assert p.stdout == ""


# ---------------------------------------------------------------------------------------------------------------
# Damaged files MuPDF can repair: they work, with a warning


@pytest.mark.parametrize("case", ["damaged-xref", "truncated50", "truncated90"])
@pytest.mark.parametrize("script", PRESENT)
def test_repaired_pdf_works_with_a_warning(script, case, inputs, tmp_path):
    needs_skill_templates(script)
    pdf = stage(inputs, case, tmp_path)
    assert pymupdf.open(pdf).is_repaired, "the input must need MuPDF's repair"
    with watched(tmp_path, "out") as diff:
        r = H.call(script, *PDF_SCRIPTS[script](pdf, tmp_path / "out", False))
    clean_success(r, script)
    assert diff["created"], "a repaired file must still give results"
    if script in ANALYSING:
        assert any("damaged" in ln and "repaired" in ln for ln in r.err_lines), r.err


@pytest.mark.parametrize("script", ["scaffold_dir", "crop_figure"])
def test_repaired_pdf_warning_in_every_script(script, inputs, tmp_path):
    if script not in PRESENT:
        pytest.skip(f"{script}.py is not there yet")
    pdf = stage(inputs, "damaged-xref", tmp_path)
    r = H.call(script, *PDF_SCRIPTS[script](pdf, tmp_path / "out", False))
    assert r.code == 0 and any("damaged" in ln for ln in r.err_lines), r.err


# ---------------------------------------------------------------------------------------------------------------
# Damage deep inside a page or an object: MuPDF's complaint is bad input (exit 1, one line), never exit 70.
# Found by tests/test_fuzz.py; the xfail cases are what the owners of those modules should make work.


def _mupdf_error(name: str, message: str) -> Exception:
    kind = type(name, (Exception,), {"__module__": "pymupdf.mupdf"})
    return kind(message)


@pytest.mark.parametrize("name, code", [("FzErrorSyntax", 1), ("FzErrorFormat", 1), ("FzErrorLimit", 1),
                                        ("FileDataError", 1), ("FzErrorArgument", 70), ("KeyError", 70)])
def test_cli_turns_mupdf_damage_into_bad_input(name, code, capsys):
    from paperkit.io import cli

    def main(_argv: list[str]) -> int:
        raise _mupdf_error(name, "code=8: invalid key in dict") if name != "KeyError" else KeyError("x")

    assert cli.run("x.py", main, []) == code
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    if name == "FzErrorLimit":
        assert err[0].startswith("x.py: error: the PDF holds something larger than MuPDF will read"), err
    elif code == 1:
        assert err[0] == ("x.py: error: the PDF is damaged: MuPDF cannot read part of it (invalid key in dict); get "
                          "the file again, or open it in a PDF viewer and save a copy, and run this on the copy")
    else:
        assert err[0].startswith("x.py: internal error: ") and "please report it" in err[0]


@pytest.mark.parametrize("script", PRESENT)
def test_damaged_dictionary_is_never_an_internal_error(script, inputs, tmp_path):
    needs_skill_templates(script)
    pdf = stage(inputs, "bad-dict-key", tmp_path)
    with watched(tmp_path, "out"):
        r = H.call(script, *PDF_SCRIPTS[script](pdf, tmp_path / "out", True))
    assert not TRACE.search(r.err) and r.code in (0, 1), (r.code, r.err)
    if r.code:
        one_line_error(r, script, 1, r"damaged")


def test_paper_info_reads_past_a_damaged_dictionary(inputs, tmp_path):
    pdf = stage(inputs, "bad-dict-key", tmp_path)
    r = H.call("paper_info", pdf, "--out", tmp_path / "out", "--quiet")
    assert r.code == 0, r.err


BROKEN_IMAGES = {"width-0": ("Width", "0"), "unknown-colorspace": ("ColorSpace", "/NoSuchSpace"),
                 "bits-7": ("BitsPerComponent", "7")}


@pytest.mark.parametrize("case", list(BROKEN_IMAGES))
@pytest.mark.parametrize("script", PRESENT)
def test_a_broken_image_is_never_an_internal_error(script, case, tmp_path):
    needs_skill_templates(script)
    pdf = H.broken_image(tmp_path / "in" / f"{case}.pdf", *BROKEN_IMAGES[case])
    with watched(tmp_path, "out"):
        r = H.call(script, *PDF_SCRIPTS[script](pdf, tmp_path / "out", True))
    assert not TRACE.search(r.err) and r.code in (0, 1), (r.code, r.err)
    if r.code:
        one_line_error(r, script, 1, r"damaged")


@pytest.mark.parametrize("case", list(BROKEN_IMAGES))
def test_extract_embedded_saves_the_images_it_can(case, tmp_path):
    pdf = H.broken_image(tmp_path / "in" / f"{case}.pdf", *BROKEN_IMAGES[case])
    r = H.call("extract_embedded", pdf, tmp_path / "out")
    assert r.code == 0 and (tmp_path / "out" / "img_p1_1.png").is_file() and "warning" in r.err, r.err


# ---------------------------------------------------------------------------------------------------------------
# Encrypted PDFs: --password opens them; a wrong one is one line


@pytest.mark.parametrize("script", PRESENT)
def test_encrypted_pdf_opens_with_password(script, inputs, tmp_path):
    needs_skill_templates(script)
    pdf = stage(inputs, "encrypted", tmp_path)
    argv = PDF_SCRIPTS[script](pdf, tmp_path / "out", True)
    with watched(tmp_path) as diff:
        r = H.call(script, *argv, "--password", "wrong")
    one_line_error(r, script, 1, r"encrypted\.pdf: the password is wrong")
    assert not any(diff.values())
    with watched(tmp_path, "out") as diff:
        r = H.call(script, *argv, "--password", "s3cret")
    clean_success(r, script)
    assert diff["created"]


# ---------------------------------------------------------------------------------------------------------------
# A scanned paper (whole-page images, no text layer): a clear note that there is no text or caption


def test_scanned_paper(inputs, tmp_path):
    expect = {  # script -> (exit code, what stderr must say, files it must write under out/)
        "smart_extract": (0, r"no text layer.*no captions", ["images/figures.yaml"]),
        "paper_info": (1, r"no text layer.*Run OCR first", ["paper.yaml"]),
        "scaffold_dir": (0, r"no title could be read", ["scanned/README.md", "scanned/paper.pdf"]),
        "extract_embedded": (0, r"", ["extract_embedded.json", "img_p1_1.png", "img_p2_1.png"]),
        "extract_vector": (0, r"", ["extract_vector.json"]),
        "crop_figure": (0, r"", ["crop.png"]),
    }
    for script in [s for s in PRESENT if s in expect]:
        root = tmp_path / script
        pdf = stage(inputs, "scanned", root)
        with watched(root, "out") as diff:
            r = H.call(script, *PDF_SCRIPTS[script](pdf, root / "out", False))
        code, said, files = expect[script]
        assert not TRACE.search(r.err) and r.code == code, (script, r.code, r.err)
        assert re.search(said, r.err), (script, r.err)
        for f in files:
            assert f"out/{f}" in diff["created"], (script, f, diff["created"])
        if code:
            assert len(r.err_lines) == 1, r.err


# ---------------------------------------------------------------------------------------------------------------
# Pages as real files have them: rotated, CropBox off the origin, negative MediaBox, tiny and huge pages


@pytest.mark.parametrize("script", PRESENT)
def test_rotated_and_odd_boxes(script, inputs, tmp_path):
    needs_skill_templates(script)
    pdf = stage(inputs, "rotated", tmp_path)
    with watched(tmp_path, "out"):
        r = H.call(script, *PDF_SCRIPTS[script](pdf, tmp_path / "out", True), "--json")
    clean_success(r, script)
    data = json.loads(r.out)
    if script == "smart_extract":
        # page 7 is a 20-pt page with no figure; page 8 is 200 inches square, where the whole paper sits in the
        # band heads and page numbers are looked for in: its figure is found since b6829a0 (they must stand above
        # all the other text)
        assert [f["label"] for f in data["figures"]] == [f"Figure {i}" for i in (1, 2, 3, 4, 5, 6, 8)]
        for f in data["figures"]:  # every box lies on its page as displayed
            page = pymupdf.open(pdf)[f["page"] - 1]
            assert pymupdf.Rect(f["bbox"]) in page.rect + (-1, -1, 1, 1), (f, page.rect)


def test_crop_outside_a_rotated_page_is_clipped(inputs, tmp_path):
    if "crop_figure" not in PRESENT:
        pytest.skip("crop_figure.py is not there yet")
    pdf = stage(inputs, "rotated", tmp_path)
    with watched(tmp_path, "out"):
        r = H.call("crop_figure", pdf, "2", "-500", "-500", "5000", "5000", tmp_path / "out" / "a.png", "--json")
    clean_success(r, "crop_figure")
    assert json.loads(r.out)["bbox"] == [0, 0, 792, 612]  # page 2 is turned 90 degrees: landscape as displayed
    for page in ("0", "9", "-1", "x"):
        r = H.call("crop_figure", pdf, page, "0", "0", "10", "10", tmp_path / "out" / "b.png")
        assert r.code in (1, 2) and not TRACE.search(r.err) and len(r.err_lines) >= 1, r.err
    r = H.call("crop_figure", pdf, "1", "nan", "0", "10", "10", tmp_path / "out" / "c.png")
    assert r.code in (1, 2) and not TRACE.search(r.err), r.err


# ---------------------------------------------------------------------------------------------------------------
# Big inputs: 500 pages (progress, bounded memory) and 100,000 drawing paths on one page (bounded time)


def run_measured(argv: list[str | os.PathLike[str]], timeout: float) -> tuple[subprocess.CompletedProcess[str],
                                                                                float]:
    """Runs `python ARGV` in a child of a fresh Python, which reports the peak RSS of that child alone (MB) and
    its wall time (printed, never asserted: a slow machine is not a failure; the timeout is the bound)."""
    code = textwrap.dedent("""
        import json, resource, subprocess, sys, time
        t0 = time.perf_counter()
        p = subprocess.run(sys.argv[2:], capture_output=True, text=True, timeout=float(sys.argv[1]), check=False)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(json.dumps({"code": p.returncode, "out": p.stdout, "err": p.stderr, "peak_mb": peak,
                          "seconds": time.perf_counter() - t0}))
    """)
    p = subprocess.run([sys.executable, "-c", code, str(timeout), sys.executable, *map(str, argv)],
                       capture_output=True, text=True, timeout=timeout + 30, check=True)
    data = json.loads(p.stdout)
    print(f"{Path(str(argv[0])).name}: {data['seconds']:.1f} s, ", end="")
    return subprocess.CompletedProcess(argv, data["code"], data["out"], data["err"]), data["peak_mb"]


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return H.many_pages(tmp_path_factory.mktemp("long") / "long paper.pdf", 500)


BIG_PROGRESS = {"smart_extract": r"read 500/500 pages", "paper_info": r"text of 500/500 pages",
                "extract_vector": r"read 500/500 pages"}


@pytest.mark.parametrize("script", [s for s in ("smart_extract", "paper_info", "extract_vector", "extract_embedded")
                                    if s in PRESENT])
def test_500_pages_finish_with_progress_in_bounded_memory(script, long_pdf, tmp_path):
    out = tmp_path / "out"
    p, peak_mb = run_measured([SCRIPTS / f"{script}.py", *PDF_SCRIPTS[script](long_pdf, out, False)], timeout=240)
    print(f"{script}: 500 pages, peak RSS {peak_mb:.0f} MB")
    assert p.returncode == 0 and not TRACE.search(p.stderr), p.stderr
    if script in BIG_PROGRESS:
        assert re.search(BIG_PROGRESS[script], p.stderr), p.stderr
    assert peak_mb < 1500, f"{script} used {peak_mb:.0f} MB on 500 pages"
    if script == "smart_extract":
        assert len(list((out / "images").glob("fig*.png"))) == 50  # a figure on every tenth page


@pytest.fixture(scope="module")
def dense_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return H.many_paths(tmp_path_factory.mktemp("dense") / "dense.pdf", 100_000)


@pytest.mark.parametrize("script", [s for s in ("smart_extract", "paper_info", "extract_vector", "crop_figure")
                                    if s in PRESENT])
def test_100k_drawing_paths_finish_in_bounded_time(script, dense_pdf, tmp_path):
    out = tmp_path / "out"
    p, peak_mb = run_measured([SCRIPTS / f"{script}.py", *PDF_SCRIPTS[script](dense_pdf, out, True)], timeout=120)
    print(f"{script}: 100,000 paths, peak RSS {peak_mb:.0f} MB")
    assert p.returncode == 0 and not TRACE.search(p.stderr), p.stderr
    if script == "smart_extract":
        assert [f.name for f in (out / "images").glob("fig1_*.png")], "the dense plot is Figure 1"


# ---------------------------------------------------------------------------------------------------------------
# File names with spaces, unicode, shell characters, a leading dash -- in the PDF's name and the output folder's


WEIRD_NAMES = ["we ird $(touch PWNED) ;`touch PWNED2` '\"*?|<>&.pdf", "論文 ünïcödé — Ω.pdf", "-rf.pdf",
               "a\nnewline.pdf"]


@pytest.mark.parametrize("name", WEIRD_NAMES, ids=["shell", "unicode", "dash", "newline"])
def test_weird_file_names(name, inputs, tmp_path):
    """As real processes, with the names as argv (a shell is not involved, so nothing in a name may run)."""
    pdf = tmp_path / "in" / name
    pdf.parent.mkdir()
    shutil.copyfile(inputs["ok"], pdf)
    out_name = "out " + name.replace(".pdf", "") + " $HOME"
    for script in PRESENT:
        if script == "prepare_paper" and not (SKILL_TEMPLATES / "full.en.md").is_file():
            continue  # it needs the skill's templates/
        out = Path(out_name) / script  # relative to cwd, as a user types them: "in/-rf.pdf" is not an option
        with watched(tmp_path, out_name):
            argv = [str(a) for a in PDF_SCRIPTS[script](Path("in") / name, out, True)]
            p = subprocess.run([sys.executable, str(SCRIPTS / f"{script}.py"), *argv], capture_output=True,
                               text=True, timeout=120, cwd=tmp_path, check=False)
        assert p.returncode == 0 and not TRACE.search(p.stderr), (script, p.stderr)
        assert (tmp_path / out).exists() or (tmp_path / out).parent.is_dir()
    assert not list(tmp_path.rglob("PWNED*")) and not Path("PWNED").exists()


# ---------------------------------------------------------------------------------------------------------------
# Titles and captions that would make unsafe names


HOSTILE_TITLES = ["../../etc", "CON", "/etc/passwd: A Study", "NUL.txt", "~/.ssh/authorized_keys",
                  " ".join(["Supercalifragilisticexpialidocious"] * 9),  # 314 characters
                  "注意力机制就是你所需要的", "Ünïcödé Çafé: Résumé of Naïve Models", "%s%n%x ${IFS} `id` $(id)"]


@pytest.mark.parametrize("title", HOSTILE_TITLES, ids=range(len(HOSTILE_TITLES)))
def test_hostile_titles_make_safe_folder_names_inside_the_root(title, tmp_path):
    pdf = H.titled(tmp_path / "in" / "paper.pdf", title)
    with watched(tmp_path, "notes") as diff:
        r = H.call("scaffold_dir", pdf, "--root", tmp_path / "notes", "--json", *_templates())
    clean_success(r, "scaffold_dir")
    folder = Path(json.loads(r.out)["folder"])
    assert folder.parent == tmp_path / "notes"
    name = folder.name
    assert SAFE_FOLDER.match(name) and len(name) <= 50, name
    assert name.split(".")[0] not in WINDOWS_RESERVED, name
    assert {str(Path(p).parts[1]) for p in diff["created"] if len(Path(p).parts) > 1} == {name}


def test_hostile_captions_make_rule_names_inside_images(tmp_path):
    from paperkit.figures.naming import is_rule_name

    doc = pymupdf.open()
    page = H.paper_page(doc, title="Hostile Captions", figure=False)
    tops = (455, 610)  # under the body text
    for top, caption in zip(tops, ["Figure 1: ../../../etc/passwd CON <script> $(rm -rf ~)",
                                   "Figure 2. \\\\server\\share\\x.png ; NUL ~/.bashrc"], strict=True):
        shape = page.new_shape()
        shape.draw_rect(pymupdf.Rect(120, top, 480, top + 100))
        shape.finish(color=(0, 0, 0), fill=(0.9, 0.9, 0.9))
        shape.commit()
        page.insert_text((120, top + 115), caption, fontsize=9)
    pdf = tmp_path / "in" / "paper.pdf"
    pdf.parent.mkdir()
    doc.save(pdf)
    with watched(tmp_path, "out"):
        r = H.call("smart_extract", pdf, tmp_path / "out", "--json")
    clean_success(r, "smart_extract")
    files = [Path(f["file"]) for f in json.loads(r.out)["figures"]]
    assert len(files) == 2, r.out
    for f in files:
        assert f.parent == Path("images") and is_rule_name(f.name), f


# ---------------------------------------------------------------------------------------------------------------
# Output folders that cannot be written: under a regular file, chmod (not as root), read-only mount, full disk


@pytest.mark.parametrize("script", PRESENT)
def test_output_under_a_regular_file(script, inputs, tmp_path):
    needs_skill_templates(script)
    pdf = stage(inputs, "ok", tmp_path)
    blocker = H.write(tmp_path / "blocker", b"I am a file, not a folder\n")
    with watched(tmp_path) as diff:
        r = H.call(script, *PDF_SCRIPTS[script](pdf, blocker / "out", True))
    one_line_error(r, script, 3, r"blocker.*(is a file, not a folder|exists and is not a folder)")
    assert not any(diff.values())


@pytest.mark.parametrize("script", PRESENT)
def test_output_folder_without_write_permission(script, inputs, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root, where chmod does not stop writes (the read-only mount test covers this)")
    needs_skill_templates(script)
    pdf = stage(inputs, "ok", tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with watched(tmp_path) as diff:
            r = H.call(script, *PDF_SCRIPTS[script](pdf, locked / "out", True))
    finally:
        locked.chmod(0o755)
    one_line_error(r, script, 3, r"permission denied or read-only")
    assert not any(diff.values())


def _mount_tmpfs(where: Path, options: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if sys.platform != "linux" or not shutil.which("mount"):
        return False
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True,
                       check=False)
    return p.returncode == 0


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Callable[[str, str], Path]]:
    """Mounts a small tmpfs (read-only or tiny) for the test; skipped with the reason where mount is not allowed."""
    points: list[Path] = []

    def mount(name: str, options: str) -> Path:
        where = tmp_path / name
        if not _mount_tmpfs(where, options):
            pytest.skip(f"cannot mount a tmpfs here (mount -o {options} needs root and a kernel that allows it)")
        points.append(where)
        return where

    yield mount
    for where in reversed(points):
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def _fill(where: Path) -> None:
    """Fills a file system to the last byte (unbuffered, so closing the file has nothing left to write)."""
    with (where / "filler").open("wb", buffering=0) as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 4096)
    with contextlib.suppress(OSError), (where / "filler2").open("wb", buffering=0) as fh:
        fh.write(b"\0")


@pytest.mark.parametrize("script", PRESENT)
def test_read_only_and_full_disk(script, inputs, tmp_path, mounted):
    needs_skill_templates(script)
    pdf = stage(inputs, "ok", tmp_path)
    ro = mounted("ro", "ro,size=64k")
    with watched(tmp_path) as diff:
        r = H.call(script, *PDF_SCRIPTS[script](pdf, ro / "out", True))
    one_line_error(r, script, 3, r"read-only")
    assert "staging" not in r.err and ".tmp" not in r.err, r.err  # the user's folder, not a scratch name
    assert not any(diff.values())

    full = mounted("full", "size=64k")
    _fill(full)
    before = H.snapshot(full)
    r = H.call(script, *PDF_SCRIPTS[script](pdf, full / "out", True))
    one_line_error(r, script, 3, r"the disk is full.*while writing \S")
    assert "staging" not in r.err and ".tmp" not in r.err, r.err
    diff = H.changes(before, H.snapshot(full))
    new_files = [p for p in diff["created"] if (full / p).is_file()]
    assert not new_files and not diff["changed"] and not diff["removed"], diff
    assert not H.leftovers(full)


# ---------------------------------------------------------------------------------------------------------------
# Nothing the scripts did not write is replaced without --force; re-runs are idempotent


@pytest.mark.parametrize("script", PRESENT)
def test_rerun_is_idempotent_and_byte_identical(script, inputs, tmp_path):
    needs_skill_templates(script)
    pdf = stage(inputs, "ok", tmp_path)
    argv = PDF_SCRIPTS[script](pdf, tmp_path / "out", True)
    r = H.call(script, *argv)
    clean_success(r, script)
    first = H.snapshot(tmp_path)
    with watched(tmp_path, "out") as diff:
        r = H.call(script, *argv)
    clean_success(r, script)
    assert not any(diff.values()), diff
    assert H.snapshot(tmp_path) == first


@pytest.mark.parametrize("script", PRESENT)
def test_files_the_user_made_stay_untouched_without_force(script, inputs, tmp_path):
    needs_skill_templates(script)
    # learn what the script writes, in a folder of its own
    learn = tmp_path / "learn"
    r = H.call(script, *PDF_SCRIPTS[script](stage(inputs, "ok", learn), learn / "out", True))
    clean_success(r, script)
    written = sorted(p for p, (kind, _) in H.snapshot(learn / "out").items() if kind == "file")
    assert written

    root = tmp_path / "mine"
    pdf = stage(inputs, "ok", root)
    # every file the script would write is there already, made by the user (a paper.pdf is the user's copy of it)
    mine = {p: pdf.read_bytes() if p.endswith("paper.pdf") else f"the user's own {p}\n".encode() for p in written}
    mine |= {"README.md": b"# my notes\n", "images/my-sketch.png": b"not a png, mine", "paper.yaml": b"mine: 1\n"}
    for rel, data in mine.items():
        H.write(root / "out" / rel, data)
    keep = H.snapshot(root)
    r = H.call(script, *PDF_SCRIPTS[script](pdf, root / "out", True))
    assert not TRACE.search(r.err)
    if script == "scaffold_dir":  # documented: an existing README.md or paper.pdf is kept, and said so
        assert r.code == 0 and "kept the existing" in r.err, r.err
    elif script == "prepare_paper":  # scaffold_dir.py's "kept" lines come first
        one_line_error_after_progress(r, script, 3, r"(exists|already exist).*--force")
    else:
        one_line_error(r, script, 3, r"(exists|already exist).*--force")
    now = H.snapshot(root)
    assert {k: v for k, v in now.items() if v[0] == "file"} == {k: v for k, v in keep.items() if v[0] == "file"}, \
        H.changes(keep, now)  # (an empty images/ folder may appear: it replaces nothing)
    assert not H.leftovers(root)

    r = H.call(script, *PDF_SCRIPTS[script](pdf, root / "out", True), "--force")
    clean_success(r, script)
    after = H.snapshot(root)
    for rel in written:  # --force replaces what the script writes...
        assert (root / "out" / rel).read_bytes() == (learn / "out" / rel).read_bytes(), rel
    for rel in set(mine) - set(written):  # ...and nothing else
        assert after[f"out/{rel}"] == keep[f"out/{rel}"], rel


def test_a_different_paper_with_the_same_short_name_is_refused(tmp_path):
    first = H.titled(tmp_path / "in" / "a.pdf", "注意力机制就是你所需要的")
    second = H.titled(tmp_path / "in" / "b.pdf", "卷积神经网络的一个研究")
    r = H.call("scaffold_dir", first, "--root", tmp_path / "notes", *_templates())
    clean_success(r, "scaffold_dir")
    r = H.call("scaffold_dir", second, "--root", tmp_path / "notes", "--json", *_templates())
    assert r.code == 3 or json.loads(r.out)["folder"] != str(tmp_path / "notes" / "paper"), r.err


# ---------------------------------------------------------------------------------------------------------------
# Every script, whatever it does: --help, usage errors, a missing argument file


@pytest.mark.parametrize("script", ALL_SCRIPTS)
def test_every_script_help_and_usage_errors(script, tmp_path):
    r = H.call(script, "--help")
    assert r.code == 0 and "examples:" in r.out and "exit codes" in r.out, r.out
    r = H.call(script)
    assert r.code == 2 and not TRACE.search(r.err) and "usage:" in r.err, r.err
    r = H.call(script, "--no-such-option", tmp_path / "x.pdf")
    assert r.code == 2 and not TRACE.search(r.err), r.err


# ---------------------------------------------------------------------------------------------------------------
# validate_note.py: hostile notes


@pytest.mark.skipif(not (SCRIPTS / "validate_note.py").is_file(), reason="validate_note.py is not there yet")
def test_validate_note_hostile_notes(tmp_path):
    H.write(tmp_path / "file.txt", b"not a note\n")
    (tmp_path / "empty").mkdir()
    H.write(tmp_path / "latin1" / "README.md", "# Caf\u00e9 na\u00efve\n".encode("latin-1"))
    H.write(tmp_path / "binary" / "README.md", bytes(range(256)) * 64)
    H.write(tmp_path / "huge" / "README.md", ("# T\n\n" + "$x$ word ![a](images/x.png) " * 40000).encode())
    H.write(tmp_path / "deep" / "README.md", ("> " * 5000 + "x\n" + "[" * 5000 + "\n").encode())
    cases = {"nope": (1,), "file.txt": (1,), "empty": (1,), "latin1": (1,), "binary": (1,), "huge": (0, 1),
             "deep": (0, 1)}
    for name, codes in cases.items():
        with watched(tmp_path) as diff:
            r = H.call("validate_note", tmp_path / name)
        assert r.code in codes and not TRACE.search(r.err) and "internal error" not in r.err, (name, r.code, r.err)
        assert not any(diff.values()), (name, diff)


# ---------------------------------------------------------------------------------------------------------------
# export_note.py: hostile note folders


@pytest.fixture
def note(tmp_path: Path) -> Path:
    folder = tmp_path / "notes" / "evil"
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 8, 8), False)
    pix.clear_with(120)
    H.write(folder / "images" / "fig1_arch_model.png", pix.tobytes("png"))
    H.write(folder / "README.md", b"# Evil\n\n![Figure 1](images/fig1_arch_model.png)\n")
    H.write(tmp_path / "notes" / "secret.png", pix.tobytes("png"))
    return folder


@pytest.mark.skipif(not (SCRIPTS / "export_note.py").is_file(), reason="export_note.py is not there yet")
@pytest.mark.parametrize("link, pattern", [
    ("../secret.png", r"points outside the note folder"),
    ("/etc/hostname", r"(points outside|absolute)"),
    ("images/../../secret.png", r"points outside the note folder"),
    ("images/missing.png", r"broken link"),
], ids=["parent", "absolute", "sneaky", "missing"])
@pytest.mark.parametrize("fmt", ["zip", "obsidian"])
def test_export_refuses_links_out_of_the_note(note, link, pattern, fmt, tmp_path):
    readme = note / "README.md"
    readme.write_text(readme.read_text() + f"\n![x]({link})\n", encoding="utf-8")
    with watched(tmp_path) as diff:
        r = H.call("export_note", note, "--to", fmt, "--out", tmp_path / "vault")
    one_line_error(r, "export_note", 1, pattern)
    assert not any(diff.values()), diff


@pytest.mark.skipif(not (SCRIPTS / "export_note.py").is_file(), reason="export_note.py is not there yet")
def test_export_bad_note_folders(note, tmp_path):
    H.write(tmp_path / "file.md", b"# not a folder\n")
    (tmp_path / "empty").mkdir()
    for folder, pattern in [(tmp_path / "nope", r"nope"), (tmp_path / "file.md", r"file\.md"),
                            (tmp_path / "empty", r"README\.md")]:
        with watched(tmp_path) as diff:
            r = H.call("export_note", folder, "--to", "zip")
        one_line_error(r, "export_note", 1, pattern)
        assert not any(diff.values())
    blocker = H.write(tmp_path / "blocker", b"file\n")
    with watched(tmp_path) as diff:
        r = H.call("export_note", note, "--to", "obsidian", "--out", blocker / "vault")
    one_line_error(r, "export_note", 3, r"blocker")
    assert not any(diff.values())
    with watched(tmp_path, "notes/evil.zip") as diff:
        r = H.call("export_note", note, "--to", "zip")
    clean_success(r, "export_note")
    with watched(tmp_path) as diff:
        r = H.call("export_note", note, "--to", "zip")
    one_line_error(r, "export_note", 3, r"evil\.zip.*--force")


# ---------------------------------------------------------------------------------------------------------------
# fetch_paper.py against a local server: what comes back is hostile


class _Server:
    """A 127.0.0.1 server with fixed answers per path (no test touches the internet)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        routes = self.routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, ctype, body = routes.get(self.path.split("?")[0], (404, "text/html", b"<html>404</html>"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    s = _Server()
    monkeypatch.setenv("AIPR_ARXIV_API", s.base + "/api/query")
    monkeypatch.setenv("AIPR_ARXIV_PDF_BASE", s.base + "/pdf/")
    monkeypatch.setenv("AIPR_HTTP_BACKOFF", "0")
    yield s
    s.close()


def _atom(title: str) -> bytes:
    from xml.sax.saxutils import escape

    return (f'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            f'xmlns:arxiv="http://arxiv.org/schemas/atom"><entry><id>http://arxiv.org/abs/2401.00001v1</id>'
            f"<title>{escape(title)}</title><summary>An abstract.</summary><author><name>Ada Lovelace</name>"
            f'</author><category term="cs.LG"/><published>2024-01-01T00:00:00Z</published></entry></feed>').encode()


pytestmark_fetch = pytest.mark.skipif(not (SCRIPTS / "fetch_paper.py").is_file(), reason="no fetch_paper.py yet")


@pytestmark_fetch
@pytest.mark.parametrize("case, code, pattern", [
    ("html", 4, r"did not return a PDF but .*HTML"),
    ("truncated10", 4, r"cannot be read as one .*cut short"),
    ("empty", 4, r"(empty|did not return a PDF|no data)"),
    ("bad-id", 1, r"."),
])
def test_fetch_hostile_answers(case, code, pattern, server, inputs, tmp_path):
    body = b"" if case == "empty" else inputs[case].read_bytes() if case in inputs else b""
    server.routes["/files/paper.pdf"] = (200, "application/pdf", body)
    source = "not a paper id ../../etc" if case == "bad-id" else server.base + "/files/paper.pdf"
    with watched(tmp_path) as diff:
        r = H.call("fetch_paper", source, "--root", tmp_path / "notes", "--retries", "0", "--timeout", "5")
    one_line_error_after_progress(r, "fetch_paper", code, pattern)
    assert not any(diff.values()), diff


def one_line_error_after_progress(r: H.Result, script: str, code: int, pattern: str) -> None:
    """fetch_paper.py says what it downloads as it goes; the error is still one line, the last."""
    assert not TRACE.search(r.err) and r.code == code, (r.code, r.err)
    errors = [ln for ln in r.err_lines if ln.startswith(f"{script}.py: error: ")]
    assert len(errors) == 1 and r.err_lines[-1] == errors[0], r.err
    assert re.search(pattern, errors[0]), (pattern, r.err)


@pytestmark_fetch
@pytest.mark.parametrize("title", ["../../etc", "CON", " ".join(["Supercalifragilisticexpialidocious"] * 9)],
                         ids=["dots", "con", "long"])
def test_fetch_hostile_arxiv_titles_stay_inside_the_root(title, server, inputs, tmp_path):
    if not (SKILL_TEMPLATES / "full.en.md").is_file():
        pytest.skip("fetch_paper.py needs the skill's templates/, not there yet")
    server.routes["/api/query"] = (200, "application/atom+xml", _atom(title))
    server.routes["/pdf/2401.00001v1"] = (200, "application/pdf", inputs["ok"].read_bytes())
    with watched(tmp_path, "notes"):
        r = H.call("fetch_paper", "2401.00001", "--root", tmp_path / "notes", "--json", "--retries", "0")
    assert r.code == 0 and not TRACE.search(r.err), r.err
    folder = Path(json.loads(r.out)["folder"])
    assert folder.parent == tmp_path / "notes" and SAFE_FOLDER.match(folder.name) and len(folder.name) <= 50
    assert folder.name not in WINDOWS_RESERVED


@pytestmark_fetch
def test_fetch_an_encrypted_paper(server, inputs, tmp_path):
    if not (SKILL_TEMPLATES / "full.en.md").is_file():
        pytest.skip("fetch_paper.py needs the skill's templates/, not there yet")
    server.routes["/files/paper.pdf"] = (200, "application/pdf", inputs["encrypted"].read_bytes())
    r = H.call("fetch_paper", server.base + "/files/paper.pdf", "--root", tmp_path / "notes", "--password",
               "s3cret", "--retries", "0")
    assert r.code == 0, r.err


# ---------------------------------------------------------------------------------------------------------------
# The sample paper and the real papers, each script once: the happy path writes only under out/


@pytest.mark.parametrize("script", PRESENT)
def test_sample_paper_writes_only_into_its_output(script, tmp_path):
    needs_skill_templates(script)
    assert SAMPLE_PDF.is_file(), "assets/sample-paper.pdf is missing: run python tests/make_sample_paper.py"
    pdf = tmp_path / "in" / "sample paper.pdf"
    pdf.parent.mkdir()
    shutil.copyfile(SAMPLE_PDF, pdf)
    with watched(tmp_path, "out") as diff:
        r = H.call(script, *PDF_SCRIPTS[script](pdf, tmp_path / "out", True))
    clean_success(r, script)
    assert diff["created"]


def test_default_output_is_the_pdfs_folder_and_nothing_else(inputs, tmp_path):
    """smart_extract.py and paper_info.py without an output folder write beside the PDF, and only there."""
    pdf = stage(inputs, "ok", tmp_path)
    for script, argv in [("smart_extract", [pdf]), ("paper_info", [pdf])]:
        with watched(tmp_path, "in/images", "in/paper.yaml", "in/paper.md", "in/tables") as diff:
            r = H.call(script, *argv, "--quiet")
        clean_success(r, script)
        assert diff["created"]

