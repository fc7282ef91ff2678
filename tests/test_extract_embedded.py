"""extract_embedded.py: every embedded bitmap once, in the colours a reader sees -- on PDFs built here, on the sample
paper and on the real papers of ../shared/corpus."""
from __future__ import annotations

import hashlib
import json
import re

import pymupdf
import pytest
from conftest import corpus_pdfs, run_script

NAME_RE = re.compile(r"img_p\d+_\d+\.png")


def _rgba_half_transparent() -> pymupdf.Pixmap:
    """100x80 RGBA: the left half opaque red, the right half fully transparent."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 100, 80), 1)
    pix.clear_with()  # every byte 0: transparent black
    pix.set_rect(pymupdf.IRect(0, 0, 50, 80), (255, 0, 0, 255))
    return pix


def _cmyk_red() -> pymupdf.Pixmap:
    pix = pymupdf.Pixmap(pymupdf.csCMYK, pymupdf.IRect(0, 0, 90, 70), 0)
    pix.set_rect(pix.irect, (0, 255, 255, 0))
    return pix


@pytest.fixture(scope="module")
def built_pdf(tmp_path_factory):
    """p1: an RGBA image, a CMYK image, an 8x8 icon; p2: the RGBA image again (same object); p3: a copy of the CMYK
    image as a separate object; p4: rotated, a grey image at a known place."""
    doc = pymupdf.open()
    p1 = doc.new_page()
    rgba_xref = p1.insert_image(pymupdf.Rect(100, 100, 200, 180), pixmap=_rgba_half_transparent())
    p1.insert_image(pymupdf.Rect(300, 100, 390, 170), pixmap=_cmyk_red())
    p1.insert_image(pymupdf.Rect(50, 50, 58, 58), pixmap=pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 8, 8), 0))
    p2 = doc.new_page()
    p2.insert_image(pymupdf.Rect(100, 300, 200, 380), xref=rgba_xref)
    p3 = doc.new_page()
    p3.insert_image(pymupdf.Rect(100, 300, 190, 370), pixmap=_cmyk_red())
    p4 = doc.new_page(width=612, height=792)
    grey = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 120, 100), 0)
    grey.set_rect(grey.irect, (90,))
    p4.insert_image(pymupdf.Rect(100, 100, 220, 200), pixmap=grey)
    p4.set_rotation(90)
    path = tmp_path_factory.mktemp("emb") / "images.pdf"
    doc.save(path)
    return path


def extract(pdf, out, *extra) -> list[dict]:
    r = run_script("extract_embedded", pdf, out, "--json", "--quiet", *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["images"]


def test_each_image_once_icons_skipped(built_pdf, tmp_path):
    items = extract(built_pdf, tmp_path / "out")
    assert [i["file"] for i in items] == ["img_p1_1.png", "img_p1_2.png", "img_p4_1.png"]
    assert [(i["width"], i["height"]) for i in items] == [(100, 80), (90, 70), (120, 100)]
    assert items[0]["bbox"] == [100, 100, 200, 180]
    pngs = sorted(p.name for p in (tmp_path / "out").glob("*.png"))
    assert pngs == ["img_p1_1.png", "img_p1_2.png", "img_p4_1.png"]
    manifest = json.loads((tmp_path / "out" / "extract_embedded.json").read_text(encoding="utf-8"))
    assert [i["file"] for i in manifest["images"]] == [i["file"] for i in items]


def test_alpha_kept_and_cmyk_made_rgb(built_pdf, tmp_path):
    extract(built_pdf, tmp_path)
    rgba = pymupdf.Pixmap(str(tmp_path / "img_p1_1.png"))
    assert rgba.alpha == 1
    assert rgba.pixel(10, 40) == (255, 0, 0, 255)
    assert rgba.pixel(90, 40)[3] == 0  # the soft mask made it transparent
    cmyk = pymupdf.Pixmap(str(tmp_path / "img_p1_2.png"))
    assert cmyk.colorspace.n == 3 and not cmyk.alpha
    r, g, b = cmyk.pixel(45, 35)
    assert r > 200 and g < 80 and b < 80, (r, g, b)
    grey = pymupdf.Pixmap(str(tmp_path / "img_p4_1.png"))
    assert grey.pixel(5, 5) == (90,)


def test_rotated_page_bbox_in_displayed_coordinates(built_pdf, tmp_path):
    item = extract(built_pdf, tmp_path)[2]
    # unrotated (100, 100, 220, 200) on a 612x792 page turned 90 degrees: x = 792 - y, y = x
    assert item["page"] == 4 and item["bbox"] == [592, 100, 692, 220]


def test_min_size_lets_icons_in(built_pdf, tmp_path):
    items = extract(built_pdf, tmp_path, "--min-size", "8")
    assert any((i["width"], i["height"]) == (8, 8) for i in items)
    assert len(items) == 4


def test_rerun_idempotent_and_stale_files_removed(built_pdf, tmp_path):
    extract(built_pdf, tmp_path, "--min-size", "8")
    assert len(list(tmp_path.glob("*.png"))) == 4
    first = (tmp_path / "img_p4_1.png").read_bytes()
    extract(built_pdf, tmp_path)  # no --force needed for its own files; img_p1_3 it no longer makes goes away
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["img_p1_1.png", "img_p1_2.png", "img_p4_1.png"]
    assert (tmp_path / "img_p4_1.png").read_bytes() == first
    assert pymupdf.Pixmap(str(tmp_path / "img_p1_1.png")).width == 100  # the RGBA image, no longer after the icon


def test_refuses_to_overwrite_foreign_files(built_pdf, tmp_path):
    (tmp_path / "img_p1_2.png").write_bytes(b"mine")
    r = run_script("extract_embedded", built_pdf, tmp_path)
    assert r.returncode == 3
    assert "--force" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert (tmp_path / "img_p1_2.png").read_bytes() == b"mine"
    assert not (tmp_path / "img_p1_1.png").exists()  # a refused run writes nothing
    assert run_script("extract_embedded", built_pdf, tmp_path, "--force").returncode == 0
    assert (tmp_path / "img_p1_2.png").read_bytes().startswith(b"\x89PNG")


def test_foreign_manifest_is_not_replaced(built_pdf, tmp_path):
    (tmp_path / "extract_embedded.json").write_text("{}", encoding="utf-8")
    r = run_script("extract_embedded", built_pdf, tmp_path)
    assert r.returncode == 3 and "--force" in r.stderr
    assert (tmp_path / "extract_embedded.json").read_text(encoding="utf-8") == "{}"


@pytest.mark.parametrize("content", [b"just some text\n", None])
def test_bad_input_one_line_error(tmp_path, content):
    pdf = tmp_path / "paper.pdf"
    if content is not None:
        pdf.write_bytes(content)
    r = run_script("extract_embedded", pdf, tmp_path / "out")
    assert r.returncode == 1
    assert r.stderr.startswith("extract_embedded.py: error: ") and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_help_has_examples():
    r = run_script("extract_embedded", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "--min-size" in r.stdout


def test_sample_paper(sample_pdf, tmp_path):
    # a 64-px logo drawn on the first and the last page (one object), an 8-px icon, and two heat-map bitmaps,
    # one with a soft mask (transparent above the causal diagonal)
    doc = pymupdf.open(sample_pdf)
    first_page: dict[int, tuple[int, int, int]] = {}
    smasked = set()
    for page in doc:
        for x in page.get_images(full=True):
            if min(x[2], x[3]) >= 64:
                first_page.setdefault(x[0], (page.number + 1, x[2], x[3]))
            if x[1]:
                smasked.add(x[0])
    items = extract(sample_pdf, tmp_path)
    assert sorted((i["page"], i["width"], i["height"]) for i in items) == sorted(first_page.values())
    assert [i["page"] for i in items if (i["width"], i["height"]) == (64, 64)] == [1]
    assert smasked and smasked <= {i["xref"] for i in items}
    for item in items:
        if item["xref"] in smasked:
            pix = pymupdf.Pixmap(str(tmp_path / item["file"]))
            alphas = {pix.pixel(x, y)[-1] for x in range(pix.width) for y in range(pix.height)}
            assert pix.alpha and 0 in alphas and 255 in alphas
    assert len(extract(sample_pdf, tmp_path / "all", "--min-size", "8")) == len(items) + 1  # the icon


def test_deepfm_raster_figures(corpus, tmp_path):
    items = extract(corpus / "pdfs" / "deepfm.pdf", tmp_path)
    # 11 raster figures, Figures 6-11 in two panels each: 17 bitmaps
    assert len(items) == 17
    assert {i["page"] for i in items} == {1, 2, 3, 4, 5, 6}
    assert all(min(i["width"], i["height"]) >= 64 for i in items)


def test_vit_many_bitmaps_each_once(corpus, tmp_path):
    pdf = corpus / "pdfs" / "vit.pdf"
    items = extract(pdf, tmp_path)
    doc = pymupdf.open(pdf)
    big = {x[0] for page in doc for x in page.get_images(full=True) if min(x[2], x[3]) >= 64}
    got = {i["xref"] for i in items}
    assert len(got) == len(items) >= 290
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.glob("*.png")}
    assert len(digests) == len(items)  # no picture twice
    # every large image left out is a byte-for-byte copy of one that was written
    kept_streams = {doc.xref_stream_raw(x) for x in got}
    assert got <= big
    assert all(doc.xref_stream_raw(x) in kept_streams for x in big - got)


@pytest.mark.parametrize("pdf", corpus_pdfs(), ids=lambda p: p.stem)
def test_every_corpus_paper(pdf, tmp_path):
    items = extract(pdf, tmp_path)
    assert all(NAME_RE.fullmatch(i["file"]) for i in items)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(i["file"] for i in items)
    assert not list(tmp_path.glob(".*"))  # no staging folder or temporary file left behind
