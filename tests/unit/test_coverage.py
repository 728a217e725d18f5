"""Coverage areas come from title words (compounds included), else organisation words."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.understand.coverage import coverage_of, coverage_of_contact, is_press_role, slugs

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
def test_written_title_and_coverage_words_map_to_slugs(texts: list[str | None], expected: list[str]) -> None:
    assert coverage_of(texts) == expected


@pytest.mark.parametrize(
    ("title", "beats", "expected"),
    [
        # Press people: their title's words give coverage.
        ("Jazzskribent", [], ["music"]),
        ("Filmanmelder", [], ["film"]),
        ("Teatterikriitikko", [], ["theatre"]),
        ("Arts Correspondent", [], ["culture_general"]),
        ("Poddare, film", [], ["film"]),
        ("Kultursjef", [], ["culture_general"]),
        ("Programansvarig dans", [], ["dance"]),
        ("Books Editor", [], ["literature"]),
        # Artists, musicians, composers, bookers, managers: their own title covers nothing.
        ("Tonsättare och pianist, klassisk musik", [], []),
        ("Musiker och låtskrivare", [], []),
        ("Songwriter", [], []),
        ("Teaterchef", [], []),
        ("Konstnär", [], []),
        ("Dansare", [], []),
        ("Bokare, jazzklubb", [], []),
        ("Operasångerska", [], []),
        # An explicit beat line counts whoever writes it.
        ("Kompositör", ["Bevakar: film och tv"], ["film", "tv"]),
        (None, ["Covers: theatre"], ["theatre"]),
    ],
)
def test_only_a_press_title_or_a_beat_line_gives_coverage(
    title: str | None, beats: list[str], expected: list[str]
) -> None:
    assert coverage_of_contact(title, beats) == expected


def test_an_override_without_press_roles_uses_the_shipped_gate(tmp_path: Path) -> None:
    (tmp_path / "coverage.toml").write_text('[podcasts]\nwords = ["podd*"]\n', encoding="utf-8")
    assert is_press_role("Poddredaktör", rules_dir=tmp_path)
    assert coverage_of_contact("Poddredaktör", [], rules_dir=tmp_path) == ["podcasts"]
    assert coverage_of_contact("Poddartist", [], rules_dir=tmp_path) == []
