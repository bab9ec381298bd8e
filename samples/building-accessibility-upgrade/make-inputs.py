#!/usr/bin/env python3
"""Writes the sample's PDF and DOCX inputs, byte for byte reproducibly, with the standard library.

    python3 samples/building-accessibility-upgrade/make-inputs.py

inputs/outline-cost-plan.pdf            the cost consultant's outline cost plan (3 pages)
inputs/stakeholder-workshop-record.docx the stakeholder workshop record (headings, paragraphs)

The PDF is written object by object (Helvetica, WinAnsiEncoding, one content stream per page,
a correct xref table), so poppler's pdftotext reads it page by page. The DOCX is the smallest
WordprocessingML package Word and LibreOffice open: content types, relationships, document.xml
with Heading1/Heading2 paragraph styles, and styles.xml defining them. Timestamps are fixed so
the files do not change when the script is run again.
"""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(HERE, "inputs")

COST_PLAN = [
    [
        ("h", "Outline Cost Plan - Phased Accessibility Programme"),
        ("t", "Building Accessibility Upgrade (abc123)"),
        ("t", "Prepared by the cost consultant for the Estates and Facilities Directorate"),
        ("t", "Issue 1, 3 March 2025. Prices at 2024-25 levels, excluding VAT."),
        ("", ""),
        ("b", "1. Summary"),
        ("t", "Capital cost of the phased programme, central estimate: \xa313.2m."),
        ("t", "Range: \xa311.8m (low) to \xa314.5m (high), reflecting listed building consent"),
        ("t", "outcomes and lift market capacity."),
        ("t", "Whole-life cost over 25 years: \xa319.6m, being capital \xa313.2m plus"),
        ("t", "\xa36.4m for lift maintenance and the lifecycle replacement of hearing loops,"),
        ("t", "door operators and signage."),
        ("", ""),
        ("b", "2. Basis of the estimate"),
        ("t", "Quantities from the access audit (December 2024), the 2024 condition survey"),
        ("t", "and the lift asset register. Rates from recent public sector framework"),
        ("t", "tenders in the region. Phase 1 runs 2025/26 to 2026/27; Phase 2 runs"),
        ("t", "2027/28 to 2029/30. No decant of staff is assumed."),
    ],
    [
        ("b", "3. Phase 1 - the five highest-priority public-facing sites"),
        ("t", "Old Town Hall (Grade II*): platform lift, ramped entrance, 2 loops: \xa32.05m"),
        ("t", "Queen's Buildings (Grade II): 1 lift, entrance works, toilets: \xa31.70m"),
        ("t", "Northgate House: replace 4 lifts, refuge intercoms: \xa31.80m"),
        ("t", "Riverside Court: replace 3 lifts, toilets, signage: \xa31.30m"),
        ("t", "Harbour Road Centre: step-free entrance, loops, signage: \xa30.75m"),
        ("t", "Phase 1 construction subtotal: \xa37.60m"),
        ("", ""),
        ("t", "Lift replacement is 52% of the Phase 1 cost. Lead time for new lifts is"),
        ("t", "currently 26 to 32 weeks from order."),
    ],
    [
        ("b", "4. Phase 2 - the remaining six sites"),
        ("t", "Market Square Annexe (Grade II): new lift to east block, entrance: \xa30.95m"),
        ("t", "Castle Street Office (Grade II): new lift, entrance: \xa30.80m"),
        ("t", "Station Road Offices: replace 2 lifts: \xa30.60m"),
        ("t", "Westbrook Records Store: new lift, step-free entrance: \xa30.55m"),
        ("t", "Eastfield Depot: toilets, stair nosings: \xa30.15m"),
        ("t", "Parkside Training Centre: loops, stair nosings: \xa30.15m"),
        ("t", "Phase 2 construction subtotal: \xa33.20m"),
        ("", ""),
        ("b", "5. Programme total"),
        ("t", "Construction (Phases 1 and 2): \xa310.80m"),
        ("t", "Professional fees (12%): \xa31.30m"),
        ("t", "Listed building consent and surveys: \xa30.15m"),
        ("t", "Risk allowance: \xa30.95m"),
        ("t", "Total capital, central estimate: \xa313.20m"),
        ("", ""),
        ("t", "The risk allowance is held centrally. The largest risks are consent conditions"),
        ("t", "at the four listed sites and lift prices, which rose 9% in 2024."),
    ],
]


def pdf_string(text):
    """A PDF literal string in WinAnsiEncoding (Latin-1 covers the characters used)."""
    raw = text.encode("latin-1")
    out = b""
    for byte in raw:
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte < 0x20 or byte > 0x7E:
            out += b"\\%03o" % byte
        else:
            out += bytes([byte])
    return b"(" + out + b")"


def make_pdf(pages):
    objects = []  # object number - 1 -> bytes

    def add(body):
        objects.append(body)
        return len(objects)

    catalog = add(None)
    pages_obj = add(None)
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    page_ids = []
    for number, lines in enumerate(pages, start=1):
        ops = [b"BT", b"/F1 10 Tf", b"14 TL", b"56 780 Td"]
        for kind, text in lines:
            if kind == "h":
                ops += [b"/F2 14 Tf", pdf_string(text) + b" Tj", b"T*", b"/F1 10 Tf"]
            elif kind == "b":
                ops += [b"/F2 11 Tf", pdf_string(text) + b" Tj", b"T*", b"/F1 10 Tf"]
            elif kind == "t":
                ops += [pdf_string(text) + b" Tj", b"T*"]
            else:
                ops += [b"T*"]
        ops += [b"ET", b"BT", b"/F1 8 Tf", b"56 40 Td", pdf_string("Outline cost plan, page %d of %d" % (number, len(pages))) + b" Tj", b"ET"]
        stream = b"\n".join(ops) + b"\n"
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
        page_ids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_obj, font, bold, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))

    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    return out


WORKSHOP = [
    ("Heading1", "Stakeholder workshop record"),
    (None, "Building Accessibility Upgrade (abc123). Workshop held on 4 February 2025 at Northgate House, "
     "chaired by the business case lead. Notes agreed by attendees on 11 February 2025."),
    ("Heading1", "Attendees"),
    (None, "Head of Estates; Estates Compliance Manager; Chair and estates lead of the Disability Staff Network; "
     "Finance business partner; Head of Health and Safety; two site managers (Old Town Hall, Riverside Court)."),
    ("Heading1", "Discussion"),
    ("Heading2", "Evacuation"),
    (None, "All agreed that safe evacuation comes first. Refuge communication systems are absent or faulty in "
     "9 buildings, and 14 of 37 PEEPs have not been reviewed or tested in the last 12 months."),
    (None, "Health and Safety will review every PEEP by the end of March 2025, ahead of any capital works."),
    ("Heading2", "Lifts"),
    (None, "Northgate House had 11 lift call-outs in December and January. The network asked that lift "
     "replacement there is the first package of Phase 1; Estates agreed, subject to the 26 to 32 week lead time."),
    ("Heading2", "Entrances at listed sites"),
    (None, "Old Town Hall and Queen's Buildings need listed building consent for ramped entrances. The "
     "conservation officer has been approached; pre-application advice is expected in April 2025."),
    ("Heading2", "Phasing and cost"),
    (None, "Finance asked whether the phased programme can be funded within the capital envelope. The outline "
     "cost plan gives a central estimate of \u00a313.2m (range \u00a311.8m to \u00a314.5m); Finance will test "
     "this against the 5-year capital plan."),
    (None, "The network asked that the do-minimum option is not described as compliance in the business case."),
    ("Heading1", "Agreed actions"),
    (None, "1. Health and Safety to review all PEEPs by 31 March 2025."),
    (None, "2. Estates to order the Northgate House lifts once the business case is approved at Gate 0."),
    (None, "3. The network to nominate two members for each phase's design reviews."),
    (None, "4. Finance to report affordability of the phased option to the next programme board."),
]


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_docx(path, paragraphs):
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = []
    for style, text in paragraphs:
        props = '<w:pPr><w:pStyle w:val="%s"/></w:pPr>' % style if style else ""
        body.append('<w:p>%s<w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % (props, xml_escape(text)))
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        "<w:document %s><w:body>%s<w:sectPr/></w:body></w:document>" % (w, "".join(body))
    )
    styles = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        "<w:styles %s>"
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>'
        '<w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/>'
        '<w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/></w:rPr></w:style>'
        "</w:styles>" % w
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/word/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    document_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in [
            ("[Content_Types].xml", content_types),
            ("_rels/.rels", rels),
            ("word/document.xml", document),
            ("word/_rels/document.xml.rels", document_rels),
            ("word/styles.xml", styles),
        ]:
            info = zipfile.ZipInfo(name, date_time=(2025, 2, 11, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))


if __name__ == "__main__":
    with open(os.path.join(INPUTS, "outline-cost-plan.pdf"), "wb") as f:
        f.write(make_pdf(COST_PLAN))
    make_docx(os.path.join(INPUTS, "stakeholder-workshop-record.docx"), WORKSHOP)
    print("wrote inputs/outline-cost-plan.pdf and inputs/stakeholder-workshop-record.docx")
