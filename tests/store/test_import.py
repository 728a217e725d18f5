"""CSV import: checked rows, line-numbered rejections, all or nothing, suppressed people never imported."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from harvester.errors import InputError
from store.contacts import contact_by_email, current_view, provenance
from store.importer import ImportReport, import_rows, parse_csv
from store.models import AuditEvent, Contact, ContactEvidence, ContactNote, ContactPurpose, ContactTag, OptOut
from store.purposes import load_purposes, purposes_of
from store.suppression import Suppressor
from tests.contact_samples import KEY

RULES = load_purposes()
SUPPRESSOR = Suppressor(KEY)

MEMBERS = """email;name;phone;organization;tags;note
anna.medlem@forbundet.example;Anna Medlem;070-174 06 20;Förbundet Syd;Årsmöte 2025|Styrelsen;Betalt 2025
bo.berg@example.org;Bo Berg;08-465 004 20;;;
cecilia@example.net;Cecilia Ek;;Kulturhuset;Årsmöte 2025;
"""


def _import(
    sessions: sessionmaker[Session],
    text: str,
    *,
    purpose: str = "member",
    dry_run: bool = False,
    **options: str,
) -> ImportReport:
    rows, problems = parse_csv(text)
    with sessions.begin() as session:
        return import_rows(
            session,
            rows,
            problems,
            purpose=purpose,
            rules=RULES,
            suppressor=SUPPRESSOR,
            actor="cli:test",
            dry_run=dry_run,
            **options,  # type: ignore[arg-type]
        )


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_creates_contacts_with_provenance_import_and_the_purpose(
    sessions: sessionmaker[Session],
) -> None:
    report = _import(sessions, MEMBERS)
    assert (report.imported, report.created, report.updated, report.rejected) == (True, 3, 0, [])
    with sessions() as session:
        contact = contact_by_email(session, "ANNA.MEDLEM@forbundet.example")
        assert contact is not None
        prov = provenance(session, contact)
        assert {e["source"] for entries in prov.values() for e in entries} == {"import"}
        assert prov["phones"][0]["value"] == {"e164": "+46701740620", "type": "mobile"}
        assert [(p.purpose, p.legal_basis, p.source) for p in purposes_of(session, contact.id)] == [
            ("member", "contract", "import")
        ]
        assert contact.legal_basis == "contract"
        assert sorted(
            t.tag for t in session.scalars(select(ContactTag).where(ContactTag.contact_id == contact.id))
        )
        assert session.scalar(select(ContactNote.source)) == "import"


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("inte-en-adress;Ola Nord;;;;", "email:"),
        ("ola@;Ola Nord;;;;", "email:"),
        ("ola.nord@example.com;Ola Nord;12345;;;", "phone:"),
        ("ola.nord@example.com;Ola Nord;;;;;extra", "fields"),
        ("bo.berg@example.org;Bo Berg igen;;;;", "the same address as line 3"),
        ("ola.nord@example.com;Ola Nord;;;Kund 19121212-1212;", "tags:"),
        (";Ola Nord;;;;", "email: missing"),
    ],
)
def test_bad_row_is_reported_by_line_number_and_nothing_is_imported(
    sessions: sessionmaker[Session], bad_line: str, reason: str
) -> None:
    text = MEMBERS + bad_line + "\n" + "dag@example.com;Dag Dal;;;;\n"
    report = _import(sessions, text)
    assert not report.imported
    assert [(p.line, reason in p.reason) for p in report.rejected] == [(5, True)]
    for model in (Contact, ContactEvidence, ContactPurpose, ContactTag, ContactNote):
        assert _count(sessions, model) == 0


def test_line_numbers_count_quoted_multiline_fields_and_blank_lines(sessions: sessionmaker[Session]) -> None:
    text = 'email,name,note\na@example.com,A,"två\nrader"\n\nfel,B,\n'
    report = _import(sessions, text)
    assert [p.line for p in report.rejected] == [5]


def test_suppressed_person_is_never_imported(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        SUPPRESSOR.add(session, "email", "bo.berg@example.org")
    report = _import(sessions, MEMBERS)
    assert report.imported and report.created == 2
    assert [(p.line, p.reason) for p in report.skipped] == [(3, "suppressed: never imported")]
    with sessions() as session:
        assert contact_by_email(session, "bo.berg@example.org") is None
        texts = [v for v in session.scalars(select(ContactEvidence.value))]
    assert not any("Bo Berg" in t or "bo.berg" in t for t in texts)


def test_dry_run_reports_and_writes_nothing(sessions: sessionmaker[Session]) -> None:
    report = _import(sessions, MEMBERS, dry_run=True)
    assert (report.dry_run, report.imported, report.created) == (True, False, 3)
    assert _count(sessions, Contact) == 0
    assert _count(sessions, AuditEvent) == 0


def test_second_import_updates_and_does_not_outrank_a_manual_value(sessions: sessionmaker[Session]) -> None:
    _import(sessions, MEMBERS)
    with sessions.begin() as session:
        from store.contacts import set_field_manually

        contact = contact_by_email(session, "bo.berg@example.org")
        assert contact is not None
        set_field_manually(session, contact, "name", "Bo Berg (ordf.)", actor="cli:test")
    report = _import(sessions, "email,name\nbo.berg@example.org,Bosse Berg\n", purpose="event_participant")
    assert (report.created, report.updated) == (0, 1)
    with sessions() as session:
        contact = contact_by_email(session, "bo.berg@example.org")
        assert contact is not None
        current = [e["value"] for e in provenance(session, contact)["name"] if e["current"]]
        assert current == ["Bo Berg (ordf.)"]
        assert {p.purpose for p in purposes_of(session, contact.id)} == {"member", "event_participant"}
    assert _count(sessions, Contact) == 3


def test_newsletter_import_needs_consent_source_per_row_or_for_the_file(
    sessions: sessionmaker[Session],
) -> None:
    text = "email,consent_given_at,consent_source\na@example.com,2025-02-01,webbformulär\nb@example.com,,\n"
    report = _import(sessions, text, purpose="newsletter")
    assert [p.line for p in report.rejected] == [3] and not report.imported
    report = _import(sessions, text, purpose="newsletter", consent_source="mässan 2025")
    assert report.imported
    with sessions() as session:
        sources = {p.consent_source for p in session.scalars(select(ContactPurpose))}
    assert sources == {"webbformulär", "mässan 2025"}


def test_import_does_not_put_an_opted_out_person_back_on_the_newsletter(
    sessions: sessionmaker[Session],
) -> None:
    _import(sessions, MEMBERS)
    with sessions.begin() as session:
        contact = contact_by_email(session, "cecilia@example.net")
        assert contact is not None
        session.add(OptOut(contact_id=contact.id, channel="newsletter", source="manual"))
    report = _import(
        sessions,
        "email\ncecilia@example.net\nanna.medlem@forbundet.example\n",
        purpose="newsletter",
        consent_source="lista",
    )
    assert [p.line for p in report.skipped] == [2] and report.updated == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("namn,telefon\nA,070-174 06 20\n", "no `email` column"),
        ("email,colour\na@example.com,blue\n", "unknown column"),
    ],
)
def test_unusable_header_is_an_input_error(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_csv(text)


def test_swedish_header_names_and_tab_delimiter_are_understood() -> None:
    rows, problems = parse_csv("E-post\tNamn\tTelefon\nanna@example.com\tAnna\t031-390 06 10\n")
    assert problems == []
    assert (rows[0].email, rows[0].name, rows[0].phone) == (
        "anna@example.com",
        "Anna",
        {"e164": "+46313900610", "type": "fixed"},
    )


def test_two_rows_with_one_mobile_are_one_person_as_in_mail(sessions: sessionmaker[Session]) -> None:
    text = (
        "email,name,phone\nanna@example.com,Anna,070-174 06 30\nanna.privat@example.net,Anna,070-174 06 30\n"
    )
    report = _import(sessions, text)
    assert (report.created, report.updated) == (1, 1)
    with sessions() as session:
        first = contact_by_email(session, "anna@example.com")
        assert first is not None
        emails = sorted(current_view(session, first)["emails"])
    assert emails == ["anna.privat@example.net", "anna@example.com"]
    assert _count(sessions, Contact) == 1


def test_fixed_line_is_evidence_but_not_a_key(sessions: sessionmaker[Session]) -> None:
    text = "email,phone\na@example.com,08-465 004 30\nb@example.com,08-465 004 30\n"
    assert _import(sessions, text).created == 2
    assert _count(sessions, Contact) == 2
