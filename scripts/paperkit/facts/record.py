"""paper.yaml and the files beside it: how they are dumped, how a file of ours is told from the user's, and how
source.yaml (the arXiv API's record, from fetch_paper.py) wins over what the PDF says."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..io.errors import OutputError, UserError

GENERATOR = "ai-paper-reader paper_info"
SOURCE_YAML = "source.yaml"
SOURCE_KEYS = ("title", "authors", "abstract", "categories", "published", "updated", "arxiv_id", "version", "doi")


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the abstract reads as text in paper.yaml."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: dict[str, Any]) -> str:
    head = "# written by paper_info.py from the PDF; fields listed under from_source_yaml come from source.yaml\n"
    return head + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def ours_yaml(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and data.get("generator") == GENERATOR


def ours_md(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as fh:
            return "written by paper_info.py" in fh.readline()
    except (OSError, UnicodeDecodeError):
        return False


def check_overwrite(paths: list[Path], force: bool, ours: Any, prog: str) -> None:
    for p in paths:
        if p.exists() and not force and not ours(p):
            raise OutputError(f"{p} exists and was not written by {prog}; pass --force to overwrite it")


def read_source_yaml(folder: Path) -> dict[str, Any]:
    path = folder / SOURCE_YAML
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UserError(f"{path} is not valid YAML ({type(exc).__name__}); fix or delete it") from None
    return data if isinstance(data, dict) else {}


def apply_source(info: dict[str, Any], source: dict[str, Any]) -> list[str]:
    """source.yaml's fields replace the PDF's; returns the names of the fields it gave."""
    taken = []
    for key in SOURCE_KEYS:
        value = source.get(key)
        if value in (None, "", []):
            continue
        target = {"version": "arxiv_version"}.get(key, key)
        if key == "version":
            value = str(value) if str(value).startswith("v") else f"v{value}"
        if key == "authors":
            value = [str(a.get("name", a)) if isinstance(a, dict) else str(a) for a in value]
        info[target] = value
        taken.append(target)
    if "published" in taken and not info.get("year"):
        info["year"] = int(str(info["published"])[:4]) if str(info["published"])[:4].isdigit() else info["year"]
    return taken
