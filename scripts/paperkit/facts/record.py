"""paper.yaml and the files beside it: how they are dumped, how a file of ours is told from the user's, how a field
the user edited survives a re-run, and how source.yaml (the arXiv API's record, from fetch_paper.py) wins over what
the PDF says."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from ..io import yamlio
from ..io.errors import OutputError, UserError

GENERATOR = "ai-paper-reader paper_info"
SOURCE_YAML = "source.yaml"
WRITTEN_KEY = "generated_sha256"  # field -> hash of the value the tool wrote; another value now is the user's
SOURCE_KEYS = ("title", "authors", "abstract", "categories", "published", "updated", "arxiv_id", "version", "doi")


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the abstract reads as text in paper.yaml."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_CDumper: type | None = None
if hasattr(yaml, "CSafeDumper"):  # libyaml's emitter: the same text, several times faster
    class _CDumper(yaml.CSafeDumper):  # type: ignore[no-redef]
        pass

    _CDumper.add_representer(str, _str)


def _yaml_text(data: dict[str, Any], exact: bool = True) -> str:
    """data as YAML. libyaml writes a character beyond the Basic Multilingual Plane (a math letter, '𝑛') as an
    escape ("\\U0001D45B"), which the Python emitter writes as it is: for a file a person reads (exact), such data
    goes through the Python emitter."""
    if _CDumper is not None:
        text = yaml.dump(data, Dumper=_CDumper, sort_keys=False, allow_unicode=True, width=110)
        if not exact or "\\U" not in text:
            return text
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def dump_yaml(data: dict[str, Any]) -> str:
    head = ("# written by paper_info.py from the PDF; fields listed under from_source_yaml come from source.yaml\n"
            f"# edit any field: a re-run keeps your edit ({WRITTEN_KEY} records what the tool wrote), --force "
            "replaces it\n")
    return head + _yaml_text(data)


def ours_yaml(path: Path) -> bool:
    try:
        data = yamlio.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and data.get("generator") == GENERATOR


def ours_md(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as fh:
            return "written by paper_info.py" in fh.readline()
    except (OSError, UnicodeDecodeError):
        return False


_STAMP = " · body sha256 "


def stamped(first_line: str, body: str) -> str:
    """A text file of ours (paper.md, tables/tabN.md): first_line, an HTML comment left open, says who wrote the file
    and records the hash of the body that follows, so a re-run can tell a file edited by hand from its own."""
    return f"{first_line}{_STAMP}{_text_hash(body)} -->\n{body}"


def edited_by_hand(path: Path) -> bool:
    """Whether a file stamped() by the tool changed since: the hash in its first line no longer matches the rest.
    A file without the hash (an older version's) or that cannot be read counts as unchanged."""
    try:
        first, _, body = path.read_text(encoding="utf-8").partition("\n")
    except (OSError, UnicodeDecodeError):
        return False
    at = first.rfind(_STAMP)
    if at < 0:
        return False
    return first[at + len(_STAMP):].removesuffix("-->").strip() != _text_hash(body)


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_overwrite(paths: list[Path], force: bool, ours: Any, prog: str) -> None:
    for p in paths:
        if p.exists() and not force and not ours(p):
            if p.suffix == ".yaml" and p.is_file() and _load(p) is None:
                raise OutputError(f"{p} is not valid YAML (edited by hand?); fix it, or pass --force to write a new "
                                  "one (your edits in it are then lost)")
            raise OutputError(f"{p} exists and was not written by {prog}; pass --force to overwrite it")
        if p.suffix == ".yaml" and p.is_file() and not force:
            _check_record(p, _load(p))


def _check_record(path: Path, old: dict[str, Any] | None) -> None:
    recorded = old.get(WRITTEN_KEY) if old is not None else None
    if recorded is not None and not isinstance(recorded, dict):
        raise OutputError(f"{path}: its {WRITTEN_KEY} record is damaged (edited by hand?), so the fields you "
                          "edited cannot be told from the tool's; restore it, or pass --force to write a new "
                          "paper.yaml (your edits in it are then lost)")


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = yamlio.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def keep_edits(path: Path, info: dict[str, Any], force: bool) -> list[str]:
    """Fields of the paper.yaml at path that the user changed (or added) since the tool wrote them replace the tool's
    new values in info, unless force; info also takes the hashes of the tool's own values, so the next run can tell.
    Returns the names of the fields kept.

    A paper.yaml from before the hashes were kept has no record: all of it is the tool's. A damaged record stops the
    run with OutputError: which fields were edited cannot be told, and nothing is lost."""
    written = _load_dumped(info)
    hashes = {k: _digest(v) for k, v in written.items() if k not in ("generator", WRITTEN_KEY)}
    kept: list[str] = []
    old = _load(path) if path.is_file() and not force else None
    recorded = old.get(WRITTEN_KEY) if old is not None else None
    _check_record(path, old)
    if old is not None and isinstance(recorded, dict):
        for key, value in old.items():
            if key in ("generator", WRITTEN_KEY) or _digest(value) == hashes.get(key):
                continue
            was = recorded.get(key)
            if key in hashes and key not in recorded:
                continue  # a field this version of the tool adds: the old file could not have had it from us
            if isinstance(was, str) and _digest(value) == was:
                continue  # as the tool wrote it last time: the tool's to update
            info[key] = value
            kept.append(key)
    info.pop(WRITTEN_KEY, None)
    info[WRITTEN_KEY] = hashes
    return kept


def _load_dumped(info: dict[str, Any]) -> dict[str, Any]:
    """info as a reader of paper.yaml sees it (tuples as lists, numbers as YAML reads them)."""
    data = yamlio.load(_yaml_text({k: v for k, v in info.items() if k != WRITTEN_KEY}, exact=False))
    return data if isinstance(data, dict) else {}


def read_source_yaml(folder: Path) -> dict[str, Any]:
    path = folder / SOURCE_YAML
    if not path.is_file():
        return {}
    try:
        data = yamlio.load(path.read_text(encoding="utf-8"))
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
