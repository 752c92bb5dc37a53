#!/usr/bin/env node
// scripts/bench_tfjs.js — the page against TensorFlow.js on its WebGL 1 backend: the same GPT-2 decode step (the
// embedded default model, batch 1, KV cache) in the same headless Chromium, alternating, as ratios of ms/token. The
// TF.js model is written here the way a TF.js user would write it (tf.fused.matMul, tf.moments, tf.softmax, the KV
// cache grown by tf.concat; the next token by tf.argMax on the GPU, one int read back). Both run greedy from the same
// prompt, and their tokens are compared first. Needs build-web/site (scripts/build_web.sh) and TF.js:
//   npm install --no-save @tensorflow/tfjs@4.22.0        (or --tfjs DIR: a directory holding tf.min.js)
//   node scripts/bench_tfjs.js [--tokens 32] [--rounds 2] [--vulkan] [--precision auto] [--tfjs-flag FLAG=JSON]...
// (--vulkan: Mesa's lavapipe through ANGLE, needs the mesa-vulkan-drivers package.)
"use strict";
const http = require("node:http"), fs = require("node:fs"), path = require("node:path");
const { chromium } = require("playwright-core");

const root = path.resolve(__dirname, "..");
const site = path.join(root, "build-web/site");
const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : def; };
const tokens = +arg("--tokens", "32"), rounds = +arg("--rounds", "2"), precision = arg("--precision", "auto");
const vulkan = process.argv.includes("--vulkan");
const tfjsFlags = process.argv.flatMap((a, i) => (process.argv[i - 1] === "--tfjs-flag" ? [a] : []));
const tfjsDir = arg("--tfjs", path.join(root, "node_modules/@tensorflow/tfjs/dist"));
const model = path.join(root, "model/default");
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

// The peer's page: GPT-2 in TF.js ops, weights from the model's safetensors (F16 or F32, HF names). Given its best:
// products with their bias fused (tf.fused.matMul), caches kept head-major so that attention needs no transpose,
// the LM head's matrix transposed once (550 -> 239 ms/token on lavapipe), shapes as uniforms
// (WEBGL_USE_SHAPES_UNIFORMS: a context growing by a token each step compiles no shaders; without it 730 ms/token on
// SwiftShader where 509 with), and timed both with packed textures (WEBGL_PACK, its default) and without: the faster
// is the one compared.
const peerPage = `<!doctype html><meta charset="utf-8"><script src="tf.min.js"></script><script>
const f16 = (h) => { const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  return e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15); };
window.peer = (async () => {
  tf.env().set("WEBGL_VERSION", 1);
  tf.env().set("WEBGL_USE_SHAPES_UNIFORMS", true);
  for (const [k, v] of new URLSearchParams(location.search)) tf.env().set(k, JSON.parse(v));  // --tfjs-flag K=V
  if (!(await tf.setBackend("webgl"))) throw new Error("TF.js: no WebGL backend");
  const cfg = await (await fetch("config.json")).json();
  const buf = await (await fetch("model.safetensors")).arrayBuffer();
  const n = Number(new DataView(buf).getBigUint64(0, true));
  const head = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, n)));
  const W = {};
  for (const [name, t] of Object.entries(head)) {
    if (name === "__metadata__") continue;
    const [b, e] = t.data_offsets, raw = buf.slice(8 + n + b, 8 + n + e);
    const f = t.dtype === "F32" ? new Float32Array(raw) : Float32Array.from(new Uint16Array(raw), f16);
    W[name.replace(/^transformer\\./, "")] = tf.tensor(f, t.shape);
  }
  const C = cfg.n_embd, H = cfg.n_head, D = C / H, L = cfg.n_layer, eps = cfg.layer_norm_epsilon;
  const ln = (x, g, b) => { const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(g).add(b); };
  const gelu = (x) => x.mul(0.5).mul(tf.tanh(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
  const linear = (x, w, b) => tf.fused.matMul({ a: x, b: w, bias: b });
  const lmHead = tf.transpose(W["wte.weight"]);  // [C, vocab], made once
  let cache = [], pos = 0;
  const forward = (id) => {  // logits [1, vocab] of token id at pos; each layer's K and V caches [H, T, D] grow by one
    const next = [];
    const logits = tf.tidy(() => {
      let x = tf.gather(W["wte.weight"], [id]).add(tf.slice(W["wpe.weight"], [pos, 0], [1, C]));
      for (let l = 0; l < L; l++) {
        const p = "h." + l + ".", w = (s) => W[p + s];
        const qkv = linear(ln(x, w("ln_1.weight"), w("ln_1.bias")), w("attn.c_attn.weight"), w("attn.c_attn.bias"));
        const [q, k, v] = tf.split(qkv, 3, 1).map((t) => t.reshape([H, 1, D]));
        const K = cache[l] ? tf.concat([cache[l].K, k], 1) : k, V = cache[l] ? tf.concat([cache[l].V, v], 1) : v;
        next.push({ K: tf.keep(K), V: tf.keep(V) });
        const scores = tf.matMul(q, K, false, true).mul(1 / Math.sqrt(D));  // [H, 1, T]
        const y = tf.matMul(tf.softmax(scores), V).reshape([1, C]);
        x = x.add(linear(y, w("attn.c_proj.weight"), w("attn.c_proj.bias")));
        const m = gelu(linear(ln(x, w("ln_2.weight"), w("ln_2.bias")), w("mlp.c_fc.weight"), w("mlp.c_fc.bias")));
        x = x.add(linear(m, w("mlp.c_proj.weight"), w("mlp.c_proj.bias")));
      }
      return tf.matMul(ln(x, W["ln_f.weight"], W["ln_f.bias"]), lmHead);
    });
    for (const c of cache) c.K.dispose(), c.V.dispose();
    cache = next;
    pos++;
    return logits;
  };
  const argmax = (logits) => { const a = tf.argMax(logits, 1), id = a.dataSync()[0]; a.dispose(); logits.dispose(); return id; };
  let last = -1;
  return {
    info: () => ({ backend: tf.getBackend(), webgl: tf.env().get("WEBGL_VERSION"), float32: tf.env().get("WEBGL_RENDER_FLOAT32_ENABLED") }),
    start(ids) {  // the prompt, one token at a time; returns the greedy next token
      for (const c of cache) c.K.dispose(), c.V.dispose();
      cache = [], pos = 0;
      for (let i = 0; i < ids.length - 1; i++) forward(ids[i]).dispose();
      return (last = argmax(forward(ids[ids.length - 1])));
    },
    step() { return (last = argmax(forward(last))); },
  };
})();
</script>`;

(async () => {
  const tfMin = path.join(tfjsDir, "tf.min.js");
  if (!fs.existsSync(tfMin)) {
    console.error(`bench_tfjs: no TF.js at ${tfMin}: run \`npm install --no-save @tensorflow/tfjs@4.22.0\` or pass --tfjs DIR`);
    process.exit(2);
  }
  if (!fs.existsSync(path.join(site, "index.html"))) {
    console.error(`bench_tfjs: no page at ${site}: run scripts/build_web.sh first`);
    process.exit(2);
  }
  const tfVersion = JSON.parse(fs.readFileSync(path.join(tfjsDir, "../package.json"), "utf8")).version;
  const peerFiles = { "/peer/": null, "/peer/tf.min.js": tfMin, "/peer/config.json": path.join(model, "config.json"),
                      "/peer/model.safetensors": path.join(model, "model.safetensors") };
  const server = http.createServer((req, res) => {
    const url = req.url.split("?")[0];
    if (url === "/peer/") { res.writeHead(200, { "Content-Type": "text/html" }); return res.end(peerPage); }
    const f = peerFiles[url] || path.join(site, url.replace(/^\/$/, "/index.html"));
    if (!f.startsWith(root) && !peerFiles[url] || !fs.existsSync(f)) { res.writeHead(404); return res.end(); }
    res.writeHead(200, { "Content-Type": types[path.extname(f)] || "application/octet-stream" });
    fs.createReadStream(f).pipe(res);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const args = ["--headless=new", "--no-sandbox", "--disable-quic", "--no-first-run"].concat(vulkan
    ? ["--use-angle=vulkan", "--ignore-gpu-blocklist"] : ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"]);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args });
  const prompt = Array.from({ length: 16 }, (_, i) => (i * 7919 + 13) % 50257);

  // One engine in a fresh page: warm-up (shaders compile on first use), then a timed prompt and `tokens` steps.
  async function run(which, flags) {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    if (which === "gpt2gl") {
      await page.goto(`${base}/?precision=${precision}&ctx=128`);
      await page.waitForFunction(() => window.gpt2gl && (window.gpt2gl.ready || document.getElementById("error").textContent));
    } else {
      await page.goto(`${base}/peer/?` + flags.concat(tfjsFlags).join("&"));
    }
    const r = await page.evaluate(async ({ which, ids, n }) => {
      let api, start, step, info;
      if (which === "gpt2gl") {
        api = window.gpt2gl.api;
        if (!window.gpt2gl.ready) throw new Error(document.getElementById("error").textContent);
        start = () => { api.start(JSON.stringify(ids), 0, 0, 1, 1); return -1; };
        step = () => api.step();
        info = { tier: api.info().tier, renderer: api.info().renderer };
      } else {
        api = await window.peer;
        start = () => api.start(ids);
        step = () => api.step();
        info = api.info();
      }
      start();
      step();
      step();
      let t0 = performance.now();
      const first = start();
      const prefill = performance.now() - t0;
      const out = first >= 0 ? [first] : [];
      t0 = performance.now();
      for (let i = 0; i < n; i++) out.push(step());
      return { info, prefill, decode: (performance.now() - t0) / n, ids: out };
    }, { which: which === "gpt2gl" ? which : "tfjs", ids: prompt, n: tokens }).catch((e) => ({ error: String(e) }));
    await page.close();
    if (errors.length) r.error = (r.error ? r.error + "; " : "") + errors.join("; ");
    return r;
  }

  const variants = { gpt2gl: [], "TF.js packed": ["WEBGL_PACK=true"], "TF.js unpacked": ["WEBGL_PACK=false"] };
  const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++)
    for (const [which, flags] of Object.entries(variants)) {
      const r = await run(which, flags);
      if (r.error) { console.error(`${which}: ${r.error}`); process.exit(1); }
      results[which].push(r);
    }
  await browser.close();
  server.close();

  const mean = (rs, k) => rs.reduce((s, r) => s + r[k], 0) / rs.length;
  const peer = mean(results["TF.js packed"], "decode") <= mean(results["TF.js unpacked"], "decode") ? "TF.js packed"
                                                                                                   : "TF.js unpacked";
  const g = results.gpt2gl[0], t = results[peer][0];
  // gpt2gl's step returns the token it feeds next; TF.js's start returns the prompt's next token, then each step's
  const gIds = g.ids, tIds = t.ids.slice(0, gIds.length);
  let same = 0;
  while (same < gIds.length && gIds[same] === tIds[same]) same++;
  console.log(`headless Chromium (${vulkan ? "ANGLE on Vulkan: lavapipe" : "ANGLE on SwiftShader"}), the default model, ` +
    `a 16-token prompt then ${tokens} greedy decode steps, ${rounds} rounds alternating`);
  console.log(`  gpt2gl page: tier ${g.info.tier} (${g.info.renderer}); TF.js ${tfVersion}: backend ${t.info.backend}, ` +
    `WebGL ${t.info.webgl}, float32 targets ${t.info.float32}`);
  console.log(`  greedy tokens (${peer}): the first ${same} of ${gIds.length} agree` + (same < gIds.length ?
    ` (then gpt2gl ${gIds.slice(same, same + 3)} vs TF.js ${tIds.slice(same, same + 3)})` : ""));
  for (const [name, rs] of Object.entries(results))
    console.log(`  ${name.padEnd(14)} decode ${rs.map((r) => r.decode.toFixed(2)).join(" / ")} ms/token, ` +
      `prompt ${rs.map((r) => r.prefill.toFixed(0)).join(" / ")} ms`);
  console.log(`  gpt2gl / ${peer}, decode: ${(mean(results.gpt2gl, "decode") / mean(results[peer], "decode")).toFixed(2)}x ` +
    "the time per token");
})();
