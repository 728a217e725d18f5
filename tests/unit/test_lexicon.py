"""The lexicon loader: shipped files, override directories, and errors that name file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.errors import PolicyError
from harvester.understand.lexicon import load_lexicon, load_rules, phrase_regex


def _write(root: Path, name: str, text: str) -> Path:
    path = root / "lexicon" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return root


def test_shipped_lexicon_loads_and_matches() -> None:
    lex = load_lexicon()
    assert lex.matcher("autoreply", "subject.prefixes").search("autosvar: hej")
    assert lex.phrases("autoreply", "subject.prefixes")


def test_same_directory_is_loaded_once() -> None:
    assert load_lexicon() is load_lexicon()


@pytest.mark.parametrize(
    ("phrases", "text", "hit"),
    [
        (["på semester"], "jag är PÅ\n  semester", True),
        (["loma"], "olen lomalla", False),
        (["Autosvar:"], "Autosvar: hej", True),
        (["t.o.m."], "ledig t.o.m. 14/8", True),
        (["till", "till och med"], "till och med", True),
    ],
)
def test_phrases_match_on_word_boundaries_across_whitespace(phrases: list[str], text: str, hit: bool) -> None:
    import re

    assert bool(re.search(phrase_regex(phrases), text, re.I)) is hit


def test_override_directory_replaces_a_shipped_file(tmp_path: Path) -> None:
    root = _write(tmp_path, "autoreply.toml", '[subject]\nprefixes = ["Borta:"]\n')
    lex = load_lexicon(root)
    assert lex.matcher("autoreply", "subject.prefixes").search("Borta: hej")
    assert not lex.matcher("autoreply", "subject.prefixes").search("Autosvar: hej")


def test_nested_keys_and_regex_lists_are_compiled(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        "extra.toml",
        '[reason]\nvacation = ["semester"]\n[dates]\nweek_regex = ["v\\\\.?\\\\s*\\\\d+"]\n',
    )
    lex = load_lexicon(root)
    assert lex.matcher("extra", "reason.vacation").search("Semester!")
    assert lex.matcher("extra", "dates.week_regex").search("v. 32")
    assert lex.keys("extra", "reason") == ["vacation"]
    assert lex.matcher("extra", "missing").search("anything") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('x_regex = ["(unclosed"]\n', "bad.toml: x_regex"),
        ("x = [1, 2]\n", "bad.toml: x"),
        ("x = [\n", "bad.toml"),
    ],
)
def test_bad_file_raises_policy_error_naming_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    root = _write(tmp_path, "bad.toml", text)
    with pytest.raises(PolicyError, match=message.replace(".", r"\.")):
        load_lexicon(root)


def test_missing_override_directory_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError):
        load_lexicon(tmp_path / "nope")


def test_rules_file_override_and_absent(tmp_path: Path) -> None:
    (tmp_path / "coverage.toml").write_text('[music]\nwords = ["musik"]\n', encoding="utf-8")
    assert load_rules("coverage", tmp_path)["music"]["words"] == ["musik"]
    assert load_rules("does_not_exist.toml") == {}


def test_any_item_is_searched_as_one_union_unless_an_item_reads_differently_there(tmp_path: Path) -> None:
    # "(b)\1" inside a union would refer to the first item's group: searched item by item
    root = _write(
        tmp_path, "refs.toml", 'twice_regex = ["(a)\\\\1", "(b)\\\\1"]\nplain_regex = ["ab+", "^c"]\n'
    )
    lex = load_lexicon(root)
    assert lex.search_any("refs", "twice_regex", "xbbx")
    assert not lex.search_any("refs", "twice_regex", "abab")
    assert lex.search_any("refs", "plain_regex", "cab")
    assert not lex.search_any("refs", "plain_regex", "xa c")
    assert not lex.search_any("refs", "missing", "anything")


_SHIPPED = load_lexicon()


@pytest.mark.parametrize(("file", "key"), sorted(k for k in _SHIPPED._entries if k[1].endswith("_regex")))
def test_search_any_finds_what_some_item_finds(file: str, key: str) -> None:
    items = _SHIPPED.phrases(file, key)
    texts = [*items, "", "noreply", "Mailer-Daemon", "X-Campaign-Id", "Undeliverable: Hej", "hej"]
    for text in texts:
        expected = any(p.search(text) for p in _SHIPPED.patterns(file, key))
        assert _SHIPPED.search_any(file, key, text) == expected, (file, key, text)
