// web/test/web.test.js — the browser build under headless Chromium (WebGL 1.0 on SwiftShader), driven by
// playwright-core, served from 127.0.0.1. Run with: node --test web/test/   (after the web and native builds)
//  - generation with a fixed seed gives the same tokens as the native build on the same tier (fp32, and forced rgba8)
//  - the attention heatmap is drawn: not blank, and sampled cells have the colour map of the engine's values
//  - the page's tokenizer (the browser's RegExp + the C++ BPE) equals the native one (PCRE2) token for token
//  - the panels for a student: labels on at least every 4th of 64 tokens, a hover readout naming both tokens,
//    logits that follow the temperature without a new forward, no horizontal scroll at 800 px, controls disabled
//    and a progress bar while the model downloads, the same pass list as the native viewer, step mode through the
//    LM head
//  - a lost WebGL context: a clear message, a reload button, and no exception from the engine's calls after it
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { launch, serve } = require("../../scripts/browser.js");

const root = path.resolve(__dirname, "../..");
const site = process.env.GPT2GL_SITE || path.join(root, "build-web/site");
const native = process.env.GPT2GL_NATIVE || path.join(root, "build/gpt2gl");
let server, browser, base;

before(async () => {
  assert.ok(fs.existsSync(path.join(site, "gpt2gl.wasm")), `no web build in ${site}: emcmake cmake -S . -B build-web && cmake --build build-web`);
  ({ server, base } = await serve(site));
  base += "/";
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.close();
});

async function openPage(precision, weights = "tier", profile = "") {  // weights null: the page's default
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${base}?precision=${precision}${weights ? "&weights=" + weights : ""}&ctx=128&profile=${profile}`);
  await page.waitForFunction(() => window.gpt2gl.ready || document.getElementById("error").textContent, null, { timeout: 60000 });
  const error = await page.textContent("#error");
  assert.strictEqual(error, "", `the page reports: ${error} ${errors.join("; ")}`);
  return page;
}

async function generate(page, { prompt, n, temp, topk, topp, seed }) {
  await page.fill("#prompt", prompt);
  for (const [id, v] of [["n", n], ["temp", temp], ["topk", topk], ["topp", topp], ["seed", seed]]) await page.fill("#" + id, String(v));
  await page.click("#generate");
  await page.waitForFunction(() => window.gpt2gl.done, null, { timeout: 120000 });
  return page.evaluate(() => window.gpt2gl.tokens);
}

function nativeTokens({ prompt, n, temp, topk, topp, seed }, precision, weights = "tier", profile = "") {
  const out = execFileSync(native, ["generate", "-p", prompt, "-n", String(n), "--temp", String(temp), "--top-k", String(topk),
    "--top-p", String(topp), "--seed", String(seed), "--precision", precision, "--weights", weights, "--ctx", "128", "--print-ids",
    "--gpu-profile", profile], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const line = out.trim().split("\n").pop();
  return JSON.parse(line);
}

const run = { prompt: "ROMEO:", n: 24, temp: 0.8, topk: 40, topp: 0.95, seed: 7 };

// weights as asked for, and the label the page gives what the engine chose
for (const [precision, weights, label] of [["fp32", "tier", "tier"], ["rgba8", "tier", "tier"], ["rgba8", "q8", "q8"],
                                           ["fp32", "q8-packed", "q8 packed"], ["fp32", "q4-packed", "q4 packed"]]) {
  test(`same tokens as the native build on ${precision} with ${weights} weights`, async () => {
    const page = await openPage(precision, weights);
    const info = await page.evaluate(() => window.gpt2gl.info);
    assert.strictEqual((await page.textContent("#tier")), precision + (label === "tier" ? "" : `, ${label} weights`));
    assert.strictEqual(info.weights, label);
    assert.match(info.model, /vocab 50257/);
    const web = await generate(page, run);
    // both stop at <|endoftext|> (this seed's text ends there on some tiers): the same tokens, and the page says so
    assert.deepStrictEqual(web, nativeTokens(run, precision, weights));
    assert.ok(web.length >= 8, `only ${web.length} tokens`);
    if (web.length < run.n) assert.match(await page.textContent("#status"), /endoftext/);
    // its matmuls were tuned on this GPU, each way timed until the GPU was done: SwiftShader takes milliseconds for
    // the LM head's product (50257 x 128, or a part of it: tens of ms each way here), where a timing that did not
    // wait for it (a browser's glFinish returns at once) measured 0.02 ms at most
    const tunings = (await page.evaluate(() => window.gpt2gl.info)).tunings;
    assert.ok(tunings.length >= 5, `${tunings.length} shapes tuned`);
    for (const t of tunings) assert.ok(t.ways.length >= 2 && t.ms.length === t.ways.length && t.ways[t.chosen], t.key);
    const rows = (t) => +/x \[(\d+),/.exec(t.key)[1];  // "matmul [1, K] x [N, K]^T ...": the LM head's N is the most
    const head = tunings.reduce((a, t) => (rows(t) > rows(a) ? t : a));
    assert.ok(rows(head) >= 4096 && Math.min(...head.ms) > 0.5, `the LM head's ways: ${head.key} ${head.ms}`);
    const listed = (await page.textContent("#facts")).includes(head.key.replace(/^matmul /, ""));
    assert.ok(listed, "the GPU panel lists what was tuned");
    await page.close();
  });
}

// A prompt long enough for the prefill tiles (draw buffers: WEBGL_draw_buffers), with every weight layout they read.
for (const weights of ["tier", "q8-packed", "q4-packed"]) {
  test(`a 40-token prompt takes the prefill tiles in the page (${weights} weights): the native build's tokens`, async () => {
    const page = await openPage("fp32", weights);
    const info = await page.evaluate(() => window.gpt2gl.info);
    assert.ok(info.draw_buffers >= 2 && info.tile[0] * info.tile[1] >= 2, `no tiles: ${info.draw_buffers_why}`);
    const long = { ...run, prompt: promptOf(40), n: 8 };
    assert.deepStrictEqual(await generate(page, long), nativeTokens(long, "fp32", weights));
    await page.close();
  });
}

// Two old GPUs emulated in the browser (gl/profiles.h): the tier that GPU gets, and the native build's tokens under
// the same profile.
for (const [profile, tier] of [["webgl-min", "rgba8"], ["powervr-sgx544", "fp16"]]) {
  test(`the page under the ${profile} profile picks ${tier} and makes the native build's tokens`, async () => {
    const page = await openPage("auto", "tier", profile);
    const info = await page.evaluate(() => window.gpt2gl.info);
    assert.strictEqual(info.tier, tier);
    assert.match(info.renderer, new RegExp("emulating " + profile));
    const short = { ...run, n: 10 };
    assert.deepStrictEqual(await generate(page, short), nativeTokens(short, "auto", "tier", profile));
    await page.close();
  });
}

test("the attention view shows the engine's values", async () => {
  const page = await openPage("auto");
  await generate(page, { ...run, n: 6 });
  await page.selectOption("#layer", "2");
  await page.selectOption("#head", "1");
  const r = await page.evaluate(() => {
    const api = window.gpt2gl.api, S = api.pos(), size = 420, x0 = 0, y0 = 0;
    api.heatmap(0, 2, 1, 0, 0, S, S, size, size);  // into the WebGL canvas's top-left corner
    const c = document.getElementById("canvas"), t2 = document.createElement("canvas");
    t2.width = c.width; t2.height = c.height;
    const g = t2.getContext("2d");
    g.drawImage(c, 0, 0);
    const cells = [], colours = new Set();
    for (let t = 0; t < S; t++) for (let s = 0; s < S; s++) {
      const px = Math.floor(x0 + (s + 0.5) * size / S), py = Math.floor(y0 + (t + 0.5) * size / S);
      const d = g.getImageData(px, py, 1, 1).data;
      colours.add(d[0] * 65536 + d[1] * 256 + d[2]);
      cells.push({ t, s, rgb: [d[0], d[1], d[2]], value: s > t ? null : api.attention(2, 1, t, s) });
    }
    return { S, cells, colours: colours.size };
  });
  assert.ok(r.S >= 7, "tokens in the view");
  assert.ok(r.colours > 8, `the attention view looks blank (${r.colours} colours)`);
  // viewer/heatmap.frag's sequential map and its grey for masked cells, in 8 bits
  const seq = (v) => { const t = Math.min(Math.max(v, 0), 1); return [1 + (0.03 - 1) * t, 1 + (0.19 - 1) * t, 1 + (0.42 - 1) * t]; };
  for (const c of r.cells) {
    const want = c.value === null ? [0.75, 0.75, 0.75] : seq(c.value);
    for (let k = 0; k < 3; k++)
      assert.ok(Math.abs(c.rgb[k] - want[k] * 255) <= 1.5, `cell (${c.t}, ${c.s}) value ${c.value}: rgb ${c.rgb} vs ${want.map((x) => x * 255)}`);
  }
  await page.close();
});

test("the page's tokenizer equals the native one", async () => {
  const page = await openPage("auto");
  const corpus = ["Hello world, it's GPT-2!  ok", "tabs\tand\nnewlines\n\n\n", "I'm you're he's we've they'll I'd",
    "numbers 1234567890 3.14159", "emoji 😀👍🏽 🇫🇷", "Unicode: café naïve Ελληνικά русский 日本語 한국어 العربية हिन्दी",
    "odd spaces:\u0085NEL\u00a0NBSP\ufeffBOM\u2028LS\u3000ideographic", "    four leading", "ROMEO:\nBut soft<|endoftext|>x"];
  const web = await page.evaluate((c) => c.map((t) => window.gpt2gl.api.encode(t)), corpus);
  for (let i = 0; i < corpus.length; i++) {
    const out = execFileSync(native, ["tokenize", "--text", corpus[i]], { encoding: "utf8" });
    assert.deepStrictEqual(web[i], JSON.parse(out), `text: ${JSON.stringify(corpus[i])}`);
  }
  await page.close();
});

// The page's default weights are "auto": a model up to 256 MB as the tier stores it keeps its own (the default model's
// 7.9 M params: 32 MB as fp32), and the tier line says why. (Bigger models' 8-bit choice: tests/fallback_test.cpp,
// tests/model_test.cpp.)
test("by default the default model's weights are kept exact, and the page says why", async () => {
  const page = await openPage("fp32", null);
  const info = await page.evaluate(() => window.gpt2gl.info);
  assert.strictEqual(info.weights, "tier");
  assert.strictEqual(await page.textContent("#tier"), "fp32");
  assert.match(await page.textContent("#tier-why"), /exact weights \(32 MB as fp32\)/);
  await page.close();
});

test("a model loaded from disk with the file picker", async (t) => {
  const dir = path.resolve(root, "../shared/data/models/shakespeare-char-gpt2");
  if (!fs.existsSync(dir)) return t.skip("../shared/data is absent");
  const page = await openPage("auto");
  const files = ["config.json", "model.safetensors", "encoder.json", "vocab.bpe"].map((f) => path.join(dir, f));
  await page.setInputFiles("#files", files);
  await page.waitForFunction(() => /65/.test(document.getElementById("model").textContent), null, { timeout: 60000 });
  assert.strictEqual(await page.textContent("#error"), "");
  await page.waitForFunction(() => document.getElementById("status").textContent === "loaded your model");
  // its files were removed once it was in textures (a big model's would hold their size in memory for good)
  assert.deepStrictEqual(await page.evaluate(() => window.gpt2gl.userFiles()), []);
  const run = { prompt: "ROMEO:", n: 40, temp: 0, topk: 0, topp: 1, seed: 1 };
  const web = await generate(page, run);
  const out = execFileSync(native, ["generate", "-m", dir, "-p", run.prompt, "-n", String(run.n), "--temp", "0", "--ctx", "128",
    "--print-ids"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  assert.deepStrictEqual(web, JSON.parse(out.trim().split("\n").pop()));
  await page.close();
});

// A prompt of exactly `n` tokens (the native tokenizer cuts and checks it).
function promptOf(n) {
  const text = "But soft, what light through yonder window breaks? It is the east, and Juliet is the sun. ".repeat(8);
  const ids = JSON.parse(execFileSync(native, ["tokenize", "--text", text], { encoding: "utf8" })).slice(0, n);
  const cut = execFileSync(native, ["detokenize", "--ids", ids.join(",")], { encoding: "utf8" }).replace(/\n$/, "");
  assert.strictEqual(JSON.parse(execFileSync(native, ["tokenize", "--text", cut], { encoding: "utf8" })).length, n);
  return cut;
}

test("attention labels stay legible at 64 tokens, and hovering names both tokens", async () => {
  const page = await openPage("auto");
  await page.setViewportSize({ width: 1280, height: 900 });
  await generate(page, { prompt: promptOf(64), n: 0, temp: 0, topk: 0, topp: 1, seed: 1 });
  const v = await page.evaluate(() => window.gpt2gl.view.attention);
  assert.strictEqual(v.tokens, 64);
  for (const axis of ["rowsLabelled", "colsLabelled"]) {
    const d = v[axis];
    assert.ok(d.length > 0 && d[0] <= 3 && d[d.length - 1] >= 60, `${axis}: ${d}`);
    for (let i = 1; i < d.length; i++) assert.ok(d[i] - d[i - 1] <= 4, `${axis}: a gap after token ${d[i - 1]}`);
  }
  const labels = await page.evaluate(() => window.gpt2gl.view.labels);
  const box = await page.locator("#attention").boundingBox();
  await page.mouse.move(box.x + v.x0 + v.cell * 10.5, box.y + v.y0 + v.cell * 40.5);
  const text = await page.textContent("#attention-hover");
  assert.ok(text.startsWith(`query '${labels[40]}' (#40) → key '${labels[10]}' (#10): p = `), text);
  await page.close();
});

test("the logits follow the temperature without running the model", async () => {
  const page = await openPage("auto");
  await generate(page, { ...run, n: 3 });
  const before = await page.evaluate(() => ({ f: window.gpt2gl.api.forwards(), v: window.gpt2gl.view.logits }));
  await page.fill("#temp", "2");
  await page.dispatchEvent("#temp", "input");
  const after = await page.evaluate(() => ({ f: window.gpt2gl.api.forwards(), v: window.gpt2gl.view.logits }));
  assert.strictEqual(after.f, before.f, "a forward ran");
  const [a, b] = [after.v.rows[0], after.v.rows[4]];
  assert.ok(Math.abs(a.p / b.p - Math.exp((a.logit - b.logit) / 2)) < 1e-3 * Math.exp((a.logit - b.logit) / 2), "p = softmax(logit / 2)");
  assert.notStrictEqual(after.v.rows[0].p, before.v.rows[0].p);
  await page.close();
});

test("no horizontal scroll at 800 pixels", async () => {
  const page = await openPage("auto");
  await page.setViewportSize({ width: 800, height: 900 });
  await generate(page, { ...run, n: 4 });
  await page.click("#pass-list details:nth-child(2) summary");
  await page.click("#pass-list details:nth-child(2) button");
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `the page is ${scroll} px wide in an ${inner} px window`);
  await page.close();
});

test("the controls wait for the model, with a progress bar", async () => {
  const page = await browser.newPage();
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route("**/gpt2gl.data", async (route) => { await held; await route.continue(); });
  await page.goto(`${base}?ctx=128`);
  await page.waitForSelector("#download");
  assert.strictEqual(await page.isDisabled("#generate"), true);
  assert.strictEqual(await page.isDisabled("#prompt"), true);
  assert.strictEqual(await page.isVisible("#loading"), true);
  release();
  await page.waitForFunction(() => window.gpt2gl.ready, null, { timeout: 60000 });
  assert.strictEqual(await page.isDisabled("#generate"), false);
  assert.strictEqual(await page.isVisible("#loading"), false);
  await page.close();
});

test("the page's render passes equal the native viewer's, and step mode reaches the LM head", async () => {
  const prompt = "ROMEO: But soft";
  const page = await openPage("fp32");
  await generate(page, { prompt, n: 0, temp: 0, topk: 0, topp: 1, seed: 1 });
  const web = await page.evaluate(() => window.gpt2gl.view.passes.map((p) => [p.scope, p.op]));
  const dir = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "gpt2gl-passes-"));
  const json = path.join(dir, "passes.json");
  let L;
  try {
    execFileSync("xvfb-run", ["-a", native, "view", "-p", prompt, "--show", "passes", "--precision", "fp32", "--ctx",
      "128", "--screenshot", json + ".png", "--layout", json], { stdio: "ignore" });
    L = JSON.parse(fs.readFileSync(json, "utf8")).passes;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.deepStrictEqual(web, L.scopes.map((s, i) => [s, L.ops[i]]));
  // step mode: record the next token, finish it; every pass of a plain step, the LM head last
  await page.click("#step-record");
  await page.click("#step-finish");
  const stepped = await page.evaluate(() => window.gpt2gl.view.passes.map((p) => [p.scope, p.op]));
  await generate(page, { prompt, n: 1, temp: 0, topk: 0, topp: 1, seed: 1 });
  const plain = await page.evaluate(() => window.gpt2gl.view.passes.map((p) => [p.scope, p.op]));
  assert.deepStrictEqual(stepped, plain);
  assert.strictEqual(stepped[stepped.length - 1][0], "lm_head");
  const sel = await page.evaluate(() => window.gpt2gl.view.selectedPass);
  assert.strictEqual(sel.index, stepped.length - 1, "the last pass drawn is shown");
  assert.ok(sel.glsl.startsWith(`// glsl/${sel.op}.frag`), sel.glsl.slice(0, 60));
  await page.close();
});

test("a lost WebGL context is a clear message with a reload button, and nothing throws after it", async () => {
  const page = await openPage("fp32");
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await generate(page, { prompt: "ROMEO:", n: 2, temp: 0, topk: 0, topp: 1, seed: 1 });
  await page.evaluate(() => document.getElementById("canvas").getContext("webgl").getExtension("WEBGL_lose_context").loseContext());
  await page.waitForFunction(() => /context was lost/.test(document.getElementById("error").textContent), null, { timeout: 10000 });
  assert.ok(await page.isVisible("#error button"), "no reload button");
  // every call the panels make reads the engine's textures: on a lost context each must come back, not throw
  await page.evaluate(() => {
    const a = window.gpt2gl.api;
    a.heatmap(0, 0, 0, 0, 0, 2, 2, 64, 64);
    a.heatmap(1, 0, 0, 0, 0, 2, 2, 64, 64);
    a.headProbs(0, 0);
    a.norms(0, 0);
    a.attention(0, 0, 1, 0);
    a.residual(0, 0, 1, 0);
    a.step();
  });
  await page.mouse.move(200, 300);
  await page.waitForTimeout(500);
  assert.deepStrictEqual(errors, []);
  await page.close();
});
