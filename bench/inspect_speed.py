"""Messages per second of `understand()` on one core, over N generated messages.

Usage: python bench/inspect_speed.py [N=10000]

Generates N varied messages in memory (plain, HTML-only, replies with Outlook/Gmail
quotes, auto-replies, bulk), runs `understand()` over each and prints msgs/s, then
the time per stage over a sample so a regression can be placed. The target
(issue 4) is >= 300 msgs/s on one core. No timing assertions live in tests.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable

FIRST = ["Karin", "Erik", "Anna", "Lena", "Johan", "Sofia", "Mikael", "Ingrid", "Ola", "Aino"]
LAST = ["Berg", "Lindqvist", "Svensson", "Ström", "Ek", "Nyström", "Hansen", "Virtanen"]
TITLES = [
    "Kulturredaktör",
    "Musikjournalist",
    "Nöjesreporter",
    "Filmkritiker",
    "Reporter",
    "Arts Editor",
    "Redaktør",
    "Toimittaja",
    "Pressansvarig",
    "Producent",
]
ORGS = [
    ("Dagbladet", "dagbladet.example"),
    ("Sveriges Radio P2", "sr.example"),
    ("Kvällsposten", "kvallsposten.example"),
    ("Nöjesguiden", "nojesguiden.example"),
    ("The Daily Example Ltd", "daily.example"),
    ("Helsingin Uutiset", "uutiset.example"),
]
BODIES = [
    "Tack för inbjudan, jag kommer gärna på torsdag.",
    "Kan ni skicka pressbilderna i högre upplösning? Vi publicerar på lördag.",
    "Thanks, I'll be there. Could you send the press kit beforehand?",
    "Hej! Jag är sjukskriven till 3/4 men kollegan tar över bevakningen.",
    "Låter intressant. Vi hörs nästa vecka om en intervju.",
]


_STYLE = "p.MsoNormal, li.MsoNormal {margin:0cm; font-size:11.0pt; font-family:Calibri}\n" * 30


def _person(rng: random.Random) -> tuple[str, str, str, str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    org, domain = rng.choice(ORGS)
    return first, last, rng.choice(TITLES), org, domain


def _signature(rng: random.Random, first: str, last: str, title: str, org: str) -> str:
    n = rng.randint(10, 99)
    return (
        f"Med vänliga hälsningar\n{first} {last}\n{title}, {org}\nMobil: 070-174 06 {n}\n"
        f"Tel: 08-465 004 {n}\nStorgatan {n}, 111 22 Stockholm\nwww.{org.split()[0].lower()}"
        ".example"
    )


def _headers(
    first: str,
    last: str,
    domain: str,
    subject: str,
    extra: str = "",
    ctype: str = "text/plain; charset=utf-8",
) -> str:
    return (
        f"From: {first} {last} <{first.lower()}.{last.lower()}@{domain}>\n"
        "To: Karin Berg <karin@pr-byran.example>\n"
        f"Subject: {subject}\nDate: Fri, 20 Mar 2026 10:00:00 +0100\n"
        f"Message-ID: <{random.getrandbits(64):x}@{domain}>\n{extra}"
        f"MIME-Version: 1.0\nContent-Type: {ctype}\n\n"
    )


def _quote(rng: random.Random) -> str:
    style = rng.randrange(3)
    quoted = (
        "Hej!\nVälkommen till pressvisningen av vårens stora utställning på museet.\n"
        "Vi bjuder på kaffe och smörgås, och konstnären finns på plats för intervjuer.\n\n"
        "Karin Berg\nPressansvarig\n070-174 06 55\n"
    ) * 25  # a long thread below the reply, as real mail has
    if style == 0:
        return (
            "\n\nFrån: Karin Berg <karin@pr-byran.example>\nSkickat: den 19 mars 2026 10:12\n"
            f"Till: x\nÄmne: Inbjudan\n\n{quoted}"
        )
    if style == 1:
        return "\n\nDen tors 19 mars 2026 kl 10:12 skrev Karin Berg <karin@pr-byran.example>:\n" + "\n".join(
            f"> {line}" for line in quoted.split("\n")
        )
    return "\n\n-----Ursprungligt meddelande-----\nFrån: Karin Berg\nSkickat: igår\n\n" + quoted


def generate(n: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    out: list[bytes] = []
    for i in range(n):
        first, last, title, org, domain = _person(rng)
        body = rng.choice(BODIES)
        sig = _signature(rng, first, last, title, org)
        kind = i % 10
        if kind in (0, 1, 2):  # plain reply with a quote
            text = f"Hej Karin!\n\n{body}\n\n{sig}{_quote(rng)}"
            msg = _headers(first, last, domain, "SV: Inbjudan") + text
        elif kind in (3, 4):  # HTML only, signature table, Gmail quote
            html = (
                f"<html><head><style>{_STYLE}</style></head><body><p>Hej Karin!</p>"
                f"<p>{body}</p><p>Hälsningar</p><table><tr><td><b>{first} {last}</b><br>"
                f"{title}<br>{org}</td><td>Mobil: 070-174 06 {10 + i % 90}<br>"
                f'www.{domain}</td></tr></table><div class="gmail_quote"><blockquote>'
                "Hej!<br>Karin Berg<br>070-174 06 55</blockquote></div></body></html>"
            )
            msg = _headers(first, last, domain, "Re: Inbjudan", ctype="text/html; charset=utf-8") + html
        elif kind in (5, 6):  # auto-reply
            text = (
                f"Hej! Jag är på semester till {rng.randint(1, 28)}/{rng.randint(1, 12)}. "
                "För brådskande ärenden kontakta Lena Ström, lena.strom@"
                f"{domain}, 070-174 06 77.\n\n{sig}"
            )
            msg = _headers(first, last, domain, "Autosvar: Inbjudan", "Auto-Submitted: auto-replied\n") + text
        elif kind == 7:  # bulk
            text = "Veckans nyheter\n\n" + body * 5 + "\n\nAvregistrera dig här: https://x.example"
            msg = _headers(first, last, domain, "Nyhetsbrev", "List-Id: <news.example>\n") + text
        else:  # plain personal, no quote
            text = f"Hej!\n\n{body}\n\n{sig}\n"
            msg = _headers(first, last, domain, "Fråga") + text
        out.append(msg.encode("utf-8"))
    return out


def _stage_times(messages: list[bytes]) -> dict[str, float]:
    from harvester.understand import _autoreply, _classify
    from harvester.understand.lexicon import load_lexicon
    from harvester.understand.parse import envelope_of, parse_bytes
    from harvester.understand.quotes import own_text
    from harvester.understand.redact import redact
    from harvester.understand.signature import contact_from, find_signature
    from harvester.understand.text import body_of
    from harvester.understand.types import Kind

    lexicon = load_lexicon()
    totals: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], object]) -> object:
        start = time.perf_counter()
        value = fn()
        totals[name] = totals.get(name, 0.0) + time.perf_counter() - start
        return value

    for data in messages:
        msg = timed("parse", lambda d=data: parse_bytes(d))
        env = timed("envelope", lambda m=msg: envelope_of(m))
        body = timed("body_text", lambda m=msg: body_of(m))
        top = timed("quotes", lambda b=body: own_text(b.text))
        gate = timed("redact", lambda t=top: redact(t))
        kind = timed(
            "classify",
            lambda m=msg, e=env, g=gate: _classify(m, e.sender.email if e.sender else "", g.text, lexicon),
        )
        if kind is Kind.AUTOREPLY:
            timed("autoreply", lambda g=gate, e=env: _autoreply(g.text, e, lexicon))
        block = timed(
            "signature",
            lambda g=gate, e=env: find_signature(g.text, sender=e.sender, lexicon=lexicon),
        )
        timed("contact", lambda b=block, e=env: contact_from(b, sender=e.sender, lexicon=lexicon))
    # Per message of the sample (auto-reply details only run on auto-replies).
    return {k: v / len(messages) * 1000 for k, v in totals.items()}


def main(argv: list[str]) -> None:
    from harvester.understand import understand

    n = int(argv[1]) if len(argv) > 1 else 10_000
    messages = generate(n)
    understand(messages[0])  # warm caches: lexicon load, regex compile, lazy imports
    start = time.perf_counter()
    cpu_start = time.process_time()
    kinds: dict[str, int] = {}
    for data in messages:
        kind = understand(data).kind.value
        kinds[kind] = kinds.get(kind, 0) + 1
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    size = sum(len(m) for m in messages) / n
    print(f"messages: {n}  avg size: {size:.0f} B  kinds: {kinds}")
    print(f"understand(): {n / elapsed:,.0f} msgs/s on one core ({elapsed * 1000 / n:.2f} ms/msg)")
    # CPU time says what one core does when other processes share the machine.
    print(f"  by CPU time: {n / cpu:,.0f} msgs/s ({cpu * 1000 / n:.2f} ms/msg)")
    sample = messages[: min(n, 2000)]
    print("per stage over", len(sample), "messages (ms/msg):")
    for name, ms in _stage_times(sample).items():
        print(f"  {name:<10} {ms:.3f}")


if __name__ == "__main__":
    main(sys.argv)
