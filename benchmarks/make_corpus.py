"""Generate a realistic corpus of documents of the genre chainkg reads, at any size.

Each document is a project report of a city or a development zone: key projects of
companies in zones, with investment, capacity, progress, stage verbs and dates, regional
indicators and chain-leader remarks. Names are composed from the national region list
(jionlp's data, through ``kg.regions``), the chain vocabularies (``ontology/chains``) and
pools of syllables, so the corpus has many distinct companies, zones and projects.
Deterministic: the same ``--seed`` and ``--docs`` give byte-identical files.

Usage::

    python benchmarks/make_corpus.py OUT_DIR --docs 10000 [--seed 7]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SYLLABLES = ("华", "鑫", "中", "瑞", "兴", "泰", "晶", "宏", "恒", "盛", "达", "源", "科", "博", "创",
             "新", "嘉", "远", "正", "通", "龙", "凯", "金", "银", "海", "天", "润", "明", "昌", "信")
TRADES = ("新材料", "能源科技", "电子科技", "光伏科技", "新能源", "化工", "装备制造", "半导体", "锂电科技",
          "特钢", "碳素", "智能科技", "光电", "储能科技", "机械设备")
SUFFIXES = ("有限公司", "股份有限公司", "集团有限公司", "科技有限公司")
ZONE_TYPES = ("经济技术开发区", "高新技术产业开发区", "经济开发区", "工业园区")
STAGES = (
    ("已完成{p}%的建设进度", "under_construction"),
    ("正式开工建设", "started"),
    ("已进入试生产阶段", "trial_production"),
    ("顺利投产", "in_production"),
    ("签约落地", "planned"),
    ("续建项目全部复工", "under_construction"),
    ("实现达产", "in_production"),
)


def _name(rng: random.Random, k: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(k))


def _vocab():
    from kg.lexicon import chain_vocabulary
    from kg.regions import places

    products = sorted({(v.label, v.chain) for v in chain_vocabulary() if v.kind == "product"
                       and 2 <= len(v.label) <= 8 and not v.label.isascii()})
    from kg.regions import place_by_code

    def rooted(p) -> bool:  # the gazetteer has a few self-parented places (市直辖行政区划)
        seen, code = {p.code}, p.parent
        while code:
            if code in seen:
                return False
            seen.add(code)
            q = place_by_code(code)
            code = q.parent if q else ""
        return place_by_code(p.code) is None or place_by_code(p.code).parent != p.code

    cities = sorted((p for p in places() if p.level == "city" and p.short and rooted(p)),
                    key=lambda p: p.code)
    counties = sorted((p for p in places() if p.level == "county" and p.code and rooted(p)
                       and "直辖" not in p.name), key=lambda p: p.code)
    return products, cities, counties


def make_document(rng: random.Random, products, cities, counties, index: int) -> str:
    city = rng.choice(cities)
    province = city.parent
    local = [c for c in counties if c.parent == city.code] or counties
    county = rng.choice(local)
    zone = f"{county.name.rstrip('区县市')}{rng.choice(ZONE_TYPES)}"
    year = rng.choice(range(2019, 2027))
    title = f"{city.short}市加快重点项目建设纪实（{index}）"
    paras = [title, f"发布时间：{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
    n_new = rng.randint(200, 2000)
    started = rng.randint(n_new // 2, n_new)
    paras.append(
        f"今年以来，{city.name}坚持项目为王，截至目前，全市{n_new}个新建项目已开工{started}个，"
        f"开工率{100 * started / n_new:.1f}%。1月—{rng.randint(5, 11)}月完成投资{rng.randint(50, 900)}亿元，"
        f"完成率{rng.randint(50, 99)}%。")
    for _ in range(rng.randint(9, 13)):
        product, _chain = rng.choice(products)
        brand, trade, suffix = _name(rng), rng.choice(TRADES), rng.choice(SUFFIXES)
        if trade.endswith("科技") and suffix.startswith("科技"):
            suffix = "有限公司"
        company = f"{city.short}{brand}{trade}{suffix}"
        short = brand + trade[:2]
        cap = rng.randint(1, 60)
        project = f"{short}年产{cap}万吨{product}项目"
        invest = rng.choice((f"{rng.randint(2, 90)}亿元", f"{rng.randint(3000, 90000)}万元",
                             f"{rng.randint(2, 50)}.{rng.randint(1, 9)}亿元"))
        stage, _code = rng.choice(STAGES)
        stage = stage.format(p=rng.randint(10, 95))
        month = rng.randint(1, 12)
        body = (
            f"{company}在{zone}落地{project}，总投资{invest}，建成后年产{cap}万吨{product}，"
            f"年产值可达{rng.randint(1, 80)}亿元。{month}月，项目{stage}。"
        )
        if rng.random() < 0.3:
            body += f"{company}是我省{product}重点产业链“链主”企业，带动上下游企业{rng.randint(3, 40)}家。"
        if rng.random() < 0.4:
            body += (f"{zone}管委会第{rng.randint(2, 30)}次调度会对项目前期土地、资金保障做出具体安排，"
                     f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日完成土地出让。")
        if rng.random() < 0.3:
            body += f"项目占地{rng.randint(50, 900)}亩，建筑面积{rng.randint(2, 40)}万平方米，可新增就业岗位{rng.randint(100, 3000)}个。"
        paras.append(body)
    paras.append(
        f"截至{year - 1}年底，{zone}入驻企业{rng.randint(20, 300)}家，生产总值达到{rng.randint(10, 900)}.{rng.randint(10, 99)}亿元，"
        f"税收达到{rng.randint(1, 90)}.{rng.randint(10, 99)}亿元。{county.name}位于{city.name}，"
        f"隶属{province and ''}{city.name}。")
    return "\n\n".join(paras) + "\n"


def make_corpus(out: Path, docs: int, seed: int = 7) -> int:
    """Write ``docs`` documents into ``out``; return the total number of characters."""
    products, cities, counties = _vocab()
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    total = 0
    width = len(str(docs))
    for i in range(docs):
        text = make_document(random.Random(rng.getrandbits(64)), products, cities, counties, i)
        (out / f"doc{i:0{width}d}.txt").write_text(text, encoding="utf-8")
        total += len(text)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    n = make_corpus(a.out, a.docs, a.seed)
    print(f"wrote {a.docs} documents, {n:,} characters, to {a.out}")


if __name__ == "__main__":
    main()
