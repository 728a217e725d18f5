"""understand(): the sender's own data out, quoted third parties and Art. 9 text never."""

from __future__ import annotations

import json

import pytest

from harvester.understand import understand

HEALTH_WORDS = ("sjuk", "opera", "sjukhus", "sick", "surgery", "hospital")


def _mail(body: str, *, headers: str = "", ctype: str = "text/plain; charset=utf-8") -> bytes:
    head = (
        'From: "Lindqvist, Erik" <Erik.Lindqvist@Dagbladet.example>\n'
        "To: Karin Berg <karin@pr-byran.example>\n"
        "Subject: SV: Inbjudan till pressvisning\n"
        "Date: Tue, 3 Mar 2026 11:00:00 +0100\n"
        "Message-ID: <m1@dagbladet.example>\nIn-Reply-To: <m0@pr-byran.example>\n"
        f"{headers}MIME-Version: 1.0\nContent-Type: {ctype}\n\n"
    )
    return (head + body).encode("utf-8")


OUTLOOK_REPLY = _mail(
    "Hej Karin!\n\nJag kommer gärna.\n\nMed vänliga hälsningar\nErik Lindqvist\n"
    "Kulturreporter | Dagbladet\nMobil: 070-174 06 10\nVäxel: 08-465 004 00\n"
    "Box 123, 101 23 Stockholm\n\n"
    "Från: Karin Berg <karin@pr-byran.example>\nSkickat: den 2 mars 2026 10:12\n"
    "Till: Erik Lindqvist <erik.lindqvist@dagbladet.example>\nÄmne: Inbjudan\n\n"
    "Hej Erik,\nVälkommen!\n\nKarin Berg\nPressansvarig, PR-byrån\n070-174 06 55\n"
    "www.pr-byran.example\n"
)


def _json(data: bytes, **kwargs: object) -> dict[str, object]:
    return understand(data, path="x.eml", **kwargs).to_json()  # type: ignore[arg-type]


def test_quoted_signature_is_not_attributed_to_sender() -> None:
    out = _json(OUTLOOK_REPLY)
    contact = out["contact"]
    assert isinstance(contact, dict)
    assert contact["name"] == "Erik Lindqvist"
    assert contact["title"] == "Kulturreporter"
    assert contact["organization"] == "Dagbladet"
    assert contact["emails"] == ["erik.lindqvist@dagbladet.example"]
    assert contact["phones"] == [
        {"e164": "+46701740610", "type": "mobile"},
        {"e164": "+46846500400", "type": "switchboard"},
    ]
    assert contact["address"] == {
        "street": "Box 123",
        "postal_code": "101 23",
        "city": "Stockholm",
        "country": None,
    }
    assert contact["coverage"] == ["culture_general"]
    dumped = json.dumps(out, ensure_ascii=False)
    assert "Karin" not in dumped.replace('"path"', "")
    assert "+46701740655" not in dumped and "pr-byran" not in dumped


def test_body_keeps_only_the_senders_own_text() -> None:
    result = understand(OUTLOOK_REPLY)
    assert result.body is not None
    assert "Jag kommer gärna" in result.body
    assert "Välkommen" not in result.body


def test_html_only_mail_with_signature_table_and_gmail_quote() -> None:
    html = (
        "<html><body><div>Tack, jag kommer!</div><div>Hälsningar</div>"
        "<table><tr><td><b>Erik Lindqvist</b><br>Nöjesreporter<br>Dagbladet</td>"
        "<td>Mobil: 070-174 06 12<br>www.dagbladet.example</td></tr></table>"
        '<div class="gmail_quote"><div class="gmail_attr">Den tis 3 mars 2026 skrev Karin Berg'
        " &lt;karin@pr-byran.example&gt;:</div><blockquote>Hej!<br>Karin Berg<br>"
        "070-174 06 55</blockquote></div></body></html>"
    )
    out = _json(_mail(html, ctype="text/html; charset=utf-8"))
    contact = out["contact"]
    assert isinstance(contact, dict)
    assert contact["name"] == "Erik Lindqvist"
    assert contact["title"] == "Nöjesreporter"
    assert contact["organization"] == "Dagbladet"
    assert contact["phones"] == [{"e164": "+46701740612", "type": "mobile"}]
    assert contact["urls"] == ["https://www.dagbladet.example"]
    assert contact["coverage"] == ["entertainment"]
    assert "Karin" not in json.dumps(out, ensure_ascii=False)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("Hej!\n\nSjukskriven till 3/4, återkommer sen.\n\nMvh\nErik Lindqvist\nReporter", "body"),
        (
            "Hej!\n\nJag kommer.\n\nMvh\nErik Lindqvist\nReporter, medlem i Journalistförbundet",
            "signature",
        ),
    ],
)
def test_special_category_text_never_leaves(body: str, where: str) -> None:
    result = understand(_mail(body))
    dumped = json.dumps(result.to_json(), ensure_ascii=False).lower() + (result.body or "").lower()
    assert not any(word in dumped for word in HEALTH_WORDS)
    assert "journalistförbundet" not in dumped
    assert where in {r.where for r in result.redactions}


def test_health_redaction_keeps_the_date() -> None:
    result = understand(_mail("Hej!\n\nJag är sjukskriven till 3/4.\n\nMvh\nErik"))
    assert result.body is not None and "till 3/4" in result.body
    assert [(r.category.value, r.where) for r in result.redactions] == [("health", "body")]


@pytest.mark.parametrize(
    "body",
    [
        "Hej!\n\nJag är föräldraledig till 3/4, kontakta redaktionen.\n\nMvh\nErik",
        "Hej!\n\nJag har semester och är tjänstledig i maj. VAB i dag.\n\nMvh\nErik",
        "Hej!\n\nFaktura till Dagbladet AB, org.nr 556036-0793.\n\nMvh\nErik",
    ],
)
def test_leave_words_and_org_numbers_are_not_redacted(body: str) -> None:
    result = understand(_mail(body))
    assert result.redactions == []
    assert result.body is not None and result.body.startswith("Hej!")


@pytest.mark.parametrize("pnr", ["19121212-1212", "121212-1212", "191212121212"])
def test_personnummer_is_redacted_in_every_form(pnr: str) -> None:
    result = understand(_mail(f"Hej!\n\nMitt pnr är {pnr}.\n\nMvh\nErik"))
    assert pnr not in json.dumps(result.to_json()) + (result.body or "")
    assert [(r.category.value, r.where) for r in result.redactions] == [("national_id", "body")]


def test_own_domain_sender_has_no_contact() -> None:
    assert understand(OUTLOOK_REPLY, own_domains=["dagbladet.example"]).contact is None


def test_bulk_mail_has_no_contact() -> None:
    data = _mail("Nyhetsbrev\n\nErik Lindqvist\nReporter", headers="List-Id: <news.example>\n")
    result = understand(data)
    assert result.kind.value == "bulk"
    assert result.contact is None


def test_autoreply_contact_is_the_sender_not_the_alternate() -> None:
    data = _mail(
        "Hej! Jag är på semester till 14/8. För brådskande ärenden kontakta Lena Ström,\n"
        "lena.strom@dagbladet.example, 070-174 06 77.\n\nMvh\nErik Lindqvist\nKulturreporter\n"
        "Dagbladet\nMobil 070-174 06 10\n",
        headers="Auto-Submitted: auto-replied\n",
    )
    result = understand(data)
    assert result.kind.value == "autoreply"
    assert result.contact is not None
    assert result.contact.name == "Erik Lindqvist"
    assert [p.e164 for p in result.contact.phones] == ["+46701740610"]
    assert result.contact.emails == ["erik.lindqvist@dagbladet.example"]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b'From: =?utf-8?b?broken\nContent-Type: multipart/mixed; boundary="x"\n\n--x\n'
        b"Content-Type: text/plain; charset=bogus\nContent-Transfer-Encoding: base64\n\n"
        b"!!!notbase64==\n--x--\n",
        b"From: a@b.example\nDate: not a date\nContent-Type: text/plain; charset=utf-8\n\n\xe5\xe4\xf6",
        b"From: a@b.example\nContent-Type: multipart/alternative\n\nno boundary at all",
        b"From: a@b.example\nContent-Type: text/html\n\n<html><body><p>Hej<table><tr><td>x",
    ],
)
def test_malformed_mime_returns_a_result(data: bytes) -> None:
    result = understand(data, path="bad.eml")
    out = result.to_json()
    assert out["path"] == "bad.eml"
    assert out["kind"] in {"personal", "autoreply", "bounce", "bulk", "unsubscribe"}


def test_wrong_charset_falls_back_and_is_reported() -> None:
    data = (
        b"From: Erik <erik@dagbladet.example>\nContent-Type: text/plain; charset=utf-8\n\n"
        b"Hej! H\xe4lsningar\nErik\n"
    )
    result = understand(data)
    assert result.body is not None and "Hälsningar" in result.body
    assert "WrongCharset" in result.defects


def test_outlook_word_html_reply_keeps_signature_lines_and_drops_the_quote() -> None:
    html = (
        "<html><body lang=SV><div class=WordSection1><p class=MsoNormal>Hej Karin,<o:p></o:p></p>"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Tack, jag kommer.</p>"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal><b>Sara Nyström</b></p>"
        "<p class=MsoNormal>Kommunikationschef</p><p class=MsoNormal>Stadsteatern AB</p>"
        "<p class=MsoNormal>Mobil: 070-174 06 40</p><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
        "<div><div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>"
        "<p class=MsoNormal><b>Från:</b> Karin Berg &lt;karin@pr-byran.example&gt;<br>"
        "<b>Skickat:</b> den 19 mars 2026 10:12</p></div></div>"
        "<p class=MsoNormal>Hej Sara! Karin Berg, 070-174 06 55</p></div></body></html>"
    )
    data = (
        "From: Sara Nyström <sara.nystrom@stadsteatern.example>\n"
        "Content-Type: text/html; charset=utf-8\n\n" + html
    ).encode("utf-8")
    result = understand(data)
    assert result.contact is not None
    assert result.contact.name == "Sara Nyström"
    assert result.contact.title == "Kommunikationschef"
    assert result.contact.organization == "Stadsteatern AB"
    assert [p.e164 for p in result.contact.phones] == ["+46701740640"]
    assert result.contact.coverage == []  # a press officer at a theatre covers nothing
    assert "Karin" not in json.dumps(result.to_json(), ensure_ascii=False)


def test_a_message_forwarded_as_attachment_is_not_the_senders_text() -> None:
    data = (
        b"From: Erik Lindqvist <erik.lindqvist@dagbladet.example>\n"
        b'Content-Type: multipart/mixed; boundary="b1"\n\n'
        b"--b1\nContent-Type: text/html; charset=utf-8\n\n<p>FYI</p><p>/Erik</p>\n"
        b"--b1\nContent-Type: message/rfc822\n\n"
        b"From: Karin Berg <karin@pr-byran.example>\nContent-Type: text/plain; charset=utf-8\n\n"
        b"Hej!\n\nKarin Berg\nPressansvarig\n070-174 06 55\n"
        b"--b1--\n"
    )
    result = understand(data)
    assert result.body == "FYI\n\n/Erik"
    assert "Karin" not in json.dumps(result.to_json(), ensure_ascii=False)


def test_a_stub_plain_part_loses_to_the_html_part() -> None:
    data = (
        b"From: Erik Lindqvist <erik.lindqvist@dagbladet.example>\n"
        b'Content-Type: multipart/alternative; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain; charset=utf-8\n\n"
        b"Your email client does not support HTML.\n"
        b"--b\nContent-Type: text/html; charset=utf-8\n\n"
        b"<p>Tack!</p><p>Mvh<br>Erik Lindqvist<br>Kulturreporter<br>Dagbladet</p>\n--b--\n"
    )
    result = understand(data)
    assert result.contact is not None
    assert result.contact.title == "Kulturreporter"


NO_FROM = (
    "To: karin.berg@pr-byran.example\nSubject: Bilder\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n\nHej,\n\nKan ni skicka bilderna?\n\n"
    "Hälsningar\nNora Lind\nFotograf\nBildbyrån Norr\n\n{contact}\n"
)


@pytest.mark.parametrize(
    ("contact_line", "email"),
    [
        ("nora.lind@bildnorr.example\n070-174 06 42", "nora.lind@bildnorr.example"),
        ("070-174 06 42", None),  # no address of its own: nobody to keep
        ("karin.berg@pr-byran.example", None),  # our own consultant's signature
    ],
)
def test_without_a_from_header_the_signature_alone_names_the_sender(
    contact_line: str, email: str | None
) -> None:
    data = NO_FROM.format(contact=contact_line).encode()
    result = understand(data, own_domains=["pr-byran.example"])
    if email is None:
        assert result.contact is None
    else:
        assert result.contact is not None
        assert result.contact.emails == [email]
        assert result.contact.name == "Nora Lind"


def test_own_domain_sender_has_a_signature_but_no_contact() -> None:
    data = (
        b"From: Karin Berg <karin.berg@pr-byran.example>\nTo: a@tidning.example\nSubject: Hej\n"
        b"\nHej!\n\nV\xc3\xa4nliga h\xc3\xa4lsningar\nKarin Berg\nPressansvarig\nPR-byr\xc3\xa5n AB\n"
        b"Mobil: 070-174 06 05\n"
    )
    result = understand(data, own_domains=["pr-byran.example"])
    assert result.contact is None
    assert result.signature is not None and "Pressansvarig" in result.signature
