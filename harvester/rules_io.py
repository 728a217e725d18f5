"""Reading rules/ files: where the organisation's copy overrides the shipped one, and the
checks every policy file shares, so each error names the file, the entry and the key.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from harvester.errors import PolicyError

__all__ = ["named_table", "read_toml", "rules_file", "shipped_rules_dir"]


def shipped_rules_dir() -> Path:
    """The shipped rules/: the installed `harvester.rules` package, or rules/ of a source checkout
    (where `harvester` is imported from the tree and that package name does not exist)."""
    try:
        return Path(str(resources.files("harvester.rules")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[1] / "rules"


def rules_file(name: str, rules_dir: Path | None = None) -> Path:
    """`rules_dir/name` when the organisation has its own copy, else the one shipped in rules/."""
    if rules_dir is not None and (rules_dir / name).exists():
        return rules_dir / name
    return shipped_rules_dir() / name


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from exc


def named_table(
    path: Path, raw: Any, *, kind: str, index: int, key: str, known: set[str]
) -> tuple[dict[str, Any], str]:
    """Check one `[[kind]]` table: a table, with a `key` naming it, and no unknown keys.

    Returns the table and its label for messages (`rule 'x'`, or `rule #3` before it has a name).
    """
    label = f"{kind} #{index + 1}"
    if not isinstance(raw, dict):
        raise PolicyError(f"{path}: {label}: must be a table ([[{kind}]])")
    name = raw.get(key)
    if not isinstance(name, str) or not name.strip():
        raise PolicyError(f"{path}: {label}: {key}: missing (every {kind} needs one)")
    label = f"{kind} {name!r}"
    unknown = sorted(set(raw) - known)
    if unknown:
        raise PolicyError(f"{path}: {label}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")
    return raw, label
