"""Speed of the kind stage's pure functions: parse_until and classify (prints figures).

Run: python bench/dates_speed.py [N]. No assertions: figures for the closing note
(the target from shared/LIBRARIES.md §4 is parse_until under ~1 ms typical).
"""

from __future__ import annotations

import sys
import time
from datetime import datetime

from harvester.understand.classify import classify
from harvester.understand.dates import parse_until
from harvester.understand.lexicon import load_lexicon
from harvester.understand.parse import parse_bytes

SENT = datetime(2026, 3, 20, 9, 0)
TEXTS = [
    "Hej! Jag är på semester t.o.m. 14/8 och läser inte min e-post.",
    "Jag har semester v. 32. Tips till musikredaktionen: musik@gp.example.",
    "Thank you for your email. I'm on annual leave and back on Monday 24 August.",
    "Jeg er på ferie til og med 14. august. Haster det, ta kontakt med kulturdesken.",
    "Olen lomalla 2.8. asti. Kiireellisissä asioissa ota yhteyttä toimitukseen.",
    "Jag är ledig idag och svarar på mejl i morgon.",  # dateparser path
    "Tack för ditt mejl, jag svarar så snart jag kan.",  # no date
    "Hej Karin! Tack för inbjudan, vi ses på Storgatan 12, 111 22 Stockholm kl 14.00.",
]
MAIL = (
    b"From: Erik Ek <erik.ek@dagbladet.example>\nTo: karin@pr-byran.example\n"
    b"Subject: Automatiskt svar: Pressinbjudan\nAuto-Submitted: auto-replied\n"
    b"Content-Type: text/plain; charset=utf-8\n\nJag \xc3\xa4r p\xc3\xa5 semester.\n"
)


def _per_call(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    lex = load_lexicon()
    t0 = time.perf_counter()
    parse_until(TEXTS[0], sent_at=SENT, lexicon=lex)
    print(f"first parse_until (compiles the grammar): {(time.perf_counter() - t0) * 1000:.1f} ms")
    for text in TEXTS:
        parse_until(text, sent_at=SENT, lexicon=lex)  # warm dateparser per language
    total = 0.0
    for text in TEXTS:
        each = _per_call(lambda t=text: parse_until(t, sent_at=SENT, lexicon=lex), n)
        total += each
        print(f"  {each * 1000:7.3f} ms  {text[:60]!r}")
    print(f"parse_until mean: {total / len(TEXTS) * 1000:.3f} ms/parse")
    msg = parse_bytes(MAIL)
    text = "Jag är på semester."
    each = _per_call(lambda: classify(msg, sender="erik.ek@dagbladet.example", text=text, lexicon=lex), n)
    print(f"classify: {each * 1e6:.0f} µs/message ({1 / each:,.0f} msgs/s)")


if __name__ == "__main__":
    main()
