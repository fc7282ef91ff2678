"""The sample paper the project ships is exactly what tests/make_sample_paper.py builds, and its truth matches it."""
from __future__ import annotations

import json
import subprocess
import sys

import pymupdf
from conftest import ROOT, SAMPLE_PDF

TRUTH = ROOT / "tests" / "data" / "sample-paper-truth.json"


def test_generator_is_deterministic_and_matches_the_committed_files(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "make_sample_paper.py"), "--out", str(tmp_path)],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "sample-paper.pdf").read_bytes() == SAMPLE_PDF.read_bytes()
    assert json.loads((tmp_path / "sample-paper-truth.json").read_text()) == json.loads(TRUTH.read_text())


def test_truth_matches_the_pdf():
    truth = json.loads(TRUTH.read_text())
    with pymupdf.open(SAMPLE_PDF) as doc:
        assert doc.page_count == 3
        first = doc[0].get_text()
        assert truth["title"] in " ".join(first.split())
        assert f"arXiv:{truth['arxiv']}v2" in first.replace(" ", "")
        for item in truth["items"]:
            page = doc[item["page"] - 1]
            text = " ".join(page.get_text().split())
            assert " ".join(item["caption"].split()[:6]) in text, item["label"]
            box = pymupdf.Rect(item["bbox"])
            assert box.width > 50 and box.height > 50 and page.rect.contains(box)
    kinds = {(i["kind"], i["label"]) for i in truth["items"]}
    assert ("table", "Table 1") in kinds and len(kinds) == 5


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
