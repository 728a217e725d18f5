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
    ("texts", "expected"),
    [
        (["Kulturredaktör"], ["culture_general"]),
        (["Musikjournalist"], ["music"]),
        (["Nöjesreporter"], ["entertainment"]),
        (["Filmkritiker"], ["film"]),
        (["TV-producent"], ["tv"]),
        (["Teaterkritiker"], ["theatre"]),
        (["Dansrecensent"], ["dance"]),
        (["Bokrecensent"], ["literature"]),
        (["Konstkritiker"], ["art"]),
        (["Operachef"], ["classical_music"]),
        (["Producent, Sveriges Radio P2"], ["classical_music"]),
        (["Producent, klassisk musik"], ["classical_music"]),
        (["Musikredaktör, klassisk musik och jazz"], ["music", "classical_music"]),
        (["Livsstilsredaktör"], ["lifestyle"]),
        (["Nyhetsreporter"], ["news"]),
        (["Kultur- och nöjesredaktör"], ["culture_general", "entertainment"]),
        (["Redaktör", "Bevakar film och tv"], ["film", "tv"]),
        (["Kulttuuritoimittaja"], ["culture_general"]),
        (["Musikkjournalist"], ["music"]),
        (["Redaktør"], []),
        (["Reporter"], []),
        (["Kommunikationschef"], []),
        (["Moderator"], []),
        (["Operations manager"], []),
        ([None], []),
    ],
)
def test_written_title_and_coverage_words_map_to_slugs(
    texts: list[str | None], expected: list[str]
) -> None:
    assert coverage_of(texts) == expected
