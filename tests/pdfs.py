"""Real PDFs made for tests with fpdf2: multi-page, encrypted, image-only."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF


def make_pdf(path: Path, pages: list[list[str]], title: str | None = None,
             user_password: str | None = None) -> Path:
    """Each page is a list of paragraphs; a paragraph starting with '# ' is a heading line."""
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    if user_password:
        pdf.set_encryption(owner_password="owner", user_password=user_password)
    for paragraphs in pages:
        pdf.add_page()
        for para in paragraphs:
            if para.startswith("# "):
                pdf.set_font("Helvetica", "B", 14)
                pdf.multi_cell(0, 8, para[2:])
            else:
                pdf.set_font("Helvetica", "", 11)
                pdf.multi_cell(0, 6, para)
            pdf.ln(4)
    pdf.output(str(path))
    return path


def make_blank_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF whose pages carry no text at all (like a scan without OCR)."""
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.rect(20, 20, 50, 50)
    pdf.output(str(path))
    return path


BRIEFING_PAGES = [
    ["# Seven Minute Briefing: Neglect",
     "This briefing summarises what practitioners need to know about recognising neglect in babies and young children.",
     "# Why it matters",
     "Neglect is the most common reason for a child protection plan. Practitioners should look for a pattern of "
     "unmet needs over time rather than a single incident."],
    ["# What to do",
     "Use the graded care profile to record what you see. Share your concerns with your designated safeguarding lead "
     "on the same day and agree who will make the referral to the Children's Hub."],
    ["# Further reading",
     "The Tees neglect strategy sets out how partners will respond together. Training on neglect is offered every quarter."],
]
