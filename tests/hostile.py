"""Builds hostile and broken inputs for the scripts, all into a folder the test gives (tmp_path).

Every builder writes real bytes: PDFs made with PyMuPDF, or the plain bytes of what a download error or a careless
rename leaves behind. Helpers to run a script in this process (as cli.run does from the command line) and to
snapshot a folder tree (to prove a run wrote nothing outside its output folder) live here too.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pymupdf

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

from paperkit.io import cli  # noqa: E402

LOREM = ("We study how a model reads a paper. The method learns a representation of every page and ranks the "
         "candidates by their score. Experiments on three data sets show that it improves over the baselines. ")


TOPICS = ("encoder", "decoder", "attention", "ranking", "retrieval", "gating", "embedding", "ablation", "scores",
          "latency", "memory", "towers", "experts", "tokens", "layers", "heads", "losses")

# ---------------------------------------------------------------------------------------------------------------
# PDFs


def _figure(page: pymupdf.Page, top: float, label: str = "Figure 1", paths: int = 12) -> float:
    """A vector diagram (boxes joined by arrows) and its caption under it; returns the y below the caption."""
    shape = page.new_shape()
    for k in range(paths):
        x = 90 + (k % 6) * 70
        y = top + (k // 6) * 50
        shape.draw_rect(pymupdf.Rect(x, y, x + 50, y + 30))
        if k % 6:
            shape.draw_line((x - 20, y + 15), (x, y + 15))
    shape.finish(color=(0, 0, 0.6), fill=(0.85, 0.9, 1.0), width=0.8)
    shape.commit()
    for k in range(min(paths, 6)):
        page.insert_text((95 + k * 70, top + 19), f"L{k}", fontsize=8)
    y = top + ((paths + 5) // 6 - 1) * 50 + 30  # the caption a few points under the last row of boxes
    n = int(label.split()[-1])
    words = " ".join(TOPICS[(n * 7 + k) % len(TOPICS)] for k in range(3))  # captions differ, as in a real paper
    page.insert_text((90, y + 10), f"{label}: The {words} of the proposed model on page {page.number + 1}.", fontsize=9)
    return y + 24


def paper_page(doc: pymupdf.Document, *, title: str | None = None, number: int = 1, figure: bool = True,
               width: float = 612, height: float = 792) -> pymupdf.Page:
    """One page of a small paper: a title on the first page, body text, a captioned vector figure."""
    page = doc.new_page(width=width, height=height)
    y = 72.0
    if title is not None:
        # CJK needs a font that has it; a long title wraps over as many lines as it takes
        font = "china-s" if any(ord(c) > 0x2E80 for c in title) else "helv"
        box = pymupdf.Rect(72, y, width - 72, y + 300)
        spare = page.insert_textbox(box, title, fontsize=17, fontname=font, align=1)
        assert spare >= 0, f"the title does not fit on the page: {title[:40]!r}"
        y = box.y1 - spare + 12
        page.insert_text((220, y + 10), "Ada Lovelace    Alan Turing", fontsize=11)
        page.insert_text((250, y + 26), "University of Somewhere", fontsize=9)
        y += 50
        page.insert_text((280, y), "Abstract", fontsize=11)
        y += 8
    page.insert_textbox(pymupdf.Rect(72, y, width - 72, y + 110), LOREM * 3, fontsize=10)
    y += 120
    if figure:
        y = _figure(page, y, f"Figure {number}")
    page.insert_textbox(pymupdf.Rect(72, y, width - 72, min(height - 40, y + 150)), LOREM * 3, fontsize=10)
    return page


def paper_bytes(pages: int = 2, title: str = "Reading Papers with Hostile Inputs", figures: bool = True,
                garbage: int = 0) -> bytes:
    doc = pymupdf.open()
    for i in range(pages):
        paper_page(doc, title=title if i == 0 else None, number=i + 1, figure=figures)
    doc.set_metadata({"title": "", "author": "", "producer": "hostile.py"})
    data = doc.tobytes(garbage=garbage, deflate=True)
    doc.close()
    return data


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def paper(path: Path, **kw: object) -> Path:
    """A small, healthy two-page paper with a title and one captioned figure a page."""
    return write(path, paper_bytes(**kw))  # type: ignore[arg-type]


def uncompressed_paper(path: Path) -> Path:
    """The same paper without compression and with a classic xref table (so its bytes can be damaged by hand)."""
    doc = pymupdf.open(stream=paper_bytes())
    data = doc.tobytes(garbage=0, deflate=False, expand=255, use_objstms=0)
    doc.close()
    return write(path, data)


def html_as_pdf(path: Path) -> Path:
    """What a browser saves when a download link answers with a login or error page."""
    return write(path, b"<!DOCTYPE html>\n<html><head><title>Just a moment...</title></head>"
                       b"<body><p>Checking your browser before accessing arxiv.org.</p></body></html>\n")


def png_as_pdf(path: Path) -> Path:
    """A 4x4 PNG renamed to .pdf."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 4, 4), False)
    pix.clear_with(200)
    return write(path, pix.tobytes("png"))


def truncated(src: Path, path: Path, fraction: float) -> Path:
    """The first fraction of src's bytes, as an interrupted download leaves it."""
    data = src.read_bytes()
    return write(path, data[: max(1, int(len(data) * fraction))])


def damaged_xref(src: Path, path: Path) -> Path:
    """src with every xref offset and startxref pointing to the wrong place: MuPDF must rebuild the table."""
    data = src.read_bytes()
    at = data.rfind(b"startxref")
    assert at > 0, "the source has no startxref"
    xref = data.rfind(b"\nxref", 0, at)
    assert xref > 0, "the source has no classic xref table (write it with use_objstms=0)"
    head, table, tail = data[:xref], data[xref:at], data[at:]
    # shift every 10-digit offset by 7 bytes and point startxref into the middle of the body
    lines = []
    for line in table.split(b"\n"):
        parts = line.split(b" ")
        if len(parts) >= 3 and len(parts[0]) == 10 and parts[0].isdigit() and parts[2].startswith(b"n"):
            parts[0] = b"%010d" % (int(parts[0]) + 7)
        lines.append(b" ".join(parts))
    tail = b"startxref\n%d\n%%%%EOF\n" % (len(head) // 2)
    return write(path, head + b"\n".join(lines) + tail)


def encrypted(path: Path, password: str = "s3cret") -> Path:
    """The small paper, AES-256 encrypted: it cannot be opened without the user password."""
    doc = pymupdf.open(stream=paper_bytes())
    data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw=password + "-owner", user_pw=password,
                       permissions=int(pymupdf.PDF_PERM_ACCESSIBILITY | pymupdf.PDF_PERM_PRINT))
    doc.close()
    return write(path, data)


def scanned(path: Path, pages: int = 2, dpi: int = 60) -> Path:
    """A scanned paper: every page one picture of the page, no text layer at all."""
    src = pymupdf.open(stream=paper_bytes(pages=pages))
    doc = pymupdf.open()
    for p in src:
        pix = p.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        page = doc.new_page(width=p.rect.width, height=p.rect.height)
        page.insert_image(page.rect, stream=pix.tobytes("png"))
    data = doc.tobytes(deflate=True, garbage=3)
    src.close()
    doc.close()
    return write(path, data)


def many_pages(path: Path, pages: int = 500) -> Path:
    """A long paper (a thesis, proceedings): pages with text and a captioned figure every tenth page."""
    doc = pymupdf.open()
    for i in range(pages):
        paper_page(doc, title="A Very Long Paper About Long Papers" if i == 0 else None, number=i // 10 + 1,
                   figure=i % 10 == 3)
    data = doc.tobytes(deflate=True, garbage=3)
    doc.close()
    return write(path, data)


def many_paths(path: Path, paths: int = 100_000) -> Path:
    """One page of a paper whose figure is a scatter plot of `paths` separate tiny strokes (a dense plot)."""
    doc = pymupdf.open()
    page = paper_page(doc, title="A Paper With a Dense Scatter Plot", figure=False)
    # the content stream is written by hand: 100,000 Shape calls would take the test longer than the scripts
    ops = []
    seed = 12345
    height = page.rect.height
    for _ in range(paths):  # a fixed pseudo-random cloud in x 100..500, y 430..630 (PDF's y axis points up)
        seed = (seed * 1103515245 + 12345) % 2**31
        x = 100 + (seed % 40000) / 100
        y = height - (430 + (seed // 40000 % 20000) / 100)
        ops.append(f"{x:.2f} {y:.2f} m {x + 1.5:.2f} {y + 1.5:.2f} l S")
    stream = ("q 0 0 0.7 RG 0.3 w\n" + "\n".join(ops) + "\nQ\n").encode()
    xref = doc.get_new_xref()
    doc.update_object(xref, "<<>>")
    doc.update_stream(xref, stream)
    contents = page.get_contents()
    doc.xref_set_key(page.xref, "Contents", "[" + " ".join(f"{c} 0 R" for c in [*contents, xref]) + "]")
    page.insert_text((100, 650), "Figure 1: A scatter plot of the scores of every candidate.", fontsize=9)
    data = doc.tobytes(deflate=True, garbage=3)
    doc.close()
    return write(path, data)


def rotated_and_cropped(path: Path) -> Path:
    """Pages as real files have them: rotated 90/180/270, a CropBox off the origin, a tiny and a huge page."""
    doc = pymupdf.open()
    paper_page(doc, title="Rotated Pages and Odd Boxes", number=1)
    for i, rot in enumerate((90, 180, 270), 2):
        paper_page(doc, number=i).set_rotation(rot)
    page = paper_page(doc, number=5)
    page.set_cropbox(pymupdf.Rect(40, 60, 560, 740))  # CropBox inside the MediaBox, off the origin
    page = paper_page(doc, number=6)
    page.set_mediabox(pymupdf.Rect(-100, -50, 512, 742))  # MediaBox with a negative origin
    doc.new_page(width=20, height=20).insert_text((2, 12), "x", fontsize=6)  # a tiny page
    paper_page(doc, number=8, width=14400, height=14400)  # the largest page PDF allows (200 inches)
    data = doc.tobytes(deflate=True)
    doc.close()
    return write(path, data)


def no_pages(path: Path) -> Path:
    """A PDF with a catalog and an empty page tree, and no xref table: MuPDF rebuilds it and finds no page."""
    return write(path, b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n")


def bad_dict_key(src: Path, path: Path) -> Path:
    """src (uncompressed) with a string where a name must be in its Info dictionary: every page still reads, but
    MuPDF refuses to write the document out again ("invalid key in dict")."""
    data = src.read_bytes()
    at = data.rfind(b"/Producer")
    assert at > 0, "the source has no /Producer to break"
    return write(path, data[:at] + b"(x) 1 " + data[at:])


def broken_image(path: Path, key: str, value: str) -> Path:
    """A one-page paper with two bitmaps: a good one, and one whose image dictionary has key set to value
    (Width 0, an unknown ColorSpace, BitsPerComponent 7...), as a damaged or badly written file has them."""
    doc = pymupdf.open(stream=paper_bytes(pages=1))
    page = doc[0]
    for k, rect in enumerate((pymupdf.Rect(90, 600, 290, 760), pymupdf.Rect(320, 600, 520, 760))):
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 120, 90), False)
        pix.clear_with(60 + 100 * k)
        xref = page.insert_image(rect, pixmap=pix)
    doc.xref_set_key(xref, key, value)
    data = doc.tobytes()
    doc.close()
    return write(path, data)


def titled(path: Path, title: str) -> Path:
    """A small paper whose printed title is `title` (a hostile one makes an unsafe folder name)."""
    return write(path, paper_bytes(title=title))


# ---------------------------------------------------------------------------------------------------------------
# Running a script in this process, and watching a folder tree


_MODULES: dict[str, ModuleType] = {}


def load(name: str) -> ModuleType:
    """scripts/NAME.py as a module (loaded once), so main() runs without starting a Python for each case."""
    if name not in _MODULES:
        spec = importlib.util.spec_from_file_location(f"hostile_{name}", SCRIPTS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _MODULES[name] = mod
    return _MODULES[name]


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if ln.strip()]


def call(name: str, *args: str | os.PathLike[str]) -> Result:
    """Runs scripts/NAME.py's main(args) through cli.run, exactly as its __main__ does, capturing stdout/stderr."""
    mod = load(name)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.run(f"{name}.py", mod.main, [str(a) for a in args])
    return Result(code, out.getvalue(), err.getvalue())


def snapshot(root: Path) -> dict[str, tuple[str, str]]:
    """Every entry under root: relative path -> (kind, content hash) for files, (kind, '') for folders and links."""
    out: dict[str, tuple[str, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            p = Path(dirpath, d)
            out[str(p.relative_to(root))] = ("link" if p.is_symlink() else "dir", "")
        for f in filenames:
            p = Path(dirpath, f)
            if p.is_symlink():
                out[str(p.relative_to(root))] = ("link", os.readlink(p))
                continue
            if not p.is_file():  # a named pipe: opening it would wait for a writer
                out[str(p.relative_to(root))] = ("other", "")
                continue
            h = hashlib.sha256()
            with p.open("rb") as fh:
                for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    h.update(chunk)
            out[str(p.relative_to(root))] = ("file", h.hexdigest())
    return out


def changes(before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    return {
        "created": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(k for k in set(before) & set(after) if before[k] != after[k]),
    }


def outside(paths: list[str], *allowed: str) -> list[str]:
    """The paths (relative to a snapshot root) not inside any of the allowed folders (also relative)."""
    def inside(p: str) -> bool:
        return any(p == a or p.startswith(a.rstrip("/") + "/") for a in allowed)

    return [p for p in paths if not inside(p)]


TEMP_MARKERS = (".tmp", ".staging-", ".part")


def leftovers(root: Path) -> list[str]:
    """Temporary or staging names left anywhere under root (a failed run must clean up after itself)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if any(m in p.name for m in TEMP_MARKERS))
