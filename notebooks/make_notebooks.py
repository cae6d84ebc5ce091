"""Write the tutorial notebooks of ``notebooks/`` (without outputs) from the cells below.

The notebooks are generated so that they stay small, reviewable and free of outputs in git;
edit the cells here and run ``python notebooks/make_notebooks.py`` (``--check`` exits 1 when
a committed notebook differs from what this script writes). Every notebook runs with
``notebooks/`` as its working directory and only calls :mod:`kg`.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def setup(*imports: str) -> str:
    """The first code cell: imports (``imports`` are extra lines), pandas display, CJK font."""
    lines = ["import pandas as pd", *imports, "", "import kg.notebook as nb"]
    return "\n".join(lines) + """

pd.set_option("display.max_colwidth", 60)
nb.cjk_font()  # Chinese labels in charts (Debian's fonts-noto-cjk); raises with a hint if missing"""


NB01 = [
    ("md", """\
# 01 · Build the graph and query it · 构建与查询

From the bundled corpus (`data/corpus/`) to a knowledge graph on disk, its counts, and
SPARQL answers as pandas DataFrames. Everything here is a call into the `kg` package — the
same functions the `kg` command line runs."""),
    ("code", setup()),
    ("md", """\
## Build · 构建

`build_graph` ingests every document, extracts entities, relations and quantities, resolves
them to entities with stable IRIs, maps them to RDF, validates with SHACL and writes
`graph.trig`, `graph.ttl` and `shacl-report.ttl` into `OUT` (the same as `kg build`)."""),
    ("code", """\
from kg.pipeline import build_graph

CORPUS = "../data/corpus"
OUT = "../out/notebook-01"

report = build_graph(CORPUS, OUT)
print("documents:", len(report.documents), "| problems:", report.problems,
      "| SHACL conforms:", report.conforms)
report.outputs"""),
    ("md", "## Counts · 统计\n\nEntities per class, relations per predicate, quantities."),
    ("code", """\
counts = nb.counts_frame(report.counts)
assert counts.set_index("what").loc["documents", "count"] >= 1
counts"""),
    ("md", """\
## Load the graph · 载入

`load_graph` reads the TriG file back into an rdflib `Dataset` (one named graph per document
plus the ontology, chain, region, entity and analysis graphs)."""),
    ("code", """\
from kg.store import load_graph

ds = load_graph(f"{OUT}/graph.trig")
len(ds)"""),
    ("md", """\
## Stored queries · 预置查询

A library of ready questions ships with the package (`kg query --list`). Each has a
Chinese and an English title and declared parameters."""),
    ("code", """\
from kg.query import list_stored_queries

pd.DataFrame([{"name": q.name, "title": q.title_zh, "title_en": q.title_en,
               "params": ", ".join(p.name for p in q.params)}
              for q in list_stored_queries()])"""),
    ("code", """\
entities = nb.query_frame(ds, "entities-by-type")
assert len(entities) > 0
entities.groupby("type").size().rename("entities").to_frame()"""),
    ("code", """\
entities[entities["type"] == "kg:Company"].head(10)"""),
    ("md", """\
Parameters are bound safely (never pasted into the query text). `entity` parameters accept a
name or alias as well as an IRI:"""),
    ("code", """\
nb.query_frame(ds, "projects-by-stage", {"place": "长治市"}).head(10)"""),
    ("code", """\
nb.query_frame(ds, "investment-by-region").head(10)"""),
    ("md", """\
## Your own SPARQL · 自定义查询

The default graph is the union of all named graphs. Prefixes `kg:`, `schema:`, `skos:`, …
are declared in the query as usual."""),
    ("code", """\
Q = '''
PREFIX kg: <https://w3id.org/chainkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?project ?name ?place WHERE {
  ?project a kg:Project ; rdfs:label ?name .
  OPTIONAL { ?project kg:locatedIn/rdfs:label ?place }
}
ORDER BY ?name
'''
projects = nb.query_frame(ds, Q)
projects.head(15)"""),
    ("md", """\
## Where did a fact come from? · 溯源

Every relation is reified as a `kg:Assertion` with the sentence, offsets and rule."""),
    ("code", """\
Q = '''
PREFIX kg: <https://w3id.org/chainkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?predicate ?rule ?sentence WHERE {
  ?a a kg:Assertion ; rdf:predicate ?predicate ; kg:rule ?rule ; kg:sentence ?s .
  ?s kg:text ?sentence .
}
LIMIT 10
'''
nb.query_frame(ds, Q)"""),
]

NB02 = [
    ("md", """\
# 02 · Industry chains of 长治 and 平鲁 · 产业链分析

Chain coverage, gaps to fill (补链) and to extend (延链), chain-leader candidates (链主)
and local supply matches (本地配套) for 长治市 and 平鲁经济技术开发区, with tables, charts
and the 产业链全景图 drawn inline. The analysis is `kg.analyze` — the same as `kg chains`."""),
    ("code", setup("from IPython.display import display")),
    ("code", """\
from kg.analyze import Analyzer, analyze_chains, chain_graph
from kg.pipeline import build_graph
from kg.store import load_graph

OUT = "../out/notebook-02"
report = build_graph("../data/corpus", OUT, update=True)  # reuses an earlier build's extraction
ds = load_graph(f"{OUT}/graph.trig")
an = Analyzer(ds)  # one projection of the graph, shared by every call below"""),
    ("md", "## 长治市 · coverage per chain"),
    ("code", """\
changzhi = analyze_chains(None, region="长治市", analyzer=an)
table = nb.chain_table(changzhi)
table[table["present"] > 0]"""),
    ("code", "nb.chain_bar_chart(changzhi);"),
    ("md", """\
### Gaps · 缺口

补链: a missing link between or beside links the region has; 延链: a missing link up- or
downstream of them."""),
    ("code", """\
nb.gap_table([r for r in changzhi if r.present], kinds=["补链", "延链"])"""),
    ("md", "### Chain leaders and local supply · 链主与本地配套"),
    ("code", """\
display(nb.leader_table(changzhi)[["chain", "leader", "score", "from_text"]])
nb.match_table(changzhi)"""),
    ("md", "## 平鲁经济技术开发区"),
    ("code", """\
pinglu = analyze_chains(None, zone="平鲁经济技术开发区", analyzer=an)
nb.chain_table(pinglu).query("present > 0")"""),
    ("code", "nb.chain_bar_chart(pinglu);"),
    ("code", """\
display(nb.gap_table([r for r in pinglu if r.present]))
display(nb.leader_table(pinglu)[["chain", "leader", "score", "from_text"]])
nb.match_table(pinglu)"""),
    ("md", """\
## 产业链全景图 · chain panorama

The best-covered chain of each scope, drawn inline (the same page `kg viz` writes under
`chains/`): links by stage, present links filled, gaps marked, companies and projects at
each link."""),
    ("code", """\
from kg.viz import show

best = changzhi[0]
print(best.label, f"{best.present}/{best.total}")
show(chain_graph(None, best.chain, region="长治市", analyzer=an))"""),
    ("code", """\
best = pinglu[0]
print(best.label, f"{best.present}/{best.total}")
show(chain_graph(None, best.chain, zone="平鲁经济技术开发区", analyzer=an))"""),
]

NB03 = [
    ("md", """\
# 03 · Bring your own documents · 使用自己的文档

Point `DOCS` at a folder of your own `.txt` / `.md` / `.html` documents (any common Chinese
encoding). The notebook builds their graph, rebuilds it incrementally, shows what changed,
explains the extraction of one document and validates the graph with SHACL."""),
    ("code", """\
DOCS = "../../shared/eval/dev/texts"  # ← your folder of documents"""),
    ("code", setup()),
    ("code", """\
from kg.ingest import iter_documents
from kg.pipeline import build_graph

OUT = "../out/notebook-03"
files, skipped = iter_documents(DOCS)
print(len(files), "documents;", len(skipped), "skipped")"""),
    ("md", """\
## A first build · 首次构建

To show an incremental rebuild, the first build leaves out the last document (with your
own folder you would simply build, add or edit documents, and build again)."""),
    ("code", """\
first = build_graph(files[:-1] or files, OUT)
nb.counts_frame(first.counts)"""),
    ("md", """\
## Rebuild incrementally · 增量构建

`update=True` (`kg build --update`) reuses the extraction of every unchanged document from
the previous build in `OUT` and extracts only new and changed ones; resolution and mapping
run over the whole corpus, so the result equals a full rebuild."""),
    ("code", """\
second = build_graph(files, OUT, update=True)
changes = nb.build_changes(first, second)
print("added:", changes["added"])
print("removed:", changes["removed"])
changes["counts"]"""),
    ("md", """\
## Review the extraction · 审核抽取结果

Per fact the rule that produced it and the sentence it came from — the same as
`kg extract FILE --explain`."""),
    ("code", """\
doc = str(files[-1])
explained = nb.explain_table(doc)
explained.head(20)"""),
    ("code", """\
from kg.cli import main as kg_cli

kg_cli(["extract", doc, "--explain"]);  # the same as: kg extract FILE --explain"""),
    ("md", "## Validate with SHACL · 校验"),
    ("code", """\
from kg.store import load_graph
from kg.validate import validate_graph

shacl = validate_graph(load_graph(f"{OUT}/graph.trig"))
print(shacl.summary(limit=10))
pd.DataFrame(shacl.results, columns=["severity", "focus", "path", "message"]).head(20)"""),
    ("md", """\
## Ask your graph · 查询

Any stored query works on your graph as well, e.g. the projects by stage:"""),
    ("code", """\
nb.query_frame(f"{OUT}/graph.trig", "projects-by-stage").head(20)"""),
]

NOTEBOOKS = {
    "01_build_and_query.ipynb": NB01,
    "02_industry_chains.ipynb": NB02,
    "03_bring_your_own_documents.ipynb": NB03,
}


def make(cells):
    """One notebook (nbformat 4, no outputs) from ``(kind, source)`` pairs."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(src) if kind == "code" else new_markdown_cell(src)
                             for kind, src in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):  # stable ids: regenerating changes nothing
        cell["id"] = f"cell-{i:02d}"
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, cells in NOTEBOOKS.items():
        path = HERE / name
        text = make(cells)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print("out of date (run python notebooks/make_notebooks.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
