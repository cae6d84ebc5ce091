"""Ingest: decoding, width folding, line-break repair, sentence splitting, ids, metadata."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import IngestError
from kg.ingest import (
    decode_bytes,
    fold_width,
    ingest_file,
    ingest_text,
    iter_documents,
    repair_line_breaks,
    split_sentences,
)

TEXT = "山西某某新材料有限公司在长治高新区落地年产10万吨正极材料项目，总投资20亿元。项目已完成70%的建设进度。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "big5"])
def test_decodes_common_chinese_encodings(tmp_path, encoding):
    text = "長治高新區項目建設" if encoding == "big5" else TEXT
    p = tmp_path / f"doc-{encoding}.txt"
    p.write_bytes(text.encode(encoding))
    doc = ingest_file(p)
    assert doc.text.strip() == text.strip()


def test_bom_is_not_part_of_text(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    assert ingest_file(p).text.startswith("山西")


@pytest.mark.parametrize("payload,what", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG"),
    (b"PK\x03\x04" + b"\x00" * 64, "ZIP"),
    (b"abc\x00\x00\x00def" * 10, "NUL"),
])
def test_binary_files_are_refused_with_the_reason(tmp_path, payload, what):
    p = tmp_path / "fake.txt"
    p.write_bytes(payload)
    with pytest.raises(IngestError) as exc:
        ingest_file(p)
    assert "fake.txt" in str(exc.value)
    assert what in str(exc.value)


@pytest.mark.parametrize("content", [b"", b"   \n\n\t ", "。，、！？……——".encode()])
def test_empty_or_punctuation_only_is_refused(tmp_path, content):
    p = tmp_path / "empty.txt"
    p.write_bytes(content)
    with pytest.raises(IngestError, match="empty"):
        ingest_file(p)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(IngestError, match="nope.txt"):
        ingest_file(tmp_path / "nope.txt")


def test_size_limit_is_enforced(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text(TEXT * 100, encoding="utf-8")
    with pytest.raises(IngestError, match="over the limit"):
        ingest_file(p, max_bytes=1000)


def test_fold_width_is_length_preserving_and_idempotent():
    s = "总投资２０亿元，增长６４.８％，ＭＬＥＤ　面板"
    f = fold_width(s)
    assert f == "总投资20亿元，增长64.8%，MLED 面板"
    assert len(f) == len(s)
    assert fold_width(f) == f


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_fold_width_properties(s):
    f = fold_width(s)
    assert len(f) == len(s)
    assert fold_width(f) == f


def test_layout_breaks_inside_words_are_repaired():
    broken = ("山西大陆石墨科技有限公司石墨及碳素制品制造项目作为省级重点项目，建成投产后可成为航\n\n"
              "空领域、新一代半导体等高端制造领域一颗新星。\n\n截至2023年底，平鲁经济技术开发区的开\n\n"
              "发区入驻企业54家。\n")
    fixed = repair_line_breaks(broken, min_line=10)
    assert "航空领域" in fixed
    assert "开发区入驻" in fixed


def test_a_short_line_ending_inside_a_sentence_is_joined():
    """No paragraph ends with a comma: "该项目计划于2024年3月开工，\n2025年投产" is one sentence."""
    text = "该项目计划于2024年3月开工，\n2025年投产，达产后年产值约80亿元。\n短标题\n正文。"
    assert repair_line_breaks(text) == "该项目计划于2024年3月开工，2025年投产，达产后年产值约80亿元。\n短标题\n正文。"


@pytest.mark.parametrize("opening", ["12月8日，", "2024年3月12日上午，", "记者日前从某某市获悉，", "本报讯（记者 张某）"])
def test_a_long_headline_before_a_news_paragraph_is_not_joined(opening):
    """A headline has no end punctuation and may be long; the paragraph after it opens with a
    date or a byline, which no line broken inside a sentence does."""
    text = f"投资120亿元！甲乙新能源汽车零部件产业园项目在某某高新区开工\n{opening}甲乙零部件产业园项目开工仪式举行。"
    assert repair_line_breaks(text) == text
    assert ingest_text(text).title == "投资120亿元！甲乙新能源汽车零部件产业园项目在某某高新区开工"
    # a date after a line broken at a comma is inside the sentence
    broken = "该项目于2023年开工，计划于\n12月8日，全面建成投产。"
    assert repair_line_breaks(broken, min_line=5) == broken.replace("\n", "")


def test_spaces_between_han_and_digits_or_letters_are_removed():
    """Web pages space out figures (投资 20 亿元, 年产 10GWh 储能电池工厂); spaces between
    Han characters (a headline's two phrases) and between Latin words stay."""
    doc = ingest_text("砥砺奋进 共谋发展\n甲乙集团将投资 ２０ 亿元，建设年产 10GWh 储能电池工厂，采用 SiC MOSFET 器件。")
    assert "投资20亿元" in doc.text
    assert "年产10GWh储能电池工厂" in doc.text
    assert "砥砺奋进 共谋发展" in doc.text
    assert "SiC MOSFET器件" in doc.text


def test_headings_are_not_joined():
    text = "千帆竞发势如虹\n\n——长治市加快重点项目建设纪略\n\n夯基聚力 激发转型动能\n\n正文。"
    assert repair_line_breaks(text) == text


@given(st.text(alphabet=st.sampled_from("项目建设长治。，！？\n 0123"), max_size=120))
@settings(max_examples=200, deadline=None)
def test_repair_is_idempotent(s):
    once = repair_line_breaks(s)
    assert repair_line_breaks(once) == once


def test_sentences_cover_text_and_offsets_index_it():
    doc = ingest_text(TEXT * 3)
    assert len(doc.sentences) == 6
    for s in doc.sentences:
        assert doc.text[s.start:s.end] == s.text
    assert doc.sentence_at(doc.text.index("70%")).text.startswith("项目已完成")


@given(st.text(min_size=1, max_size=300))
@settings(max_examples=200, deadline=None)
def test_sentence_offsets_always_index_the_text(s):
    for sent in split_sentences(s):
        assert s[sent.start:sent.end] == sent.text
        assert sent.text.strip() == sent.text


def test_id_is_a_content_hash(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(TEXT, encoding="utf-8")
    b.write_bytes(TEXT.encode("gb18030"))
    assert ingest_file(a).id == ingest_file(b).id
    assert ingest_text(TEXT + "再加一句。").id != ingest_file(a).id


def test_html_and_markdown(tmp_path):
    h = tmp_path / "page.html"
    h.write_text("<html><head><title>标题</title><script>var x='项目';</script></head>"
                 "<body><p>第一段&amp;项目。</p><p>第二段</p></body></html>", encoding="utf-8")
    doc = ingest_file(h)
    assert doc.title == "标题"
    assert "第一段&项目。" in doc.text and "var x" not in doc.text
    m = tmp_path / "note.md"
    m.write_text("# 标题\n\n见[链接](http://example.org)的**项目**。\n", encoding="utf-8")
    doc = ingest_file(m)
    assert "见链接的项目。" in doc.text and "http" not in doc.text


def test_sidecar_metadata_and_guessed_date(tmp_path):
    p = tmp_path / "d.txt"
    p.write_text(TEXT, encoding="utf-8")
    (tmp_path / "d.txt.meta.json").write_text(json.dumps({"title": "T", "date": "2024-05-01"}),
                                              encoding="utf-8")
    doc = ingest_file(p)
    assert (doc.title, doc.date) == ("T", "2024-05-01")
    q = tmp_path / "e.txt"
    q.write_text("某某新闻\n发布时间：2011-08-24\n" + TEXT, encoding="utf-8")
    assert ingest_file(q).date == "2011-08-24"


def test_iter_documents_is_sorted_and_reports_skips(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "1.md").write_text(TEXT, encoding="utf-8")
    (tmp_path / "x.png").write_bytes(b"\x89PNG")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    files, skipped = iter_documents(tmp_path)
    assert [f.name for f in files] == ["1.md", "2.txt"]
    reasons = dict(skipped)
    assert "broken symbolic link" in reasons[str(tmp_path / "dangling.txt")]
    assert "not a supported" in reasons[str(tmp_path / "x.png")]


def test_iter_documents_orders_by_the_path_below_the_folder(tmp_path):
    """The order of the files is that of their paths relative to the folder, compared as
    text ("a/…" after "a-…" and "a.txt": '/' sorts after '-' and '.'), whatever the walk's
    order; a link to a file counts as that file."""
    names = ["a.txt", "a-b.txt", "a/b.txt", "a/c/d.md", "a/c.txt", "b/a.txt", "ab.txt", "中/一.txt"]
    for n in names:
        (tmp_path / n).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / n).write_text(TEXT, encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    files, skipped = iter_documents(tmp_path)
    got = [f.relative_to(tmp_path).as_posix() for f in files]
    assert got == sorted([*names, "link.txt"]) and not skipped
    assert all(f.is_file() for f in files)


def test_decode_bytes_reports_encoding():
    assert decode_bytes(TEXT.encode("gbk"))[1] == "gb18030"
    assert decode_bytes(TEXT.encode("utf-8"))[1] == "utf-8"


def test_a_pages_title_without_the_sites_name(tmp_path):
    page = tmp_path / "a.html"
    page.write_text("<html><head><title>甲乙锂电项目在某某高新区开工_政务要闻_某某市人民政府网</title></head>"
                    "<body><p>3月12日，甲乙锂电项目开工。</p><p>ICP备案号 京ICP备12345678号</p></body></html>",
                    encoding="utf-8")
    assert ingest_file(page).title == "甲乙锂电项目在某某高新区开工"


BULLETIN_PAGE = """<html><head><title>2024年省重点建设项目名单公示</title></head><body>
<table><tr><td><p>根据有关规定，现将2024年省重点建设项目名单予以公示。</p>
<table><tr><th>序号</th><th>项目名称</th><th>建设单位</th><th>建设地点</th><th>总投资（亿元）</th></tr>
<tr><td>1</td><td>年产5万吨高纯石英砂项目</td><td>甲乙石英股份有限公司</td><td>东海县</td><td>25.6</td></tr>
<tr><td>2</td><td>智能网联汽车零部件<br>产业园</td><td>丙丁投资股份有限公司</td><td>盐城经济技术开发区</td><td>18</td></tr>
</table></td></tr></table>
<table><tr><td>联系人</td><td>张某</td></tr><tr><td>电话</td><td>0518-12345678</td></tr></table>
</body></html>"""


def test_a_table_of_an_html_page_is_read_row_by_row(tmp_path):
    """Cells were run together (…股份有限公司东海县25.62智能网联…); a table with a header row
    reads as one labelled record per row, the header's unit with each bare figure; a layout
    table's single cell stays its text; a two-column table without a header pairs each label
    with its value."""
    page = tmp_path / "bulletin.html"
    page.write_text(BULLETIN_PAGE, encoding="utf-8")
    lines = ingest_file(page).text.splitlines()
    assert "根据有关规定，现将2024年省重点建设项目名单予以公示。" in lines
    assert "项目名称：年产5万吨高纯石英砂项目；建设单位：甲乙石英股份有限公司；建设地点：东海县；总投资：25.6亿元。" in lines
    # (a line break inside a cell joins two Han characters without a space)
    assert "项目名称：智能网联汽车零部件产业园；建设单位：丙丁投资股份有限公司；建设地点：盐城经济技术开发区；总投资：18亿元。" in lines
    assert "联系人：张某。" in lines and "电话：0518-12345678。" in lines


def test_the_rows_of_a_bulletin_table_give_their_projects_owner_place_and_sum(tmp_path):
    from kg.extract import extract_document

    page = tmp_path / "bulletin.html"
    page.write_text(BULLETIN_PAGE.replace("零部件<br>产业园", "零部件产业园"), encoding="utf-8")
    ex = extract_document(ingest_file(page))
    inv = {(r.subject[1], r.object[1]) for r in ex.relations if r.predicate == "investor"}
    assert ("甲乙石英股份有限公司", "年产5万吨高纯石英砂项目") in inv
    assert ("丙丁投资股份有限公司", "智能网联汽车零部件产业园") in inv
    sums = {(q.subject[1], q.value) for q in ex.quantities if q.kind == "investment"}
    assert sums == {("年产5万吨高纯石英砂项目", 2.56e9), ("智能网联汽车零部件产业园", 1.8e9)}


def test_a_table_without_a_header_reads_cell_by_cell():
    from kg.ingest import _table_lines

    rows = [[("2023", False), ("12", False), ("25.6", False)], [("2024", False), ("15", False), ("30", False)]]
    assert _table_lines(rows) == ["2023；12；25.6。", "2024；15；30。"]


def test_tables_of_text_and_markdown_files_are_read_row_by_row():
    tsv = ("2024年重点项目清单\n序号\t项目名称\t建设单位\t总投资（亿元）\n1\t年产5万吨石英砂项目\t甲乙石英股份有限公司\t25.6\n"
           "2\t汽车零部件产业园\t丙丁投资股份有限公司\t18\n\t一、总体情况\n\t二、下一步工作\n")
    lines = ingest_text(tsv).text.splitlines()
    assert "项目名称：年产5万吨石英砂项目；建设单位：甲乙石英股份有限公司；总投资：25.6亿元。" in lines
    assert {"一、总体情况", "二、下一步工作"} <= {ln.strip() for ln in lines}  # indented prose is no table
    md = "# 清单\n\n| 项目名称 | 总投资（亿元） |\n| --- | ---: |\n| 年产5万吨石英砂项目 | 25.6 |\n"
    from kg.ingest import _markdown_to_text

    assert "项目名称：年产5万吨石英砂项目；总投资：25.6亿元。" in _markdown_to_text(md).splitlines()


def test_a_pipe_table_pasted_into_a_plain_text_is_read_row_by_row(tmp_path):
    """A Markdown table in a .txt file (copied from a page or a chat) is a table there too;
    prose with a bar in it after the table's end (a blank line) is left alone."""
    f = tmp_path / "list.txt"
    f.write_text("重点项目表\n| 项目名称 | 所在县区 | 总投资（亿元） |\n|---|---|---|\n| 年产5万吨石英砂项目 | 东港区 | 25.6 |\n"
                 "\n说明：A|B两栏\n", encoding="utf-8")
    lines = ingest_file(f).text.splitlines()
    assert "项目名称：年产5万吨石英砂项目；所在县区：东港区；总投资：25.6亿元。" in lines, lines
    assert "说明：A|B两栏" in lines


PDF_TABLE = """2025年某市重点建设项目计划表
序号  项目名称                建设单位              建设地点    总投资    建设内容
                                                                （亿元）
一、新材料产业
1     年产5万吨负极材         甲乙新材料有限公司    赣县区      12.5      建设生产线4条
      料项目
2     汽车零部件产业园        丙丁投资股份有限      南康区      8         建设厂房10万平
                                        — 3 —
序号  项目名称                建设单位              建设地点    总投资    建设内容
                                                                （亿元）
                              公司                                        方米
3     年产10万吨饲料项目      戊己农牧有限公司      信丰县      3         建设饲料生产线
      小计                                                      23.5
注：总投资以备案金额为准，建设内容以批复为准。
"""


def test_a_table_aligned_with_spaces_is_read_row_by_row():
    """Text taken from a PDF lays a table out with runs of spaces, cells wrapped over lines
    (even over a page's footer and the header printed again): each row reads as a labelled
    record under the header, the unit under a label goes with its figures, a section line
    stays a line, the 小计 row, the footer (— 3 —) and the repeated header go, and the note
    after the table is prose again."""
    lines = ingest_text(PDF_TABLE).text.splitlines()
    assert lines == [
        "2025年某市重点建设项目计划表",
        "一、新材料产业",
        "项目名称：年产5万吨负极材料项目；建设单位：甲乙新材料有限公司；建设地点：赣县区；总投资：12.5亿元；建设内容：建设生产线4条。",
        "项目名称：汽车零部件产业园；建设单位：丙丁投资股份有限公司；建设地点：南康区；总投资：8亿元；建设内容：建设厂房10万平方米。",
        "项目名称：年产10万吨饲料项目；建设单位：戊己农牧有限公司；建设地点：信丰县；总投资：3亿元；建设内容：建设饲料生产线。",
        "注：总投资以备案金额为准，建设内容以批复为准。"]


def test_the_rows_of_an_aligned_table_give_their_projects_owner_and_sum():
    from kg.extract import extract_document

    ex = extract_document(ingest_text(PDF_TABLE))
    inv = {(r.subject[1], r.object[1]) for r in ex.relations if r.predicate == "investor"}
    assert {("甲乙新材料有限公司", "年产5万吨负极材料项目"), ("戊己农牧有限公司", "年产10万吨饲料项目")} <= inv
    sums = {(q.subject[1], q.value) for q in ex.quantities if q.kind == "investment"}
    assert ("年产5万吨负极材料项目", 1.25e9) in sums and ("年产10万吨饲料项目", 3e8) in sums


def test_label_and_value_aligned_in_two_columns_pair_up_and_prose_is_left_alone():
    text = ("项目名称    年产5万吨高纯石英砂项目\n建设单位    甲乙石英股份有限公司\n总投资      12亿元\n"
            "一、  总体情况\n今年以来，全市  项目建设进展顺利。\n")
    lines = ingest_text(text).text.splitlines()
    assert lines[:3] == ["项目名称：年产5万吨高纯石英砂项目。", "建设单位：甲乙石英股份有限公司。", "总投资：12亿元。"]
    assert lines[3:] == ["一、  总体情况", "今年以来，全市  项目建设进展顺利。"]


def test_an_english_paragraph_is_not_joined_to_the_chinese_one_after_it():
    """A bilingual release follows each paragraph with its translation: the English line ends a
    sentence with a full stop, and the next company name must not start with its last word."""
    text = ("甲乙新材料有限公司年产5万吨负极材料项目总投资12亿元，将落户某某高新区。\n"
            "The anode materials project of Jiayi New Materials Co., Ltd. will cost RMB 1.2 billion.\n\n"
            "丙丁科技有限公司年产2万台电机项目同场签约。\n")
    lines = ingest_text(text).text.splitlines()
    assert "丙丁科技有限公司年产2万台电机项目同场签约。" in lines


def test_an_articles_pictographs_links_and_credits_are_no_text_of_it():
    text = ("本次集中开工项目共15个。\n\n📍甲乙新材料有限公司年产5万吨碳酸锂项目\n💰总投资：48亿元\n\n"
            "编辑：张某  责编：李某  审核：王某\n\n👇往期回顾👇\n▶ 某某高铁最新进展来了！\n▶ 某县年产20万吨有机肥项目签约落地\n\n阅读原文\n")
    lines = ingest_text(text).text.splitlines()
    assert "甲乙新材料有限公司年产5万吨碳酸锂项目" in lines and "总投资：48亿元" in lines
    assert "编辑：张某  责编：李某  审核：王某" in lines  # credits are no table
    assert not any("往期" in ln or "有机肥" in ln or "高铁" in ln for ln in lines)


def test_a_bulletins_date_is_read_from_its_header_line():
    assert ingest_text("某市工业和信息化局\n工作简报\n第7期\n某市工业和信息化局办公室编  2025年4月2日\n\n全市项目推进情况。\n").date == "2025-04-02"
    assert ingest_text("标题\n原创 某某发布 2025年03月06日 18:30 江西\n\n正文。\n").date == "2025-03-06"


NEWS_PAGE = """<html><head><title>某经开区重点项目推进情况一览表_某某经开区</title></head><body>
<div class="top">今天是：2025年10月15日 星期三 无障碍 | 移动版 | English</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/a">政务公开</a></li><li><a href="/b">项目建设</a></li></ul>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/b">项目建设</a> &gt; 正文</div>
<div class="content"><p>截至9月底，全区纳入调度的重点项目共58个。现将推进情况公布如下：</p>
<table><tr><th>序号</th><th>项目名称</th><th>业主单位</th><th>总投资<br>（万元）</th><th>截至9月底进展</th></tr>
<tr><td>1</td><td>年产300万条全钢子午线轮胎<br>智能化技改项目</td><td>甲乙轮胎有限公司</td><td>120000</td><td>设备调试</td></tr>
<tr><td>2</td><td>某某农产品冷链物流中心</td><td>丙丁冷链物流有限公司</td><td>22000</td><td>土建施工</td></tr>
<tr><td colspan="3">合计</td><td>142000</td><td></td></tr></table></div>
<div class="related"><h3>相关链接</h3><ul><li><a href="/1">某区召开9月份项目建设调度会</a></li>
<li><a href="/2">总投资20亿元的年产3万吨碳纤维项目落户某县</a></li></ul></div>
</body></html>"""


def test_a_pages_menus_breadcrumb_links_and_totals_are_no_text_of_it(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(NEWS_PAGE, encoding="utf-8")
    lines = [ln for ln in ingest_file(page).text.splitlines() if ln.strip()]
    assert "首页" in lines and "政务公开" in lines  # menu items stay lines of their own
    assert not any("当前位置" in ln or "碳纤维" in ln or "调度会" in ln or "142000" in ln for ln in lines), lines
    assert "现将推进情况公布如下：" in lines[-3]  # (no table row is joined to the paragraph before)
    assert lines[-2].startswith("项目名称：年产300万条全钢子午线轮胎智能化技改项目；业主单位：甲乙轮胎有限公司；总投资：120000万元；")


def test_reading_a_read_text_again_changes_nothing():
    """Line ends are made one kind before tables are looked for, and two cells without a Han
    label are no label and value (a second reading saw other lines: 0\\t0 then 0：0。)."""
    for raw in ("0\t0\x850\t0", "甲乙项目\t丙丁有限公司\u2028戊己项目\t庚辛有限公司\n"):
        doc = ingest_text(raw)
        assert ingest_text(doc.text).text == doc.text


def test_group_rows_of_a_tab_table_are_headings_inside_it():
    """一\\t续建项目（2个） between a table's rows heads a group of them: the table goes on, the
    row becomes a heading line (what the status rules read as a section)."""
    tsv = ("2025年重点项目名单\n序号\t项目名称\t总投资（万元）\t责任单位\n一\t续建项目（1个）\n"
           "1\t甲乙风电场项目\t78000\t丙丁县发改局\n二\t新开工项目（1个）\n2\t戊己产业园二期项目\t56000\t庚辛有限公司\n")
    lines = ingest_text(tsv).text.splitlines()
    assert lines[1:] == ["一、续建项目（1个）", "项目名称：甲乙风电场项目；总投资：78000万元；责任单位：丙丁县发改局。",
                         "二、新开工项目（1个）", "项目名称：戊己产业园二期项目；总投资：56000万元；责任单位：庚辛有限公司。"]
