"""Unsubscribe channels named in a follow-up sentence, on a named list, or on paper."""

from __future__ import annotations

import pytest

from harvester.understand.lexicon import load_lexicon
from harvester.understand.unsubscribe import is_unsubscribe_request, unsubscribe_channels

LEX = load_lexicon()


@pytest.mark.parametrize(
    ("text", "channels"),
    [
        # a second sentence that points back at a channel it names
        (
            "Please take me off your list. The texts you send about gigs - stop those as well.",
            ["email", "sms"],
        ),
        ("Ta bort mig från listan. Ni skickar sms också, sluta med dem.", ["email", "sms"]),
        # the e-mail list named as such, next to another channel
        ("Sluta ringa mig och ta bort mig från mejllistan.", ["email", "phone"]),
        ("Fjern meg fra e-postlisten og ikke ring meg.", ["email", "phone"]),
        # a postal list and printed matter are post, not the e-mail list
        ("Please remove me from your postal mailing list, no more printed invitations.", ["post"]),
        ("Ta bort mig, jag vill inte ha fler tryckta inbjudningar per post. Mejl går bra.", ["post"]),
        # a bare request pointing back at a mailing named in the sentence before
        (
            "Era nyhetsbrev handlar mest om klassiskt, inte min genre. Stryk mig gärna från den listan.",
            ["newsletter"],
        ),
        # e-mail kept welcome in another sentence: only the named channel goes
        ("Please stop calling me about your mailings. Email me as usual, that works best.", ["phone"]),
        ("Sluta ringa om era utskick. Mejla gärna som vanligt.", ["phone"]),
    ],
)
def test_channels(text: str, channels: list[str]) -> None:
    assert [c.value for c in unsubscribe_channels(text, lexicon=LEX)] == channels


@pytest.mark.parametrize(
    "text",
    [
        "Please stop by our stand, the invitations are at the door.",
        "Kan ni stoppa pressmeddelandet till efter lunch? Det har ett fel i rubriken.",
        "Vi får se om vi hinner sluta med det innan releasen.",
    ],
)
def test_no_request(text: str) -> None:
    assert not is_unsubscribe_request(text, lexicon=LEX)
