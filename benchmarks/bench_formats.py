"""Reading Word, Excel and PDF files (:mod:`kg.formats`): time and memory per file.

Writes, in a temporary folder, a PDF report of ``--pages`` A4 pages (justified paragraphs,
a running head and page numbers, and a ruled project table over the last third of the
pages), an Excel workbook and a Word file with a project table of ``--rows`` rows, and the
same text as a plain ``.txt`` file (the baseline, read in the same run); then times
:func:`kg.ingest.ingest_file` on each, best of ``--repeat``, and the extraction of the PDF's
text. Prints a Markdown table for ``benchmarks/RESULTS.md``.

Usage::

    python benchmarks/bench_formats.py [--pages 60] [--rows 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARA = ("今年以来，某某市坚持项目为王，全力推进重点项目建设，全年安排市级重点项目120个。"
        "甲乙新材料科技有限公司年产5万吨磷酸铁锂项目总投资25.6亿元，位于某某高新区，"
        "目前主体工程已完工，设备正在安装调试，预计年底前投产。")
HEADER = ["序号", "项目名称", "建设单位", "建设地点", "总投资（亿元）"]


def _row(i: int) -> list[str]:
    return [str(i), f"项目{i}号年产{i}万吨负极材料项目", f"丙丁{i}号材料科技有限公司", "某某县", f"{i % 90 + 1}.5"]


def write_pdf(path: Path, pages: int) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font, fs, left, width = "STSong-Light", 12.0, 72.0, 451.0
    c = canvas.Canvas(str(path))
    row = 1
    for page in range(1, pages + 1):
        c.setFont(font, 9)
        c.drawCentredString(left + width / 2, 805, "某某市发展和改革委员会")
        c.drawCentredString(left + width / 2, 40, f"- {page} -")
        y = 770.0
        if page <= pages * 2 // 3:
            text, first = PARA * 12, True
            while y > 80:
                x = left + (2 * fs if first else 0)
                span = left + width - x
                n = 1
                while n < len(text) and pdfmetrics.stringWidth(text[: n + 1], font, fs) <= span:
                    n += 1
                t = c.beginText(x, y)
                t.setFont(font, fs)
                t.setCharSpace((span - pdfmetrics.stringWidth(text[:n], font, fs)) / max(1, n - 1))
                t.textOut(text[:n])
                c.drawText(t)
                text, first = text[n:] or PARA * 12, not text[n:]
                y -= 1.6 * fs
        else:
            widths = [30, 150, 140, 60, 71]
            cells = [HEADER] if page == pages * 2 // 3 + 1 else []
            while y > 80:
                cells.append(_row(row))
                row += 1
                y -= 20
            y = 770.0
            for r in cells:
                x = left
                for cell, w in zip(r, widths, strict=True):
                    c.rect(x, y - 5, w, 20)
                    c.setFont(font, 8)
                    c.drawString(x + 2, y, cell)
                    x += w
                y -= 20
        c.showPage()
    c.save()


def write_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "重点项目"
    ws.append(HEADER)
    for i in range(1, rows + 1):
        r = _row(i)
        ws.append([i, r[1], r[2], r[3], float(r[4])])
    wb.save(path)


def write_docx(path: Path, rows: int) -> None:
    import docx

    d = docx.Document()
    for _ in range(20):
        d.add_paragraph(PARA)
    t = d.add_table(rows=rows + 1, cols=len(HEADER))
    for i, r in enumerate([HEADER] + [_row(i) for i in range(1, rows + 1)]):
        cells = t.rows[i].cells
        for j, v in enumerate(r):
            cells[j].text = v
    d.save(str(path))


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=60)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    from kg.extract import extract_document
    from kg.ingest import ingest_file

    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-formats-"))
    files = {"pdf": tmp / "report.pdf", "xlsx": tmp / "list.xlsx", "docx": tmp / "report.docx"}
    write_pdf(files["pdf"], args.pages)
    write_xlsx(files["xlsx"], args.rows)
    write_docx(files["docx"], args.rows)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    rows = []
    for kind, path in files.items():
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        s, doc = _best(lambda p=path: ingest_file(p), args.repeat)
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        txt = tmp / f"{kind}.txt"
        txt.write_text(doc.text, encoding="utf-8")
        s_txt, _ = _best(lambda p=txt: ingest_file(p), args.repeat)
        s_ex, ex = _best(lambda d=doc: extract_document(d), 1)
        records = doc.text.count("项目名称：")
        rows.append((kind, path.stat().st_size, len(doc.text), records, s, s_txt, s_ex,
                     (rss1 - rss0) / 1024))
    print("\n| file | bytes | characters | table rows read | read s | same text as .txt s | ratio "
          "| extraction s | peak RSS growth MB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind, size, chars, records, s, s_txt, s_ex, mb in rows:
        print(f"| .{kind} | {size:,} | {chars:,} | {records:,} | {s:.2f} | {s_txt:.3f} | "
              f"{s / s_txt:.0f}× | {s_ex:.2f} | {mb:.0f} |")
    print(f"\n(.pdf: {args.pages} pages, the last third a ruled table; .xlsx and .docx: "
          f"{args.rows} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
