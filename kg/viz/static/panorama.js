/* chainkg 产业链全景图: fixed layout, stage bands on the canvas, details via textContent.
 * window.kgPanorama exposes the state for tests. */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('kg-data').textContent);
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  var nodes = new vis.DataSet(D.nodes);
  var edges = new vis.DataSet(D.edges);
  var options = {
    physics: { enabled: false },
    layout: { improvedLayout: false },
    interaction: { hover: true, dragNodes: true, keyboard: false, navigationButtons: false },
    nodes: { font: { face: 'Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif' } },
    edges: { smooth: false, font: { size: 10, color: '#4e79a7', strokeWidth: 3 } }
  };
  var network = new vis.Network(document.getElementById('network'), { nodes: nodes, edges: edges }, options);
  var bandColors = ['#eef5fb', '#f2f8ee', '#fbf3ea', '#f3f3f3'];
  network.on('beforeDrawing', function (ctx) {
    D.stages.forEach(function (s, i) {
      ctx.fillStyle = bandColors[i % bandColors.length];
      ctx.fillRect(s[1], -90, s[2] - s[1], 2000);
      ctx.fillStyle = '#555';
      ctx.font = 'bold 18px Noto Sans CJK SC, sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(s[0], (s[1] + s[2]) / 2, -60);
    });
  });
  var state = { settled: false };
  network.once('afterDrawing', function () {
    state.settled = true;
    document.body.setAttribute('data-settled', 'true');
  });
  network.fit();

  var panel = document.getElementById('panel');
  function clear() { while (panel.firstChild) panel.removeChild(panel.firstChild); }
  function row(k, v) {
    if (v === null || v === undefined || v === '') return;
    var d = el('div');
    d.appendChild(el('b', k + '：'));
    d.appendChild(document.createTextNode(String(v)));
    panel.appendChild(d);
  }
  function show(i) {
    var inf = D.info[i];
    clear();
    panel.setAttribute('data-node', String(i));
    panel.appendChild(el('h2', inf.label));
    if (inf.kind === 'link') {
      row('阶段 stage', inf.stage);
      row('本地 present', inf.present ? '是 yes' : '否 no');
      if (inf.gap) row('缺口 gap', inf.gap);
      if (inf.auxiliary) row('辅材 auxiliary', '是 yes');
      row('投资 investment', inf.investment);
      inf.capacity.forEach(function (c) { row('产能 capacity', c[1] + ' ' + c[0]); });
      panel.appendChild(el('h3', '本地企业与项目 Local players (' + inf.players.length + ')'));
      var ul = el('ul');
      inf.players.forEach(function (p) {
        ul.appendChild(el('li', p[0] + '（' + p[1] + (p[2] ? '，' + p[2] : '') + '）'));
      });
      panel.appendChild(ul);
    } else if (inf.kind === 'player') {
      row('类型 type', inf.type);
      row('环节 link', inf.link);
      row('角色 role', inf.role);
      row('依据 via', inf.via);
      if (inf.leader) row('链主 leader', '★ ' + inf.leaderNote);
      panel.appendChild(el('div', inf.iri, 'hint'));
    } else {
      row('环节 link', inf.link);
    }
  }
  network.on('click', function (p) { if (p.nodes.length) show(p.nodes[0]); });
  window.kgPanorama = { network: network, nodes: nodes, edges: edges, data: D, state: state, show: show };
})();
