#!/usr/bin/env python3
"""The board's documents, read by other programs than the one that wrote them.

Usage: check.py DEMO_OUTPUT_DIR STRATEGY_TOML [SCREENSHOT_DIR]

For the demo's annual report of Östersund's strategy (2020):
- pdftotext (poppler) finds the four goals and every target of the strategy file, with
  hyphenation and line breaks normalised;
- pikepdf finds the structure tree (tagged PDF), /MarkInfo /Marked, the document language
  (/Lang), /DisplayDocTitle, a title, PDF/UA and PDF/A identification in the XMP metadata,
  and /Alt on every /Figure structure element;
- pdftoppm renders every page (the first pages are kept as screenshots when a directory is
  given);
- python-docx opens the Word document and finds the same goals and targets as headings
  (Heading 1 and Heading 2), a title and a language, and a text alternative on every picture;
- LibreOffice converts the Word document to PDF without error.
Exits non-zero with a message naming what is missing.
"""

import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import docx  # python-docx
import pikepdf


def fail(msg: str) -> None:
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def norm(s: str) -> str:
    """Text as a reader sees it: hyphenation at line ends undone, all white space one space."""
    s = re.sub(r"\u00ad\s*", "", s)
    # A soft hyphen is dropped (the layout does not hyphenate, but a text may hold one); a
    # hard hyphen at a line's end ("18-" / "24") stays a hyphen.
    s = re.sub(r"(\w)-\n\s*(\w)", r"\1-\2", s)
    s = re.sub(r"\s+", " ", s)
    return s.strip()


def main() -> None:
    out = Path(sys.argv[1])
    strategy = tomllib.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    shots = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    sid = strategy["id"]
    pdf_path = out / f"uppfoljning-{sid}-2020.pdf"
    docx_path = out / f"uppfoljning-{sid}-2020.docx"
    goals = [g["title"] for g in strategy["goals"] if not g.get("parent")]
    targets = [t["text"] for t in strategy["targets"]]
    if len(goals) != 4:
        fail(f"expected Östersund's four goals in the strategy file, found {len(goals)}")

    # pdftotext.
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"],
        check=True, capture_output=True, text=True,
    ).stdout
    flat = norm(text)
    missing = [x for x in goals + targets if norm(x) not in flat]
    if missing:
        fail(f"pdftotext of {pdf_path.name} lacks: {missing}")
    if "Källa: Kolada" not in flat:
        fail("the PDF does not cite «Källa: Kolada»")
    if "Fiktiva demodata" not in flat:
        fail("the PDF does not mark the demo's fictitious figures")
    print(f"pdftotext: {len(goals)} goals and {len(targets)} targets found")

    # pikepdf: the accessibility structure.
    with pikepdf.open(pdf_path) as pdf:
        root = pdf.Root
        if "/StructTreeRoot" not in root:
            fail("no structure tree (the PDF is not tagged)")
        if not bool(root.get("/MarkInfo", {}).get("/Marked", False)):
            fail("/MarkInfo /Marked is not true")
        lang = str(root.get("/Lang", ""))
        if not lang.startswith("sv"):
            fail(f"/Lang is {lang!r}, not Swedish")
        if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
            fail("/ViewerPreferences /DisplayDocTitle is not true")
        with pdf.open_metadata() as meta:
            title = meta.get("dc:title", "")
            if "Uppföljning" not in str(title):
                fail(f"the document title is {title!r}")
            xmp = str(meta)
        if "pdfuaid" not in xmp:
            fail("no PDF/UA identification in the XMP metadata")
        if "pdfaid" not in xmp:
            fail("no PDF/A identification in the XMP metadata")
        figures, without_alt = 0, 0
        seen = set()
        stack = [root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
                continue
            if not isinstance(node, pikepdf.Dictionary):
                continue
            key = node.objgen
            if key != (0, 0):
                if key in seen:
                    continue
                seen.add(key)
            if node.get("/S") == "/Figure":
                figures += 1
                if not str(node.get("/Alt", "")).strip():
                    without_alt += 1
            kids = node.get("/K")
            if kids is not None:
                stack.append(kids)
        if figures < len(targets):
            fail(f"{figures} figures in the structure tree, fewer than the {len(targets)} charts")
        if without_alt:
            fail(f"{without_alt} of {figures} figures have no /Alt")
        pages = len(pdf.pages)
    print(f"pikepdf: structure tree, /Lang {lang}, DisplayDocTitle, PDF/UA and PDF/A ids, "
          f"{figures} figures all with /Alt, {pages} pages")

    # pdftoppm: every page renders.
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf_path), f"{tmp}/p"],
                       check=True, capture_output=True)
        rendered = sorted(Path(tmp).glob("p-*.png"))
        if len(rendered) != pages:
            fail(f"pdftoppm rendered {len(rendered)} of {pages} pages")
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
            for page in (1, 2, 4):
                subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile",
                                "-f", str(page), "-l", str(page),
                                str(pdf_path), str(shots / f"report-pdf-{page}")],
                               check=True, capture_output=True)
    print(f"pdftoppm: {pages} pages rendered")

    # python-docx: the same headings, the title, the language, text alternatives.
    d = docx.Document(str(docx_path))
    headings = [norm(p.text) for p in d.paragraphs
                if p.style is not None and p.style.name in ("Heading 1", "Heading 2")]
    missing = [x for x in goals + targets if norm(x) not in headings]
    if missing:
        fail(f"the DOCX lacks these headings: {missing}")
    if "Uppföljning" not in (d.core_properties.title or ""):
        fail(f"the DOCX's title is {d.core_properties.title!r}")
    if not (d.core_properties.language or "").startswith("sv"):
        fail(f"the DOCX's language is {d.core_properties.language!r}")
    ns = {"wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
    doc_prs = d.element.body.findall(".//wp:docPr", ns)
    if len(doc_prs) < len(targets):
        fail(f"{len(doc_prs)} pictures in the DOCX, fewer than the {len(targets)} charts")
    if any(not (e.get("descr") or "").strip() for e in doc_prs):
        fail("a picture in the DOCX has no text alternative")
    print(f"python-docx: {len(headings)} headings incl. every goal and target, "
          f"{len(doc_prs)} pictures with text alternatives")

    # LibreOffice converts it.
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        fail("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(
            [office, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
             "--convert-to", "pdf", "--outdir", tmp, str(docx_path)],
            capture_output=True, text=True, timeout=300,
        )
        converted = Path(tmp) / (docx_path.stem + ".pdf")
        if r.returncode != 0 or not converted.exists() or converted.stat().st_size < 1000:
            fail(f"LibreOffice could not convert the DOCX: {r.stdout} {r.stderr}")
        text = subprocess.run(["pdftotext", str(converted), "-"],
                              check=True, capture_output=True, text=True).stdout
        if norm(goals[0]) not in norm(text):
            fail("LibreOffice's PDF of the DOCX lacks the first goal")
    print("LibreOffice: converted the DOCX to PDF")
    print("OK")


if __name__ == "__main__":
    main()
