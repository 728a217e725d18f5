"""Coverage areas come from title words (compounds included), else organisation words."""

from __future__ import annotations

import pytest

from harvester.understand.coverage import coverage_of, slugs

SHIPPED = {
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
}


def test_shipped_taxonomy_has_the_contract_slugs() -> None:
    assert SHIPPED <= set(slugs())


@pytest.mark.parametrize(
    ("title", "organization", "expected"),
    [
        ("Kulturredaktör", "Sveriges Radio P2", ["culture_general"]),
        ("Musikjournalist", None, ["music"]),
        ("Nöjesreporter", "Kvällsposten", ["entertainment"]),
        ("Filmkritiker", None, ["film"]),
        ("TV-producent", None, ["tv"]),
        ("Teaterkritiker", None, ["theatre"]),
        ("Dansrecensent", None, ["dance"]),
        ("Bokrecensent", None, ["literature"]),
        ("Konstkritiker", None, ["art"]),
        ("Operachef", None, ["classical_music"]),
        ("Modejournalist", None, ["lifestyle"]),
        ("Nyhetsreporter", None, ["news"]),
        ("Kultur- och nöjesredaktör", None, ["culture_general", "entertainment"]),
        ("Kulturjournalist", "Dagens Nyheter", ["culture_general"]),
        ("Reporter", "Nöjesguiden", ["entertainment"]),
        ("Kulttuuritoimittaja", None, ["culture_general"]),
        ("Musikkjournalist", "NRK", ["music"]),
        ("Redaktør", "Dansk Radio", []),
        ("Kommunikationschef", "Stadsteatern AB", ["theatre"]),
        ("Pressansvarig", "Göteborgsoperan", ["classical_music"]),
        ("Pressansvarig", "Automat AB", []),
        ("Moderator", None, []),
        ("Operations manager", None, []),
        (None, None, []),
    ],
)
def test_titles_and_organisations_map_to_slugs(
    title: str | None, organization: str | None, expected: list[str]
) -> None:
    assert coverage_of(title, organization) == expected
