// ark dashboard: DAGs drawn as SVG (layered layout: a node's column is its longest path from a
// root). Every label is set with textContent: step and role names come from the cluster.
"use strict";
var ArkGraph = (function () {
  var SVG = "http://www.w3.org/2000/svg";
  var W = 170, H = 46, GAP_X = 70, GAP_Y = 26, PAD = 16;

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  // nodes: [{id, label, sub, phase, entry}], edges: [{from, to, kind}] (from → to)
  function layout(nodes, edges) {
    var ids = nodes.map(function (n) { return n.id; });
    var preds = {};
    ids.forEach(function (id) { preds[id] = []; });
    edges.forEach(function (e) {
      if (preds[e.to] && preds[e.from] && e.kind !== "delegate") preds[e.to].push(e.from);
    });
    var depth = {};
    function d(id, seen) {
      if (depth[id] !== undefined) return depth[id];
      if (seen[id]) return 0; // a cycle: validation refuses it, draw it anyway
      seen[id] = true;
      var best = 0;
      preds[id].forEach(function (p) { best = Math.max(best, d(p, seen) + 1); });
      depth[id] = best;
      return best;
    }
    ids.forEach(function (id) { d(id, {}); });
    // delegation graphs have no dependsOn: breadth-first from the entry along delegate edges
    var hasDeps = edges.some(function (e) { return e.kind !== "delegate"; });
    if (!hasDeps) {
      var entry = nodes.filter(function (n) { return n.entry; })[0] || nodes[0];
      ids.forEach(function (id) { depth[id] = undefined; });
      if (entry) {
        depth[entry.id] = 0;
        var queue = [entry.id];
        while (queue.length) {
          var cur = queue.shift();
          edges.forEach(function (e) {
            if (e.from === cur && depth[e.to] === undefined) { depth[e.to] = depth[cur] + 1; queue.push(e.to); }
          });
        }
      }
      var max = 0;
      ids.forEach(function (id) { if (depth[id] !== undefined) max = Math.max(max, depth[id]); });
      ids.forEach(function (id) { if (depth[id] === undefined) depth[id] = max + 1; });
    }
    var columns = {};
    nodes.forEach(function (n) { (columns[depth[n.id]] = columns[depth[n.id]] || []).push(n); });
    var pos = {}, width = 0, height = 0;
    Object.keys(columns).forEach(function (c) {
      columns[c].forEach(function (n, row) {
        var x = PAD + Number(c) * (W + GAP_X), y = PAD + row * (H + GAP_Y);
        pos[n.id] = { x: x, y: y };
        width = Math.max(width, x + W + PAD);
        height = Math.max(height, y + H + PAD);
      });
    });
    return { pos: pos, width: width, height: height };
  }

  function draw(nodes, edges, options) {
    options = options || {};
    var l = layout(nodes, edges);
    var root = svg("svg", {
      "class": "dag", width: l.width, height: l.height,
      viewBox: "0 0 " + l.width + " " + l.height, role: "img"
    });
    var defs = svg("defs");
    var marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
      markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
    marker.appendChild(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", "class": "arrowhead" }));
    defs.appendChild(marker);
    root.appendChild(defs);
    edges.forEach(function (e) {
      var a = l.pos[e.from], b = l.pos[e.to];
      if (!a || !b) return;
      var x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
      if (b.x <= a.x) { x1 = a.x + W / 2; y1 = a.y + H; x2 = b.x + W / 2; y2 = b.y; }
      var mx = (x1 + x2) / 2;
      root.appendChild(svg("path", {
        d: "M " + x1 + " " + y1 + " C " + mx + " " + y1 + ", " + mx + " " + y2 + ", " + x2 + " " + y2,
        "class": "edge " + (e.kind || "dep"), "marker-end": "url(#arrow)"
      }));
    });
    nodes.forEach(function (n) {
      var p = l.pos[n.id];
      var g = svg("g", { "class": "node phase-" + (n.phase || "none") + (n.entry ? " entry" : ""),
        transform: "translate(" + p.x + "," + p.y + ")", "data-step": n.id, "data-phase": n.phase || "" });
      if (options.onClick) {
        g.addEventListener("click", function () { options.onClick(n.id); });
        g.setAttribute("tabindex", "0");
      }
      g.appendChild(svg("rect", { width: W, height: H, rx: 8, ry: 8 }));
      var title = svg("text", { x: 10, y: 19, "class": "label" });
      title.textContent = clip(n.label, 22);
      g.appendChild(title);
      var sub = svg("text", { x: 10, y: 36, "class": "sub" });
      sub.textContent = clip(n.sub || "", 26);
      g.appendChild(sub);
      var tip = svg("title");
      tip.textContent = n.label + (n.sub ? " — " + n.sub : "");
      g.appendChild(tip);
      root.appendChild(g);
    });
    return root;
  }

  function clip(text, n) {
    text = String(text);
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  return { draw: draw, layout: layout };
})();
