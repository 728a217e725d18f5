"""unsubscribe_channels: first-person requests only, channels named near them, bare → email."""

from __future__ import annotations

import pytest

from harvester.understand.lexicon import load_lexicon
from harvester.understand.types import UnsubscribeChannel as C
from harvester.understand.unsubscribe import is_unsubscribe_request, unsubscribe_channels

LEX = load_lexicon()


@pytest.mark.parametrize(
    ("text", "channels"),
    [
        ("Hej!\nVänligen ta bort mig från era utskick.\nMvh Erik", [C.EMAIL]),
        ("Avregistrera mig, tack.", [C.EMAIL]),
        ("Jag vill inte ha fler pressmeddelanden från er.", [C.PRESS_RELEASE]),
        ("Sluta skicka pressmeddelanden per e-post.", [C.PRESS_RELEASE]),
        ("Please remove me from your list. And please don't call me either.", [C.EMAIL, C.PHONE]),
        ("Please unsubscribe me from the newsletter.", [C.NEWSLETTER]),
        ("Ta bort mig helt ur era register och radera mina uppgifter.", [C.ALL]),
        ("Please delete my data.", [C.ALL]),
        ("Skicka inga fler sms eller papperspost.", [C.SMS, C.POST]),
        ("Ring mig inte fler gånger.", [C.PHONE]),
        ("Avmeld meg nyhetsbrevet, takk.", [C.NEWSLETTER]),
        ("Ikke send meg flere pressemeldinger.", [C.PRESS_RELEASE]),
        ("Afmeld mig venligst.", [C.EMAIL]),
        ("Poistakaa minut postituslistalta.", [C.EMAIL]),
        ("En halua enää lehdistötiedotteita.", [C.PRESS_RELEASE]),
        ("Skicka inga fler sms om evenemang till mig, mejl går bra.", [C.SMS]),
        ("Ni kan sluta skicka pressmaterial per post till oss.\n\nE-post: a@x.example", [C.POST]),
        ("Jag går i pension \u2013 ta bort mig från alla era utskick.", [C.EMAIL]),
        ("Jag vill inte längre bli kontaktad av er. Radera gärna mina uppgifter.", [C.ALL]),
        ("Jeg vil gerne afmeldes jeres nyhedsbrev.", [C.NEWSLETTER]),
        ("Ta bort oss från sändlistan.", [C.EMAIL]),
        ("Unsubscribe\n\nSent from my iPhone", [C.EMAIL]),
        ("Ring inte mig mer, mejla istället.", [C.PHONE]),
        (
            "Hej, vänligen ta bort mig från era utskick. Jag vill inte ha fler pressmeddelanden.",
            [C.PRESS_RELEASE],
        ),
        ("Sluta skicka pressmeddelanden och inbjudningar till mig.", [C.PRESS_RELEASE]),
    ],
)
def test_request_channels(text: str, channels: list[C]) -> None:
    assert is_unsubscribe_request(text, lexicon=LEX)
    assert unsubscribe_channels(text, lexicon=LEX) == channels


@pytest.mark.parametrize(
    "text",
    [
        "If you no longer wish to receive these emails, unsubscribe here.",
        "Vill du inte ha fler utskick? Avregistrera dig här.",
        "Om du inte längre vill ha våra nyhetsbrev kan du avregistrera dig.",
        "Hvis du ikke ønsker å motta flere e-poster, kan du melde deg av her.",
        "Jag vill inte ha fler möten den veckan, men torsdag funkar.",
        "Tack, jag kommer gärna på pressvisningen!",
        "Hur gör jag för att unsubscribe från er andra lista? Den är bra.",
        "",
    ],
)
def test_footers_and_ordinary_replies_are_no_request(text: str) -> None:
    assert not is_unsubscribe_request(text, lexicon=LEX)
    assert unsubscribe_channels(text, lexicon=LEX) == []


def test_bare_unsubscribe_line_does_not_count_in_list_mail() -> None:
    newsletter = "Unsubscribe\nVårens böcker från förlaget\nLäs mer på webben."
    assert not is_unsubscribe_request(newsletter, lexicon=LEX, first_lines=8)


def test_first_lines_limit_ignores_a_request_deep_in_a_newsletter_body() -> None:
    body = "Nyheter från förlaget\n" + "Rad\n" * 30 + "Ta bort mig från listan."
    assert is_unsubscribe_request(body, lexicon=LEX)
    assert not is_unsubscribe_request(body, lexicon=LEX, first_lines=8)


@pytest.mark.parametrize(
    "text",
    [
        "Jag vill att ni raderar alla mina uppgifter och inte kontaktar mig igen.",
        "Jeg ber om at dere sletter mine opplysninger.",
        "Jeg vil bede om, at I sletter mine oplysninger.",
        "I'd like you to erase all my data.",
        "Toivon, että poistatte tietoni.",
    ],
)
def test_an_erasure_request_in_the_indicative_covers_every_channel(text: str) -> None:
    assert is_unsubscribe_request(text, lexicon=LEX)
    assert unsubscribe_channels(text, lexicon=LEX) == [C.ALL]
