"""Word, Excel and PDF files → the text that :mod:`kg.ingest` reads.

Project lists arrive as spreadsheets, reports as Word files and bulletins as PDFs. Each
reader here returns ``(text, title)``: paragraphs on lines of their own, blank lines
between them, and tables as labelled records (``项目名称：P；建设单位：C；总投资：25.6亿元。``,
the same lines :func:`kg.ingest._table_lines` makes of an HTML table), so that the
extractors see one kind of text whatever the file was.

- ``.docx`` (python-docx): the body's paragraphs and tables in document order; merged cells
  read once; the core properties' title.
- ``.xlsx`` (openpyxl): every visible sheet, its name as a heading unless it is a default one
  (Sheet1, 工作表1); the values of formulas as last saved; a merged cell's value in every cell
  it covers; a title row above the header (``2025年重点项目清单``) and section rows inside the
  table (``一、续建项目``) kept as lines in their place.
- ``.csv``: decoded as text files are (GB18030 from Excel included), then read as a sheet.
- ``.pdf`` (pdfplumber): ruled tables read cell by cell; the rest as lines rebuilt into
  paragraphs by their position on the page (a line that reaches the right margin goes on
  in the next one unless that one is indented or set apart), a page set in columns of
  prose (a newspaper's) read column by column between the lines that cross them, running
  heads and feet that
  repeat on most pages dropped, and rows of words set apart by wide gaps written at their
  column (the aligned-table reader of :mod:`kg.ingest` reads them). A PDF without a text
  layer (a scan) is refused with a message: it needs OCR first.

Office files are ZIP archives: one that would unpack to more than :data:`UNPACK_FACTOR`
times the document size limit is refused before it is unpacked.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import io
import re
import statistics
import zipfile

from .errors import IngestError

__all__ = ["FORMAT_SUFFIXES", "UNPACK_FACTOR", "read_csv", "read_docx", "read_pdf", "read_xlsx",
           "grid_lines"]

#: The suffixes read by this module (.csv after decoding, as text is).
FORMAT_SUFFIXES = (".docx", ".xlsx", ".pdf", ".csv")
#: An Office file may unpack to at most this many times the document size limit.
UNPACK_FACTOR = 10

_BARE_NUMBER = re.compile(r"[-+]?[0-9][0-9,]*(?:\.[0-9]+)?%?")
_DEFAULT_SHEET = re.compile(r"(?i)(?:sheet|工作表|表)\s*\d*")
_HAN = re.compile(r"[\u4e00-\u9fff]")


# --------------------------------------------------------------------------------------------
# Tables


def _is_header(cells: list[str]) -> bool:
    """A row of column labels: two or more distinct short labels, none a figure."""
    filled = [c for c in cells if c]
    return (len(set(filled)) >= 2 and all(len(c) <= 16 and not _BARE_NUMBER.fullmatch(c) for c in filled)
            and any(_HAN.search(c) for c in filled))


def grid_lines(rows: list[list[str]], header: list[str] | None = None) -> tuple[list[str], list[str] | None]:
    """The lines of a table given as rows of cell texts, and the header it used.

    A row whose filled cells all hold one text (a title above the table, a section such as
    ``一、续建项目`` spanning the columns, a note) is a line of its own, in its place; the
    first row of labels is the header of the rows after it; each run of rows between such
    lines is read by :func:`kg.ingest._table_lines`. ``header`` carries the header of a
    table that goes on from an earlier page.

    >>> grid_lines([["2025年重点项目", "", ""], ["项目名称", "建设地点", "总投资（亿元）"],
    ...             ["一、续建项目", "一、续建项目", "一、续建项目"], ["甲乙项目", "某某县", "3.5"]])[0]
    ['2025年重点项目', '一、续建项目', '项目名称：甲乙项目；建设地点：某某县；总投资：3.5亿元。']
    """
    from .ingest import _table_lines

    out: list[str] = []
    run: list[list[str]] = []
    second = False  # the row after a header whose labels span columns may label them

    def flush() -> None:
        if run:
            # columns under one label (a cell merged across them) are one field
            groups: list[list[int]] = []
            for j in range(len(header or ())):
                if groups and header[j] and header[j] == header[groups[-1][0]]:
                    groups[-1].append(j)
                else:
                    groups.append([j])
            head, body = [], run
            if header:
                # (columns with neither a label nor a value: a sheet's styled empty cells)
                groups = [g for g in groups if any(header[j] for j in g)
                          or any(j < len(r) and r[j] for r in run for j in g)]
                head = [[(header[g[0]], True) for g in groups]]
                body = [["，".join(dict.fromkeys(r[j] for j in g if j < len(r) and r[j])) for g in groups]
                        for r in run]
            out.extend(_table_lines(head + [[(c, False) for c in r] for r in body]))
            run.clear()

    for r in rows:
        cells = [" ".join(c.split()) for c in r]
        filled = [c for c in cells if c]
        if not filled:
            continue
        if len(set(filled)) == 1 and (len(cells) > 1 or not run):
            flush()
            out.append(filled[0])
            continue
        if second and not run and _is_header(cells):
            header = _two_row_header(header, cells)
            second = False
            continue
        second = False
        if header is None and not run and _is_header(cells):
            header = cells
            second = any(a and a == b for a, b in zip(cells, cells[1:], strict=False))
            continue
        run.append(cells)
    flush()
    return out, header


def _two_row_header(top: list[str], bottom: list[str]) -> list[str]:
    """One row of labels from two: under a label spanning columns (投资（万元）) each column
    is its own (总投资, 2025年计划) with the spanning label's unit; elsewhere the top label
    stands (a cell merged down both rows repeats it).

    >>> _two_row_header(["项目名称", "投资（万元）", "投资（万元）"], ["项目名称", "总投资", "年度计划"])
    ['项目名称', '总投资（万元）', '年度计划（万元）']
    """
    from .ingest import _HEADER_UNIT

    out = []
    for j, t in enumerate(top):
        b = bottom[j] if j < len(bottom) else ""
        spans = bool(t) and ((j > 0 and top[j - 1] == t) or (j + 1 < len(top) and top[j + 1] == t))
        if b and b != t and (spans or not t):
            m = _HEADER_UNIT.fullmatch(t)
            out.append(b + f"（{m.group(2)}）" if m and not _HEADER_UNIT.fullmatch(b) else b)
        else:
            out.append(t)
    return out


def _check_zip(data: bytes, path: str, limit: int, what: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            size = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        raise IngestError(f"is not a readable {what} file (not a ZIP archive, or a damaged one)",
                          path=path, hint=f"open it and save it again as {what}") from None
    if size > UNPACK_FACTOR * limit:
        raise IngestError(f"would unpack to {size:,} bytes, over {UNPACK_FACTOR} times the size "
                          f"limit of {limit:,} bytes; not read", path=path,
                          hint="raise the limit with --max-bytes, or split the document")


# --------------------------------------------------------------------------------------------
# Word


def read_docx(data: bytes, path: str, limit: int) -> tuple[str, str]:
    """The text and title of a Word (.docx) file.

    Raises :class:`IngestError` for a file that is no readable .docx.
    """
    _check_zip(data, path, limit, ".docx")
    import docx
    from docx.table import Table

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any parse failure is a bad document
        raise IngestError(f"is not a readable .docx file ({type(exc).__name__}: {exc})", path=path,
                          hint="open it in Word or WPS and save it again as .docx") from None
    blocks: list[str] = []
    for block in d.iter_inner_content():
        if isinstance(block, Table):
            rows = []
            for row in block.rows:
                # (a cell merged across columns comes once per column, as in a sheet: the
                # columns stay under their labels, and grid_lines reads such a cell once)
                rows.append([c.text for c in row.cells])
            blocks.append("\n".join(grid_lines(rows)[0]))
        else:
            blocks.append(block.text)
    text = "\n\n".join(b.strip() for b in blocks if b.strip())
    return text, (d.core_properties.title or "").strip()


# --------------------------------------------------------------------------------------------
# CSV


def read_csv(text: str) -> str:
    """The lines of a decoded CSV file (a sheet saved as CSV: comma, tab, semicolon or
    vertical bar between fields, the first that splits the first lines evenly).

    >>> read_csv("项目名称,建设单位,总投资（亿元）\\n甲乙项目,甲乙有限公司,3.5\\n")
    '项目名称：甲乙项目；建设单位：甲乙有限公司；总投资：3.5亿元。'
    """
    import csv

    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|，")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    return "\n".join(grid_lines(rows)[0])


# --------------------------------------------------------------------------------------------
# Excel


def _cell_text(cell) -> str:
    v = cell.value
    if v is None or isinstance(v, bool):
        return ""
    if isinstance(v, _dt.datetime | _dt.date):
        return f"{v.year}年{v.month}月{v.day}日"
    if isinstance(v, int | float):
        if "%" in (cell.number_format or ""):
            return f"{v * 100:.10g}%"
        return f"{v:.10g}" if isinstance(v, float) else str(v)
    return str(v).strip()


def read_xlsx(data: bytes, path: str, limit: int) -> tuple[str, str]:
    """The text and title of an Excel (.xlsx) workbook: its visible sheets in order.

    Raises :class:`IngestError` for a file that is no readable .xlsx.
    """
    _check_zip(data, path, limit, ".xlsx")
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a bad document
        raise IngestError(f"is not a readable .xlsx file ({type(exc).__name__}: {exc})", path=path,
                          hint="open it in Excel or WPS and save it again as .xlsx") from None
    blocks: list[str] = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        # (the cells that hold a value bound the grid: a style set on a far row or column
        # makes max_row a million, and iter_rows would create every cell up to it)
        cells = getattr(ws, "_cells", None)
        held = [k for k, c in cells.items() if c.value is not None] if cells is not None else None
        if held is not None and not held:
            continue
        bounds = {} if held is None else {"max_row": max(r for r, _c in held), "max_col": max(c for _r, c in held)}
        grid = [[_cell_text(c) for c in row] for row in ws.iter_rows(**bounds)]
        for rng in ws.merged_cells.ranges:  # a merged cell's value holds for all it covers
            value = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(grid) else ""
            for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
                for c in range(rng.min_col - 1, min(rng.max_col, len(grid[r]))):
                    grid[r][c] = value
        lines = grid_lines(grid)[0]
        if lines and not _DEFAULT_SHEET.fullmatch(ws.title.strip()):
            lines.insert(0, ws.title.strip())
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks), (wb.properties.title or "").strip()


# --------------------------------------------------------------------------------------------
# PDF


class _Line:
    __slots__ = ("text", "x0", "x1", "top", "bottom", "page", "gapped", "size", "lm", "rm")

    def __init__(self, text, x0, x1, top, bottom, page, gapped, size=0.0, lm=None, rm=None):
        self.text, self.x0, self.x1, self.top, self.bottom = text, x0, x1, top, bottom
        self.page, self.gapped, self.size = page, gapped, size
        self.lm, self.rm = lm, rm  # the margins of its column, on a page set in columns


def _gutters(lines: list[list[dict]], cw: float) -> list[tuple[float, float]]:
    """The gaps between the columns of a page set in columns of prose, left to right, or [].

    A gutter is a strip at least 1.2 characters wide, away from the margins, that (almost)
    no line has a character in, with four lines or more on each side of it, and the lines
    on its left mostly filled up to it (justified prose; the cells of a table without rules
    end where their text does), and every column at least eight characters wide with lines
    of six or more (a table's number column is not).
    """
    if len(lines) < 8:
        return []
    lo = int(min(c["x0"] for ln in lines for c in ln))
    hi = int(max(c["x1"] for ln in lines for c in ln)) + 1
    cover = [0] * (hi - lo + 1)
    for ln in lines:
        seen = bytearray(hi - lo + 1)
        for c in ln:
            seen[int(c["x0"]) - lo + 1:int(c["x1"]) - lo] = b"\1" * max(0, int(c["x1"]) - int(c["x0"]) - 1)
        for x, v in enumerate(seen):
            cover[x] += v
    few = max(1, len(lines) // 10)
    runs, start = [], None
    for x in range(len(cover) + 1):
        empty = x < len(cover) and cover[x] <= few and lo + x > lo + 4 * cw and lo + x < hi - 4 * cw
        if empty and start is None:
            start = x
        elif not empty and start is not None:
            if x - start >= 1.2 * cw:
                runs.append((lo + start, lo + x))
            start = None
    out = []
    for g0, g1 in runs:
        lefts = [max(c["x1"] for c in ln if c["x1"] <= g0 + 1) for ln in lines if any(c["x1"] <= g0 + 1 for c in ln)]
        rights = [ln for ln in lines if any(c["x0"] >= g1 - 1 for c in ln)]
        if (len(lefts) >= 4 and len(rights) >= 4
                and sum(x >= g0 - 1.2 * cw for x in lefts) >= 0.5 * len(lefts)):
            out.append((g0, g1))
    # columns of prose are wide and their lines long; a table's columns are not all so
    bounds = [lo] + [x for g in out for x in g] + [hi]
    for k in range(0, len(bounds), 2):
        a, b = bounds[k], bounds[k + 1]
        seg = [sum(1 for c in ln if c["x0"] >= a - 1 and c["x1"] <= b + 1) for ln in lines]
        seg = [n for n in seg if n]
        if b - a < 8 * cw or not seg or statistics.median(seg) < 6:
            return []
    return out


def _render(chars: list[dict], left: float, cw: float) -> tuple[str, bool]:
    """A line's text from its characters: a space between Latin words; where a gap of two
    characters or more sets words apart (a table without rules), each word at its column
    (a Han character two columns wide, as :func:`kg.ingest._width` counts)."""
    from .ingest import fold_width

    chars = sorted(chars, key=lambda c: c["x0"])
    own = [c["x1"] - c["x0"] for c in chars if ord(c["text"][:1] or " ") > 0x2E7F]
    cw = statistics.median(own) if own else cw  # (a table's small type has narrower columns)
    gapped = any(b["x0"] - a["x1"] >= 1.5 * cw for a, b in zip(chars, chars[1:], strict=False))
    out: list[str] = []
    col = 0
    prev = None
    for c in chars:
        t = fold_width(c["text"])
        if not t or t.isspace():
            continue
        if gapped:
            at = max(0, round((c["x0"] - left) / (cw / 2)))
            if prev is not None and c["x0"] - prev["x1"] >= 1.5 * cw and at <= col + 1:
                at = col + 2  # (two spaces at least: the reader's column gap)
            if at > col and (prev is None or c["x0"] - prev["x1"] >= 1.5 * cw):
                out.append(" " * (at - col))
                col = at
        elif prev is not None and c["x0"] - prev["x1"] > 0.2 * cw and t[:1].isascii() \
                and t[:1].isalnum() and prev["text"][-1:].isascii() and prev["text"][-1:].isalnum():
            out.append(" ")
            col += 1
        out.append(t)
        col += sum(2 if ord(ch) > 0x2E7F else 1 for ch in t)
        prev = c
    return "".join(out), gapped


def _repeated(pages: list[list], at: int) -> set[str]:
    """Texts (digits as #) of the lines at position ``at`` (0 first, -1 last) of most pages."""
    if len(pages) < 2:
        return set()
    seen: dict[str, int] = {}
    for items in pages:
        lines = [it for it in items if isinstance(it, _Line)]
        if lines:
            key = re.sub(r"\d+", "#", lines[at].text.strip())
            seen[key] = seen.get(key, 0) + 1
    return {k for k, n in seen.items() if n >= max(2, len(pages) // 2)}


def read_pdf(data: bytes, path: str, limit: int) -> tuple[str, str]:
    """The text and title of a PDF file's text layer.

    Raises :class:`IngestError` for a damaged or password-protected file and for one without
    a text layer (a scan).
    """
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font warnings of real-world files
    import pdfplumber

    from .ingest import _LIST_START, fold_width

    pages: list[list] = []  # per page: _Line and ("table", rows) items, top to bottom
    sizes: list[float] = []
    title = ""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            title = str((pdf.metadata or {}).get("Title") or "").strip()
            for number, page in enumerate(pdf.pages):
                # (a bold face faked by printing each character twice, a hair apart; the
                # check is cheap, the dedupe not)
                chars = page.chars
                if len({(c["text"], round(c["x0"]), round(c["top"])) for c in chars}) < len(chars):
                    page = page.dedupe_chars()
                tables = page.find_tables()
                boxes = [t.bbox for t in tables]

                def outside(obj, boxes=boxes) -> bool:
                    if "x0" not in obj or "top" not in obj:
                        return True
                    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

                raw = []
                for ln in page.filter(outside).extract_text_lines(return_chars=True, strip=True):
                    chars = [c for c in ln["chars"] if c.get("text", "").strip()]
                    if chars:
                        raw.append((ln, chars))
                        sizes += [c["x1"] - c["x0"] for c in chars if ord(c["text"][0]) > 0x2E7F]
                own_cw = statistics.median(sizes[-2000:]) if sizes else 10.0
                gutters = _gutters([chars for _ln, chars in raw], own_cw)
                # (sort keys: on a page in columns, each band between lines and tables that
                # cross the columns is read column by column, top to bottom)
                walk = sorted([(ln["top"], 0, ln, chars) for ln, chars in raw]
                              + [(t.bbox[1], 1, t, None) for t in tables], key=lambda w: (w[0], w[1]))
                items: list = []
                band = 0
                for top_, kind, obj, chars in walk:
                    if kind == 1:
                        band += 1
                        rows = [[fold_width(c or "") for c in row] for row in obj.extract()]
                        items.append(((band, 0, top_), ("table", rows)))
                        band += 1
                        continue
                    parts = [chars]
                    if gutters:
                        if any(c["x1"] > g0 + 0.4 * own_cw and c["x0"] < g1 - 0.4 * own_cw
                               for c in chars for g0, g1 in gutters):
                            band += 1  # a line across the columns (a headline)
                            parts = [chars]
                        else:  # each character to the column its middle is in
                            mids = [(g0 + g1) / 2 for g0, g1 in gutters]
                            parts = [[] for _ in range(len(gutters) + 1)]
                            for c in chars:
                                parts[bisect.bisect_left(mids, (c["x0"] + c["x1"]) / 2)].append(c)
                    for k, part in enumerate(parts):
                        if not part:
                            continue
                        size = statistics.median(c.get("size", 0.0) for c in part)
                        line = _Line(part, min(c["x0"] for c in part), max(c["x1"] for c in part),
                                     obj["top"], obj["bottom"], number, False, size)
                        key = (band, 0, top_)
                        if len(parts) > 1:
                            line.lm = k  # (the column, until its margins are known)
                            key = (band, k + 1, top_)
                        items.append((key, line))
                    if len(parts) == 1 and gutters:
                        band += 1
                # a column's margins: where its lines start and end (its widest ones)
                for k in range(len(gutters) + 1):
                    col = [it for _key, it in items if isinstance(it, _Line) and it.lm == k and it.rm is None]
                    if col:
                        lm, rm = min(it.x0 for it in col), max(it.x1 for it in col)
                        for it in col:
                            it.lm, it.rm = lm, rm
                items.sort(key=lambda it: it[0])
                pages.append([it[1] for it in items])
                page.close()  # (its parsed objects: a long file's pages are not all kept)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds on damaged files
        # (pdfplumber wraps pdfminer's errors: the first argument is the original)
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        name = type(inner).__name__
        if "Password" in name or "Encrypt" in name:
            raise IngestError("is a password-protected PDF; not read", path=path,
                              hint="save a copy without the password") from None
        raise IngestError(f"is not a readable PDF file ({name}: {inner})", path=path,
                          hint="open it and save or print it again as PDF") from None
    cw = statistics.median(sizes) if sizes else 10.0
    lines = [it for items in pages for it in items if isinstance(it, _Line)]
    if not lines and not any(isinstance(it, tuple) for items in pages for it in items):
        raise IngestError("has no text layer (a scanned PDF?); not read", path=path,
                          hint="run OCR on it first (e.g. ocrmypdf -l chi_sim), then add the result")
    long_lines = [ln for ln in lines if len(ln.text) >= 8] or lines
    xs0 = sorted(ln.x0 for ln in long_lines)
    left = xs0[len(xs0) // 10] if xs0 else 0.0  # (a tenth of the lines may start further left)
    for ln in lines:
        ln.text, ln.gapped = _render(ln.text, ln.lm if ln.lm is not None else left, cw)
    # running heads and feet: the first or last line of most pages, the same but for numbers
    heads, feet = _repeated(pages, 0), _repeated(pages, -1)
    for items in pages:
        own = [it for it in items if isinstance(it, _Line)]
        for it, keys in ((own[0] if own else None, heads), (own[-1] if own else None, feet)):
            if it is not None and it in items and re.sub(r"\d+", "#", it.text.strip()) in keys:
                items.remove(it)
    lines = [it for items in pages for it in items if isinstance(it, _Line)]
    # the right margin of each page (mirrored margins differ): where its longest lines of
    # prose end, when three or more end there (a justified paragraph's do; a page of a few
    # short lines has none, and none of its lines goes on in the next)
    ends: dict[int, list[float]] = {}
    for ln in lines:
        if not ln.gapped and len(ln.text) >= 8 and ln.rm is None:
            ends.setdefault(ln.page, []).append(ln.x1)
    right_by_page = {page: max(xs) for page, xs in ends.items()
                     if sum(x >= max(xs) - cw for x in xs) >= 3}
    # (a short file with no such page: its longest line's end, but a heading (一、…) with no
    # comma in it does not go on)
    loose = not right_by_page
    if loose:
        right_by_page = {page: max(xs) for page, xs in ends.items()}
    right = statistics.median(right_by_page.values()) if right_by_page else float("inf")
    pitches = [b.top - a.top for a, b in zip(lines, lines[1:], strict=False)
               if a.page == b.page and 0 < b.top - a.top < 4 * cw]
    pitch = statistics.median(pitches) if pitches else 2 * cw

    blocks: list[str] = []
    prev: _Line | None = None
    header: list[str] | None = None
    for items in pages:
        for it in items:
            if isinstance(it, tuple):
                rows = it[1]
                first = [" ".join(c.split()) for c in rows[0]] if rows else []
                # a table that goes on from the page before repeats its header or has none
                carried = header if header and len(first) == len(header) and not _is_header(first) else None
                got, header = grid_lines(rows, carried)
                blocks.append("\n".join(got))
                prev = None
                continue
            page_right = right_by_page.get(it.page, right)
            # (the margins of the line's column on a page in columns, else of the page)
            left_it = it.lm if it.lm is not None else left
            if prev is not None:
                left_prev = prev.lm if prev.lm is not None else left
                right_prev = prev.rm if prev.rm is not None else right_by_page.get(prev.page, right)
            wide = prev is not None and prev.x1 - prev.x0 >= 0.6 * (right_prev - left_prev)
            if (prev is not None and wide and not prev.gapped and not it.gapped
                    and prev.x1 >= right_prev - 1.2 * cw and it.x0 <= left_it + 0.8 * cw
                    and (prev.page != it.page or it.top - prev.top <= 1.6 * pitch)
                    and not (loose and _LIST_START.match(prev.text) and "，" not in prev.text)):
                # (a heading, 一、…, with no comma: see ``loose``)
                # a paragraph's line that reaches the right margin goes on in the next
                sep = " " if prev.text[-1:].isascii() and prev.text[-1:].isalnum() \
                    and it.text[:1].isascii() and it.text[:1].isalnum() else ""
                blocks[-1] += sep + it.text.lstrip()
            elif (prev is not None and wide and prev.page == it.page and not prev.gapped
                    and prev.rm is None and it.rm is None and prev.lm is None and it.lm is None
                    and abs(prev.size - it.size) <= 0.05 * prev.size
                    and abs((prev.x0 - left) - (page_right - prev.x1)) <= 1.5 * cw
                    and abs((it.x0 - left) - (page_right - it.x1)) <= 1.5 * cw
                    and it.x0 > left + cw and it.top - prev.top <= 1.8 * prev.size
                    and prev.text[-1:] not in "。！？；："):
                blocks[-1] += it.text.strip()  # a centred title set over two lines
            elif prev is not None and (prev.gapped or it.gapped) and prev.page == it.page \
                    and it.top - prev.top <= 1.6 * pitch:
                blocks[-1] += "\n" + it.text  # rows of one table set without rules
            else:
                blocks.append(it.text if it.gapped else it.text.strip())
            prev = it
    text = "\n\n".join(b for b in blocks if b.strip())
    if not text.strip():
        raise IngestError("has no text layer (a scanned PDF?); not read", path=path,
                          hint="run OCR on it first (e.g. ocrmypdf -l chi_sim), then add the result")
    return text, title
