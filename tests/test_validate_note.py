"""validate_note.py: the example note passes; single faults, in English and Chinese notes, fail with the right line
and message; what the style rules allow (quotes of the paper, code, escaped dollars) is never flagged."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_script
from paperkit.note import notecheck
from paperkit.note.notecheck import check_note, load_style_lists, template_spec
from paperkit.note.scaffold import scaffold_note

EXAMPLE = ROOT / "examples" / "gaterec"
EN = (EXAMPLE / "README.md").read_text(encoding="utf-8") if (EXAMPLE / "README.md").is_file() else ""

ZH = """# GateRec: Gated Residual Attention for Sequential Recommendation

- **论文：** GateRec: Gated Residual Attention for Sequential Recommendation（[PDF](../../assets/sample-paper.pdf)，\
[arXiv 2411.01234](https://arxiv.org/abs/2411.01234)）
- **作者：** Lina Park, Tomas Ortega, Wei Zhang
- **发表：** WSDM 2025
- **阅读时间：** 12 分钟
- **难度：** ★★☆☆☆
- **前置知识：** Transformer 编码器；SASRec；NDCG@10

## TL;DR

自注意力推荐模型把每层的注意力更新整个加到残差上，噪声交互会随层数累积。GateRec 用一个按位置计算的门控\
只保留有用的更新，参数增加不到 4%，NDCG@10 比最强基线高 4.1% 到 7.3%（表 1，第 2 页）。

## 概览

### 问题

用户历史里有误点和一次性购买，SASRec 的每一层都会把它们的更新完整地加进残差流，层数越深噪声越多（第 1 节，第 1 页）。

### 方法

GateRec 只改残差连接：门控 $G$ 由层输入 $H$ 和注意力输出 $A$ 计算，只加上 $G \\odot A$。图 1 给出了每一层的结构。

![Figure 1: GateRec 编码器](images/fig1_arch_gaterec-encoder-layers-computes.png)

### 贡献

- 按位置、按内容计算的门控残差块；
- 三个数据集上稳定的提升；
- 门控会在被标注为噪声的交互上关闭。

## 核心方法

### 输入与输出

输入是按时间排序的物品序列，输出是每个位置对下一个物品的打分。

### 门控残差

$$G = \\sigma([H ; A] W_g + b_g), \\qquad H' = \\mathrm{LayerNorm}(H + G \\odot A)$$

其中 $[H ; A]$ 是层输入与注意力输出的拼接，$W_g$ 的形状为 $2d \\times d$，$\\sigma$ 是 sigmoid，$\\odot$ 是逐元素乘积。

### 代码

```python
g = torch.sigmoid(gate(torch.cat([h, a], dim=-1)))
h = norm(h + g * a)
```

## 实验

### 主要结果

GateRec 在三个数据集上都最好，在最稀疏的 Beauty 上提升最大：NDCG@10 从 SASRec 的 0.3219 提高到 0.3455（表 1，第 2 页）。

![Table 1: 三个数据集上的 NDCG@10](images/tab1_result_ndcg-three-datasets-best.png)

### 消融实验

去掉门控后 Beauty 上的 NDCG@10 降到 0.3150，每层一个标量的 ReZero 式门控只有 0.3252（表 2，第 3 页）。

### 规模扩展

如图 2 所示，SASRec 在两层时最好，GateRec 一直提升到四层（第 4.3 节，第 2 页）。

![Figure 2: 层数对 NDCG@10 的影响](images/fig2_ablation_effect-number-layers-ndcg.png)

### 局限

评测只用了 100 个采样负例，基线也只到 SASRec 和 BERT4Rec。

## 深度问答

### Q1：门控和 ReZero 有什么不同？

ReZero 每层只有一个标量，GateRec 的门控按位置和特征计算，可以只关掉一个噪声物品。

### Q2：为什么门控要同时看 $H$ 和 $A$？

只看 $H$ 无法判断注意力提出的更新是否有用，消融中这会损失 1% 到 2%（第 4.4 节，第 2 页）。

### Q3：为什么门控偏置初始化为 2？

$\\sigma(2)$ 约等于 0.88，训练开始时模型接近普通 Transformer（第 3.2 节，第 2 页）。

### Q4：门控关闭就说明是噪声吗？

不一定，门控只学会忽略对预测下一个物品没有帮助的交互。

### Q5：推理开销有多大？

每层多一次矩阵乘法，推理时间增加 4%（第 4.6 节，第 3 页）。

### Q6：这个思路能用到其他 Transformer 上吗？

门控块本身与推荐无关，但论文的论证依赖输入中存在噪声 token。

## 总结

### 贡献

一个几乎不增加开销的门控残差连接，让更深的编码器变得有用。

### 局限

门控学到的“噪声”由训练目标决定，不一定是用户眼中的噪声。

### 适用场景

历史中噪声较多的序列推荐任务。
"""


def make_note(tmp_path: Path, text: str, name: str = "gaterec") -> Path:
    """A note folder like the example's (images, manifest, paper.yaml, paper.md, tables) with text as README.md."""
    folder = tmp_path / name
    shutil.copytree(EXAMPLE / "images", folder / "images")
    shutil.copy(EXAMPLE / "paper.yaml", folder / "paper.yaml")
    shutil.copy(EXAMPLE / "paper.md", folder / "paper.md")
    shutil.copytree(EXAMPLE / "tables", folder / "tables")
    (folder / "README.md").write_text(text, encoding="utf-8")
    return folder


def findings(folder: Path, **kw: str) -> list[dict]:
    return check_note(folder, **kw)["findings"]


def errors(folder: Path, **kw: str) -> list[dict]:
    return [f for f in findings(folder, **kw) if f["severity"] == "error"]


def line_of(text: str, needle: str) -> int:
    for n, s in enumerate(text.split("\n"), 1):
        if needle in s:
            return n
    raise AssertionError(f"{needle!r} not in the note")


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# ---------------------------------------------------------------- the good notes pass

def test_example_note_passes_as_a_user_runs_it():
    r = run_script("validate_note", EXAMPLE)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ""  # no errors, no warnings either
    r = run_script("validate_note", EXAMPLE / "README.md", "--mode", "full", "--lang", "en", "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == []


def test_example_is_what_the_pipeline_makes_today(tmp_path, sample_pdf):
    """The example's figure names and paper.yaml come from the scripts: a fresh run gives the same files."""
    r = run_script("prepare_paper", sample_pdf, "--root", tmp_path, "--json")
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "gaterec"
    fresh = sorted(p.name for p in (folder / "images").glob("*.png") if p.name.startswith(("fig", "tab")))
    assert fresh == sorted(p.name for p in (EXAMPLE / "images").glob("*.png"))  # equations (eqN.png) aside
    (folder / "README.md").write_text(EN, encoding="utf-8")
    assert errors(folder) == []


def test_example_meets_the_standard():
    qa = EN.split("## In-depth Q&A")[1].split("\n## ")[0]
    assert len(re.findall(r"^### ", qa, re.M)) >= 5
    assert "$$" in EN and "```python" in EN
    assert len(re.findall(r"\((?:Table|Section|Figure)[^)]*p\. \d", EN)) >= 10


def test_chinese_note_passes(tmp_path):
    folder = make_note(tmp_path, ZH)
    r = check_note(folder)
    assert (r["mode"], r["lang"]) == ("full", "zh")
    assert [f for f in r["findings"] if f["severity"] == "error"] == []


# ---------------------------------------------------------------- one fault each, English

EN_FAULTS = [
    # (old, new, the line's marker in the broken note, code, words in the message)
    ("- **Difficulty:** ★★☆☆☆", "- **Difficulty:** hard", "**Difficulty:**", "header-field-invalid", "difficulty"),
    ("- **Difficulty:** ★★☆☆☆", "- **Difficulty:** ★★★★★★", "**Difficulty:**", "header-field-invalid", "stars"),
    ("- **Reading time:** 15 min", "- **Reading time:** short", "**Reading time:**", "header-field-invalid",
     "minutes"),
    ("- **Prerequisites:** the", "- **Prereqs:** the", "## TL;DR", "header-field-missing", "Prerequisites"),
    ("- **Authors:** Lina Park, Tomas Ortega, Wei Zhang", "- **Authors:** Lina Park, Tomas Ortega",
     "**Authors:**", "header-authors", "Wei Zhang"),
    ("- **Paper:** GateRec: Gated Residual Attention", "- **Paper:** GateRec: Gated Residual Attentions",
     "**Paper:**", "header-title", "paper.yaml"),
    ("- **Venue:** WSDM 2025", "- **Venue:** WSDM 2024", "**Venue:**", "header-year", "2025"),
    ("(arXiv 2411.01234, a fictional", "(arXiv 2411.0123, a fictional", "**Paper:**", "header-arxiv",
     "2411.01234"),
    ("## Experiments\n", "## Results\n", "## In-depth Q&A", "section-missing", "Experiments"),
    ("### Ablations\n", "### Ablation notes\n", "## Experiments", "subsection-missing", "Ablations"),
    ("## TL;DR\n", "## Overview first\n\n## TL;DR\n", None, None, None),  # extra sections are allowed
    ("makes a four-layer encoder pay off (abstract, p. 1; Table 1, p. 2).",
     "makes a four-layer encoder pay off (abstract, p. 1; Table 1, p. 2). It is simple. It is cheap.",
     "## TL;DR", "tldr-too-long", "sentences"),
    ("### Q3: Why start the gate bias at 2?", "**Q3: Why start the gate bias at 2?**", "**Q3:",
     "qa-not-heading", "question"),
    ("### Q6: What does the gate cost at serving time?\n\n",
     "### Q6: What does the gate cost at serving time?\n\n<details>\n<summary>Answer</summary>\n\n",
     "<details>", "qa-folded", "folded"),
    ("(images/fig1_arch_gaterec-encoder-layers-computes.png)", "(images/fig1_arch_gaterec-encoder.png)",
     "fig1_arch_gaterec-encoder.png", "image-missing", "does not exist"),
    ("![Figure 1: The GateRec encoder: self-attention, a content-dependent gate, and the gated residual update, "
     "repeated L times]", "![]", "](images/fig1_arch", "image-alt", "alt text"),
    ("In Figure 2, SASRec peaks", "With more layers, SASRec peaks", "(images/fig2_ablation", "image-unreferenced",
     "Figure 2"),
    ("the gate sees both what a position", "the gate sees both $H what a position", "the gate sees both $H",
     "math-unbalanced", "never closed"),
    ("$$\\mathcal{L} =", "$$ \\mathcal{L} =", None, None, None),
    ("```python\nimport torch\n", "```\nimport torch\n", "FENCE", "fence-no-language", "language"),
    ("Gating each position separately is what matters;", "{{ablations}} Gating each position separately is what "
     "matters;", "{{ablations}}", "placeholder", "{{ablations}}"),
    ("Depth pays off with the gate", "It is worth noting that depth pays off with the gate",
     "It is worth noting that", "filler", "it is worth noting that"),
    ("Depth pays off with the gate", "Depth pays off with the gate 🚀", "🚀", "emoji", "emoji"),
    ("Depth pays off with the gate", "We think depth pays off with the gate", "We think", "first-person", "We"),
    ("Width matters less: GateRec's advantage", "In my reading, width matters less: GateRec's advantage",
     "In my reading", "first-person", "my"),
    ("There is no loss term for the gate: it learns what to ignore from the recommendation loss alone.",
     "**There is no loss term for the gate: it learns what to ignore from the recommendation loss alone.**",
     "**There is no loss term", "bold-paragraph", "bold"),
]


@pytest.mark.parametrize("old,new,marker,code,words", EN_FAULTS, ids=[f"{c or 'allowed'}-{n}" for n, (_, _, _, c, _)
                                                                     in enumerate(EN_FAULTS)])
def test_english_fault(tmp_path, old, new, marker, code, words):
    text = edit(EN, old, new)
    folder = make_note(tmp_path, text)
    errs = errors(folder)
    if code is None:
        assert errs == []
        return
    want_line = line_of(text, "import torch") - 1 if marker == "FENCE" else line_of(text, marker)
    assert [(f["code"], f["line"]) for f in errs] == [(code, want_line)], errs
    assert words.lower() in errs[0]["message"].lower()
    assert errs[0]["fix"]


def test_fault_lines_as_the_agent_reads_them(tmp_path):
    text = edit(EN, "Depth pays off with the gate", "We think depth pays off with the gate")
    text = edit(text, "```python\nimport torch\n", "```python\nimport torch\n\n## a heading in code is code\n")
    folder = make_note(tmp_path, text)
    r = run_script("validate_note", folder)
    assert r.returncode == 1
    n = line_of(text, "We think")
    assert r.stdout.splitlines() == [
        f"{folder / 'README.md'}:{n}: first person (We) in the note's voice: write about the paper in the third "
        "person ('the authors', 'the model', '作者'); quote the paper's own words in quotation marks"]
    data = json.loads(run_script("validate_note", folder, "--json").stdout)
    assert [(d["file"], d["line"], d["severity"], d["code"]) for d in data] == [
        (str(folder / "README.md"), n, "error", "first-person")]


def test_section_order_and_unclosed_fence(tmp_path):
    text = edit(EN, "## Experiments\n", "## In-depth Q&A-swap\n")
    text = edit(text, "## In-depth Q&A\n", "## Experiments\n").replace("## In-depth Q&A-swap\n", "## In-depth Q&A\n")
    folder = make_note(tmp_path, text)
    errs = errors(folder)
    assert [(f["code"], f["line"]) for f in errs if f["code"] == "section-order"] == [
        ("section-order", line_of(text, "## Experiments"))]
    text = EN.rstrip("\n") + "\n\n```python\nprint('never closed')\n"
    errs = errors(make_note(tmp_path / "b", text))
    assert ("fence-unclosed", line_of(text, "print('never closed')") - 1) in [(f["code"], f["line"]) for f in errs]


def test_warnings_alone_pass(tmp_path):
    text = edit(EN, "about half a point lower, 0.3398 against 0.3455 on Beauty (Table 2, p. 3)",
                "about half a point lower, 0.3398 against 0.3455 on Beauty")
    text = edit(text, "![Figure 3: Gate values per position and last-layer attention weights for one ML-1M user]"
                      "(images/fig3_result_gates-attention-one-ml.png)\n\n", "")
    folder = make_note(tmp_path, text)
    r = run_script("validate_note", folder)
    assert r.returncode == 0, r.stdout
    lines = r.stdout.splitlines()
    assert f"{folder / 'README.md'}:{line_of(text, 'Starting at 0 halves')}: warning: 0.3398 has no source" \
        in "\n".join(lines)
    manifest = (folder / "images" / "figures.yaml").read_text(encoding="utf-8")
    assert any(s.startswith(f"{folder / 'images' / 'figures.yaml'}:"
                            f"{line_of(manifest, 'file: images/fig3_result')}: warning: Figure 3 is never shown")
               for s in lines)



def test_figures_never_shown_are_one_warning(tmp_path):
    """A note that leaves several figures out gets one warning naming them all, at the first one's manifest line."""
    text = EN
    for m in re.finditer(r"^!\[(?:Figure 2|Table 1):[^\n]*\n\n", EN, re.M):
        text = edit(text, m.group(0), "")
    folder = make_note(tmp_path, text)
    unused = [f for f in findings(folder) if f["code"] == "figure-unused"]
    manifest = (folder / "images" / "figures.yaml").read_text(encoding="utf-8")
    assert [(f["line"], f["message"]) for f in unused] == [
        (line_of(manifest, "file: images/fig2_"), "Figure 2 and Table 1 are never shown in the note")]

def test_bad_image_names_and_places(tmp_path):
    folder = make_note(tmp_path, EN)
    shutil.copy(folder / "images" / "fig2_ablation_effect-number-layers-ndcg.png", folder / "images" / "Figure2.png")
    shutil.copy(folder / "images" / "fig2_ablation_effect-number-layers-ndcg.png", folder / "fig2_result_x.png")
    text = edit(EN, "(images/fig2_ablation_effect-number-layers-ndcg.png)", "(images/Figure2.png)")
    text = edit(text, "(images/fig3_result_gates-attention-one-ml.png)", "(fig2_result_x.png)")
    (folder / "README.md").write_text(text, encoding="utf-8")
    got = {(f["code"], f["line"]) for f in errors(folder)}
    assert ("image-name", line_of(text, "Figure2.png")) in got
    assert ("image-outside", line_of(text, "(fig2_result_x.png)")) in got


# ---------------------------------------------------------------- one fault each, Chinese

ZH_FAULTS = [
    ("- **难度：** ★★☆☆☆\n", "", "## TL;DR", "header-field-missing", "难度"),
    ("## 实验\n", "## 实验结果\n", "## 深度问答", "section-missing", "实验"),
    ("参数增加不到 4%", "参数增加不到 4%，" + "这一改动不需要新的损失函数也不需要额外的注意力计算" * 6,
     "## TL;DR", "tldr-too-long", "characters"),
    ("GateRec 只改残差连接", "值得注意的是，GateRec 只改残差连接", "值得注意的是", "filler", "值得注意的是"),
    ("GateRec 只改残差连接", "我们认为 GateRec 只改残差连接", "我们认为", "first-person", "我们"),
    ("GateRec 只改残差连接", "笔者觉得 GateRec 只改残差连接", "笔者觉得", "first-person", "笔者"),
    ("其中 $[H ; A]$ 是", "其中 $[H ; A] 是", "其中 $[H ; A] 是", "math-unbalanced", "never closed"),
    ("### Q4：门控关闭就说明是噪声吗？", "**问题 4：门控关闭就说明是噪声吗？**", "**问题 4", "qa-not-heading",
     "question"),
    ("如图 2 所示，", "", "(images/fig2_ablation", "image-unreferenced", "Figure 2"),
    ("历史中噪声较多的序列推荐任务。", "**历史中噪声较多、用户行为里有大量误点和一次性购买的序列推荐任务。**",
     "**历史中噪声较多", "bold-paragraph", "bold"),
    ("历史中噪声较多的序列推荐任务。", "历史中噪声较多的序列推荐任务 🎉。", "🎉", "emoji", "emoji"),
]


@pytest.mark.parametrize("old,new,marker,code,words", ZH_FAULTS, ids=[f"{c}-{n}" for n, (_, _, _, c, _)
                                                                     in enumerate(ZH_FAULTS)])
def test_chinese_fault(tmp_path, old, new, marker, code, words):
    text = edit(ZH, old, new)
    errs = errors(make_note(tmp_path, text))
    assert [(f["code"], f["line"]) for f in errs] == [(code, line_of(text, marker))], errs
    assert words.lower() in errs[0]["message"].lower()


# ---------------------------------------------------------------- what is not a problem

ALLOWED = [
    'The authors write "we find that the gate closes on noise", and Table 2 agrees (Table 2, p. 3).',
    "The authors write “we find that the gate closes on noise” (Section 4.5, p. 3).",
    "> We propose GateRec, a Transformer encoder whose residual connections carry a learned gate.",
    "The code path `if cost > $5: we stop` is from the released code; the price is \\$5 per run.",
    "Table I of SASRec and Stage I training are Roman numerals, as is the I/O cost; the US data is separate.",
    "作者认为自我注意力不需要改动（第 1 节，第 1 页）。",
    "作者说“我们发现门控会关闭”，见表 2。",
    "The gate is a vector, $g \\in (0,1)^d$, with $\\$$ never used; display math spans lines:\n\n$$\na = b\n$$",
    "A 3-layer model with 64 units trained for 200 epochs in 2018.",
    "Checks: ✓ per-position gate, ✗ extra attention → cheap.",
    "SASRec's own ablation reports 0.3142 for its default model (SASRec's Table IV) and 0.3219 in SASRec's "
    "Table III: another paper's sources are not looked up.",
    "SASRec 的默认模型在 SASRec 的表 IV 中为 0.3142，在 SASRec 表 III 中为 0.3219（SASRec 第 7-8 页）。",
    "**Note.** A short bold lead-in is fine in a paragraph that goes on in plain text.",
    "```text\nWe print {{raw}} and $ here; 🚀 and 0.5 in code are not prose.\n```",
    # a figure discussed, then its formula and the symbols explained, then the figure
    "Figure 2 plots the depth curve:\n\n$$y = f(L)$$\n\n- $y$: NDCG@10;\n- $L$: the number of layers.\n\n"
    "![Figure 2: depth](images/fig2_ablation_effect-number-layers-ndcg.png)",
]


@pytest.mark.parametrize("snippet", ALLOWED)
def test_allowed_text_is_not_flagged(tmp_path, snippet):
    text = edit(EN, "### Scaling\n\n", f"### Scaling\n\n{snippet}\n\n")
    got = findings(make_note(tmp_path, text))
    assert got == [], got


def test_scaffolded_templates_fail_only_on_their_placeholders(tmp_path, sample_pdf):
    """A fresh scaffold agrees with paper.yaml (no header mismatch) and every template is recognised."""
    facts = tmp_path / "facts"
    assert run_script("paper_info", sample_pdf, "--out", facts).returncode == 0
    for mode in ("full", "focus", "compare"):
        for lang in ("en", "zh"):
            folder = Path(scaffold_note(sample_pdf, tmp_path / f"{mode}-{lang}", mode=mode, lang=lang)["folder"])
            shutil.copy(facts / "paper.yaml", folder / "paper.yaml")
            res = check_note(folder)
            assert (res["mode"], res["lang"]) == (mode, lang)
            codes = {f["code"] for f in res["findings"] if f["severity"] == "error"}
            assert codes <= {"placeholder", "section-empty"}, (mode, lang, codes)
            assert "placeholder" in codes


@pytest.mark.corpus
def test_corpus_scaffold_agrees_with_paper_yaml(corpus, tmp_path):
    for pdf in ("attention.pdf", "bert_a.pdf", "resnet.pdf"):
        path = corpus / "pdfs" / pdf
        if not path.is_file():
            continue
        r = run_script("scaffold_dir", path, "--root", tmp_path, "--json")
        assert r.returncode == 0, r.stderr
        folder = Path(json.loads(r.stdout)["folder"])
        assert run_script("paper_info", folder / "paper.pdf", "--out", folder).returncode == 0
        codes = {f["code"] for f in errors(folder, mode="full", lang="en")}
        assert codes <= {"placeholder", "section-empty"}, (pdf, codes)


# ---------------------------------------------------------------- the rules live in one place

def test_style_lists_come_from_writing_style(tmp_path):
    lists = load_style_lists()
    assert "delve into" in lists["filler-en"] and "值得注意的是" in lists["filler-zh"]
    assert "we" in lists["first-person-en"] and "笔者" in lists["first-person-zh"]
    style = tmp_path / "style.md"
    text = notecheck.STYLE_FILE.read_text(encoding="utf-8")
    style.write_text(text.replace("- `tapestry`", "- `tapestry`\n- `in a nutshell`"), encoding="utf-8")
    note = make_note(tmp_path, edit(EN, "Depth pays off", "In a nutshell, depth pays off"))
    assert errors(note) == []
    got = [f["code"] for f in check_note(note, style_file=style)["findings"]]
    assert got == ["filler"]


def test_limits_in_note_structure_match_the_checker():
    doc = (ROOT / "references" / "note-structure.md").read_text(encoding="utf-8")
    assert f"at most {notecheck.TLDR_MAX_SENTENCES} sentences" in doc
    assert f"{notecheck.TLDR_MAX_WORDS_EN} words (EN)" in doc
    assert f"{notecheck.TLDR_MAX_CHARS_ZH} characters (ZH" in doc
    lo, hi = notecheck.OVERVIEW_WORDS_EN
    zlo, zhi = notecheck.OVERVIEW_WORDS_ZH
    assert f"{lo}-{hi} words (EN) or {zlo}-{zhi} characters (ZH)" in doc
    for mode, n in notecheck.MIN_QUESTIONS.items():
        assert re.search(rf"\| `{mode}` \|.*\| at least {n} \|", doc), mode


def test_template_specs():
    for lang, labels in (("en", ["Paper", "Authors", "Venue", "Reading time", "Difficulty", "Prerequisites"]),
                         ("zh", ["论文", "作者", "发表", "阅读时间", "难度", "前置知识"])):
        spec = template_spec("full", lang)
        assert spec.header_labels == labels
        assert len(spec.sections) == 6 and spec.sections[4].questions
        focus = template_spec("focus", lang)
        assert focus.sections[2].pattern is not None  # "Focus N: ..." repeats
        assert len(template_spec("compare", lang).header_labels) == 9


def test_bad_input(tmp_path):
    r = run_script("validate_note", tmp_path / "nothing")
    assert r.returncode == 1 and r.stdout == "" and "no such note" in r.stderr
    r = run_script("validate_note", tmp_path)
    assert r.returncode == 1 and "has no README.md" in r.stderr


# ---------------------------------------------------------------- issue 15: the agent's loop without friction

def test_figures_left_out_on_purpose(tmp_path):
    """'Not shown: Table 2 (reason)' silences the unused-figure warning for what it names, and only with a reason."""
    text = EN
    for m in re.finditer(r"^!\[(?:Figure 3|Table 2):[^\n]*\n\n", EN, re.M):
        text = edit(text, m.group(0), "")
    base = [f["code"] for f in findings(make_note(tmp_path / "a", text))]
    assert base == ["figure-unused"]
    ok = text.rstrip("\n") + "\n\nNot shown: Figure 3 (one user's gates; Section 4.5 gives the averages); Table 2 " \
                             "(its numbers are quoted above)\n"
    assert findings(make_note(tmp_path / "b", ok)) == []
    zh = text.rstrip("\n") + "\n\n未展示：图 3（单个用户的例子）；表 2（数字已在上文引用）\n"
    assert findings(make_note(tmp_path / "c", zh)) == []
    bad = text.rstrip("\n") + "\n\nNot shown: Figure 3; Table 7 (not in this paper)\n"
    got = [(f["code"], f["line"]) for f in findings(make_note(tmp_path / "d", bad))]
    n = line_of(bad, "Not shown:")
    assert ("not-shown-reason", n) in got and ("not-shown-unknown", n) in got
    assert ("figure-unused", line_of((tmp_path / "d" / "gaterec" / "images" / "figures.yaml").read_text(
        encoding="utf-8"), "file: images/tab2_")) in got  # Table 2 is neither shown nor named


def test_overview_length_is_enforced(tmp_path):
    long = edit(EN, "### Contributions\n\n- A gated", "### Contributions\n\n" + "The gate is cheap and simple. " * 60 +
                "\n\n- A gated")
    got = [(f["code"], f["severity"], f["line"]) for f in findings(make_note(tmp_path / "a", long))]
    assert ("overview-too-long", "error", line_of(long, "## Overview")) in got
    short = re.sub(r"(## Overview\n).*?(\n## Core Method)", r"\1\n### Problem\n\nNoise.\n\n### Solution\n\n"
                   r"A gate.\n\n### Contributions\n\n- A gate.\n\2", EN, flags=re.S)
    got = [(f["code"], f["severity"]) for f in findings(make_note(tmp_path / "b", short))]
    assert ("overview-too-short", "warning") in got


@pytest.mark.parametrize("snippet,code", [
    ("The gate $g $ is a vector (Section 3.2, p. 2).", "math-space"),
    ("The gate $ g$ is a vector (Section 3.2, p. 2).", "math-space"),
    ("Learning rates 0.001~0.01 were tried.", "tilde-range"),
    ("学习率在 0.001~0.01 之间。", "tilde-range"),
])
def test_math_space_and_tilde_range(tmp_path, snippet, code):
    text = edit(EN, "### Scaling\n\n", f"### Scaling\n\n{snippet}\n\n")
    got = [(f["code"], f["line"]) for f in errors(make_note(tmp_path, text))]
    assert (code, line_of(text, snippet)) in got, got


def test_help_lists_only_the_exit_codes_it_uses():
    r = run_script("validate_note", "--help")
    codes = r.stdout.split("exit codes:")[1]
    assert "0 " in codes and "1 " in codes and "3" not in codes and "4" not in codes


# ---------------------------------------------------------------- issue 14: numbers against the paper

NUMBER_FAULTS = [
    # (old, new, marker of the line, code)
    ("SASRec | 0.3219 | 0.4487", "SASRec | 0.3291 | 0.4487", "SASRec | 0.3291", "number-not-at-source"),
    ("(NDCG@10 on Beauty, Table 2, p. 3):", "(NDCG@10 on Beauty, Table 2, p. 2):", "Table 2 changes one part",
     "source-page"),
    ("no gate ($G = 1$, a four-layer SASRec): 0.3150", "no gate ($G = 1$, a four-layer SASRec): 0.3105",
     "no gate (", "number-not-at-source"),
    ("(Section 4.6, p. 3). Training", "(Section 4.6, p. 9). Training", "(Section 4.6, p. 9)", "source-page"),
    ("the mean gate of a marked item is 0.21", "the mean gate of a marked item is 0.12", "mean gate of a marked",
     "number-not-at-source"),
    ("(NDCG@10 on Beauty, Table 2, p. 3):", "(NDCG@10 on Beauty, Table 9, p. 3):", "Table 9, p. 3",
     "source-missing"),
    ("recovering only about a third", "recovering only 0.33 of the gap (Table 2, p. 3), about a third",
     "recovering only 0.33", "number-not-at-source"),
    ("Steam and ML-1M lose 1.7% and 1.5% (our calculation)", "Steam and ML-1M lose 1.7% and 1.5%",
     "Steam and ML-1M lose", "number-not-at-source"),
    ("(NDCG@10 on Beauty, Table 2, p. 3):", "(NDCG@10 on Beauty, Table , p.):", "Table , p.", "source-malformed"),
    ("loses 3.2% NDCG@10 by six layers", "loses 0.57 NDCG@10 by six layers (Figure 2, p. 2), and 3.2%",
     "loses 0.57", "number-plot"),
]


@pytest.mark.parametrize("old,new,marker,code", NUMBER_FAULTS, ids=[c for *_, c in NUMBER_FAULTS])
def test_number_fault(tmp_path, old, new, marker, code):
    text = edit(EN, old, new)
    got = [(f["code"], f["line"]) for f in errors(make_note(tmp_path, text))]
    assert (code, line_of(text, marker)) in got, got


def test_number_error_reads_as_the_issue_asks(tmp_path):
    text = edit(EN, "SASRec | 0.3219 | 0.4487", "SASRec | 0.3291 | 0.4487")
    folder = make_note(tmp_path, text)
    r = run_script("validate_note", folder)
    n = line_of(text, "SASRec | 0.3291")
    assert f"{folder / 'README.md'}:{n}: 0.3291 is not printed in Table 1 (p. 2): quote the value as printed, or " \
           "fix the source" in r.stdout


def test_venue_the_pdf_does_not_print(tmp_path):
    folder = make_note(tmp_path, EN)
    meta = (folder / "paper.yaml").read_text(encoding="utf-8")
    (folder / "paper.yaml").write_text(meta.replace("venue: WSDM\n", "venue: ''\n"), encoding="utf-8")
    got = [f["code"] for f in errors(folder)]
    assert got == ["header-venue"]
    for ok in ("- **Venue:** WSDM 2025 (from the arXiv record's journal reference)",
               "- **Venue:** arXiv preprint (v2, 2 Jan 2025)"):
        (folder / "README.md").write_text(edit(EN, "- **Venue:** WSDM 2025", ok), encoding="utf-8")
        assert errors(folder) == [], ok


def test_unsourced_number_printed_nowhere_is_a_warning(tmp_path):
    text = edit(EN, "### Scaling\n\n", "### Scaling\n\nA forward pass takes 123.4 ms on a laptop.\n\n")
    got = [(f["code"], f["severity"], f["line"]) for f in findings(make_note(tmp_path, text))]
    assert ("number-unprinted", "warning", line_of(text, "123.4 ms")) in got
    assert not [g for g in got if g[1] == "error"]


def test_tables_folder_missing_is_one_warning(tmp_path):
    folder = make_note(tmp_path, EN)
    shutil.rmtree(folder / "tables")
    got = findings(folder)
    assert [f["code"] for f in got] == ["numbers-skipped"] and "tables/" in got[0]["message"] + got[0]["fix"]
