#!/usr/bin/env node
// scripts/bench_tfjs.js — the page against TensorFlow.js on its WebGL 1 backend: the same GPT-2 decode step (the
// embedded default model or --model's, batch 1, KV cache) in the same headless Chromium, alternating, as ratios of
// ms/token. The
// TF.js model is written here the way a TF.js user would write it (tf.fused.matMul, tf.moments, tf.softmax, the KV
// cache grown by tf.concat; the next token by tf.argMax on the GPU, one int read back). Both run greedy from the same
// prompt, and their tokens are compared first. Needs build-web/site (scripts/build_web.sh) and TF.js:
//   npm install --no-save @tensorflow/tfjs@4.22.0        (or --tfjs DIR: a directory holding tf.min.js)
//   node scripts/bench_tfjs.js [--tokens 32] [--rounds 2] [--vulkan] [--model default|124M|DIR] [--precision auto]
//                              [--weights auto,tier,q8-packed] [--tune 1,0] [--tfjs-flag FLAG=JSON]...
// --weights: the page's ?weights= (each timed; the first one's tokens are the ones checked against TF.js's); --tune its
// ?tune= (1: its matmuls tuned on this GPU, the default; 0: drawn by the rule), each timed with each weights.
// (--vulkan: Mesa's lavapipe through ANGLE, needs the mesa-vulkan-drivers package.)
// --model DIR (config.json + model.safetensors, HF names) or a GPT-2 size (124M, 355M, 774M, 1.5B: random weights of
// that shape, written once to the temp directory, as `gpt2gl bench` makes them): both engines run it instead of the
// default model; the page takes it through its "your own" file input.
"use strict";
const fs = require("node:fs"), path = require("node:path"), os = require("node:os");
const { launch, serve } = require("./browser.js");

const root = path.resolve(__dirname, "..");
const site = path.join(root, "build-web/site");
const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : def; };
const tokens = +arg("--tokens", "32"), rounds = +arg("--rounds", "2"), precision = arg("--precision", "auto");
const vulkan = process.argv.includes("--vulkan");
const pageWeights = arg("--weights", "auto").split(",");  // the page's weight storage (?weights=), each timed
const pageTune = arg("--tune", "1").split(",");  // the page's ?tune=, each timed
const tfjsFlags = process.argv.flatMap((a, i) => (process.argv[i - 1] === "--tfjs-flag" ? [a] : []));
const tfjsDir = arg("--tfjs", path.join(root, "node_modules/@tensorflow/tfjs/dist"));
const modelArg = arg("--model", "default");
const sizes = { "124M": [12, 12, 768], "355M": [24, 16, 1024], "774M": [36, 20, 1280], "1.5B": [48, 25, 1600] };

// A GPT-2 shape with random weights in DIR (F16 safetensors, HF names): uniform in +-0.035 (std 0.02, GPT-2's init),
// layer norms at 1 and 0, from a fixed seed (mulberry32).
function writeRandomModel(dir, [L, H, C]) {
  const V = 50257, P = 1024;
  const shapes = [["wte.weight", [V, C]], ["wpe.weight", [P, C]], ["ln_f.weight", [C]], ["ln_f.bias", [C]]];
  for (let l = 0; l < L; l++)
    for (const [n, s] of [["ln_1.weight", [C]], ["ln_1.bias", [C]], ["attn.c_attn.weight", [C, 3 * C]],
      ["attn.c_attn.bias", [3 * C]], ["attn.c_proj.weight", [C, C]], ["attn.c_proj.bias", [C]], ["ln_2.weight", [C]],
      ["ln_2.bias", [C]], ["mlp.c_fc.weight", [C, 4 * C]], ["mlp.c_fc.bias", [4 * C]], ["mlp.c_proj.weight", [4 * C, C]],
      ["mlp.c_proj.bias", [C]]]) shapes.push([`h.${l}.${n}`, s]);
  const header = {};
  let offset = 0;
  for (const [name, shape] of shapes) {
    const bytes = 2 * shape.reduce((a, b) => a * b, 1);
    header[name] = { dtype: "F16", shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(path.join(dir, "model.safetensors.part"), "w");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  fs.writeSync(fd, len);
  fs.writeSync(fd, json);
  let seed = 0x9e3779b9;
  const rand = () => {  // mulberry32: uniform in [0, 1)
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
  const half = (x) => {  // round to nearest even; |x| here is far inside FP16's normal range or 0
    f32[0] = x;
    const b = u32[0], sign = (b >>> 16) & 0x8000, e = ((b >>> 23) & 0xff) - 127 + 15;
    if (e <= 0) return sign;
    const m = b & 0x7fffff, r = (m >>> 13) + ((m & 0x1fff) > 0x1000 || ((m & 0x1fff) === 0x1000 && (m >>> 13) & 1) ? 1 : 0);
    return sign | ((e << 10) + r);
  };
  const one = half(1);
  for (const [name, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1), out = new Uint16Array(n);
    if (/ln_.*weight/.test(name)) out.fill(one);
    else if (!/ln_/.test(name)) for (let i = 0; i < n; i++) out[i] = half(rand() * 0.07 - 0.035);
    fs.writeSync(fd, out);
  }
  fs.closeSync(fd);
  fs.renameSync(path.join(dir, "model.safetensors.part"), path.join(dir, "model.safetensors"));
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ vocab_size: V, n_positions: P, n_embd: C,
    n_layer: L, n_head: H, layer_norm_epsilon: 1e-5, activation_function: "gelu_new", model_type: "gpt2" }, null, 1));
}

let model = modelArg === "default" ? path.join(root, "model/default") : path.resolve(modelArg);
if (sizes[modelArg]) {
  model = path.join(os.tmpdir(), `gpt2gl-random-${modelArg}`);
  if (!fs.existsSync(path.join(model, "model.safetensors"))) {
    console.error(`bench_tfjs: writing random ${modelArg} weights to ${model}`);
    writeRandomModel(model, sizes[modelArg]);
  }
}
for (const f of ["config.json", "model.safetensors"])
  if (!fs.existsSync(path.join(model, f))) {
    console.error(`bench_tfjs: --model ${modelArg}: no ${f} in ${model}`);
    process.exit(2);
  }

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
  const { server, base } = await serve(site, {
    "/peer/": { html: peerPage }, "/peer/tf.min.js": { file: tfMin },
    "/peer/config.json": { file: path.join(model, "config.json") },
    "/peer/model.safetensors": { file: path.join(model, "model.safetensors") } });
  const browser = await launch({ vulkan });
  const prompt = Array.from({ length: 16 }, (_, i) => (i * 7919 + 13) % 50257);

  // One engine in a fresh page: warm-up (shaders compile on first use), then a timed prompt and `tokens` steps.
  async function run(which, flags, weights, tune) {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    if (which === "gpt2gl") {
      await page.goto(`${base}/?precision=${precision}&weights=${weights}&tune=${tune}&ctx=128`);
      await page.waitForFunction(() => window.gpt2gl && (window.gpt2gl.ready || document.getElementById("error").textContent));
      if (modelArg !== "default") {  // the user's own model, as a user gives it
        await page.setInputFiles("#files", ["config.json", "model.safetensors"].map((f) => path.join(model, f)));
        await page.waitForFunction(() => /loaded your model/.test(document.getElementById("status").textContent) ||
                                         document.getElementById("error").textContent, null, { timeout: 0 });
      }
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
        const i = api.info();
        info = { tier: i.tier, renderer: i.renderer, weights: i.weights, why: i.weights_reason };
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

  const variants = { "TF.js packed": ["WEBGL_PACK=true"], "TF.js unpacked": ["WEBGL_PACK=false"] };
  const pageOf = {};  // name -> [weights, tune]
  for (const w of pageWeights) for (const t of pageTune) pageOf[`gpt2gl ${w}${t === "0" ? " untuned" : ""}`] = [w, t];
  const pages = Object.keys(pageOf);
  for (const p of pages) variants[p] = [];
  const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++)
    for (const [which, flags] of Object.entries(variants)) {
      const [w, t] = pageOf[which] || [];
      const r = await run(which.startsWith("gpt2gl") ? "gpt2gl" : which, flags, w, t);
      if (r.error) { console.error(`${which}: ${r.error}`); process.exit(1); }
      results[which].push(r);
    }
  await browser.close();
  server.close();

  const mean = (rs, k) => rs.reduce((s, r) => s + r[k], 0) / rs.length;
  const peer = mean(results["TF.js packed"], "decode") <= mean(results["TF.js unpacked"], "decode") ? "TF.js packed"
                                                                                                   : "TF.js unpacked";
  const t = results[peer][0];
  const what = modelArg === "default" ? "the default model" : sizes[modelArg] ? `GPT-2 ${modelArg} (random weights)` : model;
  console.log(`headless Chromium (${vulkan ? "ANGLE on Vulkan: lavapipe" : "ANGLE on SwiftShader"}), ${what}, ` +
    `a 16-token prompt then ${tokens} greedy decode steps, ${rounds} rounds alternating`);
  console.log(`  TF.js ${tfVersion}: backend ${t.info.backend}, WebGL ${t.info.webgl}, float32 targets ${t.info.float32}`);
  for (const p of pages) {
    // gpt2gl's step returns the token it feeds next; TF.js's start returns the prompt's next token, then each step's
    const g = results[p][0], gIds = g.ids, tIds = t.ids.slice(0, gIds.length);
    let same = 0;
    while (same < gIds.length && gIds[same] === tIds[same]) same++;
    console.log(`  ${p}: tier ${g.info.tier}, weights ${g.info.weights}${g.info.why ? " (" + g.info.why + ")" : ""}, ` +
      `${g.info.renderer}; greedy tokens against ${peer}'s: the first ${same} of ${gIds.length} agree` +
      (same < gIds.length ? ` (then ${gIds.slice(same, same + 3)} vs ${tIds.slice(same, same + 3)})` : ""));
  }
  for (const [name, rs] of Object.entries(results))
    console.log(`  ${name.padEnd(18)} decode ${rs.map((r) => r.decode.toFixed(2)).join(" / ")} ms/token, ` +
      `prompt ${rs.map((r) => r.prefill.toFixed(0)).join(" / ")} ms`);
  for (const p of pages)
    console.log(`  ${p} / ${peer}, decode: ${(mean(results[p], "decode") / mean(results[peer], "decode")).toFixed(2)}x ` +
      "the time per token");
})();
