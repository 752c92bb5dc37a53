// web/app.js — the page's logic: calls the engine's C API (web/main.cpp), streams tokens as they come, and draws
// every panel: heatmaps by the engine's display shaders on its WebGL canvas, copied into each panel's 2D canvas with
// labels, legends and hover readouts; the logits, the render passes with their GLSL and step mode, the GPU's facts.
// For tests it publishes window.gpt2gl = {ready, done, tokens, info, api, view, userFiles}.
//
// Index: [SECTION] start-up  [SECTION] tokens and text  [SECTION] generation  [SECTION] attention
//        [SECTION] residual stream  [SECTION] logits  [SECTION] render passes  [SECTION] your GPU  [SECTION] own model
"use strict";
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
window.gpt2gl = { ready: false, done: false, tokens: [], info: null, view: {} };

function fail(msg) {
  $("error").textContent = msg;
}

// [SECTION] start-up: the module, with the model's download shown as it comes
createGpt2gl({
  canvas: $("canvas"),
  printErr: (t) => console.warn(t),
  setStatus: (s) => {
    const m = /\((\d+)\/(\d+)\)/.exec(s);
    if (m) {
      $("download").value = +m[1] / +m[2];
      $("loading-text").textContent = `Downloading the model: ${(m[1] / 1e6).toFixed(1)} of ${(m[2] / 1e6).toFixed(1)} MB`;
    } else if (s) {
      $("loading-text").textContent = s;
    }
  },
}).then((M) => {
  const api = {
    error: M.cwrap("gpt2gl_error", "string", []),
    init: M.cwrap("gpt2gl_init", "number", ["string", "string", "string", "number"]),
    info: () => JSON.parse(M.cwrap("gpt2gl_info", "string", [])()),
    load: M.cwrap("gpt2gl_load", "number", ["string", "number"]),
    encode: (t) => JSON.parse(M.cwrap("gpt2gl_encode", "string", ["string"])(t)),
    start: M.cwrap("gpt2gl_start", "number", ["string", "number", "number", "number", "number"]),
    setSampling: M.cwrap("gpt2gl_set_sampling", null, ["number", "number", "number"]),
    step: M.cwrap("gpt2gl_step", "number", []),
    stepRecord: M.cwrap("gpt2gl_step_record", "number", []),
    stepDraw: M.cwrap("gpt2gl_step_draw", "number", []),
    stepDrawLayer: M.cwrap("gpt2gl_step_draw_layer", "number", []),
    stepPending: M.cwrap("gpt2gl_step_pending", "number", []),
    forwards: M.cwrap("gpt2gl_forwards", "number", []),
    bytes: (id) => JSON.parse(M.cwrap("gpt2gl_token_bytes", "string", ["number"])(id)),
    tokens: () => JSON.parse(M.cwrap("gpt2gl_tokens", "string", [])()),
    pos: M.cwrap("gpt2gl_pos", "number", []),
    layers: M.cwrap("gpt2gl_layers", "number", []),
    heads: M.cwrap("gpt2gl_heads", "number", []),
    logits: (k, t, topk, topp) => JSON.parse(M.cwrap("gpt2gl_logits_view", "string", ["number", "number", "number", "number"])(k, t, topk, topp)),
    heatmap: M.cwrap("gpt2gl_heatmap", null, ["number", "number", "number", "number", "number", "number", "number", "number", "number"]),
    headProbs: (l, h) => JSON.parse(M.cwrap("gpt2gl_head_probs", "string", ["number", "number"])(l, h)),
    norms: (l, m) => JSON.parse(M.cwrap("gpt2gl_norms", "string", ["number", "number"])(l, m)),
    attention: M.cwrap("gpt2gl_attention", "number", ["number", "number", "number", "number"]),
    residual: M.cwrap("gpt2gl_residual", "number", ["number", "number", "number", "number"]),
    passes: () => JSON.parse(M.cwrap("gpt2gl_passes", "string", [])()),
    shader: M.cwrap("gpt2gl_shader", "string", ["string"]),
    caption: M.cwrap("gpt2gl_caption", "string", ["string"]),
  };
  window.gpt2gl.api = api;
  $("loading").hidden = true;

  const gl = $("canvas");
  gl.addEventListener("webglcontextlost", (e) => {
    e.preventDefault();
    sessionStorage.setItem("gpt2gl-prompt", $("prompt").value);
    fail("The WebGL context was lost (the GPU was reset or ran out of memory). ");
    const b = document.createElement("button");
    b.textContent = "Reload (keeps the prompt)";
    b.onclick = () => location.reload();
    $("error").appendChild(b);
  });
  const keptPrompt = sessionStorage.getItem("gpt2gl-prompt");
  if (keptPrompt) $("prompt").value = keptPrompt;

  if (api.init(params.get("precision") || "auto", params.get("weights") || "auto", params.get("profile") || "",
    params.get("tune") === "0" ? 0 : 1) !== 0) {
    fail("gpt2gl cannot run here: " + api.error());
    return;
  }
  let info = {};
  const ctxLen = parseInt(params.get("ctx") || "128");
  function loaded(path) {
    if (api.load(path, ctxLen) !== 0) {
      fail("cannot load " + path + ": " + api.error());
      return false;
    }
    info = api.info();
    window.gpt2gl.info = info;
    $("tier").textContent = info.tier + (info.weights === "tier" ? "" : ", " + info.weights + " weights");
    $("tier-why").textContent = "(" + info.reason + "; " + (info.weights_reason ? info.weights_reason + "; " : "") +
      info.renderer + ")";
    $("model").textContent = info.model + " (" + (info.params / 1e6).toFixed(1) + " M params)";
    for (const [sel, n] of [["layer", info.layers], ["head", info.heads], ["block", info.layers]]) {
      $(sel).innerHTML = "";
      for (let i = 0; i < n; i++) $(sel).add(new Option(String(i), String(i)));
    }
    showGpu();
    return true;
  }

  // [SECTION] tokens and text
  const decoder = new TextDecoder("utf-8", { fatal: false });
  const label = (bytes) => {
    const s = decoder.decode(new Uint8Array(bytes));
    return s === "" ? "·" : s.replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r");
  };
  let toks = { ids: [], bytes: [], prompt: 0, eot: -1 }, labels = [];
  function refreshTokens() {
    toks = api.tokens() || toks;
    labels = toks.bytes.map(label);
    window.gpt2gl.view.labels = labels;
  }
  const escapeHtml = (s) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
  function showText(ended) {
    const prompt = decoder.decode(new Uint8Array(toks.bytes.slice(0, toks.prompt).flat()));
    const gen = decoder.decode(new Uint8Array(toks.bytes.slice(toks.prompt).flat()));
    $("out").innerHTML = escapeHtml(prompt) + '<span class="gen">' + escapeHtml(gen) + "</span>" +
      (ended ? ' <span class="eot" title="the model wrote <|endoftext|>">end</span>' : "");
  }

  // [SECTION] generation, streamed
  let running = false;
  const controls = ["prompt", "n", "temp", "topk", "topp", "seed", "generate", "files", "layer", "head", "block", "step-record"];
  for (const id of controls) $(id).disabled = false;
  const sampling = () => [+$("temp").value, +$("topk").value, +$("topp").value];
  function refreshAll() {
    refreshTokens();
    drawViews();
    showLogits();
    showPasses();
  }
  $("generate").onclick = () => {
    if (running) return;
    const text = $("prompt").value, n = +$("n").value;
    const ids = api.encode(text);
    if (!ids) return fail(api.error());
    if (api.start(JSON.stringify(ids), ...sampling(), +$("seed").value) !== 0) return fail(api.error());
    fail("");
    window.gpt2gl.tokens = [];
    window.gpt2gl.done = false;
    running = true;
    $("stop").disabled = false;
    $("generate").disabled = true;
    const t0 = performance.now();
    let made = 0, ended = false;
    const finish = () => {
      running = false;
      $("stop").disabled = true;
      $("generate").disabled = false;
      info = api.info();  // with the matmuls tuned by now
      window.gpt2gl.info = info;
      showGpu();
      refreshAll();
      showText(ended);
      window.gpt2gl.done = true;
    };
    const tick = () => {
      if (!running || made >= n) return finish();
      const id = api.step();
      if (id === -1) { fail(api.error()); return finish(); }
      if (id === -2) { $("status").textContent = "the context is full"; return finish(); }
      if (id === -3) {
        ended = true;
        $("status").textContent = made + " tokens, then <|endoftext|>: the end of the text";
        return finish();
      }
      made++;
      window.gpt2gl.tokens.push(id);
      refreshTokens();
      showText(false);
      drawViews();
      showLogits();
      $("status").textContent = made + " tokens, " + (made * 1000 / (performance.now() - t0)).toFixed(1) + " tokens/s";
      setTimeout(tick, 0);
    };
    refreshAll();
    showText(false);
    setTimeout(tick, 0);
  };
  $("stop").onclick = () => { running = false; };
  for (const id of ["temp", "topk", "topp"]) $(id).oninput = () => { api.setSampling(...sampling()); showLogits(); };

  // [SECTION] attention: overview, matrix (zoom, pan, labels, legend, hover), head view
  const view = { zoom: 1, row0: 0, col0: 0, lines: false };
  const css = getComputedStyle(document.documentElement);
  const font = "12px system-ui, sans-serif", lineH = 14;
  const dpr = () => Math.min(window.devicePixelRatio || 1, 2);
  // A 2D canvas sized to its box's width (and this height), drawn in CSS pixels.
  function surface(cv, height) {
    const w = Math.max(60, cv.clientWidth), r = dpr();
    cv.style.height = height + "px";
    if (cv.width !== Math.round(w * r) || cv.height !== Math.round(height * r)) {
      cv.width = Math.round(w * r);
      cv.height = Math.round(height * r);
    }
    const g = cv.getContext("2d");
    g.setTransform(r, 0, 0, r, 0, 0);
    g.clearRect(0, 0, w, height);
    g.font = font;
    g.textBaseline = "middle";
    return { g, w };
  }
  // Copies the engine's heatmap (drawn into the WebGL canvas's top-left w x h CSS pixels) to (x, y) of g.
  function blit(g, x, y, w, h) {
    g.imageSmoothingEnabled = false;
    g.drawImage(gl, 0, 0, Math.round(w * dpr()), Math.round(h * dpr()), x, y, w, h);
  }
  const seqColour = (t) => `rgb(${255 * (1 + (0.03 - 1) * t)},${255 * (1 + (0.19 - 1) * t)},${255 * (1 + (0.42 - 1) * t)})`;
  function legend(g, x, y, h, top, mid, bottom, colour) {
    for (let i = 0; i < 64; i++) {
      g.fillStyle = colour(1 - (i + 0.5) / 64);
      g.fillRect(x, y + h * i / 64, 14, h / 64 + 0.5);
    }
    g.strokeStyle = "#8c8c96";
    g.strokeRect(x, y, 14, h);
    g.fillStyle = "#d2d2d7";
    g.fillText(top, x + 18, y + 5);
    g.fillText(mid, x + 18, y + h / 2);
    g.fillText(bottom, x + 18, y + h - 5);
  }
  const fit = (g, s, w) => {  // s cut to fit w pixels, with an ellipsis
    if (g.measureText(s).width <= w) return s;
    while (s.length > 1 && g.measureText(s + "…").width > w) s = s.slice(0, -1);
    return s + "…";
  };
  function visible(S) {
    view.zoom = Math.min(Math.max(view.zoom, 1), Math.max(1, S / 4));
    const n = Math.max(1, Math.min(S, Math.ceil(S / view.zoom)));
    view.row0 = Math.min(Math.max(view.row0, 0), S - n);
    view.col0 = Math.min(Math.max(view.col0, 0), S - n);
    return { n, r0: Math.round(view.row0), c0: Math.round(view.col0) };
  }
  let hoverAtt = null, matrixBox = null, overviewBox = null;
  function drawOverview() {
    const cv = $("overview"), S = api.pos(), L = info.layers, H = info.heads;
    const width = Math.max(60, cv.clientWidth), lab = 26;
    const t = Math.max(6, Math.min(64, Math.floor((width - lab) / H) - 2));
    const height = lineH * 2 + L * (t + 2);
    const { g } = surface(cv, height);
    g.fillStyle = "#d2d2d7";
    g.fillText("all heads", 0, lineH / 2);
    const step = Math.max(1, Math.ceil(lineH * 1.4 / (t + 2)));
    for (let h = 0; h < H; h += step) g.fillText("H" + h, lab + h * (t + 2), lineH * 1.5);
    for (let l = 0; l < L; l++) {
      const y = lineH * 2 + l * (t + 2);
      if (t >= 10 || l % Math.ceil(lineH / (t + 2)) === 0) g.fillText("L" + l, 0, y + t / 2);
      for (let h = 0; h < H; h++) {
        api.heatmap(0, l, h, 0, 0, S, S, Math.round(t * dpr()), Math.round(t * dpr()));
        blit(g, lab + h * (t + 2), y, t, t);
      }
    }
    const sl = +$("layer").value, sh = +$("head").value;
    g.strokeStyle = css.getPropertyValue("--hot");
    g.lineWidth = 2.5;
    g.strokeRect(lab + sh * (t + 2) - 1.5, lineH * 2 + sl * (t + 2) - 1.5, t + 3, t + 3);
    g.lineWidth = 1;
    overviewBox = { lab, top: lineH * 2, t, L, H };
  }
  function drawMatrix() {
    const cv = $("attention"), S = api.pos();
    const width = Math.max(120, cv.clientWidth);
    const labelW = Math.min(130, Math.max(48, width * 0.16)), legendW = 64;
    const side = Math.max(40, Math.floor(Math.min(width - labelW - legendW, 720)));
    const { g } = surface(cv, labelW + side + 6);
    const w = visible(S), cell = side / w.n, x0 = labelW, y0 = labelW;
    api.heatmap(0, +$("layer").value, +$("head").value, w.r0, w.c0, w.n, w.n, Math.round(side * dpr()), Math.round(side * dpr()));
    blit(g, x0, y0, side, side);
    const step = Math.max(1, Math.ceil(lineH / cell)), rows = [], cols = [];
    g.fillStyle = "#cdcdd4";
    for (let i = 0; i < w.n; i++) {
      const t = w.r0 + i, k = w.c0 + i;
      if (t % step === 0) {
        g.textAlign = "right";
        g.fillText(fit(g, labels[t], labelW - 6), x0 - 4, y0 + (i + 0.5) * cell);
        rows.push(t);
      }
      if (k % step === 0) {
        g.save();
        g.translate(x0 + (i + 0.5) * cell, y0 - 4);
        g.rotate(-Math.PI / 2);
        g.textAlign = "left";
        g.fillText(fit(g, labels[k], labelW - 6), 0, 0);
        g.restore();
        cols.push(k);
      }
    }
    g.textAlign = "left";
    g.fillStyle = "#96969f";
    g.fillText("query ↓", 0, lineH / 2);
    g.fillText("key →", 0, lineH * 1.5);
    legend(g, x0 + side + 8, y0, Math.min(side, 200), "p = 1", "0.5", "0", seqColour);
    if (hoverAtt && hoverAtt.row >= w.r0 && hoverAtt.row < w.r0 + w.n && hoverAtt.col >= w.c0 && hoverAtt.col < w.c0 + w.n) {
      const i = hoverAtt.row - w.r0, j = hoverAtt.col - w.c0, hot = css.getPropertyValue("--hot");
      g.strokeStyle = hot;
      g.strokeRect(x0, y0 + i * cell, side, cell);
      g.strokeRect(x0 + j * cell, y0, cell, side);
      const qt = labels[hoverAtt.row], kt = labels[hoverAtt.col];  // in full, over the others
      g.textAlign = "right";
      const qw = g.measureText(qt).width;
      g.fillStyle = "rgba(25,25,30,0.92)";
      g.fillRect(x0 - 6 - qw, y0 + (i + 0.5) * cell - lineH / 2, qw + 4, lineH);
      g.fillStyle = hot;
      g.fillText(qt, x0 - 4, y0 + (i + 0.5) * cell);
      g.save();
      g.translate(x0 + (j + 0.5) * cell, y0 - 4);
      g.rotate(-Math.PI / 2);
      g.textAlign = "left";
      const kw = g.measureText(kt).width;
      g.fillStyle = "rgba(25,25,30,0.92)";
      g.fillRect(-2, -lineH / 2, kw + 4, lineH);
      g.fillStyle = hot;
      g.fillText(kt, 0, 0);
      g.restore();
      g.textAlign = "left";
    }
    matrixBox = { x0, y0, side, cell, ...w };
    window.gpt2gl.view.attention = { tokens: S, visible: w.n, cell, rowsLabelled: rows, colsLabelled: cols, x0, y0, side };
  }
  function drawLines() {
    const cv = $("attention"), S = api.pos();
    if (S > 64) {
      const { g } = surface(cv, 40);
      g.fillStyle = "#cdcdd4";
      g.fillText(`The head view is for prompts up to 64 tokens (this one has ${S}); the matrix shows any length.`, 4, 20);
      return;
    }
    const width = Math.max(200, cv.clientWidth), dy = 22, colW = Math.min(width * 0.3, 160);
    const { g } = surface(cv, dy * S + 10);
    const gap = Math.min(Math.max(width * 0.35, 100), 420), left = Math.max(0, (width - 2 * colW - gap) / 2);
    const xl = left + colW, xr = xl + gap, p = api.headProbs(+$("layer").value, +$("head").value);
    const hot = hoverAtt && hoverAtt.lines ? hoverAtt.row : -1;
    for (let t = 0; t < S; t++) {
      if (hot >= 0 && t !== hot) continue;
      for (let k = 0; k <= t; k++) {
        const pr = p[t][k];
        if (pr < 0.01) continue;
        g.strokeStyle = `rgba(115,184,255,${hot >= 0 ? Math.max(0.3, pr) : pr})`;
        g.lineWidth = 1 + 4 * pr;
        g.beginPath();
        g.moveTo(xl + 4, 5 + (t + 0.5) * dy);
        g.lineTo(xr - 4, 5 + (k + 0.5) * dy);
        g.stroke();
      }
    }
    g.lineWidth = 1;
    for (let t = 0; t < S; t++) {
      g.fillStyle = t === hot ? css.getPropertyValue("--hot") : "#cdcdd4";
      g.textAlign = "right";
      g.fillText(fit(g, labels[t], colW - 4), xl, 5 + (t + 0.5) * dy);
      g.textAlign = "left";
      g.fillStyle = "#cdcdd4";
      g.fillText(fit(g, labels[t], colW - 4), xr, 5 + (t + 0.5) * dy);
    }
    matrixBox = { lines: true, xl, xr, dy, S };
  }
  function drawViews() {
    if (!api.pos()) return;
    drawOverview();
    if (view.lines) drawLines();
    else drawMatrix();
    drawResidual();
  }
  $("attention").addEventListener("mousemove", (e) => {
    const r = e.target.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top, b = matrixBox;
    if (!b) return;
    if (b.lines) {
      const t = Math.floor((y - 5) / b.dy);
      hoverAtt = t >= 0 && t < b.S ? { lines: true, row: t } : null;
      drawLines();
      return;
    }
    if (dragging) {
      view.row0 -= (y - dragging.y) / b.cell;
      view.col0 -= (x - dragging.x) / b.cell;
      dragging = { x, y };
    }
    if (x < b.x0 || y < b.y0 || x >= b.x0 + b.side || y >= b.y0 + b.side) {
      hoverAtt = null;
      $("attention-hover").textContent = "";
    } else {
      const t = b.r0 + Math.floor((y - b.y0) / b.cell), k = b.c0 + Math.floor((x - b.x0) / b.cell);
      const l = +$("layer").value, h = +$("head").value;
      const text = k > t ? `query '${labels[t]}' (#${t}) → key '${labels[k]}' (#${k}): masked, a key after its query`
        : `query '${labels[t]}' (#${t}) → key '${labels[k]}' (#${k}): p = ${api.attention(l, h, t, k).toFixed(6)}`;
      hoverAtt = { row: t, col: k, text };
      $("attention-hover").textContent = text;
    }
    window.gpt2gl.view.hover = hoverAtt;
    drawMatrix();
  });
  let dragging = null;
  $("attention").addEventListener("mousedown", (e) => {
    const r = e.target.getBoundingClientRect();
    dragging = { x: e.clientX - r.left, y: e.clientY - r.top };
  });
  window.addEventListener("mouseup", () => { dragging = null; });
  $("attention").addEventListener("wheel", (e) => {
    const b = matrixBox;
    if (!b || b.lines) return;
    e.preventDefault();
    const r = e.target.getBoundingClientRect(), x = e.clientX - r.left - b.x0, y = e.clientY - r.top - b.y0;
    const fr = b.r0 + y / b.cell, fc = b.c0 + x / b.cell, S = api.pos();
    view.zoom *= e.deltaY < 0 ? 1.25 : 0.8;
    const w = visible(S);
    view.row0 = fr - y / b.side * w.n;
    view.col0 = fc - x / b.side * w.n;
    drawMatrix();
  }, { passive: false });
  $("overview").addEventListener("click", (e) => {
    const b = overviewBox, r = e.target.getBoundingClientRect();
    if (!b) return;
    const h = Math.floor((e.clientX - r.left - b.lab) / (b.t + 2)), l = Math.floor((e.clientY - r.top - b.top) / (b.t + 2));
    if (l < 0 || l >= b.L || h < 0 || h >= b.H) return;
    $("layer").value = String(l);
    $("head").value = String(h);
    drawViews();
  });
  $("fit").onclick = () => { view.zoom = 1; view.row0 = view.col0 = 0; drawViews(); };
  $("tab-matrix").onclick = () => { view.lines = false; $("tab-matrix").className = "on"; $("tab-lines").className = ""; drawViews(); };
  $("tab-lines").onclick = () => { view.lines = true; $("tab-lines").className = "on"; $("tab-matrix").className = ""; drawViews(); };
  for (const s of ["layer", "head", "block"]) $(s).onchange = drawViews;
  for (const r of document.querySelectorAll("input[name=mode]")) r.onchange = drawViews;
  window.addEventListener("resize", drawViews);

  // [SECTION] residual stream: tokens x channels, labels, channel axis, norms, legend, hover
  let residualBox = null;
  const divColour = (t) => {  // viewer/heatmap.frag's diverging map, t in [0, 1] for [-1, 1]
    const v = 2 * t - 1, a = Math.abs(v), to = v < 0 ? [0.13, 0.40, 0.75] : [0.80, 0.15, 0.15];
    return `rgb(${255 * (1 + (to[0] - 1) * a)},${255 * (1 + (to[1] - 1) * a)},${255 * (1 + (to[2] - 1) * a)})`;
  };
  function drawResidual() {
    const cv = $("residual"), S = api.pos(), C = info.channels;
    const mode = +document.querySelector("input[name=mode]:checked").value, block = +$("block").value;
    const width = Math.max(160, cv.clientWidth), labelW = Math.min(110, Math.max(40, width * 0.15));
    const normW = Math.min(80, width * 0.12), legendW = 56, rowH = Math.min(22, Math.max(2, 520 / S));
    const w = Math.max(60, width - labelW - normW - legendW - 12), h = rowH * S;
    const { g } = surface(cv, h + 2.4 * lineH);
    api.heatmap(1, block, mode, 0, 0, S, C, Math.round(w * dpr()), Math.round(h * dpr()));
    blit(g, labelW, 0, w, h);
    const step = Math.max(1, Math.ceil(lineH / rowH));
    g.fillStyle = "#cdcdd4";
    g.textAlign = "right";
    for (let t = 0; t < S; t += step) g.fillText(fit(g, labels[t], labelW - 6), labelW - 4, (t + 0.5) * rowH);
    g.textAlign = "center";
    let tick = 1;
    while (tick * 8 < C) tick *= 2;
    for (let c = 0; c <= C; c += tick) g.fillText(String(c), labelW + w * c / C, h + lineH * 0.7);
    g.fillText("channel", labelW + w / 2, h + lineH * 1.8);
    const norms = api.norms(block, mode), most = Math.max(...norms, 1e-9), nx = labelW + w + 6;
    for (let t = 0; t < S; t++) {
      g.fillStyle = residualBox && residualBox.hot === t ? css.getPropertyValue("--hot") : "#96a0b9";
      g.fillRect(nx, t * rowH, normW * norms[t] / most, Math.max(1, rowH - (rowH > 3 ? 1 : 0)));
    }
    g.fillStyle = "#cdcdd4";
    g.fillText("norm", nx + normW / 2, h + lineH * 1.8);
    g.textAlign = "left";
    legend(g, nx + normW + 6, 0, Math.min(h, 160), "+max", "0", "-max", divColour);
    residualBox = { x0: labelW, w, h, rowH, S, C, norms, hot: residualBox ? residualBox.hot : -1 };
  }
  $("residual").addEventListener("mousemove", (e) => {
    const b = residualBox, r = e.target.getBoundingClientRect(), x = e.clientX - r.left - (b ? b.x0 : 0), y = e.clientY - r.top;
    if (!b || x < 0 || x >= b.w || y < 0 || y >= b.h) { $("residual-hover").textContent = ""; return; }
    const t = Math.floor(y / b.rowH), c = Math.floor(x / b.w * b.C);
    const mode = +document.querySelector("input[name=mode]:checked").value;
    $("residual-hover").textContent = `token '${labels[t]}' (#${t}), channel ${c}: ` +
      api.residual(+$("block").value, mode, t, c).toFixed(5) + `; this token's norm ${b.norms[t].toFixed(3)}`;
    b.hot = t;
  });

  // [SECTION] logits, live with the sampling controls
  function showLogits() {
    const v = api.logits(20, ...sampling());
    if (!v) return;
    $("kept").textContent = `the sampler keeps ${v.kept} of ${info.vocab} tokens`;
    $("logits").innerHTML = "<tr><th>token</th><th>logit</th><th>p</th><th>chance</th></tr>" + v.rows.map((r) =>
      `<tr${r.kept ? "" : ' class="cut"'}><td title="id ${r.id}">${escapeHtml(label(r.bytes))}</td>` +
      `<td class="num">${r.logit.toFixed(2)}</td><td><div class="bar"><div style="width:${(100 * r.p).toFixed(1)}%">` +
      `</div><span>${r.p.toFixed(4)}</span></div></td><td class="num">${r.kept ? r.chance.toFixed(3) : "cut"}</td></tr>`).join("");
    window.gpt2gl.view.logits = v;
  }

  // [SECTION] render passes: the list by scope, a pass's detail and GLSL, step mode
  let passes = [], selected = -1;
  const glslKeywords = /^(if|else|for|break|continue|return|discard|uniform|varying|attribute|const|precision|highp|mediump|lowp|in|out|inout|struct)$/;
  const glslTypes = /^(float|int|bool|void|[ib]?vec[234]|mat[234]|sampler2D)$/;
  function highlight(src) {
    return src.split("\n").map((line) => {
      if (/^\s*#/.test(line)) return `<span class="p">${escapeHtml(line)}</span>`;
      const at = line.indexOf("//"), code = at < 0 ? line : line.slice(0, at), comment = at < 0 ? "" : line.slice(at);
      const body = escapeHtml(code).replace(/\b([A-Za-z_]\w*)\b|\b(\d+\.?\d*(?:e[+-]?\d+)?)\b/g, (m, word, num) =>
        num ? `<span class="n">${num}</span>` : glslKeywords.test(word) ? `<span class="k">${word}</span>`
          : glslTypes.test(word) ? `<span class="t">${word}</span>` : word);
      return body + (comment ? `<span class="c">${escapeHtml(comment)}</span>` : "");
    }).join("\n");
  }
  const shape = (t) => `${t.name} [${t.rows} x ${t.cols}] in a ${t.width} x ${t.height} ${t.format} texture`;
  function showPasses() {
    passes = api.passes();
    window.gpt2gl.view.passes = passes;
    const list = $("pass-list");
    list.innerHTML = "";
    let group = null;
    passes.forEach((p, i) => {
      if (!group || group.dataset.scope !== p.scope) {
        group = document.createElement("details");
        group.dataset.scope = p.scope;
        group.innerHTML = `<summary>${p.scope}</summary>`;
        list.appendChild(group);
      }
      const b = document.createElement("button");
      b.textContent = `${String(i).padStart(3)}  ${p.op.padEnd(11)} → ${p.output.name}`;
      b.onclick = () => selectPass(i);
      if (i === selected) {
        b.className = "sel";
        group.open = true;
      }
      group.appendChild(b);
    });
    if (selected >= passes.length) selected = -1;
  }
  function selectPass(i) {
    selected = i;
    const p = passes[i];
    const src = api.shader(p.op + ".frag");
    const defines = p.defines.trim().replace(/\n/g, "  ") || "(no defines)";
    $("pass-detail").innerHTML =
      `<b style="color:var(--hot)">pass ${i}: ${p.op}</b> <span>in ${p.scope}</span><p>${escapeHtml(api.caption(p.op))}</p>` +
      `<div>output: ${escapeHtml(shape(p.output))}, rows ${p.region[0]}..${p.region[1] - 1}` +
      (p.layers > 1 ? `, ${p.layers} K slices summed by blending` : p.accumulate ? ", added onto what it holds" : "") +
      (p.draw_buffers > 1 ? `, and the same region of ${p.draw_buffers - 1} more draw buffers (tiles[1] .. tiles[${p.draw_buffers - 1}])` : "") + "</div>" +
      p.inputs.map((x) => `<div>input ${x.name}: ${escapeHtml(shape(x.tensor))}</div>`).join("") +
      `<div>glsl/${p.op}.frag, compiled with: <code>${escapeHtml(defines)}</code></div>` +
      `<pre class="glsl" id="pass-glsl">${highlight(src)}</pre>` +
      `<details><summary>glsl/prelude.glsl — shared by every pass: precision, the rgba8 codec, tensor addressing</summary>` +
      `<pre class="glsl">${highlight(api.shader("prelude.glsl"))}</pre></details>` +
      `<details><summary>glsl/pass_main.glsl — main(): this fragment's texel → compute() → write</summary>` +
      `<pre class="glsl">${highlight(api.shader("pass_main.glsl"))}</pre></details>`;
    window.gpt2gl.view.selectedPass = { index: i, op: p.op, glsl: src };
    for (const [j, b] of [...$("pass-list").querySelectorAll("button")].entries()) b.className = j === i ? "sel" : "";
  }
  function stepButtons() {
    const pending = api.stepPending() > 0;
    $("step-record").disabled = pending || running;
    for (const id of ["step-pass", "step-layer", "step-finish"]) $(id).disabled = !pending;
    $("generate").disabled = pending || running;
  }
  function stepDrawn(drawn) {
    const total = api.stepPending();
    refreshTokens();
    showPasses();
    selectPass(passes.length - 1);
    drawViews();
    if (total === 0) {
      $("step-status").textContent = `the token is done: ${drawn} passes`;
      showLogits();
      showText(false);
    } else {
      $("step-status").textContent = `${drawn} of ${total} passes drawn`;
    }
    stepButtons();
  }
  $("step-record").onclick = () => {
    const n = api.stepRecord();
    if (n === -1) return fail(api.error());
    if (n === -2) { $("step-status").textContent = "the context is full"; return; }
    if (n === 0) { $("step-status").textContent = "the model ended the text (<|endoftext|>)"; return; }
    $("step-status").textContent = `recorded ${n} passes: draw them one by one`;
    showPasses();
    stepButtons();
  };
  $("step-pass").onclick = () => stepDrawn(api.stepDraw());
  $("step-layer").onclick = () => stepDrawn(api.stepDrawLayer());
  $("step-finish").onclick = () => {
    let drawn = 0;
    while (api.stepPending() > 0) drawn = api.stepDraw();
    stepDrawn(drawn);
  };

  // [SECTION] your GPU, in plain words
  function showGpu() {
    const asked = info.tier_asked;  // a tier forced (?precision=), not chosen for this GPU
    const plain = {
      fp32: "Your GPU can render into 32-bit float textures: every number is stored exactly as the CPU holds it.",
      fp16: "Your GPU renders into half-float (16-bit) textures: numbers are stored with about 3 significant digits " +
        "between passes, while each shader still computes in 32-bit floats.",
      rgba8: (asked ? "As asked (the path for GPUs that cannot render into float textures), each"
                    : "Your GPU cannot render into float textures, so each") +
        " 32-bit float is packed into the 4 bytes of an ordinary colour texel and unpacked in the shader: exact, but " +
        "slower (every read decodes, every write encodes).",
      half: (asked ? "As asked (the path for GPUs whose fragment shaders have no 32-bit floats), every"
                   : "Your GPU's fragment shaders have no 32-bit floats (no highp), so every") +
        " shader computes in 16-bit (mediump) floats: each number is packed as two halves into an ordinary colour " +
        "texel, long sums are compensated, and textures stay within 1024 texels so every coordinate is exact in 16 bits.",
    };
    $("tier-plain").textContent = (plain[info.tier] || "") + (info.weights.startsWith("q8")
      ? " The weights are stored as 8-bit integers with one scale per row: a quarter of the memory" +
        (info.weights === "q8 packed" ? ", twelve to a float texel, three to a channel." : ".")
      : info.weights.startsWith("q4")
      ? " The layers' weights are stored as 4-bit integers with one scale per 24 inputs, twenty-four to a float " +
        "texel, six to a channel (about a fifth of the memory); the embedding as 8-bit integers." : "");
    const facts = [["renderer", info.renderer + " (" + info.vendor + ")"], ["version", info.version],
      ["GLSL", info.glsl], ["max texture", info.max_texture_size + " px"], ["texture units", info.texture_units],
      ["highp float", info.highp_float_bits + " bits"],
      ["mediump arithmetic", info.mediump_bits_computed ? info.mediump_bits_computed + " mantissa bits kept" +
        (info.mediump_bits_computed === 10 ? " (FP16)" : "") : "not measured"], ["fp32 target", info.fp32_why], ["fp16 target", info.fp16_why],
      ["draw buffers", info.draw_buffers + ": " + info.draw_buffers_why + (info.tile[0] * info.tile[1] > 1
        ? "; prefill matmul tiles of " + info.tile[0] + (info.tile[0] > 1 ? " rows x " : " row x ") +
          info.tile[1] * info.tile_texel_outputs + " outputs" +
          (info.tile_timed[0] * info.tile_timed[1] > 1 ? " (or " + info.tile_timed[0] + " rows x " +
            info.tile_timed[1] * info.tile_texel_outputs + " outputs, timed per shape)" : "") : "")],
      ["tier", info.tier + ": " + info.reason],
      // a line per shape: "[1, 128] x [384, 128]^T RGBA/FLOAT: K whole (K split 0.90, K whole 0.70 ms)"
      ["matmuls tuned", !info.tune ? "off (?tune=0): every matmul drawn the rule's way"
        : !info.tunings.length ? "each shape's ways are timed here at its first use, the fastest kept"
        : info.tunings.map((t) => t.key.replace(/^matmul /, "") + ": " + t.ways[t.chosen] + " (" +
          t.ways.map((w, i) => w + " " + t.ms[i].toFixed(2)).join(", ") + " ms" +
          (t.gpu_timed ? ", GPU timer" : "") + ")").join("\n")]];
    $("facts").innerHTML = facts.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(String(v))}</dd>`).join("");
    $("extensions").textContent = info.extensions.join(" ");
  }

  // [SECTION] a user's own model: HF files (config.json, model.safetensors, vocab.json, merges.txt) or an llm.c .bin
  // Read into /user (emptied first: no file of an earlier model mixes in), loaded, then removed: the weights live in
  // textures from then on, and a big model's file would otherwise hold its size in memory for good.
  const userFiles = () => { try { return M.FS.readdir("/user").filter((f) => f !== "." && f !== ".."); } catch (e) { return []; } };
  const clearUser = () => { for (const f of userFiles()) M.FS.unlink("/user/" + f); };
  window.gpt2gl.userFiles = userFiles;
  $("files").onchange = async () => {
    const files = [...$("files").files];
    const total = files.reduce((a, f) => a + f.size, 0);
    let done = 0;
    $("progress").hidden = false;
    $("status").textContent = `reading ${(total / 1e6).toFixed(0)} MB`;
    try { M.FS.mkdir("/user"); } catch (e) { /* exists */ }
    clearUser();
    let bin = null;
    for (const f of files) {
      const buf = new Uint8Array(await f.arrayBuffer());
      M.FS.writeFile("/user/" + f.name, buf);
      if (f.name.endsWith(".bin") && !f.name.includes("tokenizer")) bin = "/user/" + f.name;
      done += f.size;
      $("progress").value = done / total;
    }
    $("progress").hidden = true;
    // the load below holds the page until the model is in textures: say so, and let it show first
    $("status").textContent = "putting the model into textures (a big one takes a while)";
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const ok = loaded(bin || "/user");
    clearUser();
    $("status").textContent = ok ? "loaded your model" : "";
    if (ok) $("out").textContent = "";
  };

  if (!loaded("/model/default")) return;
  stepButtons();
  window.gpt2gl.ready = true;
}).catch((e) => fail("gpt2gl failed to start: " + e));
