// The NUMA machine's page: polls /api/state twice a second and redraws what changed.
// Plain JavaScript, no library and nothing from the network: the command serves this file.
"use strict";

(function () {
  const POLL_MS = 500;
  const STALE_MS = 5000;
  const STEP_HUES = 18;

  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat("en-US");
  const fmt1 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

  let lastOk = 0;
  let slitKey = "";
  const openCalls = new Set();

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    return node;
  }

  function setText(id, text) {
    const node = $(id);
    if (node && node.textContent !== text) node.textContent = text;
  }

  function duration(ms) {
    return ms < 1000 ? fmt1.format(ms) + " ms" : fmt1.format(ms / 1000) + " s";
  }

  // Simulated nanoseconds, in the unit that suits them.
  function simDuration(ns) {
    if (ns < 1000) return fmt.format(ns) + " ns";
    if (ns < 1e6) return fmt1.format(ns / 1e3) + " µs";
    return ns < 1e9 ? fmt1.format(ns / 1e6) + " ms" : fmt1.format(ns / 1e9) + " s";
  }

  function clock(unixMs) {
    return new Date(unixMs).toLocaleTimeString("en-GB");
  }

  // Text with `code` spans, safely.
  function withCode(text) {
    const out = document.createDocumentFragment();
    text.split("`").forEach((part, i) => out.append(i % 2 ? el("code", { text: part }) : document.createTextNode(part)));
    return out;
  }

  // The document's step numbers (there are no steps 17 and 18), each its own colour; neighbours far apart on the wheel.
  const STEPS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20];

  function stepColor(step) {
    const index = Math.max(0, STEPS.indexOf(step));
    return "hsl(" + Math.round(((index * 7) % STEP_HUES) * (360 / STEP_HUES)) + ", 58%, " + (index % 2 ? 48 : 60) + "%)";
  }

  function renderHeader(state) {
    setText("cluster", state.cluster);
    const banner = $("no-machine");
    if (state.configured) {
      banner.hidden = true;
    } else {
      banner.replaceChildren(withCode(state.message || "No machine is configured on this cluster yet."));
      banner.hidden = false;
    }
    $("summary").hidden = !state.configured;
    if (state.machine) {
      setText("fact-nodes", fmt.format(state.machine.nodes));
      setText("fact-frames", fmt.format(state.machine.framesPerNode));
      setText("fact-by", state.machine.configuredBy);
      setText("fact-at", clock(state.machine.configuredUnixMs));
    }
  }

  function nodeCard(id) {
    return el("article", { class: "node", id: "node-" + id, "data-node": String(id) },
      el("h3", {}, el("span", { class: "label", text: "node " + id }), el("span", { class: "silo" })),
      el("div", { class: "bar" }, el("div", { class: "fill" })),
      el("div", { class: "frames" }, el("span", { class: "used" }), el("span", { class: "free" })),
      el("div", { class: "moves" }, el("span", { class: "in", title: "pages migrated into this node" }), el("span", { class: "out", title: "pages migrated out of this node" })),
      el("div", { class: "error" }));
  }

  function renderNodes(nodes) {
    const box = $("nodes");
    const wanted = new Set(nodes.map((n) => "node-" + n.node));
    for (const child of Array.from(box.children)) {
      if (!wanted.has(child.id)) child.remove();
    }
    nodes.forEach((n, index) => {
      let card = $("node-" + n.node);
      if (!card) card = nodeCard(n.node);
      if (box.children[index] !== card) box.insertBefore(card, box.children[index] || null);
      card.querySelector(".label").textContent = n.label;
      const silo = card.querySelector(".silo");
      silo.textContent = n.silo || "";
      silo.title = n.silo || "";
      const capacity = n.capacity || 0;
      card.querySelector(".fill").style.width = capacity > 0 ? (100 * n.framesUsed / capacity).toFixed(1) + "%" : "0%";
      card.querySelector(".used").textContent = n.framesUsed === null ? "used –" : "used " + fmt.format(n.framesUsed);
      card.querySelector(".free").textContent = n.framesFree === null ? "free –" : "free " + fmt.format(n.framesFree);
      card.querySelector(".in").textContent = "↓ in " + fmt.format(n.pagesMigratedIn);
      card.querySelector(".out").textContent = "↑ out " + fmt.format(n.pagesMigratedOut);
      card.querySelector(".error").textContent = n.error || "";
    });
  }

  // Distance 10 (local) is cool, the machine's largest distance is hot.
  function heat(distance, min, max) {
    const t = max > min ? (distance - min) / (max - min) : 0;
    return "hsl(" + Math.round(210 - 210 * t) + ", 70%, " + Math.round(88 - 30 * t) + "%)";
  }

  function renderSlit(machine) {
    const box = $("slit");
    const key = machine ? JSON.stringify(machine.distances) : "";
    if (key === slitKey) return;
    slitKey = key;
    box.replaceChildren();
    if (!machine) return;
    const d = machine.distances;
    const all = d.flat();
    const min = Math.min(...all);
    const max = Math.max(...all);
    if (d.length <= 16) {
      const head = el("tr", {}, el("th"));
      d.forEach((_, j) => head.append(el("th", { text: "node " + j })));
      const table = el("table", { id: "slit-table" }, el("thead", {}, head));
      const body = el("tbody");
      d.forEach((row, i) => {
        const tr = el("tr", {}, el("th", { text: "node " + i }));
        row.forEach((value, j) => tr.append(el("td", { text: String(value), title: "node " + i + " → node " + j + ": " + value, style: "background:" + heat(value, min, max) })));
        body.append(tr);
      });
      table.append(body);
      box.append(table);
    } else {
      // A large machine: one pixel per pair of nodes.
      const canvas = el("canvas", { id: "slit-canvas", width: String(d.length), height: String(d.length), title: d.length + " nodes, distances " + min + " to " + max });
      const context = canvas.getContext("2d");
      d.forEach((row, i) => row.forEach((value, j) => {
        context.fillStyle = heat(value, min, max);
        context.fillRect(j, i, 1, 1);
      }));
      box.append(canvas);
    }
    box.append(el("p", { class: "muted", text: "distance " + min + " (local) to " + max }));
  }

  function renderVmstat(vmstat) {
    const body = $("vmstat").tBodies[0];
    for (const [name, value] of Object.entries(vmstat)) {
      if (!$("vmstat-" + name)) {
        body.append(el("tr", {}, el("td", { class: "name", text: name }), el("td", { class: "value", id: "vmstat-" + name })));
      }
      setText("vmstat-" + name, fmt.format(value));
    }
  }

  function renderRate(rate) {
    setText("rate-current", fmt1.format(rate.pagesPerSecond));
    setText("rate-average", String(rate.averageSeconds));
    setText("rate-window", fmt.format(Math.round(rate.windowSeconds / 60)));
    setText("rate-start", "−" + Math.round(rate.windowSeconds / 60) + " min");
    const chart = $("rate-chart");
    const width = 900;
    const height = 180;
    const n = rate.migrated.length;
    let peak = 1;
    for (let i = 0; i < n; i++) peak = Math.max(peak, rate.migrated[i] + rate.failed[i]);
    const magnitude = Math.pow(10, Math.floor(Math.log10(peak)));
    const top = [1, 2, 5, 10].map((m) => m * magnitude).find((v) => v >= peak);
    setText("rate-max", "scale: " + fmt.format(top) + " pages/s");
    const barWidth = width / n;
    const parts = [svg("line", { class: "grid", x1: 0, x2: width, y1: height / 2, y2: height / 2 })];
    for (let i = 0; i < n; i++) {
      const migrated = rate.migrated[i];
      const failed = rate.failed[i];
      if (migrated === 0 && failed === 0) continue;
      const second = rate.endUnixSecond - (n - 1 - i);
      const hm = (migrated / top) * height;
      const hf = (failed / top) * height;
      const bar = svg("rect", { class: "migrated", x: (i * barWidth).toFixed(2), width: Math.max(barWidth - 0.5, 0.5).toFixed(2), y: (height - hm).toFixed(2), height: hm.toFixed(2) });
      bar.append(Object.assign(svg("title"), { textContent: clock(second * 1000) + ": " + fmt.format(migrated) + " migrated, " + fmt.format(failed) + " failed" }));
      parts.push(bar);
      if (failed > 0) {
        parts.push(svg("rect", { class: "failed", x: (i * barWidth).toFixed(2), width: Math.max(barWidth - 0.5, 0.5).toFixed(2), y: (height - hm - hf).toFixed(2), height: hf.toFixed(2) }));
      }
    }
    chart.replaceChildren(...parts);
    chart.dataset.total = String(rate.migrated.reduce((a, b) => a + b, 0));
  }

  // Where the call's simulated time went, step by step (the simulated machine's time, not the host's).
  function stepBar(call) {
    const total = call.steps.reduce((sum, s) => sum + s.simulatedTotalNs, 0);
    const bar = el("div", { class: "stepbar", "data-clock": "simulated", "data-total-ns": String(total) });
    if (total <= 0) return bar;
    for (const s of call.steps) {
      const share = (100 * s.simulatedTotalNs) / total;
      bar.append(el("span", { style: "width:" + share.toFixed(2) + "%;background:" + stepColor(s.step), "data-step": String(s.step), "data-ns": String(s.simulatedTotalNs), title: s.step + " " + s.name + ": " + simDuration(s.simulatedTotalNs) + " simulated (" + fmt1.format(share) + "%)" }));
    }
    return bar;
  }

  function stepTable(call) {
    const details = el("details", { class: "steptable", "data-call": call.id },
      el("summary", { text: "per-step time, simulated (" + call.steps.length + " steps)" }));
    if (openCalls.has(call.id)) details.open = true;
    details.addEventListener("toggle", () => (details.open ? openCalls.add(call.id) : openCalls.delete(call.id)));
    const table = el("table", {},
      el("thead", {}, el("tr", {}, el("th", { text: "step" }), el("th", { class: "fn", text: "kernel function" }), el("th", { text: "batches" }), el("th", { text: "simulated mean" }), el("th", { text: "simulated total" }), el("th", { text: "host total" }))));
    const body = el("tbody");
    for (const s of call.steps) {
      body.append(el("tr", {},
        el("td", { text: String(s.step) }),
        el("td", { class: "fn" }, el("i", { style: "display:inline-block;width:0.6rem;height:0.6rem;margin-right:0.3rem;background:" + stepColor(s.step) }), s.name),
        el("td", { text: fmt.format(s.batches) }),
        el("td", { text: simDuration(s.simulatedMeanNs) }),
        el("td", { class: "sim", text: simDuration(s.simulatedTotalNs) }),
        el("td", { class: "muted", text: duration(s.totalMs) })));
    }
    table.append(body);
    details.append(table);
    return details;
  }

  function renderCalls(calls) {
    const body = $("calls").tBodies[0];
    $("no-calls").hidden = calls.length > 0;
    const rows = [];
    for (const call of calls) {
      const trace = call.traceUrl
        ? el("a", { href: call.traceUrl, target: "_blank", rel: "noopener", class: "trace", text: call.traceId.slice(0, 12) + "…" })
        : call.traceId ? el("code", { title: call.traceId, text: call.traceId.slice(0, 12) + "…" }) : "–";
      rows.push(el("tr", { class: call.running ? "call running" : "call", "data-call": call.id },
        el("td", { text: clock(call.startedUnixMs) + (call.running ? " (running)" : "") }),
        el("td", { text: call.mode }),
        el("td", { text: call.reason }),
        el("td", { class: "num", text: fmt.format(call.requested) }),
        el("td", { class: "num", text: fmt.format(call.succeeded) }),
        el("td", { class: "num", text: fmt.format(call.failed) }),
        el("td", { class: "num", text: fmt.format(call.retried) }),
        el("td", { class: "num", text: fmt.format(call.passes) }),
        el("td", { class: "num sim", text: simDuration(call.simulatedNs) }),
        el("td", { class: "num muted", text: duration(call.elapsedMs) }),
        el("td", { class: "silo", text: call.silo }),
        el("td", {}, trace)));
      rows.push(el("tr", { class: "steps" }, el("td", { colspan: "12" }, stepBar(call), stepTable(call))));
    }
    body.replaceChildren(...rows);

    const legend = $("step-legend");
    const seen = new Map();
    for (const call of calls) for (const s of call.steps) seen.set(s.step, s.name);
    const key = Array.from(seen.keys()).join(",");
    if (legend.dataset.key !== key) {
      legend.dataset.key = key;
      legend.replaceChildren(...Array.from(seen.entries()).sort((a, b) => a[0] - b[0])
        .map(([step, name]) => el("span", {}, el("i", { style: "background:" + stepColor(step) }), step + " " + name)));
    }
  }

  function render(state) {
    renderHeader(state);
    renderNodes(state.nodes);
    renderSlit(state.machine);
    renderVmstat(state.vmstat);
    renderRate(state.rate);
    renderCalls(state.migrations);
  }

  function showError(message) {
    const banner = $("error");
    banner.textContent = message;
    banner.hidden = false;
  }

  function tickStatus() {
    const live = $("live");
    const age = Date.now() - lastOk;
    live.className = "live " + (lastOk === 0 ? "unknown" : age < STALE_MS ? "ok" : "down");
    if (lastOk > 0) setText("updated", "updated " + clock(lastOk));
  }

  async function poll() {
    try {
      const response = await fetch("api/state", { cache: "no-store" });
      const body = await response.json();
      if (!response.ok) {
        showError(body.error || "The dashboard could not read the cluster (" + response.status + ").");
      } else {
        render(body);
        $("error").hidden = true;
        lastOk = Date.now();
      }
    } catch (e) {
      showError("The dashboard server does not answer: is `migration-cluster dashboard` still running? (" + e.message + ")");
    }
    tickStatus();
    setTimeout(poll, POLL_MS);
  }

  poll();
})();
