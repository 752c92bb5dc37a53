// web/app.js — the page's logic: calls the engine's C API (web/main.cpp), streams tokens as they come, draws the
// attention and residual views through the engine, shows the logits, loads a user's model from disk.
// For tests it publishes window.gpt2gl = {ready, done, tokens, info, api}.
"use strict";
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const ATT = { x: 10, y: 10, size: 420 }, RES = { x: 450, w: 500 };
window.gpt2gl = { ready: false, done: false, tokens: [], info: null };

function fail(msg) {
  $("error").textContent = msg;
}

createGpt2gl({ canvas: $("canvas"), printErr: (t) => console.warn(t) }).then((M) => {
  const api = {
    error: M.cwrap("gpt2gl_error", "string", []),
    init: M.cwrap("gpt2gl_init", "number", ["string", "string"]),
    info: () => JSON.parse(M.cwrap("gpt2gl_info", "string", [])()),
    load: M.cwrap("gpt2gl_load", "number", ["string", "number"]),
    encode: (t) => JSON.parse(M.cwrap("gpt2gl_encode", "string", ["string"])(t)),
    start: M.cwrap("gpt2gl_start", "number", ["string", "number", "number", "number", "number"]),
    step: M.cwrap("gpt2gl_step", "number", []),
    bytes: (id) => JSON.parse(M.cwrap("gpt2gl_token_bytes", "string", ["number"])(id)),
    pos: M.cwrap("gpt2gl_pos", "number", []),
    layers: M.cwrap("gpt2gl_layers", "number", []),
    heads: M.cwrap("gpt2gl_heads", "number", []),
    top: (k, t) => JSON.parse(M.cwrap("gpt2gl_top_logits", "string", ["number", "number"])(k, t)),
    draw: M.cwrap("gpt2gl_draw", null, ["number", "number", "number", "number", "number", "number", "number", "number"]),
    attention: M.cwrap("gpt2gl_attention", "number", ["number", "number", "number", "number"]),
    residual: M.cwrap("gpt2gl_residual", "number", ["number", "number", "number"]),
  };
  window.gpt2gl.api = api;

  const canvas = $("canvas");
  canvas.addEventListener("webglcontextlost", (e) => {
    e.preventDefault();
    sessionStorage.setItem("gpt2gl-prompt", $("prompt").value);
    fail("The WebGL context was lost (the GPU was reset or ran out of memory). ");
    const b = document.createElement("button");
    b.textContent = "Reload (keeps the prompt)";
    b.onclick = () => location.reload();
    $("error").appendChild(b);
  });
  const kept = sessionStorage.getItem("gpt2gl-prompt");
  if (kept) $("prompt").value = kept;

  if (api.init(params.get("precision") || "auto", params.get("weights") || "tier") !== 0) {
    fail("gpt2gl cannot run here: " + api.error());
    return;
  }
  let info = {};
  const ctx = parseInt(params.get("ctx") || "128");

  function loaded(path) {
    if (api.load(path, ctx) !== 0) {
      fail("cannot load " + path + ": " + api.error());
      return false;
    }
    info = api.info();
    window.gpt2gl.info = info;
    $("tier").textContent = info.tier + (info.weights === "tier" ? "" : ", " + info.weights + " weights");
    $("tier-why").textContent = "(" + info.reason + "; " + info.renderer + ")";
    $("model").textContent = info.model + " (" + (info.params / 1e6).toFixed(1) + " M params)";
    for (const [sel, n] of [["layer", api.layers()], ["head", api.heads()], ["block", api.layers()]]) {
      $(sel).innerHTML = "";
      for (let i = 0; i < n; i++) $(sel).add(new Option(String(i), String(i)));
    }
    return true;
  }
  if (!loaded("/model/default")) return;

  // [SECTION] generation, streamed
  let running = false, bytes = [];
  const decoder = () => new TextDecoder("utf-8", { fatal: false });
  function show(promptText) {
    $("out").innerHTML = "";
    const p = document.createElement("span");
    p.textContent = promptText;
    const g = document.createElement("span");
    g.className = "gen";
    g.textContent = decoder().decode(new Uint8Array(bytes));
    $("out").append(p, g);
  }
  function draw() {
    const l = +$("layer").value || 0, h = +$("head").value || 0, b = +$("block").value || 0;
    api.draw(l, h, ATT.x, ATT.y, ATT.size, b, RES.x, RES.w);
    const temp = +$("temp").value;
    $("logits").innerHTML = "<tr><th>token</th><th>id</th><th>logit</th><th>p</th></tr>" +
      api.top(10, temp).map(([id, logit, p]) => "<tr><td>" + escape(tokenText(id)) + "</td><td>" + id + "</td><td>" +
        logit.toFixed(3) + "</td><td>" + p.toFixed(4) + "</td></tr>").join("");
  }
  const tokenText = (id) => decoder().decode(new Uint8Array(api.bytes(id)));
  const escape = (s) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]).replace(/\n/g, "\\n");

  $("generate").onclick = () => {
    const text = $("prompt").value, n = +$("n").value;
    const ids = api.encode(text);
    if (!ids) return fail(api.error());
    if (api.start(JSON.stringify(ids), +$("temp").value, +$("topk").value, +$("topp").value, +$("seed").value) !== 0)
      return fail(api.error());
    fail("");
    bytes = [];
    window.gpt2gl.tokens = [];
    window.gpt2gl.done = false;
    running = true;
    $("stop").disabled = false;
    $("generate").disabled = true;
    const t0 = performance.now();
    let made = 0;
    const tick = () => {
      if (running && made < n) {
        const id = api.step();
        if (id === -1) { fail(api.error()); running = false; }
        else if (id === -2) { $("status").textContent = "context full"; running = false; }
        else if (id === -3) { $("status").textContent = made + " tokens, then <|endoftext|>: the end of the text"; running = false; }
        else {
          made++;
          window.gpt2gl.tokens.push(id);
          bytes.push(...api.bytes(id));
          show(text);
          draw();
          $("status").textContent = made + " tokens, " + (made * 1000 / (performance.now() - t0)).toFixed(1) + " tokens/s";
          setTimeout(tick, 0);
          return;
        }
      }
      running = false;
      $("stop").disabled = true;
      $("generate").disabled = false;
      window.gpt2gl.done = true;
    };
    show(text);
    draw();
    setTimeout(tick, 0);
  };
  $("stop").onclick = () => { running = false; };
  for (const s of ["layer", "head", "block"]) $(s).onchange = draw;

  // hover readouts: one value read from the engine's texture under the mouse
  canvas.addEventListener("mousemove", (e) => {
    const r = canvas.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top, S = api.pos();
    if (!S) return;
    if (x >= ATT.x && x < ATT.x + ATT.size && y >= ATT.y && y < ATT.y + ATT.size) {
      const t = Math.floor((y - ATT.y) / ATT.size * S), s = Math.floor((x - ATT.x) / ATT.size * S);
      $("hover").textContent = s > t ? "masked" : "query " + t + " → key " + s + ": p = " +
        api.attention(+$("layer").value, +$("head").value, t, s).toFixed(6);
    } else if (x >= RES.x && x < RES.x + RES.w && y >= ATT.y && y < ATT.y + ATT.size) {
      const t = Math.floor((y - ATT.y) / ATT.size * S), c = Math.floor((x - RES.x) / RES.w * info.model.split(",")[4].trim().split(" ")[0]);
      $("hover").textContent = "token " + t + ", channel " + c + ": " + api.residual(+$("block").value, t, c).toFixed(5);
    }
  });

  // a user's own model: HF files (config.json, model.safetensors, vocab.json, merges.txt) or an llm.c .bin
  $("files").onchange = async () => {
    const files = [...$("files").files];
    const total = files.reduce((a, f) => a + f.size, 0);
    let done = 0;
    $("progress").hidden = false;
    try { M.FS.mkdir("/user"); } catch (e) { /* exists */ }
    let bin = null;
    for (const f of files) {
      const buf = new Uint8Array(await f.arrayBuffer());
      M.FS.writeFile("/user/" + f.name, buf);
      if (f.name.endsWith(".bin") && !f.name.includes("tokenizer")) bin = "/user/" + f.name;
      done += f.size;
      $("progress").value = done / total;
    }
    $("progress").hidden = true;
    if (loaded(bin || "/user")) { $("status").textContent = "loaded your model"; draw(); }
  };

  window.gpt2gl.ready = true;
}).catch((e) => fail("gpt2gl failed to start: " + e));
