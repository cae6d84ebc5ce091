/* chainkg explorer: draws the JSON block #kg-data with vis-network.
 * Every document string reaches the DOM through textContent (never innerHTML), and the
 * vis canvas draws labels as text. window.kgExplorer exposes the state for tests. */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('kg-data').textContent);
  var N = D.nodes.length;
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  var classInfo = {};
  D.classes.forEach(function (c) { classInfo[c[0]] = { zh: c[1], en: c[2], color: c[3], shape: c[4] }; });
  var facetNames = ['chain', 'zone', 'region', 'status'];

  // ---- adjacency
  var adj = [];
  for (var i = 0; i < N; i++) adj.push([]);
  D.edges.forEach(function (e, k) { adj[e.from].push(k); adj[e.to].push(k); });

  // ---- aggregation (large graphs open on one node per group)
  var owner = new Array(N);
  var groups = {};
  function groupKeyOf(i) {
    var inf = D.info[i];
    if (D.aggregateBy === 'chain') {
      return inf.chain.length ? 'chain:' + inf.chain[0] : 'cls:' + inf.cls;
    }
    if (D.aggregateBy === 'zone') {
      return inf.zone.length ? 'zone:' + inf.zone[0] : 'cls:' + inf.cls;
    }
    return 'cls:' + inf.cls;
  }
  function groupLabel(key) {
    var kind = key.slice(0, key.indexOf(':')), v = key.slice(key.indexOf(':') + 1);
    if (kind === 'cls') return classInfo[v].zh;
    return D.facets[kind][+v][1];
  }
  for (i = 0; i < N; i++) owner[i] = i;
  if (D.aggregate) {
    for (i = 0; i < N; i++) {
      var key = 'g:' + groupKeyOf(i);
      if (!groups[key]) groups[key] = { id: key, members: [], cls: D.info[i].cls };
      groups[key].members.push(i);
      owner[i] = key;
    }
  }

  var nodes = new vis.DataSet();
  var edges = new vis.DataSet();
  function groupNode(g) {
    var ci = classInfo[g.cls] || { color: '#888', shape: 'dot' };
    return { id: g.id, label: groupLabel(g.id.slice(2)) + '\n(' + g.members.length + ')',
             shape: g.id.indexOf('g:cls:') === 0 ? ci.shape : 'dot', color: ci.color,
             value: g.members.length, borderWidth: 3, font: { size: 16, multi: false } };
  }
  function rebuildEdges() {
    var list = [], agg = {};
    D.edges.forEach(function (e, k) {
      var a = owner[e.from], b = owner[e.to];
      if (typeof a === 'number' && typeof b === 'number') { list.push(D.edges[k]); return; }
      if (a === b) return;
      var id = 'a:' + a + '|' + b;
      if (!agg[id]) agg[id] = { id: id, from: a, to: b, count: 0 };
      agg[id].count++;
    });
    Object.keys(agg).forEach(function (id) {
      var x = agg[id];
      list.push({ id: id, from: x.from, to: x.to, label: String(x.count), width: 1 + Math.log(x.count) });
    });
    edges.clear();
    edges.add(list);
  }
  if (D.aggregate) {
    nodes.add(Object.keys(groups).map(function (k) { return groupNode(groups[k]); }));
    rebuildEdges();
    $('agg-note').hidden = false;
    $('agg-text').textContent = '图中共 ' + N + ' 个节点，超过 ' + D.budget +
      ' 的绘制上限，先按' + ({ 'class': '类别', chain: '产业链', zone: '园区' })[D.aggregateBy] +
      '聚合显示。双击聚合节点（或在右侧点“展开”）展开其成员；搜索会自动展开。';
  } else {
    nodes.add(D.nodes);
    edges.add(D.edges);
  }

  var container = $('network');
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, D.options);
  var state = { settled: false, stabilizations: 0 };
  function settle() {
    network.setOptions({ physics: { enabled: false } });
    state.settled = true;
    state.stabilizations++;
    document.body.setAttribute('data-settled', 'true');
  }
  network.once('stabilizationIterationsDone', settle);
  network.on('stabilized', function () { if (!state.settled) settle(); });
  // A graph with no edges may never report: settle anyway.
  setTimeout(function () { if (!state.settled) settle(); }, 15000);
  function restartPhysics() {
    state.settled = false;
    document.body.setAttribute('data-settled', 'false');
    network.setOptions({ physics: { enabled: true } });
    network.stabilize(120);
  }

  function expandGroup(gid) {
    var g = groups[gid];
    if (!g || g.expanded) return;
    g.expanded = true;
    var p = network.getPositions([gid])[gid] || { x: 0, y: 0 };
    var add = g.members.map(function (m, j) {
      owner[m] = m;
      var a = (2 * Math.PI * j) / g.members.length, r = 30 + 4 * Math.sqrt(g.members.length) * 10;
      return Object.assign({}, D.nodes[m], { x: p.x + r * Math.cos(a), y: p.y + r * Math.sin(a) });
    });
    nodes.remove(gid);
    nodes.add(add);
    rebuildEdges();
    applyFilters();
    restartPhysics();
  }

  // ---- legend and filters
  var classOn = {};
  var counts = {};
  D.info.forEach(function (inf) { counts[inf.cls] = (counts[inf.cls] || 0) + 1; });
  D.classes.forEach(function (c) {
    classOn[c[0]] = true;
    var lab = el('label');
    var cb = el('input');
    cb.type = 'checkbox'; cb.checked = true; cb.setAttribute('data-class', c[0]);
    cb.addEventListener('change', function () { classOn[c[0]] = cb.checked; applyFilters(); });
    var sw = el('span', null, 'swatch');
    sw.style.background = c[3];
    lab.appendChild(cb); lab.appendChild(sw);
    lab.appendChild(el('span', c[1] + ' ' + c[2] + ' (' + (counts[c[0]] || 0) + ')'));
    $('legend').appendChild(lab);
  });
  var facetSel = {};
  facetNames.forEach(function (f) {
    var sel = $('f-' + f);
    D.facets[f].forEach(function (v, j) {
      var o = el('option', v[1]);
      o.value = String(j);
      sel.appendChild(o);
    });
    facetSel[f] = '';
    sel.addEventListener('change', function () { facetSel[f] = sel.value; applyFilters(); });
  });
  function passes(i) {
    var inf = D.info[i];
    if (!classOn[inf.cls]) return false;
    for (var q = 0; q < facetNames.length; q++) {
      var f = facetNames[q], v = facetSel[f];
      if (v === '') continue;
      if (f === 'status') { if (inf.status !== +v) return false; }
      else if (inf[f].indexOf(+v) < 0) return false;
    }
    return true;
  }
  var visible = new Array(N);
  function applyFilters() {
    var nu = [], eu = [];
    for (var i = 0; i < N; i++) {
      visible[i] = passes(i);
      if (owner[i] === i) nu.push({ id: i, hidden: !visible[i] });
    }
    nodes.update(nu);
    edges.forEach(function (e) {
      var hide = (typeof e.from === 'number' && !visible[e.from]) ||
                 (typeof e.to === 'number' && !visible[e.to]);
      if (!!e.hidden !== hide) eu.push({ id: e.id, hidden: hide });
    });
    if (eu.length) edges.update(eu);
    var shown = nodes.get({ filter: function (n) { return !n.hidden; } }).length;
    $('status-line').textContent = shown + ' / ' + nodes.length + ' 节点显示 nodes shown · ' + N + ' 节点 total';
  }

  // ---- side panel
  var panel = $('panel');
  var kinds = D.kinds || {};
  function fmtQuantity(q) {
    var v = q.value, u = q.unit || '';
    if (typeof v !== 'number') return String(v) + ' ' + u;
    var s;
    if (u === 'CNY' && Math.abs(v) >= 1e8) s = (v / 1e8).toLocaleString('zh-CN', { maximumFractionDigits: 4 }) + ' 亿元';
    else if (u === 'CNY' && Math.abs(v) >= 1e4) s = (v / 1e4).toLocaleString('zh-CN', { maximumFractionDigits: 4 }) + ' 万元';
    else if (u === 'CNY') s = v.toLocaleString('zh-CN') + ' 元';
    else if ((u === 'W' || u === 'Wh') && Math.abs(v) >= 1e9) s = (v / 1e9).toLocaleString('zh-CN', { maximumFractionDigits: 4 }) + ' G' + u;
    else if ((u === 'W' || u === 'Wh') && Math.abs(v) >= 1e6) s = (v / 1e6).toLocaleString('zh-CN', { maximumFractionDigits: 4 }) + ' M' + u;
    else if (u === 't' && Math.abs(v) >= 1e4) s = (v / 1e4).toLocaleString('zh-CN', { maximumFractionDigits: 4 }) + ' 万吨';
    else if (u === 'percent') s = v + '%';
    else s = v.toLocaleString('zh-CN') + ' ' + u;
    return s + '  [' + v + ' ' + u + ']';
  }
  function sourceBox(ref) {
    var s = D.sentences[ref[0]], box = el('div', null, 'source');
    box.appendChild(el('div', '《' + s[0] + '》', 'doc'));
    var p = el('p'), t = s[1], a = ref[1], b = ref[2];
    p.appendChild(document.createTextNode(t.slice(0, a)));
    if (b > a) p.appendChild(el('mark', t.slice(a, b)));
    p.appendChild(document.createTextNode(t.slice(b)));
    box.appendChild(p);
    return box;
  }
  function sources(list, total) {
    var frag = document.createDocumentFragment();
    frag.appendChild(el('h3', '来源句子 Source sentences (' + total + ')'));
    if (!list.length) frag.appendChild(el('p', '无 none', 'hint'));
    list.forEach(function (r) { frag.appendChild(sourceBox(r)); });
    if (total > list.length) frag.appendChild(el('p', '… 另有 ' + (total - list.length) + ' 句', 'hint'));
    return frag;
  }
  function facetList(title, f, idxs) {
    if (!idxs || !idxs.length) return null;
    var d = el('div');
    d.appendChild(el('b', title + '：'));
    d.appendChild(document.createTextNode(idxs.map(function (j) { return D.facets[f][j][1]; }).join('、')));
    return d;
  }
  function clear() { while (panel.firstChild) panel.removeChild(panel.firstChild); }
  function showNode(i) {
    var inf = D.info[i], ci = classInfo[inf.cls];
    clear();
    panel.setAttribute('data-node', String(i));
    panel.appendChild(el('h2', inf.label));
    var b = el('div');
    b.appendChild(el('span', ci.zh + ' ' + ci.en, 'badge'));
    if (inf.leader) b.appendChild(el('span', '★ 链主 chain leader', 'badge leader'));
    panel.appendChild(b);
    panel.appendChild(el('div', inf.iri, 'iri'));
    if (inf.aliases.length) {
      panel.appendChild(el('h3', '别名 Aliases'));
      panel.appendChild(el('div', inf.aliases.join('、'), 'aliases'));
    }
    panel.appendChild(el('h3', '属性 Properties'));
    [facetList('项目阶段', 'status', inf.status === null ? [] : [inf.status]),
     facetList('产业链', 'chain', inf.chain), facetList('园区', 'zone', inf.zone),
     facetList('地区', 'region', inf.region)].forEach(function (x) { if (x) panel.appendChild(x); });
    panel.appendChild(el('div', '关系数 degree：' + inf.degree));
    if (inf.quantities.length) {
      panel.appendChild(el('h3', '数量 Quantities'));
      var t = el('table', null, 'q'), hr = el('tr');
      ['指标', '数值 value', '原文 text'].forEach(function (h) { hr.appendChild(el('th', h)); });
      t.appendChild(hr);
      inf.quantities.forEach(function (q) {
        var tr = el('tr');
        tr.appendChild(el('td', (kinds[q.kind] || q.kind) + (q.product ? '（' + q.product + '）' : '')));
        tr.appendChild(el('td', fmtQuantity(q)));
        tr.appendChild(el('td', q.text));
        t.appendChild(tr);
      });
      panel.appendChild(t);
    }
    if (adj[i].length) {
      panel.appendChild(el('h3', '关系 Relations (' + adj[i].length + ')'));
      adj[i].slice(0, 60).forEach(function (k) {
        var e = D.edges[k], other = e.from === i ? e.to : e.from;
        var row = el('div', null, 'rel');
        row.appendChild(el('span', (e.from === i ? '→ ' : '← ') + (D.predicates[D.edgeInfo[k].pred] || D.edgeInfo[k].pred) + ' '));
        var btn = el('button', D.info[other].label);
        btn.addEventListener('click', function () { selectNode(other); });
        row.appendChild(btn);
        panel.appendChild(row);
      });
    }
    panel.appendChild(sources(inf.sources, inf.sourceCount));
  }
  function showEdge(k) {
    var e = D.edges[k], ei = D.edgeInfo[k];
    clear();
    panel.setAttribute('data-edge', String(k));
    panel.appendChild(el('h2', D.info[e.from].label + ' → ' + D.info[e.to].label));
    panel.appendChild(el('span', (D.predicates[ei.pred] || ei.pred) + ' (' + ei.pred + ')', 'badge'));
    panel.appendChild(sources(ei.sources, ei.sourceCount));
  }
  function showGroup(gid) {
    var g = groups[gid];
    clear();
    panel.appendChild(el('h2', groupLabel(gid.slice(2))));
    panel.appendChild(el('p', g.members.length + ' 个节点 nodes (聚合 aggregated)'));
    var btn = el('button', '展开 Expand');
    btn.id = 'expand';
    btn.addEventListener('click', function () { expandGroup(gid); });
    panel.appendChild(btn);
  }
  function selectNode(i) {
    if (typeof owner[i] !== 'number') expandGroup(owner[i]);
    if (!visible[i]) return false;
    network.selectNodes([i]);
    network.focus(i, { scale: 1.1, animation: false });
    showNode(i);
    return true;
  }
  network.on('click', function (p) {
    if (p.nodes.length) {
      var id = p.nodes[0];
      if (typeof id === 'number') showNode(id); else showGroup(id);
    } else if (p.edges.length) {
      var k = p.edges[0];
      if (typeof k === 'number') showEdge(k);
    }
  });
  network.on('doubleClick', function (p) {
    if (p.nodes.length && typeof p.nodes[0] === 'string') expandGroup(p.nodes[0]);
  });

  // ---- search by name or alias
  // The suggestion list is built on first focus: thousands of <option>s would slow the load.
  var namesBuilt = false;
  function buildNames() {
    if (namesBuilt) return;
    namesBuilt = true;
    var names = $('names'), seen = {}, count = 0, frag = document.createDocumentFragment();
    D.info.forEach(function (inf) {
      [inf.label].concat(inf.aliases).forEach(function (n) {
        if (seen[n] || count > 20000) return;
        seen[n] = true;
        count++;
        var o = el('option'); o.value = n; frag.appendChild(o);
      });
    });
    names.appendChild(frag);
  }
  $('search').addEventListener('focus', buildNames);
  function find(q) {
    q = q.trim();
    if (!q) return -1;
    var j, contains = -1;
    for (j = 0; j < N; j++) {
      var inf = D.info[j];
      if (inf.label === q || inf.aliases.indexOf(q) >= 0) return j;
      if (contains < 0 && (inf.label.indexOf(q) >= 0 ||
          inf.aliases.some(function (a) { return a.indexOf(q) >= 0; }))) contains = j;
    }
    return contains;
  }
  function search() {
    var j = find($('search').value);
    if (j >= 0) selectNode(j);
    return j;
  }
  $('search').addEventListener('keydown', function (ev) { if (ev.key === 'Enter') search(); });
  $('search').addEventListener('change', search);

  applyFilters();
  window.kgExplorer = { network: network, nodes: nodes, edges: edges, data: D, state: state,
                        owner: owner, groups: groups, expandGroup: expandGroup,
                        selectNode: selectNode, find: find, applyFilters: applyFilters };
})();
