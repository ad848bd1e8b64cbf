"""Fictional artwork for the demo template and the benchmark: a force crest and a signature.

Drawn with Pillow at print resolution (300 dpi for their printed size), like the PNGs a force
would upload, so the benchmark pays the same image costs as a real template.
"""

import io
import math

from PIL import Image, ImageDraw


def crest_png(colour=(29, 53, 87), accent=(69, 123, 157)):
    """A shield with a star: about 20 mm tall at 300 dpi."""
    size = 600
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    shield = [(90, 60), (510, 60), (510, 300), (300, 560), (90, 300)]
    draw.polygon(shield, fill=colour)
    inner = [(120, 90), (480, 90), (480, 290), (300, 520), (120, 290)]
    draw.polygon(inner, outline=(255, 255, 255, 255), width=8)
    centre, outer_r, inner_r = (300, 270), 150, 62
    points = []
    for i in range(16):
        radius = outer_r if i % 2 == 0 else inner_r
        angle = math.pi / 2 + i * math.pi / 8
        points.append((centre[0] + radius * math.cos(angle), centre[1] - radius * math.sin(angle)))
    draw.polygon(points, fill=(255, 255, 255, 255))
    draw.ellipse((250, 220, 350, 320), fill=accent)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def signature_png():
    """A pen signature on a transparent background: about 70 mm wide at 300 dpi."""
    width, height = 820, 200
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = []
    for x in range(40, 780, 4):
        t = x / 60
        y = 110 + 45 * math.sin(t) * math.cos(t / 3) + 18 * math.sin(t * 3.1)
        points.append((x, y))
    draw.line(points, fill=(20, 30, 80, 255), width=7, joint="curve")
    draw.line([(60, 165), (700, 150)], fill=(20, 30, 80, 255), width=5)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
