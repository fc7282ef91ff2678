"""What a figure shows (arch / method / result / ablation / compare / setup) and a short description, from its caption.

The type is read off the caption's first sentence, the rules tried in order (references/naming-rules.md); a caption
whose first sentence says nothing is read whole for the words of a comparison ('faster than', 'outperform').
"""
from __future__ import annotations

import re
import unicodedata

from .naming import caption_description

# a hyperparameter or design choice: what an ablation varies
_KNOB = (r"(?:number of|activation(?: functions?)?|dropout|network shape|depth|width|learning rates?|batch sizes?|"
         r"optimi[sz]ers?|hidden (?:size|units|dimensions?|dimensionality)|embedding (?:size|dimensions?)|"
         r"dimensionality|latent dimension\w*|mask(?:ing)? (?:proportion|ratio|rate)|maximum length|"
         r"sequence length|hyper-?parameters?|matrix rank|temperature|loss weights?)")

# checked in this order: the first type whose words the caption uses wins
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("ablation", re.compile(
        r"\bablat|\bvariations? (on|of)\b|\bw/o\b|\bwith and without\b|\bremov(e|al|ing)\b|\beffects? of\b|"
        r"\bwithout (?:the |our |any )?[\w-]+(?: [\w-]+)? (?:modules?|components?|loss|layers?|blocks?|attention|"
        r"features?|pre-?training|fine-?tuning|terms?|connections?)\b|\bimpact of\b|\bone by one\b|"
        r"\bbreakdown effect\b|\bby (?:the )?[\w-]+ size\b|"
        r"\binfluence of\b|\bsensitiv|\bvarying\b|\banalysis (?:on|of) (?:the )?(?:bi-?direction|components?)|"
        r"\bdifferent (?:number|values?|settings?|sizes?|dimensions?|depths?|widths?|configurations?|"
        r"hyper-?param\w*|" + _KNOB + r")\b|"
        r"\bscaling different\b|"
        r"\b(?:comparison|performance|results?|auc|logloss|accuracy|error)s?\b[^.]{0,40}?\b(?:of|w\.?\s?r\.?\s?t\.?|"
        r"with respect to|with|under|across) (?:the |different )?" + _KNOB + r"|"
        r"\b(?:v\.?\s?s\.?|versus) (?:the )?(?:depth|width|rank|number of|learning rate|batch size|dimension\w*|"
        r"temperature)", re.IGNORECASE)),
    ("compare", re.compile(
        r"\bcompar|\bversus\b|\bvs\.?(?=\s)|\bbaselines?\b|\bstate[- ]of[- ]the[- ]art\b|\bagainst\b|\bcompetitive\b|"
        r"\b(?:different|various|several|other) (?:\w+ )?(?:models|methods|algorithms|approaches|"
        r"architectures|systems|types|networks|backbones)\b|"
        r"\b(?:lower|higher|better|worse|faster|slower)\b[^.]{0,30}\bthan\b|"
        r"(?-i:\bv\.?\s?s\.?\s+(?:[\w-]+\s+)?[A-Z][A-Za-z]*[A-Z])|"  # 'DCN-V2 v.s. same-sized ReLUs'
        r"(?-i:\b[A-Z][\w-]*[A-Z][\w-]*,\s+[A-Z][\w-]*,?\s+and\s+[A-Z][\w-]*[A-Z])",  # 'MMoE, OMoE, and S-B'
        re.IGNORECASE)),
    ("setup", re.compile(
        r"\bhyper-?param|\bstatistics\b|^\s*(?:the\s+)?data ?sets?\b|\bdata ?sets? (?:used|statistics|details)\b|"
        r"\bnotations?\b|\bsymbols?\b|\bconfigurations?\b|\bdetails of\b|\bmodel variants\b|"
        r"\bsettings? (?:of|for|used)\b|\bimplementation details\b|\bfeatures (?:used|shown)\b|"
        r"[\"“]other features|\bcharacteristics of\b|\bmakeup of\b|\bcomposition of\b|"
        r"\b(?:parameters|questions|prompts|templates|filters|rules|instructions) (?:used|provided|applied)\b",
        re.IGNORECASE)),
    ("result", re.compile(
        r"\bvisuali[sz](?!ation of (?:a|an|the|one) [\w-]+(?: [\w-]+)? (?:layer|block|module|cell|unit)\b)"
        r"(?!ation of (?-i:(?=[\w-]*[A-Z][\w-]*[A-Z0-9])[\w-]+(?:$|\s*[.(])))|"  # a part; the model, by name
        r"\bheat[- ]?maps?\b|\battention (maps?|weights|heads?)\b|\bt-sne\b|\bcurves?\b|"
        r"\bsamples? (of|from|generated)\b|\bexamples? of\b|\bfilters of\b|\bsimilarity of\b|"
        r"\b(?:training|test|testing|validation) (?:error|loss|accuracy)\b|\bmodels? trained (?:with|on)\b|"
        r"\b(accuracy|error|loss|performance|results?) (of|on|for|with|versus|vs)\b", re.IGNORECASE)),
    ("method", re.compile(  # an illustration of a part, code, an API: before 'arch' sees 'system' or 'model'
        r"^\s*(?:an? |the )?(?:detailed )?illustrat\w*\b(?!.*\b(?:architecture|overview|framework)\b)|"
        r"\b(?:python|pseudo-?|source )?code\b|\bAPI\b|\busage\b|\binterfaces?\b|\bprompts?\b(?! (?:length|tuning))|"
        r"\bgeometry of\b|\btweaks?\b|\bexperimental setup\b", re.IGNORECASE)),
    ("arch", re.compile(  # case matters only for model names: 'The structure of DIEN', 'Wide & Deep models'
        r"(?i:\barchitecture(?!s? of (?:the |an? )?[\w-]+ (?:layer|block|module|cell|unit)\b)|\boverview\b|"
        r"\b(encoder|decoder)\b|\bframework\b|\bpipeline\b|\bdiagram\b|"
        r"(?<!to )\bthe (proposed )?model\b|\bmodel (?:structure|architecture)\b|\bnetwork design\b|\bsystem\b)|"
        r"\b(?:[Ss]tructure|[Vv]isuali[sz]ation) of (?:the |our )?(?:proposed )?"
        r"(?=[\w-]*[A-Z][\w-]*[A-Z0-9])[\w-]+(?:$|\s*[.(])|"
        r"\b[A-Z][\w-]*(?:\s*&\s*[A-Z][\w-]*)?\s+models?\b")),
    ("method", re.compile(
        r"\billustrat|\bprocedure|\balgorithm|\bprocess\b|\bmechanism\b|\bworkflow\b|\bschematic\b|"
        r"\blayers?\b(?!\s+(?:responses?|outputs?|activations?))|\bmodules?\b|\bblocks?\b|\bembedding\b|"
        r"\brepresentation\b|\boperations?\b|\battention\b|\btrained by\b", re.IGNORECASE)),
]

# a label's closing full stop, not an abbreviation's ("Fig. 3", "Eq. (1)", "vs. BERT", "et al. The")
_SENTENCE_END = re.compile(r"(?<!\bFig)(?<!\bEq)(?<!\bvs)(?<!\bal)(?<!\be\.g)(?<!\bi\.e)(?<=[A-Za-z0-9)\]])\.\s+"
                           r"(?=[^\sa-z])")
_COMPARE_ANYWHERE = re.compile(r"\b(?:faster|slower|better|worse) than\b|\boutperform|\bcomparison\b",
                               re.IGNORECASE)


def classify(kind: str, caption: str) -> str:
    """The figure type for the file name; tables are never arch or method, and default to result as do plots."""
    caption = unicodedata.normalize("NFKC", caption)  # 'diﬀerent' with a ligature is 'different'
    caption = re.sub(r"(?<=[a-z])- (?=[a-z])", "", caption)  # 'ex- amples' broken at a line end
    body = re.sub(r"^\s*\S+\s*\S+\s*[:.|]?", "", caption, count=1)
    first = _SENTENCE_END.split(body, maxsplit=1)[0]  # the first sentence names the subject
    for name, rx in _RULES:
        if rx.search(first):
            if kind == "table" and name in ("arch", "method"):
                if name == "arch" and re.match(r"\s*architectures?\b", first, re.IGNORECASE):
                    return "setup"  # 'Table 1: Architectures for ImageNet': the configuration of each model
                continue  # a table "of the model's structure" is still a table of values
            return name
    if first != body and _COMPARE_ANYWHERE.search(body):
        return "compare"
    return "result"


def describe(kind: str, caption: str) -> str:
    """1-4 words from the caption for the file name; a caption with no words of its own ("TABLE I.") gives the kind."""
    words = caption_description(caption)
    return kind if words == "figure" and not re.search(r"\bfigures?\b", caption[8:], re.IGNORECASE) else words
