"""parse_until: trigger words, Nordic and English date forms, week numbers, inferred years."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from harvester.understand.dates import parse_until

#: Friday 20 March 2026, the date of every invented auto-reply below.
SENT = datetime(2026, 3, 20, 9, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # sv
        ("Jag är på semester t.o.m. 14/8.", date(2026, 8, 14)),
        ("Jag är ledig till och med den 3 april och läser inte mejl.", date(2026, 4, 3)),
        ("Jag är på semester till den 3:e april.", date(2026, 4, 3)),
        ("Tillbaka den 17 augusti", date(2026, 8, 17)),
        ("Jag är tillbaka 14 aug.", date(2026, 8, 14)),
        ("Jag är borta 1 juli till 14 augusti", date(2026, 8, 14)),
        ("Jag är på semester 1/7\u201314/8.", date(2026, 8, 14)),  # en dash
        ("Jag är tillbaka på måndag.", date(2026, 3, 23)),
        ("Jag är tillbaka i morgon.", date(2026, 3, 21)),
        ("Jag är tillbaka nästa vecka.", date(2026, 3, 27)),
        ("Jag är ledig idag och svarar på mejl i morgon.", date(2026, 3, 21)),
        ("Jeg er på ferie uge 29-30 og er tilbage mandag den 27. juli.", date(2026, 7, 27)),
        ("Jag är på Bokmässan 24\u201327 september.", date(2026, 9, 27)),
        ("Jag har semester fr.o.m. 29 juni t.o.m. 31 juli.", date(2026, 7, 31)),
        ("Jag är tjänstledig t.o.m. 2027-06-30.", date(2027, 6, 30)),
        ("Tack för ditt mejl till mig. Jag är tillbaka 17/8.", date(2026, 8, 17)),
        # en
        ("I am out of the office until 8/14 with limited access.", date(2026, 8, 14)),
        ("I am out of the office until 3/4.", date(2026, 4, 3)),
        ("I'm back on Monday 5 May", date(2026, 5, 5)),
        ("I'm back on Monday.", date(2026, 3, 23)),
        ("Returning April 3rd, 2026", date(2026, 4, 3)),
        ("Back on the 3rd of April", date(2026, 4, 3)),
        ("I will be back next week.", date(2026, 3, 27)),
        # no, da
        ("Jeg er på ferie til og med 14. august.", date(2026, 8, 14)),
        ("Jeg er tilbake mandag 17. august.", date(2026, 8, 17)),
        ("Jeg er tilbage d. 17. august", date(2026, 8, 17)),
        ("Jeg er på kontoret igen den 5.5.2026.", date(2026, 5, 5)),
        # fi
        ("Olen lomalla 14.8. asti.", date(2026, 8, 14)),
        ("Olen poissa 3.4. saakka.", date(2026, 4, 3)),
        ("Palaan toimistolle 5.5.2026.", date(2026, 5, 5)),
        ("Olen lomalla 14. elokuuta asti.", date(2026, 8, 14)),
    ],
)
def test_trigger_then_date_form_gives_the_stated_date(text: str, expected: date) -> None:
    assert parse_until(text, sent_at=SENT) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jag är på semester v. 32", date(2026, 8, 9)),  # last day: Sunday
        ("Jag är ledig vecka 32.", date(2026, 8, 9)),
        ("Jag är ledig veckorna 28-31.", date(2026, 8, 2)),
        ("Åter i tjänst v. 33", date(2026, 8, 10)),  # back: Monday
        ("Jeg er på ferie uke 32.", date(2026, 8, 9)),
        ("Jeg holder ferie uge 32.", date(2026, 8, 9)),
        ("Olen poissa viikolla 32.", date(2026, 8, 9)),
        ("I am on holiday week 32.", date(2026, 8, 9)),
        ("Back in w33.", date(2026, 8, 10)),
    ],
)
def test_week_numbers_mean_sunday_or_monday_after_back(text: str, expected: date) -> None:
    assert parse_until(text, sent_at=SENT) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jag är tillbaka 3/1", date(2027, 1, 3)),  # before the message: next year
        ("Jag är på semester till 3/2", date(2027, 2, 3)),
        ("Jag är tillbaka 18/3", date(2026, 3, 18)),  # a few days back: same year
        ("Back on 2 January.", date(2027, 1, 2)),
    ],
)
def test_year_is_inferred_from_the_message_date(text: str, expected: date) -> None:
    assert parse_until(text, sent_at=SENT) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Jag är på semester. Storgatan 12, 111 22 Stockholm",
        "Jag har semester, svarar så snart jag kan.",
        "Ring mig på 070-174 06 12",
        "Jag är på konferens hela dagen, mötet börjar kl 14.08.",
        "",
        "31/2 är inget datum, inte heller 45.13.",
        "Jag är föräldraledig och tillbaka i augusti 2027.",  # a month alone is no date
    ],
)
def test_text_without_a_date_gives_none(text: str) -> None:
    assert parse_until(text, sent_at=SENT) is None


def test_time_of_day_is_not_read_as_a_date() -> None:
    assert parse_until("Jag är på konferens t.o.m. onsdag kl 14.08", sent_at=SENT) == date(2026, 3, 25)


def test_garbage_never_raises() -> None:
    for junk in ["\x00\ufffd" * 50, "t.o.m. " * 500, "v. 99", "till 99/99/9999", "back " * 1000]:
        assert parse_until(junk, sent_at=SENT) is None or isinstance(parse_until(junk, sent_at=SENT), date)


def test_missing_message_date_still_parses_explicit_years() -> None:
    assert parse_until("Jag är tillbaka 2030-01-07.", sent_at=None) == date(2030, 1, 7)
