"""The sample paper the project ships is exactly what tests/make_sample_paper.py builds, and its truth matches it."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import make_sample_paper
import pymupdf
from conftest import ROOT, SAMPLE_PDF

TRUTH = ROOT / "tests" / "data" / "sample-paper-truth.json"


def test_generator_is_deterministic_and_matches_the_committed_files(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "make_sample_paper.py"), "--out", str(tmp_path)],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "sample-paper.pdf").read_bytes() == SAMPLE_PDF.read_bytes()
    assert json.loads((tmp_path / "sample-paper-truth.json").read_text()) == json.loads(TRUTH.read_text())


def _caption_rect(page: pymupdf.Page, caption: str) -> pymupdf.Rect:
    """Where the caption's first and last words are printed on the page."""
    words = caption.split()
    first = page.search_for(" ".join(words[:3]))
    last = page.search_for(" ".join(words[-3:]))
    assert len(first) == 1 and last, caption[:40]
    box = pymupdf.Rect(first[0])
    for r in last:
        box |= r
    return box


def test_truth_matches_the_pdf():
    truth = json.loads(TRUTH.read_text())
    with pymupdf.open(SAMPLE_PDF) as doc:
        assert doc.page_count == 4
        first = doc[0].get_text()
        assert truth["title"] in " ".join(first.split())
        assert all(a in first for a in truth["authors"])
        assert f"arXiv:{truth['arxiv']}v2" in first.replace(" ", "")
        unhyphenated = re.sub(r"-\n(?=[a-z])", "", first)  # "interac-" at a line end, "tion" on the next
        assert " ".join(truth["abstract"].split()) in " ".join(unhyphenated.split())
        for level, number, title, page_no in truth["sections"]:
            heading = f"{number} {title}".strip()
            lines = [ln.strip() for ln in doc[page_no - 1].get_text().splitlines()]
            assert heading in lines, (heading, page_no)
            assert level == (number.count(".") + 1 if number else 1)
        for item in truth["items"]:
            page = doc[item["page"] - 1]
            text = " ".join(page.get_text().split())
            assert item["caption"] in text, item["label"]  # the whole caption, on its page
            assert item["caption"].startswith(item["label"] + ": ")
            box = pymupdf.Rect(item["bbox"])
            assert box.width > 50 and box.height > 50 and page.rect.contains(box)
            cap = _caption_rect(page, item["caption"])
            assert not cap.intersects(box), item["label"]
            # figure captions below the body, table captions above it, within a few points
            gap = cap.y0 - box.y1 if item["kind"] == "figure" else box.y0 - cap.y1
            assert 0 < gap < 20, (item["label"], gap)
    kinds = {(i["kind"], i["label"]) for i in truth["items"]}
    assert kinds == {("figure", f"Figure {n}") for n in "1234"} | {("table", "Table 1"), ("table", "Table 2")}
    spanning = [i["label"] for i in truth["items"] if i["bbox"][2] - i["bbox"][0] > 300]
    assert spanning == ["Figure 4", "Table 2"]


def test_truth_boxes_hold_every_ink_pixel_of_their_body_and_no_other_text():
    """make_sample_paper.verify: each body drawn alone and rendered at 150 dpi has all its ink inside its truth box
    (and the box is tight), and the real page has no other text (body text, captions) inside the box."""
    doc, items, _ = make_sample_paper.build()
    doc = pymupdf.open("pdf", doc.tobytes())
    make_sample_paper.measure(items)
    assert make_sample_paper.verify(doc, items) == []
    truth = {i["label"]: i["bbox"] for i in json.loads(TRUTH.read_text())["items"]}
    assert {it.label: it.bbox for it in items} == truth
    # and the check is not blind: a box cut short on one side, or grown over the caption, is reported
    items[0].bbox = [items[0].bbox[0] + 4, *items[0].bbox[1:]]
    items[1].bbox = [*items[1].bbox[:3], items[1].bbox[3] + 14]
    problems = make_sample_paper.verify(doc, items)
    assert any(p.startswith(f"{items[0].label}: ink") for p in problems), problems
    assert any(p.startswith(f"{items[1].label}: foreign text") for p in problems), problems


def test_sample_has_the_hard_parts():
    with pymupdf.open(SAMPLE_PDF) as doc:
        images = [img for page in doc for img in page.get_images(full=True)]
        xrefs = [img[0] for img in images]
        assert len(xrefs) > len(set(xrefs)), "one logo image used on two pages"
        assert any(pymupdf.Pixmap(doc, img[0]).colorspace.n == 4 for img in images), "a CMYK bitmap"
        assert any(img[1] for img in images), "a bitmap with a soft mask (transparency)"
        assert any(min(img[2], img[3]) <= 8 for img in images), "an 8x8 icon"
        lines = [ln.strip() for page in doc for ln in page.get_text().splitlines()]
        assert any(ln.startswith("Figure 2 shows") for ln in lines), "an in-text mention that starts a line"
        assert any(ln.endswith("-") for ln in lines), "a hyphenated line end"
