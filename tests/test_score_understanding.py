"""The scorer's pure functions: perfect on identical objects, and each kind of error costs."""

from __future__ import annotations

import copy
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import score_understanding as score  # noqa: E402

LABEL = {
    "path": None,
    "message_id": "<a@b.example>",
    "kind": "autoreply",
    "autoreply": {
        "reason": "vacation",
        "until": "2026-08-14",
        "new_email": None,
        "alternate_contacts": [{"name": "Ida Persson", "email": "ida@sr.example", "phone": "+46701740626"}],
    },
    "bounce": None,
    "unsubscribe": None,
    "signature": "Erik Sandberg\nProducent\nSveriges Radio P2\nTel 08-465 004 31",
    "contact": {
        "name": "Erik Sandberg",
        "title": "Producent",
        "organization": "Sveriges Radio P2",
        "emails": ["erik@sr.example"],
        "phones": [{"e164": "+46846500431", "type": "fixed"}],
        "address": {
            "street": "Box 123",
            "postal_code": "105 10",
            "city": "Stockholm",
            "country": None,
        },
        "urls": ["https://www.sr.example"],
        "coverage": ["classical_music"],
    },
    "redactions": [{"category": "health", "where": "autoreply"}],
    "_meta": {
        "own_domains": ["pr-byran.example"],
        "forbidden": ["Ida Persson", "ida@sr.example", "+46701740626"],
        "sensitive": ["sjukskriven", "811218-1006"],
        "notes": "test",
    },
}


def _output(**changes) -> dict:
    out = copy.deepcopy({k: v for k, v in LABEL.items() if k != "_meta"})
    out["path"] = "x.eml"
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = out
        for p in parents:
            target = target[p]
        target[last] = value
    return out


def test_identical_objects_score_one_everywhere() -> None:
    s = score.score_file("x", LABEL, _output())
    report = score.aggregate([s])
    assert s.failures == []
    assert report["kind_accuracy"] == 1.0
    assert report["contact"]["f1"] == 1.0
    assert report["alternate_contacts"]["f1"] == 1.0
    assert all(v["accuracy"] == 1.0 for v in report["autoreply"].values())
    assert report["redactions"]["recall"] == 1.0 and report["leaks"] == 0


def test_a_missing_phone_lowers_contact_recall_only() -> None:
    s = score.score_file("x", LABEL, _output(contact__phones=[]))
    p, r, _ = score.prf(s.contact)
    assert p == 1.0 and r < 1.0
    assert any("missing ('phone'" in f for f in s.failures)


def test_a_wrong_phone_type_counts_in_typed_but_not_in_e164_only_score() -> None:
    s = score.score_file("x", LABEL, _output(contact__phones=[{"e164": "+46846500431", "type": "mobile"}]))
    assert score.prf(s.contact)[2] < 1.0
    assert score.prf(s.contact_e164)[2] == 1.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact__name", "  erik   SANDBERG "),
        ("contact__urls", ["WWW.sr.example/"]),
        (
            "contact__address",
            {"street": "Box 123", "postal_code": "10510", "city": "stockholm", "country": None},
        ),
        ("contact__emails", ["Erik@SR.example"]),
    ],
)
def test_normalised_differences_are_not_errors(field: str, value) -> None:
    s = score.score_file("x", LABEL, _output(**{field: value}))
    assert score.prf(s.contact) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("changes", "leak"),
    [
        (
            {"contact__phones": [{"e164": "+46701740626", "type": "mobile"}]},
            "forbidden: +46701740626",
        ),
        ({"signature": "Erik\nring Ida Persson"}, "forbidden: Ida Persson"),
        ({"signature": "Erik\nmobil 070-174 06 26"}, "forbidden: +46701740626"),
        ({"contact__emails": ["erik@sr.example", "IDA@sr.example"]}, "forbidden: ida@sr.example"),
        (
            {"autoreply__alternate_contacts": [{"name": "Jag är Sjukskriven", "email": None, "phone": None}]},
            "sensitive: sjukskriven",
        ),
        ({"signature": "pnr 8112181006"}, "sensitive: 811218-1006"),
    ],
)
def test_leaks_are_detected_in_any_format(changes: dict, leak: str) -> None:
    assert leak in score.leaks(LABEL, _output(**changes))


def test_alternate_contact_in_autoreply_is_not_a_leak() -> None:
    assert score.leaks(LABEL, _output()) == []


def test_wrong_kind_and_autoreply_fields_are_counted() -> None:
    s = score.score_file("x", LABEL, _output(autoreply__until="2026-08-15"))
    assert s.autoreply == {"reason": True, "until": False, "new_email": True}
    s = score.score_file("x", LABEL, _output(kind="personal", autoreply=None))
    report = score.aggregate([s])
    assert report["kind_accuracy"] == 0.0
    assert report["confusion"]["autoreply"] == {"personal": 1}
    assert report["autoreply"]["reason"]["accuracy"] == 0.0


def test_missing_output_fails_every_field_without_crashing() -> None:
    s = score.score_file("x", LABEL, None)
    assert "no output for this file" in s.failures
    assert score.prf(s.contact)[1] == 0.0


def test_redaction_precision_and_recall() -> None:
    s = score.score_file("x", LABEL, _output(redactions=[{"category": "religion", "where": "autoreply"}]))
    assert (s.redactions.tp, s.redactions.fp, s.redactions.fn) == (0, 1, 1)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"kind": "spam"}, "kind"),
        ({"contact__phones": [{"e164": "070-174 06 26", "type": "mobile"}]}, "contact.phones[0]"),
        ({"autoreply__until": "14/8"}, "autoreply.until"),
        ({"bounce": {"permanent": True, "addresses": []}}, "bounce: set on a autoreply message"),
        ({"unsubscribe": {"channels": ["all", "sms"]}}, "unsubscribe.channels"),
        ({"redactions": [{"category": "health", "where": "header"}]}, "redactions"),
    ],
)
def test_contract_shape_errors_are_reported(changes: dict, error: str) -> None:
    errors = score.contract_errors(_output(**changes))
    assert any(e.startswith(error) for e in errors), errors


def test_contact_items_deduplicate_and_normalise() -> None:
    items = score.contact_items(
        {
            "name": "A  B",
            "emails": ["x@y.example", "X@y.example"],
            "phones": [],
            "urls": ["http://Y.example/"],
            "coverage": ["music"],
            "address": None,
        }
    )
    assert items == Counter(
        {
            ("name", "a b"): 1,
            ("email", "x@y.example"): 1,
            ("url", "y.example"): 1,
            ("coverage", "music"): 1,
        }
    )


def test_main_exits_2_on_a_missing_folder(tmp_path: Path) -> None:
    assert score.main([str(tmp_path / "nope")]) == 2


@pytest.mark.parametrize("runner", ["module", "cli"])
def test_scorer_runs_over_the_corpus_and_reports_every_file(runner: str, capsys) -> None:
    assert score.main(["--runner", runner, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == len(list(score.DEFAULT_FOLDER.glob("*.eml")))
    assert report["missing_outputs"] == [] and report["shape_errors"] == 0
