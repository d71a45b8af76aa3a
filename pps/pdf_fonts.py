"""The font every PDF of the product is set in (subject access packs, legal extracts, letters):
DejaVu Sans, vendored in ``pps/fonts`` with its licence, so that any name prints whatever its
alphabet."""

from pathlib import Path

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
