"""Synthetic sign photos for the OCR benchmark: real sign texts, fonts, colours and the
distortions of a photo taken by hand (perspective, rotation, blur, JPEG noise,
uneven light, clutter around the sign).

``make_photo(rng, zh, en, level)`` returns JPEG bytes; the texts come from the
shipped glossary (:func:`sign_texts`). Fonts are Debian's fonts-wqy-microhei,
fonts-noto-cjk, fonts-dejavu-core and fonts-liberation.
"""
from __future__ import annotations

import csv
import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
CJK_FONTS = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # SC
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
]
LATIN_FONTS = [
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf", 0),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 0),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
]
# (background, text, border): white on blue, white on green, black on yellow, red prohibition.
LOOKS = {
    "blue": ((0, 72, 150), (255, 255, 255), None),
    "green": ((0, 115, 70), (255, 255, 255), None),
    "yellow": ((250, 205, 0), (20, 20, 20), (20, 20, 20)),
    "red": ((255, 255, 255), (200, 20, 30), (200, 20, 30)),
}
LEVELS = {
    # rotation (deg), perspective (share of side), blur radius, JPEG quality, light, sign share
    "moderate": {"rotation": 8, "perspective": 0.06, "blur": 1.0, "quality": (55, 85),
                 "light": 0.25, "share": (0.55, 0.8)},
    "strong": {"rotation": 15, "perspective": 0.12, "blur": 1.8, "quality": (35, 60),
               "light": 0.4, "share": (0.45, 0.7)},
}


@dataclass(frozen=True)
class SignText:
    """A sign's Chinese, its English as the standard writes it, and its function."""

    zh: str
    en: str
    function: str


def sign_texts(max_zh: int = 10, max_en: int = 30) -> list[SignText]:
    """Sign wording (not names) from the shipped glossaries that fits on one sign."""
    found = []
    for path in sorted((ROOT / "glossaries").glob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["function"] in ("facility", "warning", "prohibition", "instruction",
                                       "notice") and row["en"] and len(row["zh"]) <= max_zh \
                        and len(row["en"]) <= max_en:
                    found.append(SignText(row["zh"], row["en"], row["function"]))
    return found


def _font(choice: tuple[str, int], size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(choice[0], size, index=choice[1])


def _en_rows(en: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """English lines: the signal word on its own line, long messages wrapped."""
    rows: list[str] = []
    for part in en.split("//"):
        line = ""
        for word in part.split(" "):
            candidate = f"{line} {word}".strip()
            if line and font.getlength(candidate) > width:
                rows.append(line)
                line = word
            else:
                line = candidate
        rows.append(line)
    return rows


def draw_sign(rng: random.Random, text: SignText, look: str) -> Image.Image:
    """The flat sign: Chinese above English (or side by side for short wide signs)."""
    background, ink, border = LOOKS[look]
    width = rng.choice([900, 1000, 1100])
    zh_font = _font(rng.choice(CJK_FONTS), rng.randint(88, 110))
    en_font = _font(rng.choice(LATIN_FONTS), rng.randint(50, 60))
    zh_width = zh_font.getlength(text.zh)
    side_by_side = ("//" not in text.en and rng.random() < 0.25
                    and zh_width + 80 + en_font.getlength(text.en) <= width - 100)
    en_rows = _en_rows(text.en, en_font, width - 120)
    if zh_width > width - 100:
        zh_font = _font(CJK_FONTS[0], int(zh_font.size * (width - 100) / zh_width))
    zh_box = zh_font.getbbox(text.zh)
    en_height = en_font.getbbox("Hg")[3]
    if side_by_side:
        height = int(zh_box[3] * 1.9)
    else:
        height = int(zh_box[3] + len(en_rows) * en_height * 1.35 + 150)
    sign = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(sign)
    if border:
        draw.rectangle([8, 8, width - 9, height - 9], outline=border, width=10)
    if side_by_side:
        gap = 80
        total = zh_font.getlength(text.zh) + gap + en_font.getlength(text.en)
        x = (width - total) / 2
        draw.text((x, (height - zh_box[3]) / 2), text.zh, font=zh_font, fill=ink)
        draw.text((x + zh_font.getlength(text.zh) + gap, (height - en_height) / 2), text.en,
                  font=en_font, fill=ink)
        return sign
    y = 50
    draw.text(((width - zh_font.getlength(text.zh)) / 2, y), text.zh, font=zh_font, fill=ink)
    y += zh_box[3] + 30
    for row in en_rows:
        draw.text(((width - en_font.getlength(row)) / 2, y), row, font=en_font, fill=ink)
        y += en_height * 1.35
    return sign


def _clutter(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A background of wall, railings, shadows and texture (no text)."""
    base = tuple(rng.randint(90, 200) for _ in range(3))
    scene = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(scene)
    for _ in range(rng.randint(15, 35)):
        colour = tuple(max(0, min(255, c + rng.randint(-70, 70))) for c in base)
        x, y = rng.randint(-100, size[0]), rng.randint(-100, size[1])
        if rng.random() < 0.5:
            draw.rectangle([x, y, x + rng.randint(20, 400), y + rng.randint(20, 300)],
                           fill=colour)
        else:
            draw.line([x, y, x + rng.randint(-500, 500), y + rng.randint(-500, 500)],
                      fill=colour, width=rng.randint(2, 14))
    noise = Image.effect_noise(size, rng.randint(10, 30)).convert("RGB")
    return Image.blend(scene, noise, 0.12)


def _perspective_coefficients(source: list[tuple[float, float]],
                              target: list[tuple[float, float]]) -> list[float]:
    """Coefficients for Image.transform(PERSPECTIVE) mapping target → source points."""
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    matrix = np.array(rows, dtype=float)
    vector = np.array([c for point in source for c in point], dtype=float)
    return list(np.linalg.solve(matrix, vector))


def make_photo(rng: random.Random, text: SignText, level: str = "moderate",
               size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A JPEG photo of the sign, in a scene, distorted as a hand-held photo is."""
    params = LEVELS[level]
    look = "red" if text.function == "prohibition" else "yellow" if text.function == \
        "warning" else rng.choice(["blue", "green"])
    sign = draw_sign(rng, text, look)
    scene = _clutter(rng, size)
    share = rng.uniform(*params["share"])
    scale = share * size[0] / sign.width
    if sign.height * scale > 0.85 * size[1]:
        scale = 0.85 * size[1] / sign.height
    sign = sign.resize((int(sign.width * scale), int(sign.height * scale)),
                       Image.Resampling.LANCZOS)
    w, h = sign.size
    jitter = params["perspective"]
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    moved = [(x + rng.uniform(-jitter, jitter) * w, y + rng.uniform(-jitter, jitter) * h)
             for x, y in corners]
    angle = math.radians(rng.uniform(-params["rotation"], params["rotation"]))
    cx, cy = size[0] / 2 + rng.uniform(-0.05, 0.05) * size[0], size[1] / 2
    placed = []
    for x, y in moved:
        dx, dy = x - w / 2, y - h / 2
        placed.append((cx + dx * math.cos(angle) - dy * math.sin(angle),
                       cy + dx * math.sin(angle) + dy * math.cos(angle)))
    coefficients = _perspective_coefficients(corners, placed)
    warped = sign.transform(size, Image.Transform.PERSPECTIVE, coefficients,
                            Image.Resampling.BICUBIC)
    mask = Image.new("L", (w, h), 255).transform(size, Image.Transform.PERSPECTIVE,
                                                 coefficients, Image.Resampling.BILINEAR)
    scene.paste(warped, (0, 0), mask)
    scene = _uneven_light(rng, scene, params["light"])
    blur = rng.uniform(0, params["blur"])
    if blur > 0.2:
        scene = scene.filter(ImageFilter.GaussianBlur(blur))
    buffer = io.BytesIO()
    scene.save(buffer, "JPEG", quality=rng.randint(*params["quality"]))
    return buffer.getvalue()


def _uneven_light(rng: random.Random, image: Image.Image, strength: float) -> Image.Image:
    """A light gradient across the photo (sun on one side, shade on the other)."""
    gradient = Image.linear_gradient("L").rotate(rng.uniform(0, 360), expand=False)
    gradient = gradient.resize(image.size)
    dark = ImageEnhance.Brightness(image).enhance(1 - strength)
    bright = ImageEnhance.Brightness(image).enhance(1 + strength / 2)
    return Image.composite(bright, dark, gradient)
