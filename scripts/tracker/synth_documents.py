"""Report PDFs made up for the benchmark and the tests: an A4 report with a
running header and page numbers (written with fpdf2), and a long one with
labelled recommendations among pages of filler. Every text is invented."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FILLER = ("The review heard from staff, patients and boards across the country about how leaders are chosen, "
          "trained and supported, and about what gets in the way of good management. ")


class Report(FPDF):
    """An A4 report with a running header and a page number in the footer."""

    def __init__(self, title: str = "Review of leadership in the health service - Final report"):
        super().__init__(format="A4")
        self.running_title = title
        self.set_auto_page_break(True, margin=20)
        self.set_font("Helvetica", size=11)

    def header(self):
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, self.running_title)
        self.ln(10)
        self.set_font("Helvetica", size=11)

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(0, 10, str(self.page_no()), align="C")
        self.set_font("Helvetica", size=11)

    def para(self, text: str, gap: float = 3):
        self.multi_cell(0, 6, text)
        self.ln(gap)

    def filler(self, n: int = 1):
        for _ in range(n):
            self.para(FILLER * 3)

    def heading(self, text: str):
        self.set_font("Helvetica", style="B", size=13)
        self.multi_cell(0, 8, text)
        self.set_font("Helvetica", size=11)
        self.ln(2)

    def save(self, path: Path) -> Path:
        self.output(str(path))
        return path


def bulk_pdf(path: Path, pages: int = 500, every: int = 2) -> Path:
    """A long report (for the benchmark): labelled recommendations on every
    ``every``-th page among pages of filler text and numbered paragraphs."""
    pdf = Report()
    n = 0
    for page in range(1, pages + 1):
        pdf.add_page()
        pdf.para(f"{(page % 9) + 1}.{page % 30 + 1} The review considered the evidence set out in this chapter.")
        if page % every == 0:
            n += 1
            pdf.heading(f"Recommendation {n}: Strengthen leadership measure {n}")
            pdf.para("The responsible body should act on this measure within two years and report on it publicly.")
        pdf.para(FILLER * 8)
    return pdf.save(path)
