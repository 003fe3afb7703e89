// The dashboard's one page (dashboard.h): HTML with its style and script inline, so that
// the binary serves everything and the browser fetches nothing from elsewhere. The script
// routes by path (/ the cluster, /jobs/<id> a job), reads /api/ with the token kept in
// sessionStorage (asked for when the API answers 401; "#token=..." in the URL is taken once
// and removed), follows /api/stream over fetch (EventSource cannot send a token), writes
// data into the DOM as text only, and keeps at most MAX_POINTS curve points and MAX_EVENTS
// events, so a page open for a day does not grow.
#include "coordinator/dashboard.h"

namespace tandem {

const char* DashboardPage() {
  return R"TANDEMPAGE(
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tandem</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 0; color: #1d2430; background: #f5f6f8; }
header { background: #1d2430; color: #fff; padding: 10px 20px; display: flex; gap: 16px; align-items: center; }
header a { color: #fff; text-decoration: none; font-weight: 600; font-size: 18px; }
#conn { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #888; }
#conn.live { background: #2e7d32; } #conn.down { background: #c62828; }
main { padding: 16px 20px; max-width: 1400px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; }
h2 { font-size: 15px; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef0f3; white-space: nowrap; }
th { font-size: 12px; color: #5a6475; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.state { padding: 1px 6px; border-radius: 8px; font-size: 12px; background: #e3e7ee; }
.running, .assigned { background: #d7ecff; } .succeeded, .idle { background: #dcf3dc; }
.failed, .lost { background: #fbdada; } .cancelled, .left { background: #eee; }
.bar { width: 120px; height: 8px; background: #e3e7ee; border-radius: 4px; display: inline-block; }
.bar > div { height: 8px; background: #1e88e5; border-radius: 4px; }
.muted { color: #7a8393; } .error { color: #c62828; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg text { font-size: 11px; fill: #5a6475; }
pre { background: #f5f6f8; padding: 8px; overflow: auto; max-height: 300px; }
.straggler { color: #c62828; font-weight: 600; }
button { font: inherit; padding: 4px 12px; }
textarea { font: inherit; width: 100%; max-width: 800px; }
.translation { margin: 8px 0 16px; } svg.heatmap text { font-size: 11px; fill: #1d2430; }
#auth { display: none; }
</style>
</head>
<body>
<header><a href="/">Tandem</a><span id="conn">connecting</span><span id="where" class="muted"></span></header>
<main>
<section id="auth"><h2>Token</h2>
<p id="auth-why">This coordinator needs a client or read token.</p>
<form id="auth-form"><input id="token" type="password" size="50" autocomplete="off" placeholder="token">
<button type="submit">Use token</button></form>
<p class="muted">Kept for this browser tab only (sessionStorage), sent as Authorization: Bearer.</p></section>
<div id="view"></div>
</main>
<script>
"use strict";
const MAX_POINTS = 4000, MAX_EVENTS = 1000, SHOWN_EVENTS = 100;
const TIMELINE = ["assigned", "member_lost", "collective_failure", "left", "recovered", "resumed"];
const ENDED = ["succeeded", "failed", "cancelled"];
let stream = null, streamGen = 0;
// What this page load has seen (data-* attributes: tests/cluster/dashboard_browser_test.cc
// checks that the page updates without a reload).
let snapshots = 0;
const firstStep = new Map();

// A token in the URL's fragment (#token=...) goes to sessionStorage and leaves the URL.
(function () {
  const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem("tandem-token", decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname);
  }
})();

function token() { return sessionStorage.getItem("tandem-token") || ""; }
function headers() { const t = token(); return t ? { "Authorization": "Bearer " + t } : {}; }

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
  return e;
}
function svgEl(tag, attrs) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
function fmt(x, digits) { return (x === null || x === undefined || !isFinite(x)) ? "-" : Number(x).toFixed(digits); }
function ago(ms, now) {
  if (!ms) return "-";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 120 ? s + " s ago" : s < 7200 ? Math.round(s / 60) + " min ago" : Math.round(s / 3600) + " h ago";
}
function duration(s) {
  if (!isFinite(s) || s < 0) return "-";
  s = Math.round(s);
  return s < 120 ? s + " s" : s < 7200 ? Math.round(s / 60) + " min" : (s / 3600).toFixed(1) + " h";
}
function short(x) {
  const a = Math.abs(x);
  return a >= 1e6 ? (x / 1e6).toFixed(1) + "M" : a >= 1e4 ? (x / 1e3).toFixed(1) + "k" : Number(x.toPrecision(4)).toString();
}
function time(ms) { return ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : "-"; }
function state(s) { return el("span", { class: "state " + s, text: s.replace(/_/g, " ") }); }

function needToken(why) {
  document.getElementById("auth").style.display = "block";
  document.getElementById("auth-why").textContent = why;
  setConn("down", "token needed");
}
document.getElementById("auth-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  sessionStorage.setItem("tandem-token", document.getElementById("token").value.trim());
  document.getElementById("auth").style.display = "none";
  start();
});
function setConn(cls, text) { const c = document.getElementById("conn"); c.className = cls; c.textContent = text; }

async function api(path, options) {
  const res = await fetch(path, Object.assign({ headers: headers() }, options || {}));
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (res.status === 401) {
    needToken(token() ? "The token was not accepted: " + (body && body.error) : (body && body.error) || "A token is needed.");
    throw new Error("unauthorized");
  }
  if (!res.ok) throw new Error((body && body.error) || res.statusText);
  return body;
}

// Server-Sent Events over fetch (EventSource cannot send a token); reconnects after a close.
async function openStream(url, handlers) {
  const gen = ++streamGen;
  if (stream) stream.abort();
  stream = new AbortController();
  let retry = 2000;
  try {
    const res = await fetch(url(), { headers: headers(), signal: stream.signal });
    if (res.status === 401) { needToken("The token was not accepted."); return; }
    if (!res.ok) throw new Error(res.statusText);
    setConn("live", "live");
    const reader = res.body.getReader(), decoder = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let end;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, end); buf = buf.slice(end + 2);
        let name = "message", data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) name = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
          else if (line.startsWith("retry: ")) retry = Number(line.slice(7)) || retry;
        }
        if (data && handlers[name]) handlers[name](JSON.parse(data));
      }
    }
  } catch (e) {
    if (e.name === "AbortError") return;
  }
  if (gen !== streamGen) return;
  setConn("down", "reconnecting");
  setTimeout(() => { if (gen === streamGen) openStream(url, handlers); }, retry);
}

// --- the overview ---------------------------------------------------------------------------
function overview() {
  document.getElementById("where").textContent = "cluster";
  const view = document.getElementById("view");
  view.replaceChildren(
    el("section", {}, el("h2", { id: "workers-title", text: "Workers" }), el("table", { id: "workers" })),
    el("section", {}, el("h2", { id: "jobs-title", text: "Jobs" }), el("table", { id: "jobs" })));
  openStream(() => "/api/stream", { snapshot: renderOverview });
}

function renderOverview(snap) {
  const now = snap.now_unix_ms;
  document.body.dataset.snapshots = ++snapshots;
  const workers = snap.workers;
  document.getElementById("workers-title").textContent = "Workers (" + workers.length + ")";
  const wt = document.getElementById("workers");
  wt.replaceChildren(el("tr", {}, ...["worker", "state", "job", "rank", "last heartbeat", "host", "CPUs"].map(h => el("th", { text: h }))));
  for (const w of workers) {
    wt.append(el("tr", { class: "worker" }, el("td", { text: w.id }), el("td", {}, state(w.state)),
      el("td", {}, w.job_id ? el("a", { href: "/jobs/" + encodeURIComponent(w.job_id), text: w.job_id }) : "-"),
      el("td", { class: "num", text: w.job_id ? w.rank : "-" }), el("td", { text: ago(w.last_heartbeat_unix_ms, now) }),
      el("td", { text: w.hostname || w.address }), el("td", { class: "num", text: w.cpus })));
  }
  const jobs = snap.jobs.jobs;
  document.getElementById("jobs-title").textContent = "Jobs (newest " + jobs.length + " of " + snap.jobs.total + ")";
  const jt = document.getElementById("jobs");
  jt.replaceChildren(el("tr", {}, ...["job", "name", "state", "workers", "step", "progress", "loss", "valid BLEU", "tokens/s", "ETA"].map(h => el("th", { text: h }))));
  for (const j of jobs) {
    const p = j.progress, max = j.spec.training.max_steps;
    const frac = max ? Math.min(1, p.step / max) : (j.state === "succeeded" ? 1 : 0);
    let eta = "-";
    if (j.state === "running" && max && p.step > 0 && p.started_unix_ms) {
      eta = duration((max - p.step) * (now - p.started_unix_ms) / 1000 / p.step);
    }
    const bar = el("div", { class: "bar" }, el("div", { style: "width:" + Math.round(frac * 100) + "%" }));
    if (!firstStep.has(j.id)) firstStep.set(j.id, p.step);
    if (firstStep.size > 1000) firstStep.clear();
    jt.append(el("tr", { class: "job", "data-id": j.id, "data-step": p.step, "data-first-step": firstStep.get(j.id) },
      el("td", {}, el("a", { href: "/jobs/" + encodeURIComponent(j.id), text: j.id })),
      el("td", { text: j.spec.name || "-" }), el("td", { title: j.message }, state(j.state)),
      el("td", { class: "num", text: j.assignments.length + "/" + j.spec.workers.min }),
      el("td", { class: "num step", text: p.step + (max ? " / " + max : "") }), el("td", {}, bar),
      el("td", { class: "num", text: p.step ? fmt(p.loss, 3) : "-" }),
      el("td", { class: "num", text: p.valid_step ? fmt(p.valid_bleu, 2) : "-" }),
      el("td", { class: "num", text: p.tokens_per_second ? fmt(p.tokens_per_second, 0) : "-" }),
      el("td", { class: "num", text: eta })));
  }
}

// --- a job ----------------------------------------------------------------------------------
function jobPage(id) {
  document.getElementById("where").textContent = "job " + id;
  const view = document.getElementById("view");
  const job = { info: null, points: [], events: [], lastSeq: 0, lastStep: 0 };
  view.replaceChildren(
    el("section", { id: "summary" }, el("h2", { text: id })),
    el("section", {}, el("h2", { text: "Curves" }), el("div", { class: "charts", id: "charts" })),
    el("section", {}, el("h2", { text: "Ranks" }), el("table", { id: "ranks" })),
    el("section", {}, el("h2", { text: "Translate" }), translateBox(id)),
    el("section", {}, el("h2", { text: "Generations" }), el("table", { id: "generations" }),
      el("h2", { text: "Membership events", style: "margin-top:12px" }), el("table", { id: "timeline" })),
    el("section", {}, el("h2", { text: "Model and checkpoints" }), el("div", { id: "model" })),
    el("section", {}, el("h2", { id: "events-title", text: "Events" }), el("table", { id: "events" })),
    el("section", {}, el("h2", { text: "Spec" }), el("pre", { id: "spec" })));
  const load = async () => {
    try {
      job.info = await api("/api/jobs/" + encodeURIComponent(id));
      addEvents(job, await api("/api/jobs/" + encodeURIComponent(id) + "/events?limit=10000"));
      addPoints(job, await api("/api/jobs/" + encodeURIComponent(id) + "/metrics?max_points=2000"));
    } catch (e) {
      if (e.message !== "unauthorized") document.getElementById("summary").append(el("p", { class: "error", text: e.message }));
      return;
    }
    renderJob(job); renderEvents(job); renderCharts(job); renderModel(job);
    openStream(() => "/api/stream?job=" + encodeURIComponent(id) + "&after_seq=" + job.lastSeq + "&after_step=" + job.lastStep, {
      job: (info) => {
        const was = job.info.progress;
        job.info = info; renderJob(job);
        if (info.progress.checkpoint_step !== was.checkpoint_step || info.progress.model_ready !== was.model_ready) renderModel(job);
      },
      events: (events) => { addEvents(job, events); renderEvents(job); },
      metrics: (points) => { addPoints(job, points); renderCharts(job); },
      failure: (err) => document.getElementById("summary").append(el("p", { class: "error", text: err.error })),
    });
  };
  load();
}

function addEvents(job, events) {
  for (const e of events) { job.events.push(e); job.lastSeq = Math.max(job.lastSeq, e.seq); }
  if (job.events.length > MAX_EVENTS) job.events.splice(0, job.events.length - MAX_EVENTS);
}
function addPoints(job, points) {
  for (const p of points) { job.points.push(p); job.lastStep = Math.max(job.lastStep, p.step); }
  if (job.points.length > MAX_POINTS) {  // every other training point goes; validations stay
    job.points = job.points.filter((p, i) => p.has_validation || i % 2 === 0 || i === job.points.length - 1);
  }
}

function renderJob(job) {
  const j = job.info, p = j.progress, max = j.spec.training.max_steps;
  const s = document.getElementById("summary");
  const cancel = el("button", { id: "cancel", text: "Cancel job" });
  cancel.disabled = ENDED.includes(j.state);
  cancel.addEventListener("click", async () => {
    if (!confirm("Cancel " + j.id + "?")) return;
    try { job.info = await api("/api/jobs/" + encodeURIComponent(j.id) + "/cancel", { method: "POST", headers: headers() }); renderJob(job); }
    catch (e) { s.append(el("p", { class: "error", text: "cancel: " + e.message })); }
  });
  s.replaceChildren(
    el("h2", {}, j.id + " ", state(j.state), " ", cancel),
    el("p", {}, el("b", { text: j.spec.name || "(no name)" }), j.message ? " — " + j.message : ""),
    ...((j.preparation && j.preparation.chosen || []).length ? [el("p", { id: "chosen", class: "muted", text: "Chosen from the corpus: " + j.preparation.chosen.join("; ") })] : []),
    el("table", {}, el("tr", {}, ...["step", "epoch", "loss", "valid loss", "valid BLEU (best)", "tokens/s", "generation", "checkpoint", "final model", "created"].map(h => el("th", { text: h }))),
      el("tr", {}, el("td", Object.assign({ class: "num", id: "step", text: p.step + (max ? " / " + max : p.planned_steps ? " / ~" + p.planned_steps : "") }, p.planned_steps ? { title: "about " + p.planned_steps + " steps in all at the measured pace (the time budget)" } : {})), el("td", { class: "num", text: p.epoch }),
        el("td", { class: "num", text: fmt(p.loss, 3) }), el("td", { class: "num", text: p.valid_step ? fmt(p.valid_loss, 3) : "-" }),
        el("td", { class: "num", text: p.valid_step ? fmt(p.valid_bleu, 2) + " (" + fmt(p.best_valid_bleu, 2) + ")" : "-" }),
        el("td", { class: "num", text: fmt(p.tokens_per_second, 0) }), el("td", { class: "num", text: j.generation }),
        el("td", { class: "num", text: p.checkpoint_step ? "step " + p.checkpoint_step : "-" }),
        el("td", { text: p.model_ready ? "ready (tandem download " + j.id + ")" : "-" }), el("td", { text: time(j.created_unix_ms) }))));
  const ranks = document.getElementById("ranks");
  ranks.replaceChildren(el("tr", {}, ...["rank", "worker", "step", "compute ms/step", "all-reduce wait ms/step", "tokens/s", ""].map(h => el("th", { text: h }))));
  for (const a of j.assignments) {
    const w = a.worker_id, straggler = w === p.straggler_worker;
    ranks.append(el("tr", {}, el("td", { class: "num", text: a.rank }), el("td", { text: w }),
      el("td", { class: "num", text: p.worker_step[w] ?? "-" }), el("td", { class: "num", text: fmt(p.worker_compute_ms[w], 1) }),
      el("td", { class: "num", text: fmt(p.worker_wait_ms[w], 1) }), el("td", { class: "num", text: fmt(p.worker_tokens_per_second[w], 0) }),
      el("td", { class: straggler ? "straggler" : "", text: straggler ? "straggler (+" + fmt(p.straggler_ms, 1) + " ms/step" + (p.straggler_cause ? ", " + p.straggler_cause : "") + ")" : "" })));
  }
  document.getElementById("spec").textContent = JSON.stringify(j.spec, null, 2);
}

function renderEvents(job) {
  const rows = (table, events) => {
    table.replaceChildren(el("tr", {}, ...["time (UTC)", "event", "message"].map(h => el("th", { text: h }))));
    for (const e of events) table.append(el("tr", { class: "event" }, el("td", { text: time(e.unix_ms) }), el("td", { text: e.kind }), el("td", { text: e.message })));
  };
  rows(document.getElementById("timeline"), job.events.filter(e => TIMELINE.includes(e.kind)));
  rows(document.getElementById("events"), job.events.slice(-SHOWN_EVENTS).reverse());
  document.getElementById("events-title").textContent = job.events.length > SHOWN_EVENTS
    ? "Events (newest " + SHOWN_EVENTS + " of " + job.events.length + "; all: /api/jobs/" + job.info.id + "/events)" : "Events";
  renderGenerations(job);
}

// One row per generation, from the "assigned" events ("generation N (why): ranks a, b; ...")
// and the "resumed" ones ("... X s after <cause>") that say how long recovery took.
function renderGenerations(job) {
  const gens = [];
  for (const e of job.events) {
    const m = /^generation (\d+) \((.*?)\): ranks ([^;]*)/.exec(e.message);
    if (e.kind === "assigned" && m) {
      const members = m[3].split(", ").filter(x => x);
      const prev = gens.length ? gens[gens.length - 1].members : [];
      gens.push({ gen: Number(m[1]), at: e.unix_ms, why: m[2], members,
                  joined: members.filter(w => !prev.includes(w)), left: prev.filter(w => !members.includes(w)), recovery: null });
    }
    const r = /in generation (\d+), ([0-9.]+) s after/.exec(e.message);
    if (e.kind === "resumed" && r) {
      const g = gens.find(x => x.gen === Number(r[1]));
      if (g) g.recovery = Number(r[2]);
    }
  }
  const t = document.getElementById("generations");
  t.replaceChildren(el("tr", {}, ...["generation", "formed (UTC)", "why", "ranks", "joined", "left", "recovery"].map(h => el("th", { text: h }))));
  for (const g of gens.slice().reverse()) {
    t.append(el("tr", { class: "generation", "data-generation": g.gen },
      el("td", { class: "num", text: g.gen }), el("td", { text: time(g.at) }), el("td", { text: g.why }),
      el("td", { text: g.members.join(", ") }), el("td", { text: g.joined.join(", ") || "-" }),
      el("td", { class: g.left.length ? "left-workers error" : "", text: g.left.join(", ") || "-" }),
      el("td", { class: "num", text: g.recovery === null ? "-" : g.recovery.toFixed(1) + " s" })));
  }
}

// The job's model files and kept checkpoints, each a download (fetched with the token, then
// saved from memory: a plain link cannot send one).
async function renderModel(job) {
  const box = document.getElementById("model");
  let m;
  try { m = await api("/api/jobs/" + encodeURIComponent(job.info.id) + "/model"); }
  catch (e) { box.replaceChildren(el("p", { class: "error", text: e.message })); return; }
  const base = "/api/jobs/" + encodeURIComponent(job.info.id);
  const link = (href, name, label) => {
    const a = el("a", { href: href, class: "download", text: label });
    a.addEventListener("click", async (ev) => {
      ev.preventDefault();
      const res = await fetch(href, { headers: headers() });
      if (!res.ok) { box.append(el("p", { class: "error", text: name + ": " + res.statusText })); return; }
      const url = URL.createObjectURL(await res.blob());
      const save = el("a", { href: url, download: name });
      document.body.append(save); save.click(); save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    });
    return a;
  };
  const files = el("table", { id: "model-files" }, el("tr", {}, ...["file", "bytes", ""].map(h => el("th", { text: h }))));
  for (const f of m.files) files.append(el("tr", {}, el("td", { text: f.file }), el("td", { class: "num", text: f.bytes }),
    el("td", {}, link(base + "/model/" + encodeURIComponent(f.file), job.info.id + "-" + f.file, "download"))));
  const ckpts = el("table", { id: "checkpoints" }, el("tr", {}, ...["checkpoint", "stored (UTC)", "bytes", ""].map(h => el("th", { text: h }))));
  for (const c of m.checkpoints.slice().reverse()) ckpts.append(el("tr", { class: "checkpoint" }, el("td", { text: "step " + c.step }),
    el("td", { text: time(c.unix_ms) }), el("td", { class: "num", text: c.bytes }),
    el("td", {}, link(base + "/checkpoints/" + c.step, job.info.id + "-step-" + c.step + ".ckpt", "download"))));
  box.replaceChildren(
    el("p", { id: "model-kind", text: m.model ? (m.model === "final" ? "Final model" : "Newest checkpoint") + " at step " + m.model_step + " (what tandem download " + job.info.id + " writes):" : "No model yet: the first checkpoint comes " + (job.info.spec.training.checkpoint_interval_steps ? "at step " + job.info.spec.training.checkpoint_interval_steps : "at a fifth of the time budget") + "." }),
    m.files.length ? files : "", el("p", { text: "Kept checkpoints (" + m.checkpoints.length + "):" }), m.checkpoints.length ? ckpts : "");
}

// --- the translate box ----------------------------------------------------------------------
function translateBox(id) {
  const input = el("textarea", { id: "translate-input", rows: 3, cols: 80, placeholder: "One sentence per line (at most 16)" });
  const attention = el("input", { id: "translate-attention", type: "checkbox" });
  attention.checked = true;
  const beam = el("input", { id: "translate-beam", type: "number", min: 1, max: 64, value: 5, style: "width:4em" });
  const go = el("button", { id: "translate-go", text: "Translate" });
  const out = el("div", { id: "translations" });
  const run = async () => {
    const lines = input.value.split("\n").map(x => x.trim()).filter(x => x);
    if (!lines.length) return;
    go.disabled = true;
    out.replaceChildren(el("p", { class: "muted", text: "translating..." }));
    const q = lines.map(x => "text=" + encodeURIComponent(x)).join("&") + (attention.checked ? "&attention=1&heads=1" : "&beam=" + encodeURIComponent(beam.value));
    try {
      const r = await api("/api/jobs/" + encodeURIComponent(id) + "/translate?" + q);
      out.replaceChildren(el("p", { class: "muted", text: "with the " + r.model + " at step " + r.model_step + (attention.checked ? " (greedy, with attention)" : " (beam " + beam.value + ")") }));
      r.translations.forEach((t, i) => out.append(el("div", { class: "translation" },
        el("p", {}, el("span", { class: "muted", text: lines[i] + " → " }), el("b", { class: "translated", text: t.text })),
        t.weights.length ? heads(t, i) : "")));
    } catch (e) {
      out.replaceChildren(el("p", { class: "error", text: e.message }));
    }
    go.disabled = false;
  };
  go.addEventListener("click", run);
  return el("div", {}, input, el("div", { style: "margin-top:6px" }, go, " ", el("label", {}, attention, " show attention (greedy)"),
    " ", el("label", {}, "beam ", beam)), out);
}

// A translation's heatmap, with a selector (average / head 1..H) when the model has several
// attention heads (a transformer: heads=1 sent them all).
function heads(t, i) {
  const H = t.head_count || 0;
  if (H < 2) return heatmap(t, 0);
  const pick = el("select", { class: "head-select", id: "translate-head-" + i },
    ...[...Array(H + 1).keys()].map(h => el("option", { value: h, text: h ? "head " + h : "average of " + H + " heads" })));
  const box = el("div", {}, heatmap(t, 0));
  pick.addEventListener("change", () => box.replaceChildren(heatmap(t, Number(pick.value))));
  return el("div", {}, el("label", { class: "muted" }, "attention: ", pick), box);
}

// Attention as a grid: a row per target piece, a column per source piece, darker = more;
// head 0 is the average over heads, h in 1..head_count one head (rows of head_weights).
function heatmap(t, head) {
  const S = t.source_pieces.length, T = t.target_pieces.length, C = 22, L = 110, top = 90;
  const weights = head ? t.head_weights.slice((head - 1) * T * S, head * T * S) : t.weights;
  const svg = svgEl("svg", { width: L + S * C + 10, height: top + T * C + 10, class: "heatmap", "data-head": head });
  const label = (x, y, s, attrs) => { const e = svgEl("text", Object.assign({ x, y }, attrs || {})); e.textContent = s; svg.append(e); };
  t.source_pieces.forEach((p, j) => label(L + j * C + C / 2, top - 6, p, { transform: "rotate(-60 " + (L + j * C + C / 2) + " " + (top - 6) + ")" }));
  t.target_pieces.forEach((p, i) => {
    label(L - 6, top + i * C + C * 0.7, p, { "text-anchor": "end" });
    for (let j = 0; j < S; j++) {
      const w = weights[i * S + j];
      const r = svgEl("rect", { x: L + j * C, y: top + i * C, width: C - 1, height: C - 1, fill: "#1e88e5", "fill-opacity": Math.max(0.03, w).toFixed(3) });
      const tip = svgEl("title", {}); tip.textContent = p + " ← " + t.source_pieces[j] + ": " + w.toFixed(3); r.append(tip);
      svg.append(r);
    }
  });
  return svg;
}

function renderCharts(job) {
  const pts = job.points, val = pts.filter(p => p.has_validation);
  const c = document.getElementById("charts");
  c.replaceChildren(
    chart("loss", [{ name: "training", color: "#1e88e5", xy: pts.map(p => [p.step, p.loss]) },
                   { name: "validation", color: "#e53935", xy: val.map(p => [p.step, p.valid_loss]) }]),
    chart("validation BLEU", [{ name: "BLEU", color: "#43a047", xy: val.map(p => [p.step, p.valid_bleu]) }]),
    chart("tokens/s", [{ name: "all", color: "#8e24aa", xy: pts.map(p => [p.step, p.tokens_per_second]) }]),
    chart("tokens/s per worker", workerSeries(pts)));
}

const COLORS = ["#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41", "#3949ab"];
function workerSeries(pts) {
  const ids = [...new Set(pts.flatMap(p => Object.keys(p.worker_tokens_per_second || {})))].sort();
  return ids.map((w, i) => ({ name: w, color: COLORS[i % COLORS.length],
    xy: pts.filter(p => p.worker_tokens_per_second && w in p.worker_tokens_per_second).map(p => [p.step, p.worker_tokens_per_second[w]]) }));
}

// A line chart of [step, value] series as inline SVG.
function chart(title, series) {
  const W = 420, H = 220, L = 50, R = 10, T = 24, B = 28;
  const all = series.flatMap(s => s.xy).filter(([x, y]) => y !== null && isFinite(y));
  const svg = svgEl("svg", { width: W, height: H, class: "chart" });
  const text = (x, y, s, anchor) => { const t = svgEl("text", { x, y, "text-anchor": anchor || "start" }); t.textContent = s; svg.append(t); };
  text(L, 14, title);
  svg.append(svgEl("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: "none", stroke: "#dde1e7" }));
  if (all.length === 0) { text(W / 2, H / 2, "no points yet", "middle"); return svg; }
  let x0 = Math.min(...all.map(p => p[0])), x1 = Math.max(...all.map(p => p[0]));
  let y0 = Math.min(...all.map(p => p[1])), y1 = Math.max(...all.map(p => p[1]));
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y1 += 1; y0 -= 1; }
  const sx = x => L + (x - x0) / (x1 - x0) * (W - L - R), sy = y => H - B - (y - y0) / (y1 - y0) * (H - T - B);
  text(L - 4, T + 10, short(y1), "end"); text(L - 4, H - B, short(y0), "end");
  text(L, H - 10, String(x0)); text(W - R, H - 10, "step " + x1, "end");
  let lx = W - R - 4;
  for (const s of series.slice().reverse()) {
    const xy = s.xy.filter(([x, y]) => y !== null && isFinite(y));
    if (xy.length === 1) svg.append(svgEl("circle", { cx: sx(xy[0][0]), cy: sy(xy[0][1]), r: 3, fill: s.color }));
    if (xy.length > 1) svg.append(svgEl("path", { d: "M" + xy.map(([x, y]) => sx(x).toFixed(1) + "," + sy(y).toFixed(1)).join("L"), fill: "none", stroke: s.color, "stroke-width": 1.5 }));
    const t = svgEl("text", { x: lx, y: 14, "text-anchor": "end", fill: s.color }); t.textContent = s.name; t.style.fill = s.color; svg.append(t);
    lx -= 8 * s.name.length + 12;
  }
  return svg;
}

function start() {
  const m = /^\/jobs\/([^/]+)$/.exec(location.pathname);
  if (m) jobPage(decodeURIComponent(m[1])); else overview();
}
start();
</script>
</body>
</html>
)TANDEMPAGE";
}

}  // namespace tandem
