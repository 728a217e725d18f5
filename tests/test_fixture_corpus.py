"""The labelled understanding corpus is well-formed: pairs complete, labels valid, mail parseable.

The labels are the yardstick of bench/score_understanding.py; a broken label would silently
move every score, so each one is checked against the inspect contract here.
"""

from __future__ import annotations

import email
import email.policy
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "understanding"
sys.path.insert(0, str(ROOT / "bench"))
import score_understanding as score  # noqa: E402

#: The labelled corpus and the blind held-out sets written without reading the code.
CORPORA = [
    CORPUS,
    ROOT / "tests" / "fixtures" / "holdout",
    ROOT / "tests" / "fixtures" / "holdout2",
    ROOT / "tests" / "fixtures" / "holdout3",
    ROOT / "tests" / "fixtures" / "holdout4",
    ROOT / "tests" / "fixtures" / "holdout5",
    ROOT / "tests" / "fixtures" / "holdout6",
    ROOT / "tests" / "fixtures" / "holdout7",
    ROOT / "tests" / "fixtures" / "holdout8",
    ROOT / "tests" / "fixtures" / "holdout9",
    ROOT / "tests" / "fixtures" / "holdout10",
    ROOT / "tests" / "fixtures" / "holdout11",
    ROOT / "tests" / "fixtures" / "holdout12",
    ROOT / "tests" / "fixtures" / "holdout13",
    ROOT / "tests" / "fixtures" / "holdout14",
    ROOT / "tests" / "fixtures" / "holdout15",
    ROOT / "tests" / "fixtures" / "holdout16",
    ROOT / "tests" / "fixtures" / "holdout17",
    ROOT / "tests" / "fixtures" / "holdout18",
]
#: The organisations the corpora are received by (holdout5 adds a member organisation).
OWN_DOMAINS = ("pr-byran.example", "forbundet.example")
EMLS = sorted(p for c in CORPORA for p in c.glob("*.eml"))
LABELS = sorted(p for c in CORPORA for p in c.glob("*.json"))


def _label(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_corpus_has_at_least_160_messages_of_every_kind() -> None:
    kinds = {_label(p)["kind"] for p in LABELS}
    assert len(EMLS) >= 160
    assert kinds == set(score.KINDS)


def test_every_eml_has_a_label_and_every_label_an_eml() -> None:
    assert {p.with_suffix("") for p in EMLS} == {p.with_suffix("") for p in LABELS}


@pytest.mark.parametrize("path", LABELS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_label_is_a_valid_contract_object(path: Path) -> None:
    assert score.contract_errors(_label(path), taxonomy=score.COVERAGE) == []


@pytest.mark.parametrize("path", LABELS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_label_meta_names_own_domains_and_lists(path: Path) -> None:
    meta = _label(path)["_meta"]
    assert len(meta["own_domains"]) == 1 and meta["own_domains"][0] in OWN_DOMAINS
    assert isinstance(meta["forbidden"], list) and isinstance(meta["sensitive"], list)
    assert meta["notes"]


@pytest.mark.parametrize("path", LABELS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_label_does_not_leak_its_own_forbidden_or_sensitive_strings(path: Path) -> None:
    label = _label(path)
    output = {k: v for k, v in label.items() if k != "_meta"}
    assert score.leaks(label, output) == []


@pytest.mark.parametrize("path", LABELS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_label_contact_follows_the_conventions(path: Path) -> None:
    label = _label(path)
    contact = label["contact"]
    if label["kind"] in ("bulk", "bounce"):
        assert contact is None
        return
    if contact is None:
        return  # own domain
    assert all(e == e.lower() for e in contact["emails"])
    assert all(u.startswith(("https://", "http://")) for u in contact["urls"])
    for red in label["redactions"]:
        if red["where"] == "signature":
            assert f"[redacted:{red['category']}]" in (label["signature"] or "")


@pytest.mark.parametrize("path", EMLS, ids=lambda p: p.stem)
def test_eml_parses_and_names_its_sender(path: Path) -> None:
    data = path.read_bytes()
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    assert msg.get("Subject") is not None
    assert msg.get("From") is not None or "nofrom" in path.stem
    for part in msg.walk():
        part.get_payload(decode=True)  # must not raise, whatever the encoding damage


@pytest.mark.parametrize("path", EMLS, ids=lambda p: p.stem)
def test_own_domain_senders_have_no_contact(path: Path) -> None:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
    sender = email.utils.parseaddr(str(msg.get("From", "")))[1].lower()
    label = _label(path.with_suffix(".json"))
    own = tuple(f"@{d}" for d in label["_meta"]["own_domains"])
    if sender.endswith(own) and not sender.startswith(("mailer-daemon", "microsoftexchange")):
        assert label["contact"] is None
