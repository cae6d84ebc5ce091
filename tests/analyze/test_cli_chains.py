"""The ``kg chains`` command on the fixture graph."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
from rdflib import Dataset

from kg.cli import main
from kg.ns import ANALYSIS_GRAPH

from .helpers import DATA, TPV, fixture_dataset


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("chains") / "graph.trig"
    p.write_text(fixture_dataset().serialize(format="trig"), encoding="utf-8")
    return str(p)


def test_json(graph_file, capsys):
    assert main(["chains", graph_file, "--region", "朔州", "--chain", "tpv", "-f", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    (rep,) = d["reports"]
    assert rep["scope_label"] == "朔州市"
    assert [g["label"] for g in rep["gaps"] if g["kind"] == "补链"] == ["电池片"]
    assert d["text_leaders"][0]["label"] == "晶源集团"


def test_csv(graph_file, capsys):
    assert main(["chains", graph_file, "--zone", "北岭开发区", "-f", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    cell = next(r for r in rows if r["link"] == TPV + "/cell")
    assert (cell["present"], cell["gap"], cell["direction"]) == ("False", "补链", "between")


def test_table(graph_file, capsys):
    assert main(["chains", graph_file, "--region", "长治", "--chain", "锂电池"]) == 0
    out = capsys.readouterr().out
    assert "补链" in out and "延链" in out and "正极材料" in out


def test_writes_analysis_and_exports(graph_file, tmp_path, capsys):
    trig, gml, gexf = tmp_path / "a.trig", tmp_path / "c.graphml", tmp_path / "c.gexf"
    assert main(["chains", graph_file, "--region", "朔州", "--chain", "tpv", "-f", "json",
                 "--write-analysis", str(trig), "--graphml", str(gml), "--gexf", str(gexf)]) == 0
    ds = Dataset()
    ds.parse(trig, format="trig")
    assert len(ds.graph(ANALYSIS_GRAPH)) > 0
    assert TPV + "/cell" in nx.read_graphml(gml) and TPV + "/cell" in nx.read_gexf(gexf)


def test_path(graph_file, capsys):
    assert main(["chains", graph_file, "--path", "金石硅业", "--path", "晶源集团"]) == 0
    assert "金石硅业 —investor→ 金石半导体级高纯硅项目" in capsys.readouterr().out


@pytest.mark.parametrize("args", [
    ["--region", "火星市"],
    ["--chain", "nonexistent"],
    ["--region", "朔州", "--zone", "北岭开发区"],
    ["-f", "xml"],
    ["--graphml", "x.graphml"],
])
def test_bad_input_exits_2(graph_file, capsys, args):
    assert main(["chains", graph_file, *args]) == 2
    assert "kg: error:" in capsys.readouterr().err


def test_no_vocabulary_exits_1(tmp_path, capsys):
    p = tmp_path / "g.trig"
    ds = Dataset()
    ds.parse(DATA / "fixture.trig", format="trig")
    p.write_text(ds.serialize(format="trig"), encoding="utf-8")
    assert main(["chains", str(p)]) == 1
    assert "no chain vocabulary" in capsys.readouterr().err
