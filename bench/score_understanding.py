"""Score message understanding against the labelled corpus in tests/fixtures/understanding/.

Usage:
    python bench/score_understanding.py [FOLDER] [--json] [--verbose] [--runner cli|module]

The runner (`cli`, the default) calls `harvester inspect FILES... --json` once, as a subprocess
(`python -m harvester inspect`), with a temporary config whose `[organization] domains` are the
labels' `_meta.own_domains`; `--runner module` imports `harvester.understand.understand` instead.
Outputs are paired with labels by file name. The scorer is a report: exit 0 whenever it ran,
2 on bad arguments, 1 when the runner itself could not be started.

Why a separate corpus and scorer: the understanding code is written blind to these labels, so
the figures say how it does on mail it was not tuned on.

Label conventions (NAME.json holds the inspect contract object plus `_meta`)
---------------------------------------------------------------------------
- `path` is null in labels and never scored. `_meta` = {own_domains, forbidden, sensitive, notes,
  lang, client}; `forbidden` strings (quoted third parties' and our consultants' names, e-mails
  and phones; alternate contacts) must appear nowhere in `contact` or `signature`; `sensitive`
  strings (special-category phrases, personnummer) nowhere in the whole output.
- kind: bounce > autoreply > unsubscribe > bulk > personal. A delay warning (4.x.x) is a bounce
  with permanent=false; bounce `permanent` = status class 5. A vacation reply with
  `Precedence: bulk` is an auto-reply; a newsletter whose footer says "avregistrera dig här" is
  bulk; a personal reply quoting such a footer is personal; `X-Auto-Response-Suppress` alone says
  nothing. Mail from no-reply senders and ESPs (Mailchimp, Apsis, Rule, SendGrid) is bulk.
- contact is null for bulk, bounce and own-domain senders (`pr-byran.example`); otherwise it is
  the sender's, never a quoted or forwarded third party's and never an auto-reply's alternate.
- name: as written in the sender's signature; when the signature gives none (no signature, or
  only "/Tove", "Sigrid"), the From display name; null when neither exists.
- title and organization: as written, one line each ("Kulturredaktör", "Sveriges Radio P2",
  "Redaktör, Nyhetsmorgon"); null without a signature (never guessed from the domain). Compared
  casefolded with whitespace normalised.
- emails: lower-cased; the From address always, plus any other address in the sender's own
  signature. An auto-reply's new address goes to `autoreply.new_email`, not to `contact.emails`.
- phones: E.164 with a type: labelled växel/vx/switchboard/sentralbord/omstilling/vaihde →
  switchboard; fax/faks/telefax → fax; labelled mobil/mob/M/GSM/mobile → mobile; a Swedish 07x
  (and any number phonenumbers calls mobile) → mobile; other geographic → fixed; unlabelled
  non-mobile → fixed. Danish numbers, which phonenumbers cannot tell apart, are always labelled
  in the corpus. Scored as (e164, type) items; an (e164 only) figure is printed beside it.
- urls: as written, with https:// added when the scheme is missing; compared without scheme,
  trailing slash or case.
- coverage: slugs of rules/coverage.toml, only from words written in the title or in a
  "Bevakar/Skriver om/Writing on" line, never from what an organisation or programme is known
  for: Kulturredaktör/kulturjournalist/Kulturnytt/Kulturhuset/kulttuuritoimittaja →
  culture_general; musikjournalist/musikredaktör/musikkanmelder/Music Editor → music;
  "Sveriges Radio P2"/klassisk musik/Yle Klassinen → classical_music; nöjesreporter/
  nöjesredaktör → entertainment; filmkritiker/filmanmelder → film; teaterkritiker → theatre;
  litteraturkritiker/bokrecensent → literature; konstkritiker → art; nyhetsreporter/nyhetschef
  → news; livsstilsredaktör → lifestyle; "dans" in the title → dance; "film och tv" → film, tv.
  A plain "Reporter"/"Redaktör"/"Producer", a press officer, booker or theatre manager has none.
- address: street ("Box 123", "Storgatan 1"), postal_code as written ("105 10", "0180"; compared
  without spaces), city; country null unless written.
- autoreply.until: the date as stated — the last day of absence ("t.o.m. 14 augusti" →
  2026-08-14) or the return date when that is what the text gives ("tillbaka den 17 augusti" →
  2026-08-17); a range gives its last day; "v. 32" → the Sunday of ISO week 32; relative words
  ("i morgon") count from the message Date; the year is inferred forward from the message Date
  (December mail, "tillbaka 7/1" → next January); only a month ("i augusti 2027") → null.
- autoreply.reason: semester/ferie/lomalla/annual leave → vacation; föräldraledig/
  foreldrepermisjon/barsel → parental_leave; slutat/sluttet/stoppet/left → left_organization;
  new address without leaving → address_change; sick leave, tjänstledig, "ledig idag",
  "poissa", religious holidays → absence; trade fairs, trips, union meetings, generic
  acknowledgements → other. Each text states one date, so "last day" and "return day" never
  compete.
- alternate_contacts: every person or desk the auto-reply points to instead of the sender, one
  entry per named person or per desk address; each of name/email/phone as written (e-mail
  lower-cased, phone E.164).
- unsubscribe.channels: "pressmeddelanden/press releases/pressemeldinger/pressemeddelelser" →
  press_release; "nyhetsbrev/nyhedsbrev" → newsletter; "ring inte" → phone; sms → sms;
  "per post" → post; unspecific "avregistrera mig", "ta bort mig från era utskick",
  "remove me from your list", "e-postlisten" → email; "inte bli kontaktad alls" → all.
  Compared as sets.
- redactions: one entry per removed phrase, {category, where}; where is "signature" for a
  signature line, "autoreply" for an auto-reply's text and "body" for the rest of the sender's
  own text (a reply mentioning an illness, a personnummer in an erasure request). The label's signature shows
  "[redacted:CATEGORY]" where the phrase was, but where the placeholder begins and ends is the
  implementation's choice, so `signature` is never compared for equality: only whether one was
  found, and the leak checks. Föräldraledig, vård av barn, semester, tjänstledig and an
  organisation number (556xxx-xxxx) are not special categories.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

__all__ = [
    "FileScore",
    "aggregate",
    "contact_items",
    "contract_errors",
    "format_report",
    "leaks",
    "load_labels",
    "main",
    "prf",
    "score_file",
]

KINDS = ("personal", "autoreply", "bounce", "bulk", "unsubscribe")
REASONS = ("vacation", "parental_leave", "left_organization", "address_change", "absence", "other")
PHONE_TYPES = ("mobile", "fixed", "switchboard", "fax", "unknown")
CHANNELS = ("email", "press_release", "newsletter", "phone", "sms", "post", "all")
CATEGORIES = (
    "health",
    "religion",
    "politics",
    "union",
    "sex_life",
    "ethnicity",
    "biometric",
    "genetic",
    "national_id",
)
WHERE = ("signature", "autoreply", "body")
COVERAGE = (
    "music",
    "classical_music",
    "film",
    "tv",
    "theatre",
    "dance",
    "literature",
    "art",
    "culture_general",
    "entertainment",
    "lifestyle",
    "news",
)
TARGETS = {"kind": 0.97, "contact_f1": 0.92, "autoreply": 0.90, "leaks": 0}
DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "understanding"

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEYS = tuple("path message_id kind autoreply bounce unsubscribe signature contact redactions".split())


# ---------------------------------------------------------------- contract shape


def _is_str_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _str_list_errors(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        return [f"{where}: not a list of strings"]
    return []


def _autoreply_errors(ar: Any) -> list[str]:
    if not isinstance(ar, dict):
        return ["autoreply: not an object"]
    errs = []
    if ar.get("reason") not in REASONS:
        errs.append(f"autoreply.reason: {ar.get('reason')!r}")
    until = ar.get("until")
    if until is not None:
        try:
            if not (isinstance(until, str) and _ISO.match(until)):
                raise ValueError(until)
            date.fromisoformat(until)
        except ValueError:
            errs.append(f"autoreply.until: {until!r} is not YYYY-MM-DD")
    if not _is_str_or_none(ar.get("new_email")) or (ar.get("new_email") and "@" not in ar["new_email"]):
        errs.append("autoreply.new_email: not an address")
    alts = ar.get("alternate_contacts")
    if not isinstance(alts, list):
        return [*errs, "autoreply.alternate_contacts: not a list"]
    for i, alt in enumerate(alts):
        if not isinstance(alt, dict) or set(alt) < {"name", "email", "phone"}:
            errs.append(f"autoreply.alternate_contacts[{i}]: needs name, email, phone")
            continue
        if not all(_is_str_or_none(alt[k]) for k in ("name", "email", "phone")):
            errs.append(f"autoreply.alternate_contacts[{i}]: values must be strings or null")
        elif alt["phone"] is not None and not _E164.match(alt["phone"]):
            errs.append(f"autoreply.alternate_contacts[{i}].phone: not E.164")
    return errs


def _contact_errors(c: Any, taxonomy: Iterable[str] | None) -> list[str]:
    if not isinstance(c, dict):
        return ["contact: not an object"]
    errs = [
        f"contact.{k}: not a string or null"
        for k in ("name", "title", "organization")
        if not _is_str_or_none(c.get(k, 0))
    ]
    for k in ("emails", "urls", "coverage"):
        errs += _str_list_errors(c.get(k), f"contact.{k}")
    phones = c.get("phones")
    if not isinstance(phones, list):
        errs.append("contact.phones: not a list")
    else:
        for i, p in enumerate(phones):
            if (
                not isinstance(p, dict)
                or not _E164.match(str(p.get("e164")))
                or p.get("type") not in PHONE_TYPES
            ):
                errs.append(f"contact.phones[{i}]: needs e164 (+E.164) and a known type")
    addr = c.get("address", 0)
    if addr is not None:
        keys = ("street", "postal_code", "city", "country")
        if not isinstance(addr, dict) or not all(_is_str_or_none(addr.get(k, 0)) for k in keys):
            errs.append("contact.address: needs street, postal_code, city, country (string or null)")
    if taxonomy is not None and isinstance(c.get("coverage"), list):
        errs += [f"contact.coverage: unknown slug {s!r}" for s in c["coverage"] if s not in set(taxonomy)]
    return errs


def contract_errors(obj: Any, *, taxonomy: Iterable[str] | None = None) -> list[str]:
    """What is wrong with one inspect object (shared/contracts/inspect.md); [] when it conforms.

    Extra keys are allowed (the contract lets fields be added). `taxonomy` restricts coverage
    slugs (the labels use the shipped taxonomy; an organisation may add its own).

    >>> contract_errors({"kind": "personal"})[:1]
    ['missing key: path']
    """
    if not isinstance(obj, dict):
        return ["not a JSON object"]
    errs = [f"missing key: {k}" for k in _KEYS if k not in obj]
    if errs:
        return errs
    kind = obj["kind"]
    if kind not in KINDS:
        errs.append(f"kind: {kind!r}")
    if not _is_str_or_none(obj["path"]) or not _is_str_or_none(obj["message_id"]):
        errs.append("path/message_id: not a string or null")
    if not _is_str_or_none(obj["signature"]):
        errs.append("signature: not a string or null")
    if obj["autoreply"] is not None:
        errs += _autoreply_errors(obj["autoreply"])
    b = obj["bounce"]
    if b is not None and (
        not isinstance(b, dict)
        or not isinstance(b.get("permanent"), bool)
        or _str_list_errors(b.get("addresses"), "")
    ):
        errs.append("bounce: needs permanent (bool) and addresses (list of strings)")
    u = obj["unsubscribe"]
    if u is not None:
        ch = u.get("channels") if isinstance(u, dict) else None
        if not isinstance(ch, list) or not ch or any(c not in CHANNELS for c in ch):
            errs.append(f"unsubscribe.channels: {ch!r}")
        elif "all" in ch and len(ch) > 1:
            errs.append("unsubscribe.channels: 'all' stands alone")
    if obj["contact"] is not None:
        errs += _contact_errors(obj["contact"], taxonomy)
    reds = obj["redactions"]
    if not isinstance(reds, list) or any(
        not isinstance(r, dict) or r.get("category") not in CATEGORIES or r.get("where") not in WHERE
        for r in reds
    ):
        errs.append("redactions: needs a list of {category, where} from the contract")
    # consistency the contract implies
    for part in ("autoreply", "bounce", "unsubscribe"):
        if obj[part] is not None and kind != part:
            errs.append(f"{part}: set on a {kind} message")
    if kind in ("bounce", "bulk") and obj["contact"] is not None:
        errs.append(f"contact: must be null for {kind}")
    return errs


# ---------------------------------------------------------------- normalisers and items


def norm_text(value: str | None) -> str | None:
    """Casefolded, whitespace collapsed; None stays None, blank becomes None."""
    if value is None:
        return None
    return " ".join(value.casefold().split()) or None


def norm_url(url: str) -> str:
    """Scheme, 'www.' kept; trailing slash and case dropped: 'https://X.example/' → 'x.example'."""
    u = url.strip().casefold()
    u = re.sub(r"^[a-z][a-z0-9+.-]*://", "", u)
    return u.rstrip("/")


def contact_items(contact: Mapping[str, Any] | None, *, phone_type: bool = True) -> Counter[tuple[str, ...]]:
    """The contact as a bag of comparable items (field, value[, type])."""
    items: Counter[tuple[str, ...]] = Counter()
    if not contact:
        return items
    for key in ("name", "title", "organization"):
        value = norm_text(contact.get(key))
        if value:
            items[(key, value)] += 1
    for mail in contact.get("emails") or []:
        items[("email", mail.strip().lower())] += 1
    for phone in contact.get("phones") or []:
        items[
            ("phone", phone.get("e164", ""), phone.get("type", ""))
            if phone_type
            else ("phone", phone.get("e164", ""))
        ] += 1
    for url in contact.get("urls") or []:
        items[("url", norm_url(url))] += 1
    for slug in contact.get("coverage") or []:
        items[("coverage", slug)] += 1
    addr = contact.get("address") or {}
    for key in ("street", "city"):
        value = norm_text(addr.get(key))
        if value:
            items[(key, value)] += 1
    if addr.get("postal_code"):
        items[("postal_code", "".join(addr["postal_code"].split()).casefold())] += 1
    # a field may appear at most once per value: de-duplicate
    return Counter(dict.fromkeys(items, 1))


def alternate_items(autoreply: Mapping[str, Any] | None) -> Counter[tuple[str, str]]:
    items: Counter[tuple[str, str]] = Counter()
    for alt in (autoreply or {}).get("alternate_contacts") or []:
        if alt.get("name"):
            items[("name", norm_text(alt["name"]) or "")] += 1
        if alt.get("email"):
            items[("email", alt["email"].strip().lower())] += 1
        if alt.get("phone"):
            items[("phone", alt["phone"])] += 1
    return items


@dataclass
class Counts:
    """True positives, false positives and false negatives of a bag comparison."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, expected: Counter[Any], got: Counter[Any]) -> None:
        common = sum((expected & got).values())
        self.tp += common
        self.fp += sum(got.values()) - common
        self.fn += sum(expected.values()) - common

    def __iadd__(self, other: Counts) -> Counts:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        return self


def prf(c: Counts) -> tuple[float, float, float]:
    """Precision, recall, F1; 1.0 when there was nothing to find and nothing was found.

    >>> prf(Counts(tp=9, fp=1, fn=0))
    (0.9, 1.0, 0.9473684210526315)
    """
    p = c.tp / (c.tp + c.fp) if c.tp + c.fp else 1.0
    r = c.tp / (c.tp + c.fn) if c.tp + c.fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


# ---------------------------------------------------------------- leaks


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _phone_core(text: str) -> str | None:
    """The national significant number of a phone-like forbidden string, else None."""
    if not re.fullmatch(r"\+?[\d\s().-]{7,}", text.strip()):
        return None
    digits = _digits(text)
    if text.strip().startswith("+"):
        try:
            import phonenumbers

            return str(phonenumbers.parse(text, None).national_number)
        except Exception:
            return digits
    return digits.lstrip("0")


def _found(needle: str, haystack: list[str]) -> bool:
    core = _phone_core(needle)
    if core is not None or len(_digits(needle)) >= 10:
        core = core or _digits(needle)
        return any(core in _digits(s) for s in haystack)
    n = norm_text(needle) or ""
    return any(n in (norm_text(s) or "") for s in haystack)


def leaks(label: Mapping[str, Any], output: Mapping[str, Any] | None) -> list[str]:
    """Forbidden strings in contact/signature and sensitive strings anywhere in the output."""
    if not output:
        return []
    meta = label.get("_meta") or {}
    near = [*_strings(output.get("contact")), *_strings(output.get("signature"))]
    everywhere = list(_strings({k: v for k, v in output.items() if k != "path"}))
    found = [f"forbidden: {f}" for f in meta.get("forbidden", []) if _found(f, near)]
    found += [f"sensitive: {s}" for s in meta.get("sensitive", []) if _found(s, everywhere)]
    return found


# ---------------------------------------------------------------- one file


@dataclass
class FileScore:
    """Everything measured on one message, ready to be summed."""

    name: str
    expected_kind: str
    got_kind: str | None
    lang: str = ""
    client: str = ""
    contact: Counts = field(default_factory=Counts)
    contact_e164: Counts = field(default_factory=Counts)
    by_field: dict[str, Counts] = field(default_factory=dict)
    autoreply: dict[str, bool] = field(default_factory=dict)  # reason/until/new_email → right?
    alternates: Counts = field(default_factory=Counts)
    bounce: dict[str, bool] = field(default_factory=dict)
    unsubscribe: bool | None = None
    redactions: Counts = field(default_factory=Counts)
    redactions_where: Counts = field(default_factory=Counts)
    signature_found: bool | None = None
    message_id: bool | None = None
    leaks: list[str] = field(default_factory=list)
    shape: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _diff(what: str, expected: Counter[Any], got: Counter[Any]) -> list[str]:
    out = []
    for item in expected - got:
        out.append(f"{what} missing {item}")
    for item in got - expected:
        out.append(f"{what} extra {item}")
    return out


def score_file(name: str, label: Mapping[str, Any], output: Mapping[str, Any] | None) -> FileScore:
    """Compare one output object with its label (either may lack parts; None = no output)."""
    out: Mapping[str, Any] = output or {}
    meta = label.get("_meta") or {}
    s = FileScore(
        name=name,
        expected_kind=label["kind"],
        got_kind=out.get("kind"),
        lang=meta.get("lang", ""),
        client=meta.get("client", ""),
    )
    if output is None:
        s.failures.append("no output for this file")
    else:
        s.shape = contract_errors(output)
        s.failures += [f"shape: {e}" for e in s.shape]
    if s.got_kind != s.expected_kind:
        s.failures.append(f"kind {s.got_kind} != {s.expected_kind}")

    exp_items, got_items = contact_items(label.get("contact")), contact_items(out.get("contact"))
    s.contact.add(exp_items, got_items)
    s.contact_e164.add(
        contact_items(label.get("contact"), phone_type=False),
        contact_items(out.get("contact"), phone_type=False),
    )
    for fld in {i[0] for i in exp_items} | {i[0] for i in got_items}:
        c = s.by_field.setdefault(fld, Counts())
        c.add(
            Counter({i: n for i, n in exp_items.items() if i[0] == fld}),
            Counter({i: n for i, n in got_items.items() if i[0] == fld}),
        )
    s.failures += _diff("contact", exp_items, got_items)

    if label["kind"] == "autoreply":
        exp, got = label.get("autoreply") or {}, out.get("autoreply") or {}
        if not got:
            s.failures.append("autoreply: null")
        for key in ("reason", "until", "new_email"):
            value = got.get(key)
            if key == "new_email" and value:
                value = value.strip().lower()
            s.autoreply[key] = bool(got) and exp.get(key) == value
            if got and not s.autoreply[key]:
                s.failures.append(f"autoreply.{key} {value!r} != {exp.get(key)!r}")
        ea, ga = alternate_items(exp), alternate_items(got)
        s.alternates.add(ea, ga)
        s.failures += _diff("alternate", ea, ga)
    if label["kind"] == "bounce":
        exp, got = label.get("bounce") or {}, out.get("bounce") or {}
        s.bounce["permanent"] = bool(got) and got.get("permanent") == exp.get("permanent")
        s.bounce["addresses"] = bool(got) and (
            sorted(a.lower() for a in got.get("addresses") or [])
            == sorted(a.lower() for a in exp["addresses"])
        )
        s.failures += [
            f"bounce.{k} {got.get(k)!r} != {exp.get(k)!r}" for k, ok in s.bounce.items() if got and not ok
        ] + (["bounce: null"] if not got else [])
    if label["kind"] == "unsubscribe":
        exp_ch = set((label.get("unsubscribe") or {}).get("channels") or [])
        got_ch = set((out.get("unsubscribe") or {}).get("channels") or [])
        s.unsubscribe = exp_ch == got_ch
        if not s.unsubscribe:
            s.failures.append(f"unsubscribe.channels {sorted(got_ch)} != {sorted(exp_ch)}")

    exp_red = Counter(r["category"] for r in label.get("redactions") or [])
    got_red = Counter(r.get("category") for r in out.get("redactions") or [] if isinstance(r, dict))
    s.redactions.add(exp_red, got_red)
    s.redactions_where.add(
        Counter((r["category"], r["where"]) for r in label.get("redactions") or []),
        Counter(
            (r.get("category"), r.get("where")) for r in out.get("redactions") or [] if isinstance(r, dict)
        ),
    )
    s.failures += _diff("redaction", exp_red, got_red)

    s.signature_found = (label.get("signature") is not None) == (out.get("signature") is not None)
    s.message_id = label.get("message_id") == out.get("message_id")
    if not s.message_id:
        s.failures.append(f"message_id {out.get('message_id')!r} != {label.get('message_id')!r}")
    s.leaks = leaks(label, output)
    s.failures += [f"LEAK {x}" for x in s.leaks]
    return s


# ---------------------------------------------------------------- the whole corpus


def _ratio(values: Iterable[bool]) -> tuple[float, int]:
    vals = list(values)
    return (sum(vals) / len(vals) if vals else 1.0), len(vals)


def aggregate(scores: list[FileScore]) -> dict[str, Any]:
    """The report as plain data (what --json prints)."""
    contact, contact_e164, alternates, red, red_where = (
        Counts(),
        Counts(),
        Counts(),
        Counts(),
        Counts(),
    )
    fields: dict[str, Counts] = {}
    for s in scores:
        contact += s.contact
        contact_e164 += s.contact_e164
        alternates += s.alternates
        red += s.redactions
        red_where += s.redactions_where
        for k, c in s.by_field.items():
            fields.setdefault(k, Counts())
            fields[k] += c
    confusion: dict[str, dict[str, int]] = {k: {} for k in KINDS}
    for s in scores:
        row = confusion.setdefault(s.expected_kind, {})
        got = s.got_kind if s.got_kind in KINDS else "(none)"
        row[got] = row.get(got, 0) + 1

    def triple(c: Counts) -> dict[str, float]:
        p, r, f = prf(c)
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "tp": c.tp,
            "fp": c.fp,
            "fn": c.fn,
        }

    ar = {
        k: _ratio(s.autoreply[k] for s in scores if k in s.autoreply)
        for k in ("reason", "until", "new_email")
    }
    bo = {k: _ratio(s.bounce[k] for s in scores if k in s.bounce) for k in ("permanent", "addresses")}
    kind_acc, n = _ratio(s.got_kind == s.expected_kind for s in scores)
    by_lang: dict[str, dict[str, Any]] = {}
    for lang in sorted({s.lang for s in scores}):
        group = [s for s in scores if s.lang == lang]
        c = Counts()
        for s in group:
            c += s.contact
        by_lang[lang] = {
            "n": len(group),
            "kind_accuracy": round(_ratio(s.got_kind == s.expected_kind for s in group)[0], 4),
            "contact_f1": round(prf(c)[2], 4),
        }
    unsub_acc, n_unsub = _ratio(s.unsubscribe for s in scores if s.unsubscribe is not None)
    return {
        "files": n,
        "kind_accuracy": round(kind_acc, 4),
        "confusion": confusion,
        "by_language": by_lang,
        "contact": triple(contact),
        "contact_e164_only": triple(contact_e164),
        "contact_by_field": {k: triple(v) for k, v in sorted(fields.items())},
        "autoreply": {k: {"accuracy": round(v[0], 4), "n": v[1]} for k, v in ar.items()},
        "alternate_contacts": triple(alternates),
        "bounce": {k: {"accuracy": round(v[0], 4), "n": v[1]} for k, v in bo.items()},
        "unsubscribe_channels": {"accuracy": round(unsub_acc, 4), "n": n_unsub},
        "redactions": triple(red),
        "redactions_with_where": triple(red_where),
        "signature_found_accuracy": round(
            _ratio(s.signature_found for s in scores if s.signature_found is not None)[0], 4
        ),
        "message_id_accuracy": round(_ratio(s.message_id for s in scores if s.message_id is not None)[0], 4),
        "leaks": sum(len(s.leaks) for s in scores),
        "leaking_files": sorted(s.name for s in scores if s.leaks),
        "shape_errors": sum(len(s.shape) for s in scores),
        "missing_outputs": sorted(s.name for s in scores if "no output for this file" in s.failures),
        "targets": TARGETS,
    }


def _mark(ok: bool) -> str:
    return "ok " if ok else "BELOW"


def format_report(report: Mapping[str, Any], scores: list[FileScore] | None = None) -> str:
    """Human-readable report; per-file failures when `scores` is given (--verbose)."""
    r = report
    lines = [f"understanding corpus: {r['files']} messages", ""]
    lines.append(
        f"kind accuracy          {r['kind_accuracy']:.3f}   target >= {TARGETS['kind']}  "
        f"{_mark(r['kind_accuracy'] >= TARGETS['kind'])}"
    )
    lines.append("confusion (rows = expected, columns = got):")
    cols = [*KINDS, "(none)"]
    lines.append("  " + " " * 12 + "".join(f"{c[:11]:>12}" for c in cols))
    for k in KINDS:
        row = r["confusion"].get(k, {})
        lines.append(f"  {k:<12}" + "".join(f"{row.get(c, 0):>12}" for c in cols))
    lines += ["", "by language:"]
    for lang, v in r["by_language"].items():
        lines.append(
            f"  {lang or '?':<4} n={v['n']:<4} kind {v['kind_accuracy']:.3f}  "
            f"contact F1 {v['contact_f1']:.3f}"
        )
    c = r["contact"]
    lines += [
        "",
        f"contact F1             {c['f1']:.3f}   target >= {TARGETS['contact_f1']}  "
        f"{_mark(c['f1'] >= TARGETS['contact_f1'])}   (P {c['precision']:.3f} R {c['recall']:.3f}; "
        f"tp {c['tp']} fp {c['fp']} fn {c['fn']})",
        f"  phones as e164 only  F1 {r['contact_e164_only']['f1']:.3f}",
    ]
    for name, v in r["contact_by_field"].items():
        lines.append(
            f"  {name:<14} P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}   "
            f"(tp {v['tp']} fp {v['fp']} fn {v['fn']})"
        )
    lines.append("")
    for key, v in r["autoreply"].items():
        lines.append(
            f"autoreply {key:<12} {v['accuracy']:.3f}   target >= {TARGETS['autoreply']}  "
            f"{_mark(v['accuracy'] >= TARGETS['autoreply'])}   (n={v['n']})"
        )
    a = r["alternate_contacts"]
    lines.append(
        f"alternate contacts F1  {a['f1']:.3f}   target >= {TARGETS['autoreply']}  "
        f"{_mark(a['f1'] >= TARGETS['autoreply'])}   (P {a['precision']:.3f} R {a['recall']:.3f})"
    )
    for key, v in r["bounce"].items():
        lines.append(f"bounce {key:<15} {v['accuracy']:.3f}   (n={v['n']})")
    u = r["unsubscribe_channels"]
    lines.append(f"unsubscribe channels   {u['accuracy']:.3f}   (n={u['n']})")
    d, dw = r["redactions"], r["redactions_with_where"]
    lines.append(
        f"redactions (category)  P {d['precision']:.3f}  R {d['recall']:.3f}   "
        f"(with place: P {dw['precision']:.3f} R {dw['recall']:.3f})"
    )
    lines.append(f"signature found        {r['signature_found_accuracy']:.3f}")
    lines.append(f"message_id             {r['message_id_accuracy']:.3f}")
    lines.append(
        f"LEAKS                  {r['leaks']}   target = 0  {_mark(r['leaks'] == 0)}"
        + (f"   in {', '.join(r['leaking_files'])}" if r["leaking_files"] else "")
    )
    lines.append(f"contract shape errors  {r['shape_errors']}")
    if r["missing_outputs"]:
        lines.append(f"missing outputs        {len(r['missing_outputs'])}")
    if scores:
        lines += ["", "per-file failures:"]
        for s in scores:
            if s.failures:
                lines.append(f"  {s.name}:")
                lines += [f"    - {f}" for f in s.failures]
    return "\n".join(lines)


# ---------------------------------------------------------------- running harvester


def load_labels(folder: Path) -> dict[str, dict[str, Any]]:
    """NAME → label, for every NAME.json that has a NAME.eml beside it."""
    labels = {}
    for path in sorted(folder.glob("*.json")):
        if path.with_suffix(".eml").exists():
            labels[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return labels


def _own_domains(labels: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return sorted({d for lab in labels.values() for d in (lab.get("_meta") or {}).get("own_domains", [])})


def run_cli(files: list[Path], labels: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """One `python -m harvester inspect FILES --json`, outputs paired by file name."""
    domains = ", ".join(json.dumps(d) for d in _own_domains(labels))
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "harvester.toml"
        config.write_text(f'[organization]\nname = "score"\ndomains = [{domains}]\n', encoding="utf-8")
        env = {**os.environ, "HARVESTER_CONFIG": str(config)}
        proc = subprocess.run(
            [sys.executable, "-m", "harvester", "inspect", *map(str, files), "--json"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp,
            check=False,
        )
    if proc.returncode != 0 and not proc.stdout.strip():
        raise RuntimeError(f"harvester inspect exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    by_path = {str(f): f.stem for f in files}
    outputs: dict[str, dict[str, Any]] = {}
    objs = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    for i, obj in enumerate(objs):
        path = obj.get("path") if isinstance(obj, dict) else None
        name = by_path.get(str(path)) or (Path(path).stem if path else None)
        if name is None and i < len(files) and len(objs) == len(files):
            name = files[i].stem
        if name:
            outputs[name] = obj
    return outputs


def run_module(files: list[Path], labels: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Call harvester.understand.understand in-process (before `inspect` exists on main)."""
    from harvester.understand import understand

    outputs: dict[str, dict[str, Any]] = {}
    for f in files:
        meta = labels[f.stem].get("_meta") or {}
        try:
            result = understand(f.read_bytes(), path=str(f), own_domains=meta.get("own_domains", ()))
        except Exception as exc:
            print(f"{f.name}: understand() raised {type(exc).__name__}", file=sys.stderr)
            continue
        outputs[f.stem] = result.to_json()
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--verbose", "-v", action="store_true", help="list per-file failures")
    parser.add_argument("--runner", choices=("cli", "module"), default="cli")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"{args.folder}: not a folder", file=sys.stderr)
        return 2
    labels = load_labels(args.folder)
    if not labels:
        print(f"{args.folder}: no NAME.eml + NAME.json pairs", file=sys.stderr)
        return 2
    files = [args.folder / f"{name}.eml" for name in labels]
    try:
        outputs = (run_cli if args.runner == "cli" else run_module)(files, labels)
    except (RuntimeError, OSError, ImportError) as exc:
        print(f"runner {args.runner} failed: {exc}", file=sys.stderr)
        return 1
    scores = [score_file(name, lab, outputs.get(name)) for name, lab in labels.items()]
    report = aggregate(scores)
    if args.json:
        if args.verbose:
            report["failures"] = {s.name: s.failures for s in scores if s.failures}
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_report(report, scores if args.verbose else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
