"""Signature lines stating a party office, a church seat, a union role or an ethnic identity
are Art. 9 data; a job at a party, church or union, or a beat covering one, is not.

Table-driven over category x language with invented lines (none copied from the corpus).
"""

from __future__ import annotations

import pytest

from harvester.understand.redact import redact
from harvester.understand.types import RedactionCategory as C

CASES = [
    # politics: an elected office with a party letter or name, a membership, a self-description
    ("sv", "Ersättare i byggnadsnämnden (M), Täby", C.POLITICS),
    ("sv", "Kommunfullmäktigeledamot för Liberalerna i Lund", C.POLITICS),
    ("sv", "Medlem i Vänsterpartiet sedan 2019", C.POLITICS),
    ("sv", "Kandidat till riksdagen för Centerpartiet", C.POLITICS),
    ("sv", "Jag är själv moderat sedan länge", C.POLITICS),
    ("sv", "Gruppledare (KD) i regionfullmäktige", C.POLITICS),
    ("no", "Kommunestyrerepresentant (Ap), Tromsø", C.POLITICS),
    ("no", "Vararepresentant i fylkestinget for Høyre", C.POLITICS),
    ("no", "Medlem av Fremskrittspartiet", C.POLITICS),
    ("da", "Byrådsmedlem for Enhedslisten, Aarhus", C.POLITICS),
    ("da", "Medlem af Radikale Venstre", C.POLITICS),
    ("fi", "Kaupunginvaltuutettu (kok.), Espoo", C.POLITICS),
    ("fi", "Vihreiden kunnanvaltuutettu", C.POLITICS),
    ("en", "Councillor for the Green Party, Brighton", C.POLITICS),
    # religion: a seat or membership in a church or faith community
    ("sv", "Aktiv i Pingstkyrkan i Jönköping", C.RELIGION),
    ("sv", "Kyrkvärd i Lunds domkyrkoförsamling", C.RELIGION),
    ("sv", "Ledamot av kyrkofullmäktige, Västerås", C.RELIGION),
    ("no", "Ledamot av menighetsrådet i Grünerløkka", C.RELIGION),
    ("da", "Formand for menighedsrådet, Vor Frue", C.RELIGION),
    ("fi", "Seurakuntaneuvoston jäsen, Tampereen seurakuntayhtymä", C.RELIGION),
    ("en", "I serve on the parish council", C.RELIGION),
    # union: a named union with a role, or a union office word
    ("sv", "Huvudskyddsombud, Unionen", C.UNION),
    ("sv", "Medlem i Scen & Film", C.UNION),
    ("sv", "Klubbordförande för Kommunal", C.UNION),
    ("sv", "Styrelseledamot i Akademikerförbundet SSR", C.UNION),
    ("no", "Tillitsvalgt i Norsk Journalistlag, VG-klubben", C.UNION),
    ("da", "Tillidsrepræsentant, Dansk Journalistforbund", C.UNION),
    ("fi", "Luottamusnainen, Suomen Journalistiliitto", C.UNION),
    ("en", "Member of the NUJ", C.UNION),
    # ethnicity: self-identification, descent, a seat in an ethnic body
    ("sv", "Själv same och uppvuxen i Kiruna", C.ETHNICITY),
    ("sv", "Med rötter i Tornedalen", C.ETHNICITY),
    ("sv", "Ordförande i Sverigefinska riksförbundet", C.ETHNICITY),
    ("no", "Jeg er same fra Kautokeino", C.ETHNICITY),
    ("fi", "Olen saamelainen", C.ETHNICITY),
    ("en", "Of Kurdish descent, based in Malmö", C.ETHNICITY),
    # health words in prose
    ("sv", "Jag har legat nedbäddad med bihåleinflammation i en vecka", C.HEALTH),
    ("no", "Har hatt lungebetennelse hele uka", C.HEALTH),
    ("en", "I've been down with pneumonia", C.HEALTH),
]

TRAPS = [
    # an employer, not a membership or belief
    "Pressansvarig, Svenska kyrkan",
    "Kommunikatör på Unionen",
    "Vänsterpartiets pressekreterare",
    # a beat, not an opinion
    "Politisk reporter, Dagbladet",
    "Religionsredaktör, Kyrkans Tidning",
    "Riksdagsreporter, bevakar Socialdemokraterna",
    "Reporter som bevakar samisk kultur",
    "Bevakar kommunfullmäktige i Nacka",
    "Reporter, Sameradion",
    # look-alike words
    "Styrelseledamot, Svensk Scenkonst (SvS)",
    "Ordförande i Publicistklubben (PK)",
    "Jag modererar gärna panelen",
    "Vi ses på Vision-konferensen",
    "Kommunala bolag är vårt bevakningsområde",
    "Musik med rötter i punken",
    "Konserten i Uppsala domkyrka 14/3",
    "The same time works for me",
    "Sami Virtanen, toimittaja",
    "Han är en moderat optimist",
    "Konstnärlig ledare, Venstre Scene",
    "Medlem i Publicistklubben",
    "Member of the board, Arts Council England",
    # leave words
    "Föräldraledig till 3/4, VAB i dag",
    "Tjänstledig under hösten, semester v. 32",
    "Org.nr 556036-0793",
]


@pytest.mark.parametrize(("lang", "line", "category"), CASES)
def test_membership_office_and_identity_lines_are_redacted(lang: str, line: str, category: C) -> None:
    result = redact(line)
    assert category in result.categories, lang
    assert f"[redacted:{category.value}]" in result.text


@pytest.mark.parametrize("line", TRAPS)
def test_employers_beats_and_look_alikes_are_kept(line: str) -> None:
    result = redact(line)
    assert result.text == line
    assert result.categories == ()


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("Ledamot i kulturnämnden (S), Solna stad", "(S)"),
        ("Ledamot i kyrkorådet, Sankt Markus församling (Svenska kyrkan)", "kyrka"),
        ("Bystyrerepresentant for Senterpartiet, Hamar", "Senterpartiet"),
        ("Medlem i Samiska journalistföreningen – själv same från Arjeplog", "same"),
    ],
)
def test_the_whole_signature_line_goes(line: str, gone: str) -> None:
    text = redact(f"Anna Holm\n{line}\n070-174 06 40").text
    assert gone not in text
    assert text.startswith("Anna Holm\n[redacted:")
    assert text.endswith("\n070-174 06 40")
