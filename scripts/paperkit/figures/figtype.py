"""What a figure shows (arch / method / result / ablation / compare) and a short description, from its caption."""
from __future__ import annotations

import re

from .naming import caption_description

# checked in this order: the first type whose words the caption uses wins
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("ablation", re.compile(r"\bablat|\bvariations? (on|of)\b|\bw/o\b|\bwithout\b|\bremov(e|al|ing)\b|"
                            r"\beffects? of\b|\bimpact of\b|"
                            r"\binfluence of\b|\bsensitiv|\bvarying\b|\bdifferent (number|values?|settings?|sizes?)\b|"
                            r"\bhyper-?param", re.IGNORECASE)),
    ("compare", re.compile(r"\bcompar|\bversus\b|\bvs\.?\b|\bbaselines?\b|\bstate[- ]of[- ]the[- ]art\b|"
                           r"\bagainst\b|\bcompetitive\b|\bdifferent (models|methods|algorithms)\b",
                           re.IGNORECASE)),
    ("result", re.compile(r"\bvisuali[sz]|\bheat[- ]?maps?\b|\battention (maps?|weights)\b|\bt-sne\b|\bcurves?\b|"
                          r"\bsamples? (of|from|generated)\b|\bexamples? of (generated|outputs?)\b|"
                          r"\b(accuracy|error|loss|performance|results?) (of|on|for|with|versus|vs)\b", re.IGNORECASE)),
    ("arch", re.compile(r"\barchitecture|\boverview\b|\b(encoder|decoder)\b|\bframework\b|"
                        r"\bstructure of (our|the proposed)\b|\bpipeline\b|"
                        r"\bdiagram\b|\bthe (proposed )?model\b|\bnetwork design\b|\bsystem\b", re.IGNORECASE)),
    ("method", re.compile(r"\billustrat|\bprocedure|\balgorithm|\bprocess\b|\bmechanism\b|\bworkflow\b|"
                          r"\bschematic\b|\blayers?\b|\bmodules?\b|\bblocks?\b|\bembedding\b|\brepresentation\b|"
                          r"\boperations?\b|\battention\b", re.IGNORECASE)),
]


def classify(kind: str, caption: str) -> str:
    """The figure type for the file name; tables default to result, as do plots and visualisations."""
    body = re.sub(r"^\s*\S+\s*\S+\s*[:.|]?", "", caption, count=1)
    body = re.split(r"(?<=[a-z0-9)])\.\s+[A-Z(]", body, maxsplit=1)[0]  # the first sentence names the subject
    for name, rx in _RULES:
        if rx.search(body):
            if kind == "table" and name in ("arch", "method"):
                continue  # a table "of the model's structure" is still a table of values
            return name
    return "result"


def describe(kind: str, caption: str) -> str:
    """1-4 words from the caption for the file name; a caption with no words of its own ("TABLE I.") gives the kind."""
    words = caption_description(caption)
    return kind if words == "figure" and not re.search(r"\bfigures?\b", caption[8:], re.IGNORECASE) else words
