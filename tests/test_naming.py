"""Names by rule: note folders and figure files (references/naming-rules.md)."""
from __future__ import annotations

import pytest
from paperkit.figures.figtype import classify, describe
from paperkit.figures.naming import figure_filename, is_rule_name, number_for_filename, short_name, slugify


@pytest.mark.parametrize(("title", "short"), [
    ("Attention Is All You Need", "attention-is-all-you-need"),
    ("BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", "bert"),
    ("DCN V2: Improved Deep & Cross Network", "dcn-v2"),
    ("Über naïve Café models", "uber-naive-cafe-models"),
    ("../../etc", "etc"),
    ("CON", "con-paper"),
    ("", "paper"),
])
def test_short_names(title, short):
    assert short_name(title) == short


def test_long_titles_are_cut_at_a_word_and_stay_safe():
    s = slugify("word " * 100)
    assert len(s) <= 50 and not s.endswith("-") and set(s) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


@pytest.mark.parametrize(("kind", "number", "name"), [
    ("figure", "3", "fig3_result_x.png"), ("figure", "A.1", "figA-1_result_x.png"),
    ("table", "IV", "tab4_result_x.png"), ("table", "S2", "tabS2_result_x.png"),
])
def test_figure_file_names(kind, number, name):
    assert figure_filename(kind, number, "result", "x") == name
    assert is_rule_name(name)


def test_rule_rejects_other_names():
    assert not is_rule_name("figure1.png") and not is_rule_name("fig1_plot_x.png")
    assert is_rule_name("tab3_setup_hyperparameters-training.png")
    name = figure_filename("table", "3", "setup", "hyperparameters-training")
    assert name == "tab3_setup_hyperparameters-training.png"
    assert is_rule_name("extra_p3_1.png")
    assert number_for_filename("XII") == "12"


@pytest.mark.parametrize(("caption", "kind", "expected"), [
    ("Figure 1: The Transformer - model architecture.", "figure", "arch"),
    ("Table 5: Ablation over the pre-training tasks using the BERT-base architecture.", "table", "ablation"),
    ("Table 2: Performance comparison of different methods on next-item prediction.", "table", "compare"),
    ("Figure 7: Heat maps of attention weights for both cases.", "figure", "result"),
    ("Figure 2: Illustration of input and embedding layer.", "figure", "method"),
    ("Table 1: Statistics of datasets.", "table", "setup"),
    ("Table 3: Hyperparameters for training. All models are trained with a batch size of 4096.", "table", "setup"),
    ("Table 2. Architecture hyperparameters for the 4 model sizes.", "table", "setup"),
    ("Table I: Notation.", "table", "setup"),
    ("Table 1: Architectures for ImageNet. Building blocks are shown in brackets.", "table", "setup"),
    ("Figure 1: Visualization of DCN-V2. ⊗ represents the cross operation in Eq. (1).", "figure", "arch"),
    ("Figure 1: The structure of DIEN. At the behavior layer, behaviors are sorted by time.", "figure", "arch"),
    ("Figure 2: Visualization of a cross layer.", "figure", "method"),
    ("Figure 4: Performance with different mask proportion ρ on d = 64.", "figure", "ablation"),
    ("Figure 8: AUC and Logloss comparison of dropout.", "figure", "ablation"),
    ("Table 1: Oﬄine & online metrics of diﬀerent models.", "table", "compare"),
    ("Figure 6: Representative ex- amples of attention from the output token to the input space.", "figure",
     "result"),
    ("Figure 3. Python code of Group Norm based on TensorFlow.", "figure", "method"),
])
def test_types_from_captions(caption, kind, expected):
    assert classify(kind, caption) == expected


def test_descriptions_are_short_ascii_words():
    assert describe("figure", "Figure 1: The Transformer - model architecture.") == "transformer-model-architecture"
    assert describe("table", "TABLE I.") == "table"
