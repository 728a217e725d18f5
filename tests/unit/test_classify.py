"""classify: the fixed order bounce → auto-reply → unsubscribe → bulk → personal, cue by cue."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.understand import classify as classify_module
from harvester.understand.classify import classify
from harvester.understand.lexicon import load_lexicon
from harvester.understand.parse import parse_bytes
from harvester.understand.types import Kind
from tests.unit.mail_samples import DSN_DELAYED, DSN_FAILED, EXCHANGE_SV_NDR, EXIM_NDR, mail

LEX = load_lexicon()
FROM = "From: Erik Ek <erik.ek@dagbladet.example>\nTo: karin.lund@pr-byran.example\n"
VACATION = "Hej!\nJag är på semester t.o.m. 14/8 och läser inte min e-post.\nMvh Erik\n"
HUMAN_REPLY = (
    "Hej Karin!\nTack för inbjudan. Jag är på semester nästa vecka men kan komma på "
    "visningen den 3 april.\nMvh Erik\n\nDen tis 17 mars 2026 kl 10:12 skrev Karin Lund "
    "<karin.lund@pr-byran.example>:\n> Hej Erik!\n> Välkommen på pressvisning.\n"
    "> Varma hälsningar, Karin Lund, 070-174 06 05\n"
)
HUMAN_TOP = HUMAN_REPLY.split("\n\nDen tis")[0]


def _kind(headers: str, body: str = "Hej!\n", text: str | None = None) -> Kind:
    msg = mail(headers, body)
    sender = str(msg.get("From", "")).rpartition("<")[2].strip(">") or ""
    return classify(msg, sender=sender, text=body if text is None else text, lexicon=LEX)


def _raw_kind(raw: str) -> Kind:
    msg = parse_bytes(raw.encode())
    sender = str(msg.get("From", "")).rpartition("<")[2].strip("> ")
    return classify(msg, sender=sender, text="", lexicon=LEX)


# --- bounces -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [DSN_FAILED, DSN_DELAYED, EXCHANGE_SV_NDR, EXIM_NDR],
    ids=["dsn_failed", "dsn_delayed_is_still_a_bounce", "exchange_sv", "exim"],
)
def test_delivery_reports_are_bounces(raw: str) -> None:
    assert _raw_kind(raw) is Kind.BOUNCE


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        (FROM + "X-Failed-Recipients: lisa@tidningen.example\nSubject: x", "x"),
        ("From: MAILER-DAEMON@mx.example.net\nSubject: failure notice", "Hi. This is qmail."),
        ("From: postmaster@dagbladet.example\nSubject: Pressinbjudan", "Se bifogat."),
        (
            "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@sr.example>"
            "\nSubject: Pressinbjudan",
            "Your message couldn't be delivered.",
        ),
        (FROM + "Subject: Undeliverable: Pressinbjudan", "Delivery has failed."),
        (FROM + "Subject: Delivery Status Notification (Failure)", "Address not found"),
        (FROM + "Subject: Olevererbart: Pressinbjudan", "x"),
        (FROM + "Subject: Kan ikke leveres: Pressemelding", "x"),
        (FROM + "Subject: Toimittamaton: Tiedote", "x"),
        (
            FROM + "Subject: Pressinbjudan",
            "Leveransen till följande mottagare eller grupper misslyckades:\n\nerik@x.example\n",
        ),
        (FROM + "Subject: x", "Det gick inte att leverera meddelandet till erik@x.example."),
        (FROM + "Subject: x", "Levering til følgende modtagere eller grupper mislykkedes:"),
        ("From: MAILER-DAEMON\nSubject: x", "Hi. This is the qmail-send program at mx.example."),
        ("From: Mail Delivery Subsystem <x@mx.example.net>\nSubject: Returned", "Sorry."),
    ],
)
def test_bounce_cues(headers: str, body: str) -> None:
    assert _kind(headers, body) is Kind.BOUNCE


def test_delivery_receipt_is_not_a_bounce() -> None:
    raw = DSN_FAILED.replace("Action: failed", "Action: delivered").replace("5.1.1", "2.0.0")
    assert _raw_kind(raw) is Kind.BULK


def test_bounce_wins_over_auto_submitted() -> None:
    headers = "From: MAILER-DAEMON@mx.example.net\nAuto-Submitted: auto-replied\nSubject: x"
    assert _kind(headers) is Kind.BOUNCE


# --- auto-replies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        (FROM + "Subject: Re: Pressinbjudan\nAuto-Submitted: auto-replied", "Hej!"),
        (FROM + "Subject: Pressinbjudan\nAuto-Submitted: auto-generated", "Hej!"),
        (FROM + "Subject: Pressinbjudan\nX-Autoreply: yes", "Hej!"),
        (FROM + "Subject: Pressinbjudan\nX-Autorespond: Pressinbjudan", "Hej!"),
        (FROM + "Subject: Pressinbjudan\nPrecedence: auto_reply", "Hej!"),
        (FROM + "Subject: Autosvar: Pressinbjudan", "Hej!"),
        (FROM + "Subject: Automatiskt svar: Pressinbjudan", "Hej!"),
        (FROM + "Subject: Frånvaro: Pressinbjudan", "Hej!"),
        (FROM + "Subject: Out of Office: Press release", "Hello"),
        (FROM + "Subject: Automatic reply: Press release", "Hello"),
        (FROM + "Subject: Auto: Press release", "Hello"),
        (FROM + "Subject: Fravær: Pressemelding", "Hei"),
        (FROM + "Subject: Automatisk svar: Pressemeddelelse", "Hej"),
        (FROM + "Subject: Poissa: Tiedote", "Hei"),
        (FROM + "Subject: Lomalla", "Hei"),
        (FROM + "Subject: Pressinbjudan [Out of office]", "Hello"),
        (FROM + "Subject: Re: Pressinbjudan", "Tack för ditt mejl. Jag är ledig till 3/4."),
        (FROM + "Subject: Re: Press", "Thank you. I am currently out of the office until Monday."),
        (FROM + "Subject: Re: Pressinbjudan", VACATION),
        (FROM + "Subject: Re: Pressemelding", "Hei!\nJeg er på ferie til og med 14. august.\n"),
        (FROM + "Subject: Re: Tiedote", "Hei,\nOlen lomalla 14.8. asti.\n"),
        (FROM + "Subject: Re: Press", "Hi,\nI am out of the office until 3 April.\n"),
        (FROM + "Subject: Re: x", "Jeg er på efterårsferie og tilbage 19/10. Venlig hilsen Jesper"),
        (FROM + "Subject: Re: x", "Semester! Tillbaka 3/8."),
        (FROM + "Subject: Re: x", "Har semester till och med den 2 augusti.\n\nJonas"),
        (FROM + "Subject: Re: x", "Jag är [redacted:health] till 3/4 och läser inte min mejl."),
        (FROM + "Subject: Re: x\nAuto-Submitted: auto-replied", "[redacted:health] till 3/4."),
        (FROM + "Subject: Re: x", "I'm at a fair until 20 March. I'll reply when I'm back."),
        (
            FROM + "Subject: Re: x",
            "Erik har slutat på Dagbladet. Ditt mejl har inte vidarebefordrats.",
        ),
    ],
)
def test_autoreply_cues(headers: str, body: str) -> None:
    assert _kind(headers, body) is Kind.AUTOREPLY


def test_vacation_reply_with_precedence_bulk_is_an_autoreply() -> None:
    headers = FROM + "Subject: Autosvar: Pressinbjudan\nPrecedence: bulk\nAuto-Submitted: auto-replied"
    assert _kind(headers, VACATION) is Kind.AUTOREPLY
    assert _kind(FROM + "Subject: Re: x\nPrecedence: bulk", VACATION) is Kind.AUTOREPLY


def test_x_auto_response_suppress_is_not_an_autoreply_cue() -> None:
    headers = FROM + "Subject: Re: Pressinbjudan\nX-Auto-Response-Suppress: All"
    assert _kind(headers, "Hej, jag kommer gärna!\nMvh Erik") is Kind.PERSONAL


def test_human_mentioning_next_weeks_vacation_in_a_reply_is_personal() -> None:
    headers = FROM + "Subject: Re: Pressinbjudan\nIn-Reply-To: <a@pr-byran.example>"
    assert _kind(headers, HUMAN_REPLY, text=HUMAN_TOP) is Kind.PERSONAL


@pytest.mark.parametrize(
    "body",
    [
        "Hej!\nJag är på semester men tittar gärna på materialet sen.\nMvh Erik",
        "Hej! Har semester nästa vecka, kan vi ta det efter?",
        "Tack! Jag har semester till 14/8, hör av dig då.",
        "Hej Karin! Har du pressbilder från semestern? /Erik",
        "Hej!\n\n[redacted:health] till 3/4, återkommer sen.\n\nMvh\nErik Lindqvist",
    ],
)
def test_absence_remark_in_a_conversation_is_personal(body: str) -> None:
    assert _kind(FROM + "Subject: Re: Pressinbjudan", body) is Kind.PERSONAL


def test_exchange_loop_header_supports_a_plain_statement() -> None:
    headers = FROM + "Subject: Re: x\nX-MS-Exchange-Inbox-Rules-Loop: erik.ek@dagbladet.example"
    body = "Jag är på semester men svarar när jag är åter."
    assert _kind(headers, body) is Kind.AUTOREPLY
    assert _kind(headers, "Hej, jag kommer gärna!") is Kind.PERSONAL


def test_human_reply_to_an_autoreply_subject_is_personal() -> None:
    assert _kind(FROM + "Subject: Re: Out of office: Pressinbjudan", "Ok, tack!") is Kind.PERSONAL


def test_auto_generated_newsletter_is_bulk() -> None:
    headers = (
        "From: Förlaget <nyheter@forlaget.example>\nSubject: Vårens böcker\n"
        "Auto-Submitted: auto-generated\nList-Unsubscribe: <mailto:u@forlaget.example>"
    )
    assert _kind(headers, "Läs om vårens böcker!") is Kind.BULK


# --- unsubscribe requests --------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "Hej!\nVänligen ta bort mig från era utskick.\nMvh Erik",
        "Jag vill inte ha fler pressmeddelanden från er.",
        "Please remove me from your list.",
        "Avmeld meg, takk.",
        "Afmeld mig venligst.",
        "Poistakaa minut listalta.",
    ],
)
def test_human_unsubscribe_request_is_unsubscribe(body: str) -> None:
    assert _kind(FROM + "Subject: Re: Pressinbjudan", body) is Kind.UNSUBSCRIBE


def test_request_typed_in_reply_to_a_newsletter_is_unsubscribe() -> None:
    headers = FROM + "Subject: Re: Vårens böcker\nList-Id: <nyheter.forlaget.example>"
    assert _kind(headers, "Avregistrera mig, tack.\n\nErik") is Kind.UNSUBSCRIBE


def test_unsubscribe_in_quoted_part_is_not_counted() -> None:
    own = "Tack, jag kommer gärna!\nMvh Erik"
    quoted = own + "\n\n> Vill du inte ha fler utskick? Ta bort mig från listan här.\n"
    assert _kind(FROM + "Subject: Re: Pressinbjudan", quoted, text=own) is Kind.PERSONAL


def test_newsletter_footer_is_bulk_not_unsubscribe() -> None:
    headers = "From: Förlaget <nyheter@forlaget.example>\nSubject: Vårens böcker\nList-Id: <x>"
    body = "Vårens böcker\n" + "Text\n" * 20 + "Vill du inte ha fler utskick? Avregistrera dig här."
    assert _kind(headers, body) is Kind.BULK


# --- bulk ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        FROM + "Subject: Nyheter\nList-Id: <nyheter.forlaget.example>",
        FROM + "Subject: Nyheter\nList-Unsubscribe: <mailto:u@x.example>",
        FROM + "Subject: Nyheter\nPrecedence: bulk",
        FROM + "Subject: Nyheter\nPrecedence: list",
        FROM + "Subject: Nyheter\nPrecedence: junk",
        "From: no-reply@forlaget.example\nSubject: Nyheter",
        "From: noreply@forlaget.example\nSubject: Nyheter",
        "From: donotreply@forlaget.example\nSubject: Nyheter",
        "From: ingen-svar@kommun.example\nSubject: Nyheter",
        FROM + "Subject: Nyheter\nX-Mailchimp-Campaign: 123",
        FROM + "Subject: Nyheter\nX-MC-User: abc",
        FROM + "Subject: Nyheter\nX-Campaign: 42",
        FROM + "Subject: Nyheter\nX-Mailer: Apsis One",
        FROM + "Subject: Nyheter\nX-Mailer: Rule",
        FROM + "Subject: Nyheter\nX-Mailer: Brevo",
        FROM + "Subject: Nyheter\nX-Mailer: HubSpot",
        FROM + "Subject: Nyheter\nFeedback-ID: 1:2:3:ses",
        FROM + "Subject: Nyheter\nX-SES-Outgoing: 2026.03.20",
        FROM + "Subject: Nyheter\nX-CSA-Complaints: csa-complaints@eco.de",
    ],
)
def test_bulk_cues(headers: str) -> None:
    assert _kind(headers, "Läs vårt nyhetsbrev.") is Kind.BULK


# --- personal and garbage ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "Hej Karin!\nTack, jag kommer gärna på pressvisningen.\nMvh Erik",
        "Hi, could you send the press kit? Thanks, Erik",
        "",
    ],
)
def test_ordinary_mail_is_personal(body: str) -> None:
    assert _kind(FROM + "Subject: Re: Pressinbjudan", body) is Kind.PERSONAL


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe\x00", b"Subject: =?bogus?q?x?=\n\nbody"])
def test_garbage_never_raises(raw: bytes) -> None:
    assert classify(parse_bytes(raw), sender="", text="", lexicon=LEX) in set(Kind)


_LINE_PIECES = st.sampled_from(
    ["\n", "\r", "\r\n", "\x0b", "\x1c", "\u2028", "\x85", " ", "  \n", "x", "Hej"]
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(_LINE_PIECES, max_size=40).map("".join),
    st.integers(min_value=1, max_value=14),
    st.integers(min_value=1, max_value=30),
)
def test_the_head_of_a_long_text_is_its_first_lines_however_they_end(
    text: str, lines: int, chunk: int
) -> None:
    # _head splits only the start of a long text (chunk: how much at first); the lines
    # must be those of the whole text
    whole = "\n".join([line for line in text.splitlines() if line.strip()][:lines])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(classify_module, "_HEAD_CHUNK", chunk)
        assert classify_module._head.__wrapped__(text, lines) == whole
