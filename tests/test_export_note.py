"""export_note.py: the note as one self-contained HTML file, a zip that round-trips, and an Obsidian vault note.

The notes are built here (README.md with formulas, code, a table and images made with PyMuPDF; paper.yaml; a PDF),
from a real paper of the corpus, and from the example note in examples/ once it exists. A real browser (headless
Chromium from the system packages) opens the HTML where it is installed.
"""
from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pymupdf
import pytest
import yaml
from conftest import ROOT, run_script
from paperkit.note import export as ex

HAVE_EXTRA = all(importlib.util.find_spec(m) is not None for m in ("markdown_it", "mdit_py_plugins", "latex2mathml"))
needs_extra = pytest.mark.skipif(not HAVE_EXTRA, reason='the export extra is not installed: pip install ".[export]"')

# ---------------------------------------------------------------------------------------------------------------
# Building notes


def make_png(path: Path, label: str, width_pt: float = 360, height_pt: float = 200, seed: int = 0) -> Path:
    """A figure-like PNG (axes, bars, a curve, a label) drawn with PyMuPDF and rendered at 144 dpi."""
    doc = pymupdf.open()
    page = doc.new_page(width=width_pt, height=height_pt)
    shape = page.new_shape()
    shape.draw_line((30, height_pt - 25), (width_pt - 10, height_pt - 25))
    shape.draw_line((30, 10), (30, height_pt - 25))
    shape.finish(color=(0, 0, 0), width=1)
    for i in range(6):
        h = 20 + ((seed * 37 + i * 53) % 120)
        x = 45 + i * (width_pt - 70) / 6
        shape.draw_rect(pymupdf.Rect(x, height_pt - 25 - h, x + 22, height_pt - 25))
        shape.finish(color=None, fill=((i * 40 % 255) / 255, 0.45, 0.8 - i * 0.1))
    pts = [pymupdf.Point(35 + k * 8, 40 + 30 * ((k * (seed + 3)) % 7) / 7) for k in range(int((width_pt - 50) / 8))]
    shape.draw_polyline(pts)
    shape.finish(color=(0.8, 0.1, 0.1), width=1.5, closePath=False)
    shape.commit()
    page.insert_text((40, 22), label, fontsize=12, color=(0, 0, 0))
    pix = page.get_pixmap(dpi=144)
    path.parent.mkdir(parents=True, exist_ok=True)
    pix.save(str(path))
    doc.close()
    return path


def make_pdf(path: Path, title: str) -> Path:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), title, fontsize=16)
    page.insert_text((72, 100), "Abstract. A test paper built by the test suite.", fontsize=10)
    doc.save(str(path))
    doc.close()
    return path


PAPER_YAML = {
    "title": "Attention Is All You Need",
    "authors": ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit", "Llion Jones"],
    "venue": "NeurIPS",
    "year": 2017,
    "arxiv_id": "1706.03762",  # as paper_info.py writes it
    "abstract": "The dominant sequence transduction models are based on complex recurrent networks.",
    "tags": ["Transformer", "attention", "machine translation"],
}

# Formulas in the note below: each $...$ and $$...$$ is one formula (counted independently by count_formulas).
NOTE_HEAD = """\
# Attention Is All You Need: reading note

> **Paper**: [Attention Is All You Need](https://arxiv.org/abs/1706.03762) ([PDF](paper.pdf))
> **Authors**: Ashish Vaswani, Noam Shazeer, Niki Parmar, et al.
> **Venue**: NeurIPS 2017 · **Reading time**: 25 min · **Difficulty**: ★★★☆☆
> **Prerequisites**: sequence-to-sequence models, softmax, matrix products

## TL;DR

The Transformer drops recurrence and builds an encoder-decoder from attention alone: with $h = 8$ heads and
$d_{model} = 512$ it beats the best translation models while training in a fraction of the time.

## Method

Scaled dot-product attention weighs the values by how well each query matches each key:

$$
\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right) V
$$

The scale $\\frac{1}{\\sqrt{d_k}}$ keeps the dot products of variance $d_k$ from pushing the softmax into regions
with tiny gradients. Multi-head attention runs $h$ of them in parallel on projections
$W_i^Q \\in \\mathbb{R}^{d_{model} \\times d_k}$:

$$\\mathrm{MultiHead}(Q,K,V) = \\mathrm{Concat}(\\mathrm{head}_1, \\dots, \\mathrm{head}_h) W^O$$

Positions enter as sinusoids, $PE_{(pos, 2i)} = \\sin(pos / 10000^{2i/d_{model}})$, see [the figure](#figures).

```python
def attention(q, k, v):
    # $not a formula$ inside code
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    return scores.softmax(-1) @ v
```

Inline code such as `cost is $5` is not math either, nor is money: training cost about $5 an hour and $10 a day.

| Model | BLEU EN-DE | Training cost (FLOPs) |
| --- | --- | --- |
| ByteNet | 23.75 | - |
| Transformer (base) | 27.3 | $3.3 \\cdot 10^{18}$ |
| Transformer (big) | **28.4** | $2.3 \\cdot 10^{19}$ |

## Figures
"""


def make_note(root: Path, n_figures: int = 3, short: str = "attention", extra: str = "",
              with_pdf: bool = True) -> Path:
    """A note folder as the skill writes it: README.md, images/*.png + figures.yaml, paper.yaml, paper.pdf."""
    note = root / short
    (note / "images").mkdir(parents=True)
    kinds = ["arch", "result", "ablation", "method", "compare"]
    entries = []
    lines = [NOTE_HEAD]
    for i in range(1, n_figures + 1):
        name = f"fig{i}_{kinds[i % len(kinds)]}_figure-number-{i}.png"
        make_png(note / "images" / name, f"Figure {i}: test figure", seed=i)
        entries.append({"file": f"images/{name}", "label": f"Figure {i}", "page": i})
        lines.append(f"![Figure {i}: test figure](images/{name})\n\n*Figure {i}.* What the figure shows, "
                     f"with a loss $\\mathcal{{L}}_{i} = -\\sum_t \\log p(y_t)$.\n")
    lines.append("## Summary\n\nBack to [the method](#method).\n")
    lines.append(extra)
    (note / "README.md").write_text("\n".join(lines), encoding="utf-8")
    (note / "images" / "figures.yaml").write_text(yaml.safe_dump({"figures": entries}), encoding="utf-8")
    (note / "paper.yaml").write_text(yaml.safe_dump(PAPER_YAML, sort_keys=False), encoding="utf-8")
    if with_pdf:
        make_pdf(note / "paper.pdf", PAPER_YAML["title"])
    return note


# ---------------------------------------------------------------------------------------------------------------
# Reading what came out


def count_formulas(markdown: str) -> int:
    """$...$ and $$...$$ formulas in a note, counted without markdown-it: code, comments and \\$ left out."""
    text = re.sub(r"<!--.*?-->", "", markdown, flags=re.DOTALL)
    text = re.sub(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1\s*$", "", text, flags=re.DOTALL | re.MULTILINE)
    text = re.sub(r"(`+)(?:(?!\1).)+?\1", "", text)
    text = text.replace("\\$", "")
    text = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.DOTALL)
    n_display = len(re.findall(r"\$\$.+?\$\$", text, flags=re.DOTALL))
    text = re.sub(r"\$\$.+?\$\$", "", text, flags=re.DOTALL)
    n_inline = len(re.findall(r"(?<!\d)\$[^$\n]+?\$(?!\d)", text))  # "$5 and $10" is money, not math
    return n_display + n_inline


class PageParts(HTMLParser):
    """Every element with its attributes; <math> counted; text gathered."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]


def parse_html(path: Path) -> PageParts:
    p = PageParts()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def assert_self_contained(html_path: Path, note: Path) -> PageParts:
    """No link to a local file, no script, no stylesheet or font from elsewhere; images are the note's own bytes."""
    page = parse_html(html_path)
    raw = html_path.read_text(encoding="utf-8")
    assert not page.all("script"), "the exported HTML must not need scripts"
    assert not [a for a in page.all("link") if "stylesheet" in a.get("rel", "")], "no external stylesheet"
    assert "@import" not in raw and "url(" not in raw.split("</style>")[0], "no CSS loaded from elsewhere"
    for tag, attrs in page.tags:
        for key in ("src", "href", "srcset", "poster", "data"):
            value = attrs.get(key)
            if value is None or value == "":
                continue
            assert value.startswith(("data:", "#", "http://", "https://", "mailto:")), (
                f"<{tag} {key}={value[:80]!r}> points at a local file")
            if tag == "img" and key == "src":
                assert value.startswith("data:image/"), f"<img> not embedded: {value[:80]}"
            if value.startswith("#"):
                ids = {a.get("id") for _, a in page.tags}
                assert unquote(value[1:]) in ids, f"anchor {value} has no target"
    note_images = {p.read_bytes(): p.name for p in (note / "images").iterdir()
                   if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")}
    used = set()
    for img in page.all("img"):
        header, b64 = img["src"].split(",", 1)
        assert header.endswith(";base64")
        data = base64.b64decode(b64, validate=True)
        assert data in note_images, "an embedded image is not byte-identical to a file in images/"
        used.add(note_images[data])
    linked = set(re.findall(r"\]\(<?images/([^)\s>]+\.(?:png|jpe?g|gif|svg|webp))",
                            (note / "README.md").read_text(encoding="utf-8")))
    assert used == linked, f"images linked in the note but not embedded: {linked - used}"
    return page


def math_count(page: PageParts) -> int:
    return len(page.all("math"))


# ---------------------------------------------------------------------------------------------------------------
# HTML


@needs_extra
def test_html_is_one_self_contained_file(tmp_path: Path) -> None:
    note = make_note(tmp_path, n_figures=3)
    r = run_script("export_note", note, "--to", "html", "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    out = Path(info["out"])
    assert out == tmp_path / "attention.html" and out.is_file()
    page = assert_self_contained(out, note)
    md = (note / "README.md").read_text(encoding="utf-8")
    n = count_formulas(md)
    assert n == 14, n  # written in NOTE_HEAD and the figure captions above
    assert math_count(page) == n == info["formulas"] and info["formulas_failed"] == []
    assert len(page.all("img")) == info["images"] == 3
    text = " ".join(page.text)
    # the header block, headings with anchors, the table, the code block
    assert "Reading time" in text and "Prerequisites" in text
    assert {a.get("id") for a in page.all("h2")} >= {"tldr", "method", "figures", "summary"}
    assert len(page.all("table")) == 1 and len(page.all("td")) == 9
    assert any("language-python" in a.get("class", "") for a in page.all("code"))
    assert "$not a formula$" in text and "cost is $5" in text and "about $5 an hour and $10 a day" in text
    # the local PDF link became the arXiv page; the title is the paper's
    assert any(a.get("href") == "https://arxiv.org/abs/1706.03762" for a in page.all("a"))
    assert "<title>Attention Is All You Need</title>" in out.read_text(encoding="utf-8")
    # every formula keeps its LaTeX source for copy/paste
    assert len(re.findall(r'<annotation encoding="application/x-tex">', out.read_text(encoding="utf-8"))) == n


@needs_extra
def test_html_formula_that_cannot_convert_is_code_and_reported(tmp_path: Path) -> None:
    extra = ("\n## Broken\n\nThis one is cut short: $\\frac{a}{$ and this one fine: $x^2$.\n\n"
             "$$\n\\left( \\sum_i x_i\n$$\n")
    note = make_note(tmp_path, n_figures=1, extra=extra)
    md = (note / "README.md").read_text(encoding="utf-8")
    lines = md.split("\n")
    line = lines.index("This one is cut short: $\\frac{a}{$ and this one fine: $x^2$.") + 1
    block_line = lines.index("\\left( \\sum_i x_i") + 1
    r = run_script("export_note", note, "--to", "html", "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert f"README.md:{line}: formula not converted" in r.stderr and "\\frac{a}{" in r.stderr
    assert [f["line"] for f in info["formulas_failed"]] == [line, block_line - 1]  # a block: its opening $$
    page = parse_html(Path(info["out"]))
    errors = [a for a in page.all("code") if "math-error" in a.get("class", "")]
    assert len(errors) == 2
    assert math_count(page) == count_formulas(md) - 2


@needs_extra
def test_html_tolerates_latex_that_papers_write(tmp_path: Path) -> None:
    extra = (
        "\n## More\n\n$$\\begin{aligned} a &= b + c \\\\ d &= e \\end{aligned}$$\n\n"
        "$$\\hat{y} = \\arg\\max_{y} p(y \\mid x) \\label{eq:argmax} \\nonumber$$\n\n"
        "Text with a price of 5 dollars and $\\lVert x \\rVert_2$.\n"
    )
    note = make_note(tmp_path, n_figures=1, extra=extra)
    r = run_script("export_note", note, "--to", "html", "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["formulas_failed"] == [], info["formulas_failed"]
    html_text = Path(info["out"]).read_text(encoding="utf-8")
    assert "\\arg" not in re.sub(r"<annotation.*?</annotation>", "", html_text, flags=re.DOTALL)
    assert "<mtable" in html_text  # aligned became a real table of rows


@needs_extra
def test_html_of_a_chinese_note(tmp_path: Path) -> None:
    note = tmp_path / "zh"
    make_png(note / "images" / "fig1_arch_model.png", "Figure 1")
    (note / "README.md").write_text(
        "# 注意力机制精读笔记\n\n> **难度**：★★★☆☆ · **阅读时间**：20 分钟\n\n## 方法\n\n"
        "缩放点积注意力 $\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V$，见[图 1](#图-1模型结构)。\n\n"
        "### 图 1：模型结构\n\n![图 1：模型结构](images/fig1_arch_model.png)\n", encoding="utf-8")
    r = run_script("export_note", note, "--to", "html", "--json")
    assert r.returncode == 0, r.stderr
    out = Path(json.loads(r.stdout)["out"])
    page = assert_self_contained(out, note)  # the CJK anchor resolves to its heading
    assert '<html lang="zh-CN">' in out.read_text(encoding="utf-8")
    assert [a.get("id") for a in page.all("h3")] == ["图-1模型结构"] and math_count(page) == 1


@needs_extra
def test_html_raw_html_in_the_note_is_embedded_too(tmp_path: Path) -> None:
    extra = ('\n<p align="center"><img src="images/fig1_result_figure-number-1.png" width="60%"></p>\n\n'
             'Data in <a href="tables/tab1.csv">the CSV</a>.\n\n<script>alert(1)</script>\n')
    note = make_note(tmp_path, n_figures=1, extra=extra)
    (note / "tables").mkdir()
    (note / "tables" / "tab1.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    r = run_script("export_note", note, "--to", "html", "--json")
    assert r.returncode == 0, r.stderr
    out = Path(json.loads(r.stdout)["out"])
    page = assert_self_contained(out, note)
    assert len(page.all("img")) == 2 and page.all("img")[1].get("width") == "60%"
    assert "tables/tab1.csv" in r.stderr and "plain text" in r.stderr
    assert not page.all("script")


def test_html_without_the_extra_says_how_to_install_it(tmp_path: Path) -> None:
    note = make_note(tmp_path, n_figures=1)
    stub = tmp_path / "stub"
    (stub / "markdown_it").mkdir(parents=True)
    (stub / "markdown_it" / "__init__.py").write_text("raise ImportError('No module named markdown_it', "
                                                       "name='markdown_it')\n")
    env = {**os.environ, "PYTHONPATH": str(stub)}
    cmd = [sys.executable, str(ROOT / "scripts" / "export_note.py"), str(note), "--to", "html"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=60)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "pip install" in lines[0] and "markdown-it-py" in lines[0] and "latex2mathml" in lines[0]
    assert "[export]" in lines[0]
    assert not (tmp_path / "attention.html").exists()
    # the zip needs no extra
    r = subprocess.run([*cmd[:-1], "zip"], capture_output=True, text=True, env=env, check=False, timeout=60)
    assert r.returncode == 0, r.stderr


@needs_extra
@pytest.mark.corpus
def test_html_of_a_note_on_a_real_paper(tmp_path: Path, corpus: Path) -> None:
    """A note on attention.pdf: its own figures (cut by smart_extract.py where it exists, else by the
    ground-truth boxes), formulas from the paper, exported and checked like a user would."""
    pdf = corpus / "pdfs" / "attention.pdf"
    note = tmp_path / "attention"
    extractor = ROOT / "scripts" / "smart_extract.py"
    images: list[Path] = []
    if extractor.is_file():
        r = run_script("smart_extract", pdf, note)
        assert r.returncode == 0, f"smart_extract.py failed: {r.stderr[-500:]}"
        images = sorted((note / "images").glob("*.png"))
    if not images:
        (note / "images").mkdir(parents=True, exist_ok=True)
        gt = json.loads((corpus / "annotations" / "attention.json").read_text(encoding="utf-8"))
        with pymupdf.open(pdf) as doc:
            for item in gt["items"]:
                kind = "tab" if item["kind"] == "table" else "fig"
                out = note / "images" / f"{kind}{item['number']}_result_attention-item.png"
                pix = doc[item["page"] - 1].get_pixmap(dpi=150, clip=pymupdf.Rect(item["bbox"]), annots=False)
                pix.save(str(out))
                images.append(out)
    assert images
    body = [
        "# Attention Is All You Need: reading note\n",
        "> **Paper**: Attention Is All You Need · **Venue**: NeurIPS 2017 · **Difficulty**: ★★★☆☆\n",
        "## Method\n",
        "$$\\mathrm{Attention}(Q,K,V)=\\mathrm{softmax}\\left(\\frac{QK^T}{\\sqrt{d_k}}\\right)V$$\n",
        "$$\\mathrm{FFN}(x) = \\max(0, xW_1 + b_1) W_2 + b_2$$\n",
        "$$PE_{(pos,2i+1)} = \\cos\\left(pos/10000^{2i/d_{\\text{model}}}\\right)$$\n",
        "with $d_k = d_v = d_{model}/h = 64$ and $lrate = d_{model}^{-0.5} \\cdot \\min(step^{-0.5}, step \\cdot "
        "warmup^{-1.5})$.\n",
        "## Figures\n",
    ]
    body += [f"![{p.stem}](images/{p.name})\n" for p in images]
    (note / "README.md").write_text("\n".join(body), encoding="utf-8")
    if (ROOT / "scripts" / "paper_info.py").is_file():
        r = run_script("paper_info", pdf, "--out", note, "--quiet")
        assert r.returncode == 0, f"paper_info.py failed: {r.stderr[-500:]}"
    else:
        (note / "paper.yaml").write_text(yaml.safe_dump(PAPER_YAML), encoding="utf-8")
    r = run_script("export_note", note, "--to", "html", "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    page = assert_self_contained(Path(info["out"]), note)
    assert math_count(page) == count_formulas((note / "README.md").read_text(encoding="utf-8")) == 5
    assert len(page.all("img")) == len(images)
    # the same note into a vault: front matter from the paper's own paper.yaml
    r = run_script("export_note", note, "--to", "obsidian", "--out", tmp_path / "vault")
    assert r.returncode == 0, r.stderr
    fm, _ = read_front_matter(tmp_path / "vault" / "attention" / "attention.md")
    assert fm["title"] == "Attention Is All You Need" and fm["arxiv"] == "1706.03762" and fm["year"] == 2017
    assert fm["authors"][0] == "Ashish Vaswani" and len(fm["authors"]) >= 5 and fm["venue"]


def example_notes() -> list[Path]:
    return sorted(p.parent for p in (ROOT / "examples").glob("*/README.md"))


@needs_extra
@pytest.mark.parametrize("example", example_notes() or [None], ids=lambda p: p.name if p else "none")
def test_html_of_the_example_note(tmp_path: Path, example: Path | None) -> None:
    if example is None:
        pytest.skip("no example note in examples/<short>/README.md yet")
    note = tmp_path / example.name
    shutil.copytree(example, note)
    r = run_script("export_note", note, "--to", "html", "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    page = assert_self_contained(Path(info["out"]), note)
    md = (note / "README.md").read_text(encoding="utf-8")
    assert info["formulas_failed"] == [], info["formulas_failed"]
    assert math_count(page) == count_formulas(md) == info["formulas"]
    assert len(page.all("img")) >= 1


# ---------------------------------------------------------------------------------------------------------------
# A real browser


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--disable-extensions", "--mute-audio",
]

# Appended to a COPY of the page: records resource errors, what the page fetched, and what each image decoded to.
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  var t = e.target || {};
  window.__errors.push((t.tagName || 'window') + ' ' + (t.src || t.href || e.message || ''));
}, true);
window.addEventListener('load', function () {
  var imgs = Array.prototype.map.call(document.images, function (i) {
    return {w: i.naturalWidth, h: i.naturalHeight, complete: i.complete};
  });
  var maths = Array.prototype.map.call(document.getElementsByTagName('math'), function (m) {
    var r = m.getBoundingClientRect(); return {w: r.width, h: r.height};
  });
  var fetched = performance.getEntriesByType('resource').map(function (r) { return r.name; })
    .filter(function (n) { return n.indexOf('data:') !== 0; });
  var pre = document.createElement('pre');
  pre.id = 'probe-result';
  pre.textContent = JSON.stringify({imgs: imgs, maths: maths, fetched: fetched, errors: window.__errors,
                                    mathml: typeof MathMLElement !== 'undefined'});
  document.body.appendChild(pre);
});
</script>"""


def run_chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@needs_extra
def test_html_in_a_real_browser(tmp_path: Path) -> None:
    browser = find_chromium()
    if browser is None:
        pytest.skip("headless Chromium not installed (apt-get install -y chromium); the browser check is skipped")
    note = make_note(tmp_path / "notes", n_figures=3)
    out = tmp_path / "attention.html"
    r = run_script("export_note", note, "--to", "html", "--out", out)
    assert r.returncode == 0, r.stderr
    # the probe runs on a copy in another folder, so nothing relative could resolve by luck
    probe_dir = tmp_path / "probe"
    probe_dir.mkdir()
    probe = probe_dir / "probe.html"
    probe.write_text(out.read_text(encoding="utf-8").replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
    r = run_chromium(browser, tmp_path / "profile-dom", "--virtual-time-budget=5000", "--dump-dom",
                     probe.as_uri())
    m = re.search(r'<pre id="probe-result">(.*?)</pre>', r.stdout, flags=re.DOTALL)
    assert m, f"Chromium printed no probe result (exit {r.returncode}): {r.stderr[-800:]}"
    result = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert result["errors"] == [] and result["fetched"] == [], result
    pngs = sorted((note / "images").glob("*.png"))
    assert sorted((i["w"], i["h"]) for i in result["imgs"]) == sorted(png_size(p.read_bytes()) for p in pngs)
    assert all(i["complete"] and i["w"] > 0 for i in result["imgs"])
    assert result["mathml"] and len(result["maths"]) == count_formulas((note / "README.md").read_text("utf-8"))
    assert all(mm["w"] > 0 and mm["h"] > 0 for mm in result["maths"]), "a formula did not lay out"
    # the screenshot of the exported file itself, as a person opens it
    shot = tmp_path / "screenshot.png"
    r = run_chromium(browser, tmp_path / "profile-shot", "--window-size=1000,2600", f"--screenshot={shot}",
                     out.as_uri())
    assert shot.is_file(), f"no screenshot (exit {r.returncode}): {r.stderr[-800:]}"
    pix = pymupdf.Pixmap(str(shot))
    assert (pix.width, pix.height) == (1000, 2600)
    # not a blank page: many distinct colours (text, figures' bars, red curve)
    sample = {pix.pixel(x, y) for x in range(0, pix.width, 7) for y in range(0, pix.height, 7)}
    assert len(sample) > 50, "the screenshot looks blank"


# ---------------------------------------------------------------------------------------------------------------
# Zip


def unzip(path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        zf.extractall(dest)
    tops = {n.split("/")[0] for n in zipfile.ZipFile(path).namelist()}
    assert len(tops) == 1, tops
    return dest / tops.pop()


def test_zip_round_trips_and_every_link_resolves(tmp_path: Path) -> None:
    extra = "\nThe extracted [table](tables/tab1.md).\n"
    note = make_note(tmp_path, n_figures=3, extra=extra)
    (note / "tables").mkdir()
    (note / "tables" / "tab1.md").write_text("| a | b |\n| - | - |\n| 1 | 2 |\n", encoding="utf-8")
    (note / "scratch.txt").write_text("not linked, not shipped\n", encoding="utf-8")
    r = run_script("export_note", note, "--to", "zip", "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    out = Path(info["out"])
    assert out == tmp_path / "attention.zip"
    names = set(zipfile.ZipFile(out).namelist())
    assert "attention/README.md" in names and "attention/paper.yaml" in names
    assert "attention/images/figures.yaml" in names and "attention/tables/tab1.md" in names
    assert "attention/paper.pdf" not in names and "attention/scratch.txt" not in names
    folder = unzip(out, tmp_path / "unzipped")
    for name in names:
        src = note / name.split("/", 1)[1]
        if name.endswith("README.md"):
            continue
        assert (tmp_path / "unzipped" / name).read_bytes() == src.read_bytes()
    text = (folder / "README.md").read_text(encoding="utf-8")
    links = ex.scan_links(text)
    local = [lk for lk in links if lk.is_local]
    assert len(local) == 4  # 3 images and the table; the PDF link now points to arXiv
    for lk in local:
        assert (folder / lk.path).is_file(), f"README.md:{lk.line}: {lk.target} does not resolve after unzip"
    assert "(https://arxiv.org/abs/1706.03762)" in text and "(paper.pdf)" not in text
    assert "point to the arXiv page" in r.stderr

    # with the PDF: shipped, the note untouched
    r = run_script("export_note", note, "--to", "zip", "--with-pdf", "--out", tmp_path / "with-pdf.zip")
    assert r.returncode == 0, r.stderr
    folder = unzip(tmp_path / "with-pdf.zip", tmp_path / "unzipped2")
    assert (folder / "paper.pdf").read_bytes() == (note / "paper.pdf").read_bytes()
    assert (folder / "README.md").read_bytes() == (note / "README.md").read_bytes()


@pytest.mark.parametrize("fmt", ["zip", "html", "obsidian"])
def test_a_broken_link_stops_the_export_with_file_and_line(tmp_path: Path, fmt: str) -> None:
    if fmt == "html" and not HAVE_EXTRA:
        pytest.skip('the export extra is not installed: pip install ".[export]"')
    note = make_note(tmp_path / "notes", n_figures=2, extra="\nSee ![missing](images/fig9_result_gone.png).\n")
    md = (note / "README.md").read_text(encoding="utf-8").split("\n")
    line = md.index("See ![missing](images/fig9_result_gone.png).") + 1
    vault = tmp_path / "vault"
    out = vault if fmt == "obsidian" else tmp_path / f"out.{fmt}"
    r = run_script("export_note", note, "--to", fmt, "--out", out)
    assert r.returncode == 1
    assert f"README.md:{line}" in r.stderr and "images/fig9_result_gone.png" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["notes"]


def test_links_outside_the_note_folder_are_broken(tmp_path: Path) -> None:
    note = make_note(tmp_path, n_figures=1, extra="\n![other](../other/images/x.png)\n")
    (tmp_path / "other" / "images").mkdir(parents=True)
    make_png(tmp_path / "other" / "images" / "x.png", "x")
    r = run_script("export_note", note, "--to", "zip")
    assert r.returncode == 1 and "points outside the note folder" in r.stderr


def test_links_are_found_where_markdown_has_them() -> None:
    text = (
        "![a](images/a.png) and [b](<tables/b c.md>) and [c](https://x.org/a_(b)) [d](#method)\n"
        "`![not](code.png)` <!-- ![hidden](images/h.png) -->\n"
        "```\n![in fence](images/f.png)\n```\n"
        "[ref]: images/r.png\n"
        '<img src="images/raw.png" width="50%"> [e](images/x%20y.png "title")\n'
        "[![badge](images/in-link.png)](https://arxiv.org/abs/1706.03762)\n"
    )
    links = ex.scan_links(text)
    assert [(lk.line, lk.target, lk.image) for lk in links] == [
        (1, "images/a.png", True), (1, "tables/b c.md", False), (1, "https://x.org/a_(b)", False),
        (1, "#method", False), (6, "images/r.png", True), (7, "images/x%20y.png", False),
        (7, "images/raw.png", True), (8, "images/in-link.png", True), (8, "https://arxiv.org/abs/1706.03762", False),
    ]
    assert [lk.path for lk in links if lk.is_local] == ["images/a.png", "tables/b c.md", "images/r.png",
                                                         "images/x y.png", "images/raw.png", "images/in-link.png"]
    first = links[0]
    assert text.split("\n")[0][first.start:first.end] == "images/a.png"


# ---------------------------------------------------------------------------------------------------------------
# Obsidian


def read_front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def test_obsidian_note_with_front_matter_and_resolving_links(tmp_path: Path) -> None:
    note = make_note(tmp_path / "notes", n_figures=3)
    vault = tmp_path / "Vault"
    (vault / ".obsidian").mkdir(parents=True)
    r = run_script("export_note", note, "--to", "obsidian", "--out", vault, "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    vnote = vault / "attention" / "attention.md"
    assert Path(info["out"]) == vnote and vnote.is_file()
    fm, body = read_front_matter(vnote)
    assert fm["title"] == "Attention Is All You Need" and fm["aliases"] == ["Attention Is All You Need"]
    assert fm["authors"][:2] == ["Ashish Vaswani", "Noam Shazeer"]
    assert fm["venue"] == "NeurIPS" and fm["year"] == 2017 and fm["arxiv"] == "1706.03762"
    assert fm["tags"] == ["paper-note", "transformer", "attention", "machine-translation"]
    assert body.lstrip().startswith("# Attention Is All You Need")
    local = [lk for lk in ex.scan_links(body) if lk.is_local]
    assert len(local) == 3
    for lk in local:  # relative to the note, as Obsidian resolves them
        copied = vnote.parent / lk.path
        assert copied.is_file() and copied.read_bytes() == (note / lk.path).read_bytes()
    assert not (vnote.parent / "paper.pdf").exists() and "https://arxiv.org/abs/1706.03762" in body
    leftovers = [p.name for p in vault.iterdir() if p.name.startswith(".") and p.name != ".obsidian"]
    assert leftovers == []


def test_obsidian_never_overwrites_a_note_already_there(tmp_path: Path) -> None:
    note = make_note(tmp_path / "notes", n_figures=1)
    vault = tmp_path / "Vault"
    mine = vault / "attention" / "attention.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("my own notes on the paper\n", encoding="utf-8")
    r = run_script("export_note", note, "--to", "obsidian", "--out", vault)
    assert r.returncode == 3 and "--force" in r.stderr
    assert mine.read_text(encoding="utf-8") == "my own notes on the paper\n"
    assert sorted(p.name for p in mine.parent.iterdir()) == ["attention.md"]
    r = run_script("export_note", note, "--to", "obsidian", "--out", vault, "--force", "--with-pdf")
    assert r.returncode == 0, r.stderr
    assert mine.read_text(encoding="utf-8").startswith("---\ntitle:")
    assert (mine.parent / "paper.pdf").is_file() and "(paper.pdf)" in mine.read_text(encoding="utf-8")


def test_obsidian_refuses_to_write_over_the_note_folder(tmp_path: Path) -> None:
    note = make_note(tmp_path / "paper-notes", n_figures=1)
    r = run_script("export_note", note, "--to", "obsidian", "--out", tmp_path / "paper-notes")
    assert r.returncode == 1 and "note folder itself" in r.stderr
    r = run_script("export_note", note, "--to", "obsidian")
    assert r.returncode == 1 and "--out VAULT_DIR" in r.stderr


# ---------------------------------------------------------------------------------------------------------------
# Overwriting and failures


@pytest.mark.parametrize("fmt", ["zip", "html"])
def test_no_overwrite_without_force(tmp_path: Path, fmt: str) -> None:
    if fmt == "html" and not HAVE_EXTRA:
        pytest.skip('the export extra is not installed: pip install ".[export]"')
    note = make_note(tmp_path, n_figures=1)
    out = tmp_path / f"attention.{fmt}"
    out.write_bytes(b"the user's own file")
    r = run_script("export_note", note, "--to", fmt)
    assert r.returncode == 3 and "--force" in r.stderr
    assert out.read_bytes() == b"the user's own file"
    r = run_script("export_note", note, "--to", fmt, "--force")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() != b"the user's own file"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_bad_note_folders_are_one_line_errors(tmp_path: Path) -> None:
    r = run_script("export_note", tmp_path / "nope", "--to", "zip")
    assert r.returncode == 1 and "does not exist" in r.stderr
    (tmp_path / "empty").mkdir()
    r = run_script("export_note", tmp_path / "empty", "--to", "zip")
    assert r.returncode == 1 and "has no README.md" in r.stderr
    note = make_note(tmp_path, n_figures=1)
    (note / "paper.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    r = run_script("export_note", note, "--to", "zip")
    assert r.returncode == 1 and re.search(r"paper\.yaml:\d+: not valid YAML", r.stderr)
    (note / "paper.yaml").write_text("title: A paper\n", encoding="utf-8")
    r = run_script("export_note", note, "--to", "zip")  # links paper.pdf, leaves it out, no arXiv id to point at
    assert r.returncode == 1 and "--with-pdf" in r.stderr and "README.md:3" in r.stderr
    (note / "paper.pdf").unlink()
    r = run_script("export_note", note, "--to", "zip", "--with-pdf")
    assert r.returncode == 1 and "README.md:3: paper.pdf does not exist" in r.stderr
    assert "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attention", "empty"]


def test_help_shows_examples() -> None:
    r = run_script("export_note", "--help")
    assert r.returncode == 0
    assert "examples:" in r.stdout and "--to html" in r.stdout and "--to obsidian" in r.stdout


# ---------------------------------------------------------------------------------------------------------------
# Publishing guide and MCP settings


def test_mcp_servers_json_names_the_real_packages() -> None:
    data = json.loads((ROOT / "references" / "mcp-servers.json").read_text(encoding="utf-8"))
    servers = data["mcpServers"]
    by_package = {}
    for name, spec in servers.items():
        assert spec["command"] == "npx" and spec["args"][0] == "-y", name
        by_package[spec["args"][1]] = spec
    assert set(by_package) == {"@modelcontextprotocol/server-filesystem", "@notionhq/notion-mcp-server"}
    fs = by_package["@modelcontextprotocol/server-filesystem"]
    assert len(fs["args"]) == 3 and "paper-notes" in fs["args"][2]
    notion = by_package["@notionhq/notion-mcp-server"]
    assert notion["env"] == {"NOTION_TOKEN": "${NOTION_TOKEN}"}, "the token comes from the environment"
    guide = (ROOT / "references" / "publishing.md").read_text(encoding="utf-8")
    for needle in ("@modelcontextprotocol/server-filesystem", "@notionhq/notion-mcp-server", "OPENAPI_MCP_HEADERS",
                   "NOTION_TOKEN", "claude mcp add", "export_note.py", "--to html", "--to obsidian", "--to zip"):
        assert needle in guide, needle
    for line in guide.splitlines():  # the wrong package name only where the guide says it does not exist
        if "@anthropic/mcp-server-filesystem" in line:
            assert "does not exist" in line, line
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", guide, flags=re.DOTALL)]
    assert data in blocks, "the guide shows the same JSON as references/mcp-servers.json"
    assert "@anthropic/" not in json.dumps(data)


# Built from pieces so this file does not match itself.
SECRET_PATTERNS = [
    re.compile(p) for p in (
        r"(?<![\w-])" + "ntn_" + r"[A-Za-z0-9]{20,}", r"(?<![\w-])" + "secret_" + r"[A-Za-z0-9]{20,}",
        r"(?<![\w-])" + "sk-" + r"(?:proj-|ant-)?[A-Za-z0-9_]{20,}", r"(?<![\w-])" + "gh" + r"[pousr]_[A-Za-z0-9]{30,}",
        r"(?<![\w-])" + "xox" + r"[abpr]-[A-Za-z0-9\-]{10,}", r"(?<![\w-])" + "AKI" + r"A[0-9A-Z]{16}",
        r"Bearer\s+(?!ntn_\*|\$\{|<|your|\.\.\.)[A-Za-z0-9_\-]{16,}",
        r"-----BEGIN [A-Z ]*PRIVATE" + " KEY-----",
    )
]
USER_PATH = re.compile(r"(?<![\w.~$-])/(?:" + "ho" + r"me|Us" + r"ers|ro" + r"ot)/[A-Za-z0-9._-]")


def test_no_token_or_user_path_in_committed_files() -> None:
    try:
        listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the committed files cannot be listed")
    files = [f for f in listing.stdout.decode().split("\0") if f]
    assert files
    problems = []
    for rel in files:
        path = ROOT / rel
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        data = path.read_bytes()
        if b"\0" in data[:4096]:
            continue  # binary (PDF, PNG)
        text = data.decode("utf-8", errors="replace")
        for pat in [*SECRET_PATTERNS, USER_PATH]:
            for m in pat.finditer(text):
                problems.append(f"{rel}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)[:40]}")
    assert problems == [], "token-like strings or user paths in committed files:\n" + "\n".join(problems)


def test_secret_patterns_catch_what_they_should() -> None:
    fake = "ntn_" + "A1b2C3d4E5f6G7h8I9j0K1l2"
    assert any(p.search(f'"NOTION_TOKEN": "{fake}"') for p in SECRET_PATTERNS)
    assert any(p.search("key = " + "sk-" + "proj_" + "a" * 30) for p in SECRET_PATTERNS)
    assert not any(p.search("a task-specific-fine-tuning-approach and desk-research-methodology") for p in
                   SECRET_PATTERNS)
    assert USER_PATH.search("npx -y @modelcontextprotocol/server-filesystem /" + "Users/alice/papers")
    assert not USER_PATH.search("~/papers and ${HOME}/papers and ./paper-notes")
