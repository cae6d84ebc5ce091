"""Word, Excel and PDF documents (kg.formats): what they read as, and how bad files are refused."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest

from kg.errors import IngestError
from kg.extract import extract_document
from kg.ingest import fold_width, ingest_file, ingest_text, iter_documents

# --------------------------------------------------------------------------------------------
# PDFs written for the tests: justified paragraphs, a running head and foot, ruled tables


def _pdf(path, flow, *, head="某某市发展和改革委员会", pages_min=1):
    """Write ``flow`` (("title", s), ("para", s), ("table", rows, widths)) to an A4 PDF in
    STSong-Light 12 pt, 72 pt margins: paragraphs justified with a first-line indent of two
    characters and broken over pages, table rows ruled and continued on the next page
    without their header, ``head`` and a page number on every page."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font, fs, left, width, top, bottom = "STSong-Light", 12.0, 72.0, 451.0, 770.0, 72.0
    c = canvas.Canvas(str(path))
    state = {"y": top, "page": 1}

    def frame():
        c.setFont(font, 9)
        if head:
            c.drawCentredString(left + width / 2, 805, head)
        c.drawCentredString(left + width / 2, 40, f"- {state['page']} -")
        c.setFont(font, fs)

    def newline(step):
        state["y"] -= step
        if state["y"] < bottom:
            c.showPage()
            state["page"] += 1
            state["y"] = top
            frame()

    def draw(x, s, span=None):
        t = c.beginText(x, state["y"])
        t.setFont(font, fs)
        if span is not None and len(s) > 1:  # justified: spread the characters over the span
            t.setCharSpace((span - pdfmetrics.stringWidth(s, font, fs)) / (len(s) - 1))
        t.textOut(s)
        c.drawText(t)

    frame()
    for item in flow:
        if item[0] == "title":  # centred, 18 pt, over as many lines as it needs
            text = item[1]
            while text:
                n = len(text)
                while pdfmetrics.stringWidth(text[:n], font, 18) > width:
                    n -= 1
                c.setFont(font, 18)
                c.drawCentredString(left + width / 2, state["y"], text[:n])
                c.setFont(font, fs)
                text = text[n:]
                newline(1.5 * 18)
            newline(fs)
        elif item[0] == "right":  # set flush right (a signature, a date)
            c.drawRightString(left + width, state["y"], item[1])
            newline(1.6 * fs)
        elif item[0] == "left":  # flush left, no indent
            draw(left, item[1])
            newline(1.6 * fs)
        elif item[0] == "page":
            newline(top)
        elif item[0] == "para":
            text, first = item[1], True
            while text:
                x = left + (2 * fs if first else 0)
                span = left + width - x
                n = 1
                while n < len(text) and pdfmetrics.stringWidth(text[: n + 1], font, fs) <= span:
                    n += 1
                line, text = text[:n], text[n:]
                draw(x, line, span if text else None)
                newline(1.6 * fs)
                first = False
            newline(0.4 * fs)
        elif item[0] == "table":
            rows, widths = item[1], item[2]
            for r in rows:
                x = left
                y = state["y"]
                for cell, w in zip(r, widths, strict=True):
                    c.rect(x, y - 5, w, 1.6 * fs + 2)
                    c.setFont(font, 9)
                    c.drawString(x + 2, y, cell)
                    c.setFont(font, fs)
                    x += w
                newline(1.6 * fs + 2)
    while state["page"] < pages_min:
        newline(top)
    c.save()


PARA_1 = ("今年以来，某某市坚持项目为王，全力推进重点项目建设，全年安排市级重点项目120个。"
          "甲乙新材料科技有限公司年产5万吨磷酸铁锂项目总投资25.6亿元，位于某某高新区，"
          "目前主体工程已完工，设备正在安装调试，预计年底前投产。")
PARA_2 = "下一步，我们将聚焦产业链延链补链强链，持续加大招商引资力度，推动更多项目早开工、早建成、早见效。"
HEADER = ["序号", "项目名称", "建设单位", "总投资（亿元）"]
WIDTHS = [40, 170, 160, 81]


def _rows(n):
    return [[str(i), f"项目{i}号年产{i}万吨负极材料项目", f"丙丁{i}号材料科技有限公司", f"{i}.5"]
            for i in range(1, n + 1)]


TITLE = "关于某某市2025年上半年重点项目和重大招商引资项目建设进展情况的通报"


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    _pdf(path, [("title", "某某市人民政府办公室"), ("title", TITLE), ("para", PARA_1), ("para", PARA_2),
                ("right", "某某市人民政府办公室"), ("right", "2025年7月8日"), ("page",),
                ("left", "附件"), ("table", [HEADER] + _rows(40), WIDTHS), ("para", PARA_2)])
    return path


def test_a_pdfs_lines_are_joined_into_its_paragraphs(report_pdf):
    doc = ingest_file(report_pdf)
    lines = doc.text.splitlines()
    assert PARA_1 in lines and PARA_2 in lines  # each paragraph whole, on a line of its own
    assert TITLE in lines  # a centred title set over two lines is one
    assert doc.title == TITLE  # (below the issuer's name: an official document's title)
    # a date set flush right reaches the margin, but the page after it starts anew
    assert "2025年7月8日" in lines and "附件" in lines
    assert doc.encoding == "pdf"


def test_a_pdfs_running_head_and_page_numbers_are_no_text_of_it(report_pdf):
    text = ingest_file(report_pdf).text
    assert "发展和改革委员会" not in text
    assert "- 2 -" not in text and "- 1 -" not in text


def test_a_ruled_pdf_table_is_read_row_by_row_over_its_pages(report_pdf):
    doc = ingest_file(report_pdf)
    records = [ln for ln in doc.text.splitlines() if ln.startswith("项目名称：")]
    assert len(records) == 40  # the rows on the pages after the first take the first's header
    assert records[0] == "项目名称：项目1号年产1万吨负极材料项目；建设单位：丙丁1号材料科技有限公司；总投资：1.5亿元。"
    assert records[39] == "项目名称：项目40号年产40万吨负极材料项目；建设单位：丙丁40号材料科技有限公司；总投资：40.5亿元。"


def test_a_pdf_reports_projects_owners_and_sums(report_pdf):
    ex = extract_document(ingest_file(report_pdf))
    inv = {(r.subject[1], r.object[1]) for r in ex.relations if r.predicate == "investor"}
    assert ("丙丁40号材料科技有限公司", "项目40号年产40万吨负极材料项目") in inv
    sums = {(q.subject[1], q.value) for q in ex.quantities if q.kind == "investment"}
    assert ("年产5万吨磷酸铁锂项目", 2.56e9) in sums
    assert ("项目40号年产40万吨负极材料项目", 4.05e9) in sums


def test_a_pdf_without_a_text_layer_is_refused_with_the_reason(tmp_path):
    from reportlab.pdfgen import canvas

    p = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(p))
    c.rect(100, 100, 300, 500, fill=1)  # what a scan's page holds: no characters
    c.save()
    with pytest.raises(IngestError, match="no text layer") as exc:
        ingest_file(p)
    assert "scan.pdf" in str(exc.value) and "OCR" in str(exc.value)


def test_a_damaged_pdf_is_refused_with_the_reason(tmp_path):
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n" + bytes(range(256)) * 4)
    with pytest.raises(IngestError, match="not a readable PDF") as exc:
        ingest_file(p)
    assert "broken.pdf" in str(exc.value)


def test_a_password_protected_pdf_is_refused_with_the_reason(tmp_path):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    p = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(p), encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(100, 700, "confidential")
    c.save()
    with pytest.raises(IngestError, match="is a password-protected PDF") as exc:
        ingest_file(p)
    assert "locked.pdf" in str(exc.value)


# --------------------------------------------------------------------------------------------
# Word


def test_a_word_files_paragraphs_and_tables_read_in_order(tmp_path):
    import docx

    d = docx.Document()
    d.core_properties.title = "某某县重点项目推进情况"
    d.add_heading("某某县重点项目推进情况", level=1)
    d.add_paragraph("甲乙新材料科技有限公司年产5万吨磷酸铁锂项目总投资25.6亿元，位于某某高新区。")
    t = d.add_table(rows=5, cols=4)
    for j, h in enumerate(["序号", "项目名称", "建设单位", "总投资（亿元）"]):
        t.cell(0, j).text = h
    section = t.cell(1, 0).merge(t.cell(1, 3))
    section.text = "一、续建项目"
    for i, (name, owner, inv) in enumerate([("年产2万吨隔膜项目", "丙丁科技有限公司", "8"),
                                            ("年产3万吨电解液项目", "戊己化学有限公司", "6.5")], start=2):
        t.cell(i, 0).text = str(i - 1)
        t.cell(i, 1).text = name
        t.cell(i, 2).text = owner
        t.cell(i, 3).text = inv
    d.add_paragraph("下一步，将持续加大招商引资力度。")
    buf = io.BytesIO()
    d.save(buf)
    p = tmp_path / "推进情况.docx"
    p.write_bytes(buf.getvalue())

    doc = ingest_file(p)
    assert doc.title == "某某县重点项目推进情况" and doc.encoding == "docx"
    lines = [ln for ln in doc.text.splitlines() if ln]
    assert lines == [
        "某某县重点项目推进情况",
        "甲乙新材料科技有限公司年产5万吨磷酸铁锂项目总投资25.6亿元，位于某某高新区。",
        "一、续建项目",  # a row merged across the table: a line in its place, once
        "项目名称：年产2万吨隔膜项目；建设单位：丙丁科技有限公司；总投资：8亿元。",
        "项目名称：年产3万吨电解液项目；建设单位：戊己化学有限公司；总投资：6.5亿元。",
        "下一步，将持续加大招商引资力度。",
    ]
    ex = extract_document(doc)
    assert ("丙丁科技有限公司", "年产2万吨隔膜项目") in {
        (r.subject[1], r.object[1]) for r in ex.relations if r.predicate == "investor"}


def test_a_file_that_is_no_word_file_is_refused_with_the_reason(tmp_path):
    p = tmp_path / "report.docx"
    p.write_bytes(b"this was never a Word file " * 20)
    with pytest.raises(IngestError, match="not a readable .docx") as exc:
        ingest_file(p)
    assert "report.docx" in str(exc.value)


def test_an_office_file_that_would_unpack_past_the_limit_is_refused_unread(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\0" * (12 * 1024 * 1024))  # ~12 KB packed
    p = tmp_path / "bomb.docx"
    p.write_bytes(buf.getvalue())
    with pytest.raises(IngestError, match="would unpack") as exc:
        ingest_file(p, max_bytes="1M")
    assert "bomb.docx" in str(exc.value)


# --------------------------------------------------------------------------------------------
# Excel


def _workbook(path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "续建项目"
    ws.append(["某某市2025年市级重点项目计划表"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "项目名称", "建设单位", "建设地点", "总投资（亿元）", "开工时间"])
    ws.append([1, "年产5万吨磷酸铁锂项目", "甲乙新材料科技有限公司", "某某县", 25.6, datetime.date(2024, 3, 1)])
    ws.append([2, "年产2万吨隔膜项目", "丙丁科技有限公司", None, 8, datetime.date(2024, 6, 1)])
    ws.merge_cells("D3:D4")  # one place for both rows
    ws.append(["二、产业配套项目"])
    ws.merge_cells("A5:F5")
    ws.append([3, "年产3万吨电解液项目", "戊己化学有限公司", "某某县", 6.5, None])
    hidden = wb.create_sheet("草稿")
    hidden.append(["不应读出的内容"])
    hidden.sheet_state = "hidden"
    other = wb.create_sheet("Sheet2")
    other.append(["注：开工率", 0.817])
    other["B1"].number_format = "0.0%"
    wb.save(path)


def test_a_spreadsheets_rows_are_labelled_records_under_their_titles(tmp_path):
    p = tmp_path / "清单.xlsx"
    _workbook(p)
    doc = ingest_file(p)
    lines = [ln for ln in doc.text.splitlines() if ln]
    assert lines == [
        "续建项目",  # a sheet's own name is a heading; Sheet2 is not
        "某某市2025年市级重点项目计划表",
        "项目名称：年产5万吨磷酸铁锂项目；建设单位：甲乙新材料科技有限公司；建设地点：某某县；"
        "总投资：25.6亿元；开工时间：2024年3月1日。",
        "项目名称：年产2万吨隔膜项目；建设单位：丙丁科技有限公司；建设地点：某某县；总投资：8亿元；"
        "开工时间：2024年6月1日。",
        "二、产业配套项目",
        "项目名称：年产3万吨电解液项目；建设单位：戊己化学有限公司；建设地点：某某县；总投资：6.5亿元。",
        "注：开工率：81.7%。",  # a label and its value, the value as the cell shows it
    ]
    assert "不应读出" not in doc.text  # hidden sheets are not read
    ex = extract_document(doc)
    sums = {(q.subject[1], q.value) for q in ex.quantities if q.kind == "investment"}
    assert ("年产2万吨隔膜项目", 8e8) in sums


def test_a_file_that_is_no_spreadsheet_is_refused_with_the_reason(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    p = tmp_path / "list.xlsx"
    p.write_bytes(buf.getvalue())
    with pytest.raises(IngestError, match="not a readable .xlsx") as exc:
        ingest_file(p)
    assert "list.xlsx" in str(exc.value)


# --------------------------------------------------------------------------------------------
# Folders, builds, radicals


def test_office_and_pdf_files_are_documents_of_a_folder(tmp_path, report_pdf):
    (tmp_path / "a.pdf").write_bytes(report_pdf.read_bytes())
    _workbook(tmp_path / "b.xlsx")
    (tmp_path / "c.doc").write_bytes(b"\xd0\xcf\x11\xe0old")
    files, skipped = iter_documents(tmp_path)
    assert [f.name for f in files] == ["a.pdf", "b.xlsx"]
    assert "not a supported document type (.doc); save it as .docx" in dict(skipped)[str(tmp_path / "c.doc")]


def test_a_build_reads_pdf_and_excel_files_beside_text_and_reports_a_bad_one(tmp_path, report_pdf):
    from kg.pipeline import build_graph

    src = tmp_path / "docs"
    src.mkdir()
    (src / "report.pdf").write_bytes(report_pdf.read_bytes())
    _workbook(src / "list.xlsx")
    (src / "note.txt").write_text(PARA_2, encoding="utf-8")
    (src / "broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\xff" * 300)
    report = build_graph(src, tmp_path / "out")
    assert [p.split("/")[-1] for p, _e in report.problems] == ["broken.pdf"]
    assert len(report.documents) == 3


def test_radicals_that_pdf_fonts_put_for_characters_are_those_characters():
    # ⽬ U+2F6C, ⼯ U+2F2F (Kangxi radicals), ⻋ U+2ECB, ⻅ U+2EC5 (simplified radicals)
    doc = ingest_text("甲乙项⽬主体⼯程已完⼯，汽⻋零部件项⽬早⻅效。")
    assert doc.text == "甲乙项目主体工程已完工，汽车零部件项目早见效。\n"
    assert fold_width("⻓⻔⻢⻛⻜⻥⻬⻰") == "长门马风飞鱼齐龙"
    assert fold_width("⺮⻖") == "⺮⻖"  # radicals that are only parts of characters stay


TWO_ROW = [["序号", "项目名称", "建设单位", "投资（万元）", "投资（万元）", "建设年限", "建设年限"],
           ["序号", "项目名称", "建设单位", "总投资", "2025年计划", "开工", "竣工"],
           ["1", "年产5万吨磷酸铁锂项目", "甲乙新材料科技有限公司", "256000", "80000", "2024", "2026"]]
TWO_ROW_RECORD = ("项目名称：年产5万吨磷酸铁锂项目；建设单位：甲乙新材料科技有限公司；总投资：256000万元；"
                  "2025年计划：80000万元；开工：2024；竣工：2026。")


def _two_row_xlsx(path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in TWO_ROW:
        ws.append([int(c) if c.isdigit() else c for c in r])
    for rng in ("A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:G1"):
        first = ws[rng.split(":")[0]].value
        ws.merge_cells(rng)
        ws[rng.split(":")[0]] = first
    wb.save(path)


def _two_row_docx(path):
    import docx

    d = docx.Document()
    t = d.add_table(rows=3, cols=7)
    for i, r in enumerate(TWO_ROW):
        for j, c in enumerate(r):
            if not (i == 1 and j < 3) and not (i == 0 and j in (4, 6)):
                t.cell(i, j).text = c
    for (a, b), (c, e) in (((0, 0), (1, 0)), ((0, 1), (1, 1)), ((0, 2), (1, 2)), ((0, 3), (0, 4)), ((0, 5), (0, 6))):
        t.cell(a, b).merge(t.cell(c, e))
    d.save(str(path))


@pytest.mark.parametrize("suffix,write", [(".xlsx", _two_row_xlsx), (".docx", _two_row_docx)])
def test_a_header_over_two_rows_labels_each_column(tmp_path, suffix, write):
    # 投资（万元） spans 总投资 and 2025年计划: each column is its own, with the spanning unit
    p = tmp_path / f"计划表{suffix}"
    write(p)
    assert [ln for ln in ingest_file(p).text.splitlines() if ln] == [TWO_ROW_RECORD]
    sums = {(q.subject[1], q.value) for q in extract_document(ingest_file(p)).quantities
            if q.kind == "investment"}
    assert ("年产5万吨磷酸铁锂项目", 2.56e9) in sums


def _columns_pdf(path, headline, paras, ncols=3):
    """One page: ``headline`` across the top, then ``paras`` justified in ``ncols`` columns
    (first-line indent of two characters), as a newspaper sets them."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font, fs, left, width, gap, top = "STSong-Light", 10.0, 50.0, 495.0, 20.0, 740.0
    colw = (width - gap * (ncols - 1)) / ncols
    c = canvas.Canvas(str(path))
    c.setFont(font, 22)
    c.drawCentredString(left + width / 2, 790, headline)
    col, y = 0, top
    for para in paras:
        text, first = para, True
        while text:
            x = left + col * (colw + gap) + (2 * fs if first else 0)
            span = left + col * (colw + gap) + colw - x
            n = 1
            while n < len(text) and pdfmetrics.stringWidth(text[: n + 1], font, fs) <= span:
                n += 1
            line, text = text[:n], text[n:]
            t = c.beginText(x, y)
            t.setFont(font, fs)
            if text and len(line) > 1:
                t.setCharSpace((span - pdfmetrics.stringWidth(line, font, fs)) / (len(line) - 1))
            t.textOut(line)
            c.drawText(t)
            first = False
            y -= 1.5 * fs
            if y < 80:
                col, y = col + 1, top
    c.save()


def test_a_page_set_in_columns_reads_column_by_column(tmp_path):
    p = tmp_path / "paper.pdf"
    paras = [PARA_1, PARA_2] * 5
    _columns_pdf(p, "我市重点项目建设跑出加速度", paras)
    lines = [ln for ln in ingest_file(p).text.splitlines() if ln]
    # the headline across the columns, then every paragraph whole, in reading order
    assert lines == ["我市重点项目建设跑出加速度"] + paras


def test_characters_printed_twice_for_a_bold_face_are_read_once(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    p = tmp_path / "bold.pdf"
    c = canvas.Canvas(str(p))
    c.setFont("STSong-Light", 14)
    for dx in (0, 0.3):  # what some producers write for a heading in bold
        c.drawString(100 + dx, 700, "一、重点项目建设情况")
    c.drawString(100, 670, "甲乙项目已开工建设。")
    c.save()
    assert ingest_file(p).text.splitlines()[0] == "一、重点项目建设情况"


def test_a_sheets_styled_empty_cells_add_no_columns_or_rows(tmp_path):
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "建设单位", "总投资（亿元）"])
    ws.append(["年产2万吨隔膜项目", "丙丁科技有限公司", 8])
    for col in "ABCDEFGHIJ":  # a style dragged over ten columns and far down the sheet
        ws[f"{col}100000"].font = Font(bold=True)
    p = tmp_path / "styled.xlsx"
    wb.save(p)
    assert ingest_file(p).text == "项目名称：年产2万吨隔膜项目；建设单位：丙丁科技有限公司；总投资：8亿元。\n"


def test_a_csv_list_saved_by_excel_reads_as_records(tmp_path):
    p = tmp_path / "清单.csv"
    p.write_bytes(("序号,项目名称,建设单位,总投资（亿元）\r\n一、续建项目,,,\r\n"
                   "1,\"年产2万吨隔膜项目\",丙丁科技有限公司,8\r\n").encode("gb18030"))
    doc = ingest_file(p)
    assert doc.text == ("一、续建项目\n项目名称：年产2万吨隔膜项目；建设单位：丙丁科技有限公司；总投资：8亿元。\n")
    assert doc.encoding == "gb18030"
