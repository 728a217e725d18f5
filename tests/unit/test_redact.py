"""The redaction gate removes Art. 9 clauses and personnummer, and nothing else."""

from __future__ import annotations

import pytest

from harvester.understand.redact import redact
from harvester.understand.types import RedactionCategory as C

HEALTH_WORDS = ("sjuk", "opera", "sjukhus", "utbränd", "sick", "surgery", "hospital", "sairaus")


@pytest.mark.parametrize(
    ("text", "expected", "categories"),
    [
        ("Jag är sjukskriven till 3/4.", "Jag är [redacted:health] till 3/4.", [C.HEALTH]),
        ("Sjukskriven till 3/4", "[redacted:health] till 3/4", [C.HEALTH]),
        ("Jag är sjukskriven t.o.m. 14/8.", "Jag är [redacted:health] t.o.m. 14/8.", [C.HEALTH]),
        (
            "Jag är sjukskriven efter en knäoperation och är tillbaka v. 32.",
            "Jag är [redacted:health] efter en [redacted:health] och är tillbaka v. 32.",
            [C.HEALTH],
        ),
        (
            "I'm on sick leave until Monday 5 May.",
            "I'm [redacted:health] until Monday 5 May.",
            [C.HEALTH],
        ),
        ("Jag ligger på sjukhus, nås ej.", "Jag ligger på [redacted:health], nås ej.", [C.HEALTH]),
        ("Olen sairauslomalla 3.4. asti.", "Olen [redacted:health] 3.4. asti.", [C.HEALTH]),
        (
            "Jeg er sykemeldt frem til 14. august.",
            "Jeg er [redacted:health] frem til 14. august.",
            [C.HEALTH],
        ),
        (
            "Jeg er sygemeldt indtil 3. april",
            "Jeg er [redacted:health] indtil 3. april",
            [C.HEALTH],
        ),
        ("Reporter, medlem i Journalistförbundet", "Reporter, [redacted:union]", [C.UNION]),
        ("Fackligt förtroendevald", "[redacted:union]", [C.UNION]),
        (
            "Maria Holm\nFackligt förtroendevald, Journalistklubben\n0980-319 210",
            "Maria Holm\n[redacted:union]\n0980-319 210",
            [C.UNION],
        ),
        ("Jag är medlem i Moderaterna.", "Jag är [redacted:politics].", [C.POLITICS]),
        ("Ledig för religiös högtid", "Ledig för [redacted:religion]", [C.RELIGION]),
        # the speaker's own identity, however the clause is turned
        ("Som tornedaling själv gillar jag det.", "[redacted:ethnicity].", [C.ETHNICITY]),
        ("Som samisk fotograf vill jag gärna komma.", "[redacted:ethnicity].", [C.ETHNICITY]),
        ("As a Sámi writer, I would love to.", "[redacted:ethnicity] to.", [C.ETHNICITY]),
        (
            "Pnr 19121212-1212, orgnr 556036-0793",
            "Pnr [redacted:national_id], orgnr 556036-0793",
            [C.NATIONAL_ID],
        ),
    ],
)
def test_special_category_clauses_are_replaced(text: str, expected: str, categories: list[C]) -> None:
    result = redact(text)
    assert result.text == expected
    assert list(result.categories) == categories


@pytest.mark.parametrize(
    "text",
    [
        "Jag är föräldraledig till 3/4.",
        "Jag är hemma för vård av barn (VAB) i dag.",
        "Jag har semester t.o.m. 14/8.",
        "Tjänstledig hela hösten, ledig fredag.",
        "Politisk reporter, Dagbladet",
        "Christian Berg, Kooperationen",
        "Org.nr 556036-0793",
        "I'm on parental leave until 5 May.",
        "Vi ses på releasefesten, hälsningar från kulturredaktionen.",
        "Det är samma sak som senast, same as last time.",
        "Festivalen bevakar samisk musik och joik.",
    ],
)
def test_leave_words_titles_and_org_numbers_are_not_redacted(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.categories == ()


def test_no_health_word_survives_a_sick_leave_reply() -> None:
    text = "Hej! Jag är sjukskriven efter operation på sjukhuset till 3/4. I'm on sick leave."
    redacted = redact(text).text.lower()
    assert not any(word in redacted for word in HEALTH_WORDS)
    assert "3/4" in redacted


def test_a_placeholder_is_never_redacted_again() -> None:
    """'ethnicity' is itself a term: a second pass must leave '[redacted:ethnicity]' whole."""
    once = redact("Reporter\nStolt same från Jokkmokk\nTel 070-174 06 26")
    twice = redact(once.text)
    assert twice.text == once.text
    assert "[redacted:[redacted:" not in twice.text


def test_redactions_are_listed_once_per_statement() -> None:
    """Two placeholders in one statement are one entry; the same said again is another."""
    from harvester.understand import understand

    mail = (
        "From: Eva Ek <eva@tidning.example>\r\nTo: a@pr-byran.example\r\nSubject: Autosvar\r\n"
        "Auto-Submitted: auto-replied\r\nMessage-ID: <x1@tidning.example>\r\n\r\n"
        "Jag är sjukskriven efter en knäoperation till 3/4. I am on sick leave until 3 April.\r\n"
    ).encode()
    result = understand(mail, own_domains=["pr-byran.example"])
    assert [(r.category.value, r.where) for r in result.redactions] == [("health", "autoreply")] * 2


@pytest.mark.parametrize("text", ["Jag är ſjukskriven till 3/4.", "Jag är sjukskrıven till 3/4, Σ."])
def test_a_text_with_letters_lowercasing_cannot_fold_is_still_redacted(text: str) -> None:
    """The long s and the dotless i match "s" and "i" under re.IGNORECASE; the gate must too."""
    assert "[redacted:health]" in redact(text).text
