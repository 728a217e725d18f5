"""A person whose mail domain is their own name is a person, and link or pronoun lines are no fields."""

from __future__ import annotations

import pytest

from harvester.understand import understand


def _mail(sender: str, signature: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: jonas@pr-byran.example\r\nSubject: Re: Intervju\r\n"
        f"Message-ID: <sig@x.example>\r\nDate: Wed, 4 Nov 2026 10:00:00 +0100\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hej Jonas, det passar bra på torsdag.\r\n\r\n{signature}\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("sender", "signature", "name", "title", "organization"),
    [
        (
            "Maja Ström <maja@majastrom.example>",
            "Maja Ström\r\nFrilansande kulturskribent\r\n070-123 45 67\r\nmajastrom.example",
            "Maja Ström",
            "Frilansande kulturskribent",
            None,
        ),
        (
            "Oskar Lund <hej@oskarlund.example>",
            "Oskar Lund\r\nhan/honom\r\nKulturjournalist\r\nInstagram: instagram.com/oskarlundskriver",
            "Oskar Lund",
            "Kulturjournalist",
            None,
        ),
        (
            "Tove Berg <tove@tidningen.example>",
            "Tove Berg (hon/henne)\r\nReporter\r\nTidningen Exempel\r\nSpotify: open.spotify.com/show/abc",
            "Tove Berg",
            "Reporter",
            "Tidningen Exempel",
        ),
    ],
)
def test_person_title_and_organisation(
    sender: str, signature: str, name: str, title: str, organization: str | None
) -> None:
    contact = understand(_mail(sender, signature), own_domains=["pr-byran.example"]).contact
    assert contact is not None
    assert (contact.name, contact.title, contact.organization) == (name, title, organization)
