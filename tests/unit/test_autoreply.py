"""autoreply_details: reason per language, until, new address, alternates (never the sender)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from harvester.understand.autoreply import autoreply_details, autoreply_reason
from harvester.understand.extract import find_emails, find_phones
from harvester.understand.lexicon import load_lexicon
from harvester.understand.redact import redact
from harvester.understand.types import AlternateContact, AutoReply
from harvester.understand.types import AutoReplyReason as R

LEX = load_lexicon()
SENT = datetime(2026, 3, 20, 9, 0)


def _details(text: str, sender: str = "erik.ek@dagbladet.example", **kw: object) -> AutoReply:
    return autoreply_details(
        text,
        sent_at=SENT,
        sender_email=sender,
        lexicon=LEX,
        find_emails=find_emails,
        find_phones=find_phones,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Jag är på semester till 3 april.", R.VACATION),
        ("Jag är ledig t.o.m. 14/8.", R.VACATION),
        ("I am on vacation until Monday.", R.VACATION),
        ("I'm on holiday this week.", R.VACATION),
        ("Jeg er på ferie til og med 14. august.", R.VACATION),
        ("Olen lomalla 14.8. asti.", R.VACATION),
        ("Jag är föräldraledig till och med december.", R.PARENTAL_LEAVE),
        ("Jag är pappaledig under våren.", R.PARENTAL_LEAVE),
        ("I am on parental leave until January.", R.PARENTAL_LEAVE),
        ("Jeg er i foreldrepermisjon.", R.PARENTAL_LEAVE),
        ("Jeg er på barselsorlov.", R.PARENTAL_LEAVE),
        ("Olen vanhempainvapaalla.", R.PARENTAL_LEAVE),
        ("Jag har slutat på Dagbladet.", R.LEFT_ORGANIZATION),
        ("Erik arbetar inte längre här.", R.LEFT_ORGANIZATION),
        ("Erik har gått vidare till nya uppdrag.", R.LEFT_ORGANIZATION),
        ("Erik is no longer with Dagbladet.", R.LEFT_ORGANIZATION),
        ("Erik has left the company.", R.LEFT_ORGANIZATION),
        ("Jeg har sluttet i Avisa.", R.LEFT_ORGANIZATION),
        ("Jeg er fratrådt min stilling.", R.LEFT_ORGANIZATION),
        ("Erik ei enää työskentele meillä.", R.LEFT_ORGANIZATION),
        ("Jag har ny e-postadress: erik@ny.example", R.ADDRESS_CHANGE),
        ("Please note my new email address.", R.ADDRESS_CHANGE),
        ("Vi byter adress till ny.example.", R.ADDRESS_CHANGE),
        ("Min nye adresse er erik@ny.example.", R.ADDRESS_CHANGE),
        ("Jag är frånvarande idag.", R.ABSENCE),
        ("Jag är inte på kontoret.", R.ABSENCE),
        ("I am away with limited access to email.", R.ABSENCE),
        ("Jeg er på efterårsferie.", R.VACATION),
        ("Jag är ledig idag och svarar i morgon.", R.ABSENCE),
        ("Jag är tjänstledig under hösten.", R.ABSENCE),
        ("Jag är på tjänsteresa.", R.OTHER),
        ("Jag är på konferens i Berlin.", R.OTHER),
        ("Jeg er på reportasjereise i Nord-Norge.", R.OTHER),
        ("I have now left the BBC.", R.LEFT_ORGANIZATION),
        ("Jeg er stoppet på Berlingske.", R.LEFT_ORGANIZATION),
        ("Jag är borta på [redacted:genetic] t.o.m. fredag.", R.ABSENCE),
        ("Dagbladet byter e-postadresser.", R.ADDRESS_CHANGE),
        ("Jag är [redacted:health] t.o.m. 3/4.", R.ABSENCE),
        ("Olen poissa toimistolta.", R.ABSENCE),
        ("Tack för ditt mejl, jag svarar så fort jag kan.", R.OTHER),
    ],
)
def test_reason_per_language(text: str, reason: R) -> None:
    assert autoreply_reason(text, lexicon=LEX) is reason
    assert _details(text).reason is reason


def test_health_placeholder_gives_absence_and_no_health_word() -> None:
    reply = _details("Jag är [redacted:health] och åter 3/4. Kontakta Anna Berg, anna@x.example.")
    assert reply.reason is R.ABSENCE
    assert "health" not in reply.reason.value
    assert reply.until == date(2026, 4, 3)


SV_VACATION = """Hej,
Jag är på semester till och med 14 augusti och har begränsad tillgång till e-post.
I brådskande ärenden, kontakta min kollega Anna Berg på anna.berg@dagbladet.example
eller 070-174 06 12.
För frågor om recensioner, kontakta kulturredaktionen på kultur@dagbladet.example.

Med vänlig hälsning
Erik Ek
Kulturredaktör, Dagbladet
070-174 06 05
erik.ek@dagbladet.example"""

EN_LIST = """Thank you for your email. I am on parental leave until 3 January.
For urgent matters please contact:

John Smith
john.smith@sr.example
+46 70 174 06 20

Maria Lind
maria.lind@sr.example

Best regards
Lisa Holm
+46 70 174 06 21"""

NO_SELF = (
    "Hei! Jeg er på ferie uke 32. Ta kontakt med Ola Nordmann (ola.nordmann@avisa.example, "
    "070-174 06 30) eller ring meg på 070-174 06 31 hvis det haster."
)

SV_SELF_ONLY = "Jag är på tjänsteresa. Vid brådskande ärenden, ring mig på 070-174 06 40."

FI_INFLECTED = (
    "Olen lomalla 3.4. saakka. Kiireellisissä asioissa ota yhteyttä Liisa Virtaseen, "
    "liisa.virtanen@lehti.example."
)


@pytest.mark.parametrize(
    ("text", "sender", "alternates"),
    [
        (
            SV_VACATION,
            "erik.ek@dagbladet.example",
            [
                AlternateContact("Anna Berg", "anna.berg@dagbladet.example", "+46701740612"),
                AlternateContact(None, "kultur@dagbladet.example", None),
            ],
        ),
        (
            EN_LIST,
            "lisa.holm@sr.example",
            [
                AlternateContact("John Smith", "john.smith@sr.example", "+46701740620"),
                AlternateContact("Maria Lind", "maria.lind@sr.example", None),
            ],
        ),
        (
            NO_SELF,
            "kari@avisa.example",
            [AlternateContact("Ola Nordmann", "ola.nordmann@avisa.example", "+46701740630")],
        ),
        (SV_SELF_ONLY, "per@x.example", []),
        (
            FI_INFLECTED,
            "matti@lehti.example",
            [AlternateContact("Liisa Virtanen", "liisa.virtanen@lehti.example", None)],
        ),
        (
            "Jag är ledig. Anna Berg (anna.berg@x.example) vikarierar under tiden.",
            "erik@x.example",
            [AlternateContact("Anna Berg", "anna.berg@x.example", None)],
        ),
        (
            "Jag är ledig. Kontakta Anna Berg eller Per Strand på redaktionen.",
            "erik@x.example",
            [AlternateContact("Anna Berg", None, None), AlternateContact("Per Strand", None, None)],
        ),
        (
            "I'm away. For urgent Front Row matters please contact frontrow@radio.example.",
            "claire@radio.example",
            [AlternateContact(None, "frontrow@radio.example", None)],
        ),
        (
            "Jag är ledig. Kontakta anna.berg@x.example (Anna Berg) under tiden.",
            "erik@x.example",
            [AlternateContact("Anna Berg", "anna.berg@x.example", None)],
        ),
        (
            "Jag är ledig. Kontakta min kollega Anna Berg som nås på anna.berg@x.example.",
            "erik@x.example",
            [AlternateContact("Anna Berg", "anna.berg@x.example", None)],
        ),
        (
            "Tak for din mail. Jeg holder ferie. I akutte tilfælde kontakt kulturredaktionen på 33 47 12 00.",
            "mette@avis.example",
            [AlternateContact(None, None, "+4533471200")],
        ),
    ],
    ids=[
        "sv_vacation",
        "en_list",
        "no_own_number",
        "sv_own_number_only",
        "fi",
        "no_cue",
        "names",
        "topic_name",
        "name_after_address",
        "name_then_reach_words",
        "danish_number",
    ],
)
def test_alternate_contacts(text: str, sender: str, alternates: list[AlternateContact]) -> None:
    assert _details(text, sender).alternate_contacts == alternates


def test_sender_is_never_an_alternate() -> None:
    text = (
        "Jag är på semester. I brådskande ärenden kontakta Erik Ek på erik.ek@dagbladet.example "
        "eller Anna Berg, anna.berg@dagbladet.example."
    )
    reply = _details(text, "erik.ek@dagbladet.example", sender_name="Erik Ek")
    assert reply.alternate_contacts == [AlternateContact("Anna Berg", "anna.berg@dagbladet.example", None)]


LEFT = """Hej! Jag har slutat på Dagbladet. Du når mig numera på erik.ek@frilans.example.
Frågor om kulturbevakningen besvaras av Anna Berg, anna.berg@dagbladet.example, 08-465 004 12.
Mvh Erik Ek, erik.ek@dagbladet.example"""


@pytest.mark.parametrize(
    ("text", "sender", "new_email"),
    [
        (LEFT, "erik.ek@dagbladet.example", "erik.ek@frilans.example"),
        (
            "Min e-postadress har ändrats. Min nya e-postadress är per.strand@nyfirma.example.",
            "per.strand@firma.example",
            "per.strand@nyfirma.example",
        ),
        (
            "I have left Dagbladet. Please contact my colleague anna.berg@dagbladet.example.",
            "erik.ek@dagbladet.example",
            None,
        ),
        (
            "Jag har slutat. Ny adress: erik.ek@dagbladet.example",  # the old one is not new
            "erik.ek@dagbladet.example",
            None,
        ),
        (
            "Jeg har sluttet. Min nye e-postadresse er kari.nord@post.example.",
            "kari@avisa.example",
            "kari.nord@post.example",
        ),
        (SV_VACATION, "erik.ek@dagbladet.example", None),
    ],
)
def test_new_email_is_the_senders_new_address(text: str, sender: str, new_email: str | None) -> None:
    assert _details(text, sender).new_email == new_email


def test_left_organization_has_no_until_and_alternate_is_colleague() -> None:
    reply = _details(LEFT)
    assert reply.reason is R.LEFT_ORGANIZATION
    assert reply.until is None
    assert reply.alternate_contacts == [
        AlternateContact("Anna Berg", "anna.berg@dagbladet.example", "+46846500412")
    ]


@pytest.mark.parametrize(
    ("text", "until"),
    [
        (SV_VACATION, date(2026, 8, 14)),
        (EN_LIST, date(2027, 1, 3)),
        (NO_SELF, date(2026, 8, 9)),
        ("Automatic reply. Back on Monday.", date(2026, 3, 23)),
    ],
)
def test_until(text: str, until: date) -> None:
    assert _details(text).until == until


@pytest.mark.parametrize("junk", ["", "\x00" * 100, "kontakta " * 500, "@@@ 070 070 070 070"])
def test_garbage_never_raises(junk: str) -> None:
    assert isinstance(_details(junk), AutoReply)


@pytest.mark.parametrize(
    "text",
    [
        "Jag är ledig för Rosh Hashana och tillbaka måndag.",
        "I'm away for Eid al-Fitr until Thursday.",
        "Olen poissa uskonnollisen juhlan vuoksi.",
    ],
)
def test_a_religious_holiday_is_an_absence_after_redaction(text: str) -> None:
    redacted = redact(text).text
    assert "[redacted:religion]" in redacted
    assert autoreply_reason(redacted, lexicon=LEX) is R.ABSENCE
