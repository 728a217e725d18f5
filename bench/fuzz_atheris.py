"""Coverage-guided fuzzing of `understand()` with atheris (libFuzzer), for runs longer than CI's.

The hypothesis tests in tests/robustness/ run a few hundred mutated messages on every
CI run; this script lets libFuzzer explore for minutes or hours, guided by coverage of
harvester.understand and the stdlib email package. A finding is any exception escaping
`understand()`, or an output that breaks the inspect contract
(tests/robustness/contract.py); libFuzzer then writes the input to `crash-<sha1>`.

Seeds: examples/mail/*.eml plus the small pathological messages of
tests/robustness/corpus.py, written to the corpus directory on first use.

Install and run (atheris has wheels for CPython 3.11 on x86-64 Linux; it is not a
project dependency):

    pip install atheris
    python bench/fuzz_atheris.py -max_total_time=600             # stops at the first finding
    python bench/fuzz_atheris.py -max_total_time=3600 -fork=2 -ignore_crashes=1 \
        -artifact_prefix=/tmp/harvester-fuzz-                    # keeps going, collects findings
    python bench/fuzz_atheris.py crash-<sha1>                    # replay one finding

The corpus lives in $TMPDIR/harvester-fuzz-corpus (outside the repository) and grows
between runs. Any libFuzzer flag works (-jobs, -max_len, -rss_limit_mb=2048, ...). When
atheris cannot be installed, run the hypothesis suite long instead:
`HYPOTHESIS_PROFILE=long pytest tests/robustness/test_fuzz_understand.py` (×50 examples).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import atheris  # noqa: E402 - only this script needs it

with atheris.instrument_imports(include=["harvester", "email"]):
    from harvester.understand import understand

from tests.robustness.contract import check_inspect_object  # noqa: E402
from tests.robustness.corpus import BUILDERS, OWN_DOMAINS, SEEDS  # noqa: E402

CORPUS = Path(tempfile.gettempdir()) / "harvester-fuzz-corpus"
_SMALL = ("header_only", "body_only", "nul_bytes", "bad_charsets", "invalid_dates", "raw_utf8_headers")


def seed_corpus() -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name, data in SEEDS.items():
        (CORPUS / name).write_bytes(data)
    for name in _SMALL:
        (CORPUS / f"{name}.eml").write_bytes(BUILDERS[name]())


def test_one_input(data: bytes) -> None:
    result = understand(data, path="fuzz.eml", own_domains=OWN_DOMAINS)
    check_inspect_object(result.to_json(), own_domains=OWN_DOMAINS)


def main() -> None:
    argv = list(sys.argv)
    if not any(not a.startswith("-") for a in argv[1:]):
        seed_corpus()
        argv.append(str(CORPUS))
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
