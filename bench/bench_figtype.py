#!/usr/bin/env python3
"""Score the figure type in the file names (figures/figtype.classify) against types given by hand.

bench/figtypes.tsv holds one row per captioned figure and table of the corpus (slug, label as printed, type), each
type chosen by looking at the figure and its caption: arch (a diagram of the whole model or system), method (a
diagram of one part, step or mechanism, or of the problem), result (numbers, plots, visualisations, samples),
ablation (parts removed, a hyperparameter or design choice varied), compare (against baselines or other methods,
as the caption frames it), setup (hyperparameters, configurations, datasets and their statistics, notation,
feature lists). The captions and kinds come from ../shared/corpus/annotations. The rules in figtype.py were
written looking at these 203; bench/figtypes2.tsv is a held-out check: every third captioned item (91) of the
papers in bench/corpus2/annotations (another helper's), typed by hand after the rules were written (--set
heldout). Prints the share right, the misses and a confusion count; it fails on nothing.

examples:
  python3 bench/bench_figtype.py
  python3 bench/bench_figtype.py --misses-only
  python3 bench/bench_figtype.py --set heldout
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from paperkit.figures.figtype import classify  # noqa: E402

SETS = {  # name: (hand types, annotations holding the captions)
    "corpus": (ROOT / "bench" / "figtypes.tsv", ROOT.parent / "shared" / "corpus" / "annotations"),
    "heldout": (ROOT / "bench" / "figtypes2.tsv", ROOT / "bench" / "corpus2" / "annotations"),
}


def captions(folder: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(slug, label) -> (kind, caption) of every annotated figure and table."""
    out = {}
    for f in sorted(folder.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        for items in (v for v in data.values() if isinstance(v, list)):
            for it in items:
                if isinstance(it, dict) and "name" in it:
                    out[(f.stem, it["name"])] = (it["kind"], it["caption"])
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog=__doc__.split("examples:")[1].join(["examples:", ""]),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--set", choices=sorted(SETS), default="corpus", help="which hand types to score (corpus)")
    p.add_argument("--misses-only", action="store_true", help="print the misses and the share only")
    args = p.parse_args(argv)
    labels, annotations = SETS[args.set]
    if not annotations.is_dir():
        print(f"annotations not found at {annotations}")
        return 0
    caps = captions(annotations)
    rows = [ln.split("\t") for ln in labels.read_text(encoding="utf-8").splitlines()[1:] if ln.strip()]
    right = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for slug, label, want in rows:
        if (slug, label) not in caps:
            print(f"  no caption for {slug} {label}")
            continue
        kind, caption = caps[(slug, label)]
        got = classify(kind, caption)
        confusion[(want, got)] += 1
        if got == want:
            right += 1
        else:
            print(f"  MISS {slug} {label}: {got} (hand: {want}) | {caption[:100]}")
    total = sum(confusion.values())
    if not args.misses_only:
        print("hand -> classified: " + ", ".join(f"{w}->{g} {n}" for (w, g), n in sorted(confusion.items())
                                                  if w != g))
        print("per type: " + ", ".join(
            f"{t} {sum(n for (w, g), n in confusion.items() if w == t == g)}/"
            f"{sum(n for (w, _), n in confusion.items() if w == t)}"
            for t in ("arch", "method", "result", "ablation", "compare", "setup")))
    print(f"figure types: {right}/{total} right ({100 * right / total:.1f}%)" if total else "no labels scored")
    return 0


if __name__ == "__main__":
    sys.exit(main())
