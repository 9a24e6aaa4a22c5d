"""Report documents made for the tests: PDFs written with fpdf2 in the layouts
real reviews use, with running headers, footers, page numbers and the other
numbered things a report holds; and small HTML pages. Every text here is
invented for the tests."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from tracker.synth_documents import FILLER, Report, bulk_pdf  # noqa: F401  (shared with the benchmark)


def labelled_pdf(path: Path) -> Path:
    """'Recommendation N' headings in three styles, a table of contents that
    names them, a findings list, numbered paragraphs, a hyphenated word, and
    recommendation 3 running over a page break."""
    pdf = Report()
    pdf.add_page()
    pdf.heading("Contents")
    pdf.para("Recommendation 1: Publish a leadership code ........ 3\nRecommendation 2: Train every new manager ........ 3")
    pdf.heading("Findings")
    pdf.para("1. Boards rarely review how managers are appointed.\n2. Training is patchy and unaccredited.")
    pdf.add_page()
    pdf.para("2.3 The board of each trust told us that it wanted clearer standards.")
    pdf.filler()
    pdf.add_page()
    pdf.heading("Recommendation 1: Publish a leadership code")
    pdf.para("The department should publish a single code of conduct for senior leaders, agreed with staff side bodies, "
             "and set out how each organi-\nsation will report against it every year.")
    pdf.heading("Recommendation 2.")
    pdf.para("Train every new manager\nEvery person appointed to a management role should complete an accredited "
             "induction course within six months.")
    pdf.para("4.1.2 Several trusts already run such courses.")
    pdf.filler(6)
    pdf.heading("Recommendation 3")
    pdf.para("Appraise boards every year\nBoards should be appraised each year by an independent assessor, and the results "
             "published. " + "The appraisal should cover chairs and non-executive directors as well as executives. " * 8)
    pdf.heading("Chapter 5 What happens next")
    pdf.filler(2)
    return pdf.save(path)


def table_pdf(path: Path, rows: int = 40) -> Path:
    """A table of recommendations (No., Recommendation, Lead) running over
    several pages with its header row repeated, then numbered paragraphs."""
    pdf = Report()
    pdf.add_page()
    pdf.heading("Table of recommendations")
    with pdf.table(col_widths=(12, 130, 38), first_row_as_headings=True, repeat_headings=1) as table:
        table.row(["No.", "Recommendation", "Lead"])
        for n in range(1, rows + 1):
            long = " Progress should be reported to the board each quarter and published." * (n % 3)
            table.row([str(n), f"Measure number {n} for the leadership of services.{long}", "DHSC"])
    pdf.ln(4)
    pdf.para("3.1 The review then turned to the regulators.")
    pdf.filler(2)
    return pdf.save(path)


def short_labels_pdf(path: Path) -> Path:
    pdf = Report()
    pdf.add_page()
    pdf.para("R1. Set up a national talent pool for chief executives.")
    pdf.filler()
    pdf.para("R2. Give every board a development plan.")
    pdf.para("Rec 3: Pay senior leaders in challenged trusts a premium.")
    pdf.para("R4 Report progress to Parliament each year.")
    pdf.filler()
    return pdf.save(path)


def plain_list_pdf(path: Path) -> Path:
    """Terms of reference as a numbered list, then 'Our recommendations' as a
    numbered list, then a numbered list of findings."""
    pdf = Report()
    pdf.add_page()
    pdf.heading("Terms of reference")
    pdf.para("1. To examine how leaders are developed.\n2. To make recommendations to the Secretary of State.")
    pdf.heading("Our recommendations")
    pdf.para("1. Create one framework of management standards for every level.\n"
             "2. Make induction for new managers compulsory, with a course\nthat leads to a recognised qualification.\n"
             "3. Review the pay of senior managers every three years.")
    pdf.heading("Findings")
    pdf.para("1. Management standards vary between trusts.\n2. Induction is often skipped.")
    pdf.filler()
    return pdf.save(path)


def image_only_pdf(path: Path) -> Path:
    from PIL import Image

    image = Image.new("RGB", (200, 280), "white")
    pdf = FPDF(format="A4")
    for _ in range(2):
        pdf.add_page()
        pdf.image(image, x=10, y=10, w=190)
    pdf.output(str(path))
    return path


def encrypted_pdf(path: Path) -> Path:
    from fpdf.enums import EncryptionMethod

    pdf = Report()
    pdf.set_encryption(owner_password="owner", user_password="reader", encryption_method=EncryptionMethod.RC4)
    pdf.add_page()
    pdf.para("Recommendation 1: Something secret.")
    return pdf.save(path)


GOVUK_HTML = """<!DOCTYPE html><html lang="en"><head><title>Report - GOV.UK</title>
<script>var x = "Recommendation 9: not this";</script></head><body>
<header><nav><a href="/">Home</a></nav></header>
<main><div class="govspeak">
<h2 id="summary">Summary</h2><p>Placeholder summary &amp; context.</p>
<h2 id="terms-of-reference">Terms of reference</h2><ol><li>Look at leadership.</li><li>Report by June.</li></ol>
<h2 id="recommendations">Recommendations</h2>
<h3 id="recommendation-1">Recommendation 1: A single set of management standards</h3>
<p>All managers should be held to one set of published standards.</p>
<h3 id="recommendation-2">Recommendation 2: Accredited training</h3>
<p>Training against the standards should lead to a recognised qualification.</p>
<p>Providers should pay for it.</p>
<h2 id="annex">Annex A</h2><p>2.3 Not a recommendation.</p>
</div></main><footer>Footer text</footer></body></html>"""

ORDERED_LIST_HTML = """<html><body><h1 id="top">A report</h1>
<h2 id="findings">Our findings</h2><ol><li>Findings come first.</li><li>They are not recommendations.</li></ol>
<h2 id="our-recommendations">Our recommendations</h2>
<ol><li><p>Create a national leadership academy.</p></li>
<li>Publish board appraisal results<ul><li>each year</li><li>for every trust</li></ul></li>
<li>Fund management training centrally.</li></ol>
<h2 id="next">Next steps</h2><ol><li>Ministers will respond.</li></ol></body></html>"""
