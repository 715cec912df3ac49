"""The palette's text colours are readable (WCAG 2.1 AA: 4.5:1 for body text) on every
background of the stylesheet they are written on. The browser sweep (tests/e2e/
test_accessibility.py) checks the rendered pages; this checks the palette itself."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "growth.css"
TEXT = ["--ink", "--ink-soft", "--muted", "--brand-strong"]
BACKGROUNDS = ["--paper", "--canvas", "--brand-tint", "--warn-tint", "--danger-tint",
               "--info-tint"]


def _palette() -> dict[str, str]:
    root = re.search(r":root\s*\{(.*?)\}", CSS.read_text(encoding="utf-8"), re.S)[1]
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", root))


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_ratio_matches_the_wcag_definition():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("text", TEXT)
def test_text_colours_reach_4_5_to_1_on_every_background(text):
    palette = _palette()
    low = {background: round(contrast(palette[text], palette[background]), 2)
           for background in BACKGROUNDS
           if contrast(palette[text], palette[background]) < 4.5}
    assert not low, f"{text} {palette[text]} is below 4.5:1 on {low}"
