"""Only the sender's own text survives: quotes, reply headers and forwards are cut."""

from __future__ import annotations

import pytest

from harvester.understand.quotes import own_text
from harvester.understand.text import html_to_text

OWN = "Hej!\n\nLåter bra, vi ses på torsdag.\n\nHälsningar\nErik Lindqvist\nReporter, Dagbladet"
KB = "Karin Berg <karin@pr-byran.example>"
QUOTED = "Hej Erik,\nVälkommen till pressträffen.\n\nKarin Berg\nPressansvarig\n070-174 06 55"

PLAIN_CASES = {
    "gmail_sv": f"{OWN}\n\nDen tis 3 mars 2026 kl 10:12 skrev {KB}:\n"
    + "\n".join(f"> {x}" for x in QUOTED.split("\n")),
    "gmail_sv_wrapped": f"{OWN}\n\nDen tis 3 mars 2026 kl 10:12 skrev Karin Berg <\n"
    "karin@pr-byran.example>:\n" + "\n".join(f"> {x}" for x in QUOTED.split("\n")),
    "apple_sv": f"{OWN}\n\n3 mars 2026 kl. 10:12 skrev Karin Berg <karin@pr-byran.example>:\n\n"
    + "\n".join(f"> {x}" for x in QUOTED.split("\n")),
    "outlook_sv": f"{OWN}\n\nFrån: Karin Berg <karin@pr-byran.example>\nSkickat: den 3 mars 2026 "
    f"10:12\nTill: Erik Lindqvist <erik@dagbladet.example>\nÄmne: Pressträff\n\n{QUOTED}",
    "outlook_no": f"{OWN}\n\nFra: Karin Berg <karin@pr-byran.example>\nSendt: 3. mars 2026 10:12\n"
    f"Til: Erik\nEmne: Pressetreff\n\n{QUOTED}",
    "outlook_fi": f"{OWN}\n\nLähettäjä: Karin Berg <karin@pr-byran.example>\nLähetetty: tiistai "
    f"3. maaliskuuta 2026 10.12\nVastaanottaja: Erik\nAihe: Tiedotustilaisuus\n\n{QUOTED}",
    "owa_rule": f"{OWN}\n\n________________________________\nFrån: Karin Berg\nSkickat: tisdag\n\n{QUOTED}",
    "ursprungligt": f"{OWN}\n\n-----Ursprungligt meddelande-----\nFrån: Karin Berg\n{QUOTED}",
    "forward_sv": f"{OWN}\n\n---------- Vidarebefordrat meddelande ---------\nFrån: Karin Berg "
    f"<karin@pr-byran.example>\nDatum: tis 3 mars 2026\n\n{QUOTED}",
    "forward_apple": f"{OWN}\n\nBegin forwarded message:\n\nFrom: Karin Berg\nDate: 3 March\n\n{QUOTED}",
    "english": f"{OWN}\n\nOn Tue, Mar 3, 2026 at 10:12 AM Karin Berg <karin@pr-byran.example> "
    "wrote:\n" + "\n".join(f"> {x}" for x in QUOTED.split("\n")),
    "finnish_gmail": f"{OWN}\n\nti 3.3.2026 klo 10.12 Karin Berg (karin@pr-byran.example) "
    "kirjoitti:\n" + "\n".join(f"> {x}" for x in QUOTED.split("\n")),
    "danish": f"{OWN}\n\nDen tirs. 3. mar. 2026 kl. 10.12 skrev {KB}:"
    "\n\n" + "\n".join(f"> {x}" for x in QUOTED.split("\n")),
    "bare_gt": f"{OWN}\n\n" + "\n".join(f"> {x}" for x in QUOTED.split("\n")),
}


@pytest.mark.parametrize("name", sorted(PLAIN_CASES))
def test_quoted_third_party_text_is_cut_from_plain_text(name: str) -> None:
    top = own_text(PLAIN_CASES[name])
    assert top == OWN
    assert "Karin" not in top and "070-174" not in top


@pytest.mark.parametrize(
    "text",
    [
        "Hej!\n\n- Vi behöver logotypen\n- och pressbilderna\n\nMvh\nAnna",
        "Hej, vi ses kl 10:12 på Storgatan.\n\nMvh Anna",
        "Hej!\n\nJag skrev 3 punkter:\n1. pris\n2. tid\n\nMvh Anna",
        "Hej!\n\nFrån: 1 april\nPlats: Stockholm\n\nMvh Anna",
    ],
)
def test_text_without_quotes_is_kept_whole(text: str) -> None:
    assert own_text(text) == text


HTML_CASES = {
    "gmail": '<div dir="ltr">Tack!<br><br>Erik</div><br><div class="gmail_quote">'
    '<div class="gmail_attr">Den tis 3 mars 2026 skrev Karin Berg:</div>'
    "<blockquote>Hej Erik<br>Karin Berg<br>070-174 06 55</blockquote></div>",
    "apple": '<body>Tack!<br><br>Erik<br><blockquote type="cite">Hej Erik<br>Karin Berg</blockquote></body>',
    "outlook": '<div class="WordSection1"><p>Tack!</p><p>Erik</p><div><div style="border:none;'
    'border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p><b>Från:</b> Karin Berg</p>'
    "</div></div><p>Hej Erik</p><p>Karin Berg<br>070-174 06 55</p></div>",
    "owa": '<div>Tack!<br>Erik</div><hr><div id="divRplyFwdMsg"><b>Från:</b> Karin Berg</div>'
    "<div>Hej Erik<br>Karin Berg</div>",
}


@pytest.mark.parametrize("name", sorted(HTML_CASES))
def test_html_quote_blocks_are_cut_before_conversion(name: str) -> None:
    top = own_text(html_to_text(HTML_CASES[name]))
    assert "Tack!" in top and "Erik" in top
    assert "Karin" not in top and "070-174" not in top


def test_bottom_posted_reply_keeps_the_text_below_the_quote() -> None:
    text = (
        f"Den tis 3 mars 2026 kl 10:12 skrev {KB}:\n> Hej Erik\n> Karin Berg\n> 070-174 06 55\n\n"
        "Tack, jag kommer.\n\nMvh\nErik Lindqvist"
    )
    top = own_text(text)
    assert top == "Tack, jag kommer.\n\nMvh\nErik Lindqvist"
