#!/usr/bin/env python3
"""Builds the PDF fixtures that need a second implementation (PyPI: pikepdf, img2pdf, Pillow):

  make.py TEXT.pdf OUTDIR

writes OUTDIR/encrypted.pdf (TEXT.pdf with a user password: it cannot be opened without it),
OUTDIR/owner-only.pdf (TEXT.pdf with only an owner password and printing forbidden: anyone
may open it), and OUTDIR/scanned.pdf (a page that is only an image, as a scanner writes it: no text layer).
"""
import io
import sys

import img2pdf
import pikepdf
from PIL import Image, ImageDraw

text_pdf, out = sys.argv[1], sys.argv[2]
with pikepdf.open(text_pdf) as pdf:
    pdf.save(f"{out}/encrypted.pdf", encryption=pikepdf.Encryption(user="hemligt", owner="ägare", R=4))
with pikepdf.open(text_pdf) as pdf:
    pdf.save(
        f"{out}/owner-only.pdf",
        encryption=pikepdf.Encryption(user="", owner="ägare", R=6, allow=pikepdf.Permissions(print_highres=False)),
    )

# A "scanned" page: black strokes on white, A4 at 100 dpi, as an image and nothing else.
img = Image.new("L", (827, 1169), 255)
draw = ImageDraw.Draw(img)
for row in range(12):
    draw.rectangle((80, 100 + row * 60, 700 - (row % 3) * 90, 120 + row * 60), fill=0)
buf = io.BytesIO()
img.save(buf, format="PNG")
with open(f"{out}/scanned.pdf", "wb") as f:
    f.write(img2pdf.convert(buf.getvalue()))
