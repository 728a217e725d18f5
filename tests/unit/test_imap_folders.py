"""Which folders the IMAP source polls: names and patterns from the config."""

from __future__ import annotations

import pytest

from harvester.sources.imap import match_folders

_FOLDERS = ["INBOX", "Sent", "Drafts", "Projekt/Alfa", "Projekt/Beta", "Arkiv 2025"]


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [
        (["INBOX", "Sent"], ["INBOX", "Sent"]),
        (["inbox"], ["INBOX"]),
        (["sent"], []),
        (["Projekt/*"], ["Projekt/Alfa", "Projekt/Beta"]),
        (["Projekt/?eta", "INBOX"], ["Projekt/Beta", "INBOX"]),
        (["*", "INBOX"], _FOLDERS),
        (["Saknas"], []),
        (["Arkiv 20[0-9][0-9]"], ["Arkiv 2025"]),
    ],
)
def test_folders_are_chosen_by_name_or_pattern_in_config_order(wanted: list[str], chosen: list[str]) -> None:
    assert match_folders(_FOLDERS, wanted) == chosen
