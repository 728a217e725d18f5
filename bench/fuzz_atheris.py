"""Coverage-guided fuzzing of `understand()` with atheris (libFuzzer), for runs longer than CI's.

The hypothesis tests in tests/robustness/ run a few hundred mutated messages on every
CI run; this script lets libFuzzer explore for minutes or hours, guided by coverage of
harvester.understand and the stdlib email package. A finding is any exception escaping
`understand()`, or an output that breaks the inspect contract
(tests/robustness/contract.py).

By default the run stops at the first finding and libFuzzer writes the input to
`crash-<sha1>`. With `--keep-going` each new kind of finding (exception type, or the
first contract problem's field) is printed once with its input written to
$TMPDIR/harvester-fuzz-findings/, and fuzzing goes on: known bugs do not hide new ones.
(libFuzzer's own -fork/-ignore_crashes mode does not work with atheris here: every job
"crashes" at start.)

Seeds: examples/mail/*.eml plus the small pathological messages of
tests/robustness/corpus.py, written to the corpus directory on first use.

Install and run (atheris has wheels for CPython 3.11 on x86-64 Linux; it is not a
project dependency):

    pip install atheris
    python bench/fuzz_atheris.py -max_total_time=600              # stops at the first finding
    python bench/fuzz_atheris.py --keep-going -max_total_time=3600  # collects every kind of finding
    python bench/fuzz_atheris.py crash-<sha1>                     # replay one finding

The corpus lives in $TMPDIR/harvester-fuzz-corpus (outside the repository) and grows
between runs. Any libFuzzer flag works (-jobs, -max_len, -rss_limit_mb=2048, ...). When
atheris cannot be installed, run the hypothesis suite long instead:
`HYPOTHESIS_PROFILE=long pytest tests/robustness/test_fuzz_understand.py` (×50 examples).
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import atheris  # noqa: E402 - only this script needs it

with atheris.instrument_imports(include=["harvester", "email"]):
    from harvester.understand import understand

from tests.robustness.contract import ContractViolation, check_inspect_object  # noqa: E402
from tests.robustness.corpus import BUILDERS, OWN_DOMAINS, SEEDS  # noqa: E402

CORPUS = Path(tempfile.gettempdir()) / "harvester-fuzz-corpus"
_SMALL = ("header_only", "body_only", "nul_bytes", "bad_charsets", "invalid_dates", "raw_utf8_headers")


def seed_corpus() -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name, data in SEEDS.items():
        (CORPUS / name).write_bytes(data)
    for name in _SMALL:
        (CORPUS / f"{name}.eml").write_bytes(BUILDERS[name]())


FINDINGS = Path(tempfile.gettempdir()) / "harvester-fuzz-findings"
_seen: set[str] = set()
_runs = [0]


def test_one_input(data: bytes) -> None:
    result = understand(data, path="fuzz.eml", own_domains=OWN_DOMAINS)
    check_inspect_object(result.to_json(), own_domains=OWN_DOMAINS)


def _signature(exc: BaseException) -> str:
    if isinstance(exc, ContractViolation):
        return "contract:" + str(exc).split(":", 1)[0]
    return f"exception:{type(exc).__name__}"


def test_one_input_keep_going(data: bytes) -> None:
    _runs[0] += 1
    try:
        test_one_input(data)
    except Exception as exc:
        signature = _signature(exc)
        if signature not in _seen:
            _seen.add(signature)
            FINDINGS.mkdir(parents=True, exist_ok=True)
            path = FINDINGS / f"{signature.replace(':', '-')}-{hashlib.sha1(data).hexdigest()[:12]}"
            path.write_bytes(data)
            print(
                f"FINDING #{len(_seen)} after {_runs[0]} runs: {signature}: {exc!s:.300} -> {path}",
                flush=True,
            )


def main() -> None:
    argv = list(sys.argv)
    keep_going = "--keep-going" in argv
    if keep_going:
        argv.remove("--keep-going")
    if not any(not a.startswith("-") for a in argv[1:]):
        seed_corpus()
        argv.append(str(CORPUS))
    atheris.Setup(argv, test_one_input_keep_going if keep_going else test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
