// ark dashboard: live state from GET /api/stream (Server-Sent Events), rendered with the DOM API.
// Everything from the cluster or a model is untrusted text: it is only ever set with textContent
// (the el() helper below), never parsed as HTML.
"use strict";
(function () {
  var KINDS = ["ArkTeam", "ArkAgent", "ArkRun", "ArkEvent"];
  var store = { settings: {}, objects: {} };
  KINDS.forEach(function (k) { store.objects[k] = new Map(); });
  var csrf = document.querySelector('meta[name="ark-csrf"]').getAttribute("content");
  var main = document.getElementById("main");
  var live = document.getElementById("live");
  var forms = new Map();      // team key → its trigger form (kept across renders: typed values stay)
  var histories = new Map();  // run key → {signature, data, error}
  var openSteps = new Set();  // run key + step: detail panels left open
  var actionBars = new Map(); // run key → its retry/cancel buttons (kept while the phase stays)
  var scheduled = false;

  // ---- DOM helpers -------------------------------------------------------------------------
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === "text") node.textContent = String(v);
      else if (k.indexOf("on") === 0) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  function link(href, text) { return el("a", { href: href, text: text }); }
  function badge(phase) { return el("span", { "class": "badge phase-" + (phase || "none"), text: phase || "—" }); }
  function key(ns, name) { return ns + "/" + name; }
  function get(kind, ns, name) { return store.objects[kind].get(key(ns, name)); }
  function list(kind) { return Array.from(store.objects[kind].values()); }
  function path(o, p) { return p.split(".").reduce(function (a, k) { return a == null ? undefined : a[k]; }, o); }
  function enc(s) { return encodeURIComponent(s); }
  function condition(o, type) {
    return (path(o, "status.conditions") || []).filter(function (c) { return c.type === type; })[0];
  }
  function age(ts) {
    if (!ts) return "—";
    var s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
    if (s < 60) return s + "s";
    if (s < 3600) return Math.floor(s / 60) + "m";
    if (s < 86400) return Math.floor(s / 3600) + "h";
    return Math.floor(s / 86400) + "d";
  }
  function time(ts) { return ts ? new Date(ts).toLocaleString() : "—"; }
  function table(headers, rows, empty) {
    if (!rows.length) return el("p", { "class": "muted", text: empty });
    return el("table", {},
      el("thead", {}, el("tr", {}, headers.map(function (h) { return el("th", { text: h }); }))),
      el("tbody", {}, rows));
  }

  // ---- live state -------------------------------------------------------------------------
  function connect() {
    var source = new EventSource("/api/stream");
    source.addEventListener("open", function () { live.textContent = "live"; live.className = "live on"; });
    source.addEventListener("error", function () { live.textContent = "reconnecting"; live.className = "live off"; });
    source.addEventListener("snapshot", function (e) {
      var s = JSON.parse(e.data);
      store.settings = s.settings || {};
      KINDS.forEach(function (k) {
        var m = new Map();
        (s.objects[k] || []).forEach(function (o) { m.set(key(o.metadata.namespace, o.metadata.name), o); });
        store.objects[k] = m;
      });
      document.getElementById("mode").textContent =
        (store.settings.namespace ? "namespace " + store.settings.namespace + " · " : "") +
        (store.settings.actions ? "actions enabled" : "read-only");
      render();
    });
    source.addEventListener("change", function (e) {
      var c = JSON.parse(e.data);
      var m = store.objects[c.kind];
      if (!m) return;
      if (c.object) m.set(key(c.namespace, c.name), c.object); else m.delete(key(c.namespace, c.name));
      render();
    });
  }

  function render() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(function () { scheduled = false; draw(); });
  }

  function draw() {
    var parts = (location.hash || "#/teams").slice(2).split("/").map(decodeURIComponent);
    document.querySelectorAll("nav a").forEach(function (a) {
      a.classList.toggle("active", a.getAttribute("data-nav") === parts[0] ||
        (parts[0] === "team" && a.getAttribute("data-nav") === "teams") ||
        (parts[0] === "run" && a.getAttribute("data-nav") === "runs") ||
        (parts[0] === "agent" && a.getAttribute("data-nav") === "agents"));
    });
    if (parts[0] === "agent" && parts[3] === "logs") return; // the logs page renders itself
    var page;
    switch (parts[0]) {
      case "team": page = teamPage(parts[1], parts[2]); break;
      case "run": page = runPage(parts[1], parts[2]); break;
      case "agents": page = agentsPage(); break;
      case "runs": page = runsPage(list("ArkRun")); break;
      case "events": page = eventsPage(); break;
      default: page = teamsPage();
    }
    main.replaceChildren(page);
  }

  // ---- teams -------------------------------------------------------------------------------
  function stepName(s) { return s.name || s.role; } // a pipeline step without a name is its role's
  function mode(team) { return (path(team, "spec.pipeline") || []).length ? "pipeline" : "dynamic"; }

  function teamsPage() {
    var rows = list("ArkTeam").map(function (t) {
      var m = t.metadata, last = path(t, "status.lastRun");
      return el("tr", {},
        el("td", {}, link("#/team/" + enc(m.namespace) + "/" + enc(m.name), m.name)),
        el("td", { text: m.namespace }),
        el("td", {}, badge(path(t, "status.phase"))),
        el("td", { text: mode(t) }),
        el("td", { text: path(t, "spec.entry") || "—" }),
        el("td", {}, last ? [link("#/run/" + enc(m.namespace) + "/" + enc(last.name), last.name), " ", badge(last.phase)] : "—"));
    });
    return el("section", {}, el("h1", { text: "Teams" }),
      table(["Team", "Namespace", "Phase", "Mode", "Entry", "Last run"], rows, "No ArkTeams yet."));
  }

  function teamGraph(team) {
    var roles = path(team, "spec.roles") || [];
    var pipeline = path(team, "spec.pipeline") || [];
    if (pipeline.length) {
      var nodes = pipeline.map(function (s) { return { id: stepName(s), label: stepName(s), sub: "role " + s.role }; });
      var edges = [];
      pipeline.forEach(function (s) { (s.dependsOn || []).forEach(function (d) { edges.push({ from: d, to: stepName(s), kind: "dep" }); }); });
      return { nodes: nodes, edges: edges };
    }
    var entry = path(team, "spec.entry");
    return {
      nodes: roles.map(function (r) { return { id: r.name, label: r.name, sub: r.model || ("agent " + (r.arkAgent || "")), entry: r.name === entry }; }),
      edges: [].concat.apply([], roles.map(function (r) {
        return (r.canDelegate || []).map(function (t) { return { from: r.name, to: t, kind: "delegate" }; });
      }))
    };
  }

  function teamPage(ns, name) {
    var team = get("ArkTeam", ns, name);
    if (!team) return el("section", {}, el("h1", { text: name }), el("p", { "class": "muted", text: "ArkTeam " + ns + "/" + name + " not found (yet)." }));
    var g = teamGraph(team);
    var runs = list("ArkRun").filter(function (r) { return r.metadata.namespace === ns && path(r, "spec.teamRef.name") === name; });
    return el("section", {},
      el("h1", {}, "Team ", el("span", { text: name })),
      el("p", { "class": "facts" }, badge(path(team, "status.phase")), " ", mode(team),
        path(team, "spec.entry") ? " · entry " + path(team, "spec.entry") : "", " · namespace " + ns),
      el("h2", { text: mode(team) === "pipeline" ? "Pipeline" : "Delegation graph (canDelegate)" }),
      el("div", { "class": "graph" }, ArkGraph.draw(g.nodes, g.edges)),
      store.settings.actions ? triggerForm(team) : null,
      el("h2", { text: "Runs" }),
      runsTable(runs));
  }

  function triggerForm(team) {
    var k = key(team.metadata.namespace, team.metadata.name);
    var sig = JSON.stringify(path(team, "spec.inputs") || []);
    var cached = forms.get(k);
    if (cached && cached.sig === sig) return cached.node;
    var inputs = path(team, "spec.inputs") || [];
    var status = el("p", { "class": "form-status", role: "status" });
    var fields = inputs.map(function (i) {
      var id = "input-" + i.name;
      var type = (i.type || "string").toLowerCase();
      var control;
      if (type === "boolean") {
        control = el("input", { type: "checkbox", id: id, name: i.name });
        control.checked = i["default"] === "true";
      } else if (type === "number" || type === "integer") {
        control = el("input", { type: "number", id: id, name: i.name, step: type === "integer" ? "1" : "any", required: !!i.required });
        if (i["default"] !== undefined) control.value = i["default"];
      } else {
        control = el("textarea", { id: id, name: i.name, rows: "2", required: !!i.required && i["default"] === undefined });
        if (i["default"] !== undefined) control.value = i["default"];
      }
      return el("div", { "class": "field" },
        el("label", { "for": id, text: i.name + (i.required ? " *" : "") + (i.type ? " (" + i.type + ")" : "") }),
        control,
        i.description ? el("small", { text: i.description }) : null);
    });
    var form = el("form", { id: "trigger-form", "class": "card" },
      el("h2", { text: "Trigger a run" }),
      inputs.length ? fields : el("p", { "class": "muted", text: "This team declares no inputs." }),
      el("button", { type: "submit", id: "trigger", text: "Start run" }), status);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var input = {};
      inputs.forEach(function (i) {
        var c = form.querySelector('[name="' + CSS.escape(i.name) + '"]');
        var type = (i.type || "string").toLowerCase();
        if (type === "boolean") input[i.name] = c.checked;
        else if (c.value !== "") input[i.name] = (type === "number" || type === "integer") ? Number(c.value) : c.value;
      });
      status.textContent = "starting…";
      post("trigger", { namespace: team.metadata.namespace, team: team.metadata.name, input: input })
        .then(function (r) { status.textContent = "started " + r.run; location.hash = "#/run/" + enc(r.namespace) + "/" + enc(r.run); })
        .catch(function (err) { status.textContent = err.message; status.className = "form-status error"; });
    });
    forms.set(k, { sig: sig, node: form });
    return form;
  }

  // ---- runs --------------------------------------------------------------------------------
  function runsTable(runs) {
    runs = runs.slice().sort(function (a, b) { return Date.parse(b.metadata.creationTimestamp) - Date.parse(a.metadata.creationTimestamp); });
    var rows = runs.map(function (r) {
      var m = r.metadata, by = path(r, "spec.triggeredBy");
      return el("tr", { "data-run": m.name },
        el("td", {}, link("#/run/" + enc(m.namespace) + "/" + enc(m.name), m.name)),
        el("td", {}, link("#/team/" + enc(m.namespace) + "/" + enc(path(r, "spec.teamRef.name") || ""), path(r, "spec.teamRef.name") || "")),
        el("td", {}, badge(path(r, "status.phase") || "Pending")),
        el("td", { "class": "num", text: path(r, "status.totalTokenUsage.totalTokens") || 0 }),
        el("td", { "class": "age", "data-ts": m.creationTimestamp, text: age(m.creationTimestamp) }),
        el("td", { text: by ? by.kind + (by.name ? " " + by.name : "") : "—" }));
    });
    return table(["Run", "Team", "Phase", "Tokens", "Age", "Trigger"], rows, "No runs yet.");
  }

  function runsPage(runs) {
    return el("section", {}, el("h1", { text: "Runs" }), runsTable(runs));
  }

  function runGraph(run) {
    var ns = run.metadata.namespace;
    var team = get("ArkTeam", ns, path(run, "spec.teamRef.name"));
    var steps = path(run, "status.steps") || [];
    var byName = {};
    steps.forEach(function (s) { byName[s.name] = s; });
    var nodes = [], edges = [], seen = {};
    (team ? path(team, "spec.pipeline") || [] : []).forEach(function (s) {
      var n = stepName(s);
      seen[n] = true;
      nodes.push({ id: n, label: n, sub: "role " + s.role });
      (s.dependsOn || []).forEach(function (d) { edges.push({ from: d, to: n, kind: "dep" }); });
    });
    steps.forEach(function (s) {
      if (!seen[s.name]) { seen[s.name] = true; nodes.push({ id: s.name, label: s.name, sub: "role " + (s.role || "") }); }
      if (s.delegatedFrom) edges.push({ from: s.delegatedFrom, to: s.name, kind: "delegate" });
    });
    nodes.forEach(function (n) {
      var s = byName[n.id];
      n.phase = s ? s.phase : "Pending";
      if (s && s.tokenUsage) n.sub += " · " + (s.tokenUsage.totalTokens || 0) + " tok";
    });
    return { nodes: nodes, edges: edges };
  }

  function runPage(ns, name) {
    var run = get("ArkRun", ns, name);
    if (!run) return el("section", {}, el("h1", { text: name }), el("p", { "class": "muted", text: "ArkRun " + ns + "/" + name + " not found (deleted, or not here yet)." }));
    var k = key(ns, name);
    var phase = path(run, "status.phase") || "Pending";
    var steps = path(run, "status.steps") || [];
    loadHistory(k, run);
    var g = runGraph(run);
    var s = store.settings;
    var wf = path(run, "status.workflowId") || ("arkrun/" + ns + "/" + name);
    var ui = s.temporalUiUrl ? s.temporalUiUrl + "/namespaces/" + enc(s.temporalNamespace || "default") + "/workflows/" + enc(wf) : null;
    var actions = actionBar(k, ns, name, phase);
    var retryOf = path(run, "spec.retryOf.run");
    return el("section", {},
      el("h1", {}, "Run ", el("span", { text: name })),
      el("p", { "class": "facts" }, el("span", { id: "run-phase" }, badge(phase)),
        " team ", link("#/team/" + enc(ns) + "/" + enc(path(run, "spec.teamRef.name") || ""), path(run, "spec.teamRef.name") || ""),
        " · " + (path(run, "status.totalTokenUsage.totalTokens") || 0) + " tokens",
        " · started " + time(path(run, "status.startTime")),
        path(run, "status.durationSeconds") != null ? " · " + path(run, "status.durationSeconds") + " s" : "",
        retryOf ? [" · retry of ", link("#/run/" + enc(ns) + "/" + enc(retryOf), retryOf)] : "",
        ui ? [" · ", el("a", { href: ui, target: "_blank", rel: "noopener noreferrer", id: "temporal-link", text: "open in Temporal Web UI" })] : ""),
      actions,
      path(run, "status.message") ? el("p", { "class": "message", text: path(run, "status.message") }) : null,
      el("div", { "class": "graph" }, ArkGraph.draw(g.nodes, g.edges, { onClick: function (id) {
        openSteps.add(k + "#" + id); render();
        var target = document.getElementById("step-" + id); if (target) target.scrollIntoView();
      } })),
      path(run, "status.output") ? [el("h2", { text: "Output" }), el("pre", { "class": "output", text: path(run, "status.output") })] : null,
      el("h2", { text: "Steps" }),
      steps.length ? steps.map(function (st) { return stepPanel(k, st, histories.get(k)); }) : el("p", { "class": "muted", text: "No step has started yet." }));
  }

  function stepPanel(runKey, step, history) {
    var id = runKey + "#" + step.name;
    var h = history && history.data && history.data.steps ? history.data.steps[step.name] : null;
    var statusCalls = step.toolCalls || [];
    var details = el("details", { id: "step-" + step.name, "class": "step", open: openSteps.has(id) },
      el("summary", {}, badge(step.phase), " ", el("b", { text: step.name }), " · role " + (step.role || ""),
        " · attempts " + (step.attempts || 0), " · " + ((step.tokenUsage || {}).totalTokens || 0) + " tokens",
        step.delegatedFrom ? " · delegated by " + step.delegatedFrom : "",
        statusCalls.length ? " · " + statusCalls.length + " tool call" + (statusCalls.length > 1 ? "s" : "") : ""),
      el("p", { "class": "muted", text: "started " + time(step.startTime) + " · finished " + time(step.completionTime) +
        (step.iterations > 1 ? " · " + step.iterations + " iterations" : "") }),
      step.message ? el("p", { "class": "message", text: step.message }) : null,
      h && h.prompt ? [el("h3", { text: "Prompt" }), el("pre", { "class": "prompt", text: h.prompt })] : null,
      step.output ? [el("h3", { text: "Output" }), el("pre", { "class": "output", text: step.output })] : null,
      // the status's toolCalls (with outcomes, delegations included); the history's for older runs
      statusCalls.length ? [el("h3", { text: "Tool calls" }), statusCalls.map(toolCall)] : null,
      !statusCalls.length && h && h.toolCalls.length ? [el("h3", { text: "Tool calls" }), h.toolCalls.map(toolCall)] : null,
      !statusCalls.length && h && h.delegations.length ? [el("h3", { text: "Delegations" }), h.delegations.map(toolCall)] : null,
      h && h.calls.length ? [el("h3", { text: "Model calls" }), table(["Purpose", "Model", "Attempt", "Tokens in/out", "Finished", "Result"],
        h.calls.map(function (c) {
          return el("tr", {}, el("td", { text: c.purpose }), el("td", { text: c.model || "" }), el("td", { text: c.attempt || "" }),
            el("td", { text: c.usage ? (c.usage.inputTokens || 0) + " / " + (c.usage.outputTokens || 0) : "—" }),
            el("td", { text: time(c.completedTime) }),
            el("td", { text: c.failure ? "failed: " + c.failure : (c.toolCalls && c.toolCalls.length ? c.toolCalls.length + " tool call(s)" : "answer") }));
        }), "")] : null,
      history && history.error ? el("p", { "class": "muted", text: history.error }) : null);
    details.addEventListener("toggle", function () { if (details.open) openSteps.add(id); else openSteps.delete(id); });
    return details;
  }

  function toolCall(c) {
    return el("div", { "class": "toolcall" },
      el("div", {}, el("b", { text: c.name }),
        c.outcome ? el("span", { "class": c.outcome === "ok" ? "muted" : "error", text: " " + c.outcome }) : null,
        c.invalidArguments ? el("span", { "class": "error", text: " arguments were not JSON: " + c.invalidArguments }) : null),
      el("pre", { "class": "args", text: c.arguments }),
      c.result !== undefined ? el("pre", { "class": "result", text: c.result }) : el("p", { "class": "muted", text: "no result yet" }));
  }

  // the per-step detail comes from Temporal history; fetched again when the run's steps change
  function loadHistory(k, run) {
    var sig = JSON.stringify([path(run, "status.phase"), (path(run, "status.steps") || []).map(function (s) { return [s.name, s.phase, s.attempts]; })]);
    var h = histories.get(k);
    if (h && h.signature === sig) return;
    histories.set(k, { signature: sig, data: h && h.data, error: null });
    var parts = k.split("/");
    fetch("/api/runs/" + enc(parts[0]) + "/" + enc(parts[1]) + "/history", { credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error(b.error || r.status); return b; }); })
      .then(function (data) { var cur = histories.get(k); if (cur && cur.signature === sig) { cur.data = data; render(); } })
      .catch(function (err) { var cur = histories.get(k); if (cur && cur.signature === sig) { cur.error = "history: " + err.message; render(); } });
  }

  function actionBar(k, ns, name, phase) {
    var sig = phase + "|" + !!store.settings.actions;
    var cached = actionBars.get(k);
    if (cached && cached.sig === sig) return cached.node;
    var bar = el("div", { "class": "actions" });
    if (store.settings.actions && ["Failed", "TimedOut", "BudgetExceeded", "Cancelled"].indexOf(phase) >= 0) {
      bar.appendChild(actionButton("retry", "Retry from the failed step", { namespace: ns, run: name }));
    }
    if (store.settings.actions && ["Succeeded", "Failed", "TimedOut", "BudgetExceeded", "Cancelled"].indexOf(phase) < 0) {
      bar.appendChild(actionButton("cancel", "Cancel run", { namespace: ns, run: name }));
    }
    actionBars.set(k, { sig: sig, node: bar });
    return bar;
  }

  function actionButton(action, label, body) {
    var note = el("span", { "class": "form-status", role: "status" });
    var button = el("button", { type: "button", id: action, text: label, onclick: function () {
      button.disabled = true;
      note.textContent = "…";
      post(action, body).then(function (r) {
        note.textContent = action === "cancel" ? "cancelling" : "started " + r.run;
        if (r.run) location.hash = "#/run/" + enc(r.namespace) + "/" + enc(r.run);
      }).catch(function (err) { button.disabled = false; note.textContent = err.message; note.className = "form-status error"; });
    } });
    return el("span", {}, button, " ", note);
  }

  function post(action, body) {
    return fetch("/api/actions/" + action, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Ark-Csrf": csrf },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (b) { if (!r.ok) throw new Error(b.error || ("HTTP " + r.status)); return b; });
    });
  }

  // ---- agents, events ----------------------------------------------------------------------
  function agentsPage() {
    var rows = list("ArkAgent").map(function (a) {
      var m = a.metadata, max = path(a, "spec.limits.maxDailyTokens");
      var used = path(a, "status.dailyTokenUsage.totalTokens") || 0;
      var flags = ["Ready", "Degraded", "BudgetExceeded"].map(function (t) {
        var c = condition(a, t);
        if (!c || (t !== "Ready" && c.status !== "True")) return null;
        return el("span", { "class": "badge cond-" + t + "-" + c.status, title: c.message || "", text: t + (t === "Ready" ? "=" + c.status : "") });
      });
      return el("tr", {},
        el("td", { text: m.name }), el("td", { text: m.namespace }),
        el("td", { text: (path(a, "spec.provider") ? path(a, "spec.provider") + " · " : "") + (path(a, "spec.model") || "") }),
        el("td", { "class": "num", text: (path(a, "status.readyReplicas") || 0) + "/" + (path(a, "spec.replicas") != null ? path(a, "spec.replicas") : 1) }),
        el("td", { "class": "num" }, max ? [String(used) + " / " + max, el("meter", { min: 0, max: max, value: Math.min(used, max) })] : String(used)),
        el("td", {}, flags),
        el("td", {}, store.settings.actions ? link("#/agent/" + enc(m.namespace) + "/" + enc(m.name) + "/logs", "logs") : null));
    });
    return el("section", {}, el("h1", { text: "Agents" }),
      table(["Agent", "Namespace", "Model", "Ready", "Daily tokens / budget", "Conditions", ""], rows, "No ArkAgents yet."));
  }

  function logsPage(ns, name) {
    var pre = el("div", { id: "logs" }, el("p", { "class": "muted", text: "loading…" }));
    function load() {
      fetch("/api/agents/" + enc(ns) + "/" + enc(name) + "/logs?lines=300", { credentials: "same-origin", headers: { "X-Ark-Csrf": csrf } })
        .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error(b.error || r.status); return b; }); })
        .then(function (b) {
          pre.replaceChildren(b.message ? el("p", { "class": "muted", text: b.message }) : null);
          b.pods.forEach(function (p) { pre.appendChild(el("h3", { text: p.name })); pre.appendChild(el("pre", { "class": "log", text: p.error || p.log || "" })); });
        })
        .catch(function (err) { pre.replaceChildren(el("p", { "class": "error", text: err.message })); });
    }
    load();
    main.replaceChildren(el("section", {}, el("h1", {}, "Logs of ", el("span", { text: name })),
      el("button", { type: "button", text: "Tail again", onclick: load }), pre));
  }

  function eventsPage() {
    var rows = list("ArkEvent").map(function (e) {
      var m = e.metadata, src = path(e, "spec.source") || {};
      return el("tr", {}, el("td", { text: m.name }), el("td", { text: m.namespace }), el("td", { text: src.type || "" }),
        el("td", { text: src.cron || (path(e, "status.webhookURL") || "") }),
        el("td", { text: path(e, "spec.suspended") ? "suspended" : "" }),
        el("td", { "class": "num", text: path(e, "status.firedCount") || 0 }),
        el("td", { text: time(path(e, "status.lastFiredAt")) }));
    });
    return el("section", {}, el("h1", { text: "Events" }),
      table(["Event", "Namespace", "Source", "Schedule / URL", "", "Fired", "Last fired"], rows, "No ArkEvents yet."));
  }

  window.addEventListener("hashchange", function () {
    var parts = (location.hash || "").slice(2).split("/").map(decodeURIComponent);
    if (parts[0] === "agent" && parts[3] === "logs") logsPage(parts[1], parts[2]);
    draw();
    window.scrollTo(0, 0);
  });
  // ages are relative to now: refreshed from the browser's clock, no request
  setInterval(function () {
    document.querySelectorAll("td.age").forEach(function (td) { td.textContent = age(td.getAttribute("data-ts")); });
  }, 5000);
  connect();
  var first = (location.hash || "").slice(2).split("/").map(decodeURIComponent);
  if (first[0] === "agent" && first[3] === "logs") logsPage(first[1], first[2]); else draw();
})();
