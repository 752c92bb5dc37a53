// web/test/web.test.js — the browser build under headless Chromium (WebGL 1.0 on SwiftShader), driven by
// playwright-core, served from 127.0.0.1. Run with: node --test web/test/   (after the web and native builds)
//  - generation with a fixed seed gives the same tokens as the native build on the same tier (fp32, and forced rgba8)
//  - the attention view is drawn: not blank, and sampled cells have the colour map of the engine's values
//  - the page's tokenizer (the browser's RegExp + the C++ BPE) equals the native one (PCRE2) token for token
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert");
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { chromium } = require("playwright-core");

const root = path.resolve(__dirname, "../..");
const site = process.env.GPT2GL_SITE || path.join(root, "build-web/site");
const native = process.env.GPT2GL_NATIVE || path.join(root, "build/gpt2gl");
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".data": "application/octet-stream" };
let server, browser, base;

before(async () => {
  assert.ok(fs.existsSync(path.join(site, "gpt2gl.wasm")), `no web build in ${site}: emcmake cmake -S . -B build-web && cmake --build build-web`);
  server = http.createServer((req, res) => {
    const file = path.join(site, decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\/$/, "/index.html"));
    if (!file.startsWith(site) || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { "Content-Type": types[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.close();
});

async function openPage(precision, weights = "tier") {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${base}?precision=${precision}&weights=${weights}&ctx=128`);
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

function nativeTokens({ prompt, n, temp, topk, topp, seed }, precision, weights = "tier") {
  const out = execFileSync(native, ["generate", "-p", prompt, "-n", String(n), "--temp", String(temp), "--top-k", String(topk),
    "--top-p", String(topp), "--seed", String(seed), "--precision", precision, "--weights", weights, "--ctx", "128", "--print-ids"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const line = out.trim().split("\n").pop();
  return JSON.parse(line);
}

const run = { prompt: "ROMEO:", n: 24, temp: 0.8, topk: 40, topp: 0.95, seed: 7 };

for (const [precision, weights] of [["fp32", "tier"], ["rgba8", "tier"], ["rgba8", "q8"]]) {
  test(`same tokens as the native build on ${precision} with ${weights} weights`, async () => {
    const page = await openPage(precision, weights);
    const info = await page.evaluate(() => window.gpt2gl.info);
    assert.strictEqual((await page.textContent("#tier")), precision + (weights === "tier" ? "" : `, ${weights} weights`));
    assert.strictEqual(info.weights, weights);
    assert.match(info.model, /vocab 50257/);
    const web = await generate(page, run);
    // both stop at <|endoftext|> (this seed's text ends there on some tiers): the same tokens, and the page says so
    assert.deepStrictEqual(web, nativeTokens(run, precision, weights));
    assert.ok(web.length >= 8, `only ${web.length} tokens`);
    if (web.length < run.n) assert.match(await page.textContent("#status"), /endoftext/);
    await page.close();
  });
}

test("the attention view shows the engine's values", async () => {
  const page = await openPage("auto");
  await generate(page, { ...run, n: 6 });
  await page.selectOption("#layer", "2");
  await page.selectOption("#head", "1");
  const r = await page.evaluate(() => {
    const api = window.gpt2gl.api, S = api.pos(), size = 420, x0 = 10, y0 = 10;
    api.draw(2, 1, x0, y0, size, 0, 450, 500);
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

test("a model loaded from disk with the file picker", async (t) => {
  const dir = path.resolve(root, "../shared/data/models/shakespeare-char-gpt2");
  if (!fs.existsSync(dir)) return t.skip("../shared/data is absent");
  const page = await openPage("auto");
  const files = ["config.json", "model.safetensors", "encoder.json", "vocab.bpe"].map((f) => path.join(dir, f));
  await page.setInputFiles("#files", files);
  await page.waitForFunction(() => /65/.test(document.getElementById("model").textContent), null, { timeout: 60000 });
  assert.strictEqual(await page.textContent("#error"), "");
  const run = { prompt: "ROMEO:", n: 40, temp: 0, topk: 0, topp: 1, seed: 1 };
  const web = await generate(page, run);
  const out = execFileSync(native, ["generate", "-m", dir, "-p", run.prompt, "-n", String(run.n), "--temp", "0", "--ctx", "128",
    "--print-ids"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  assert.deepStrictEqual(web, JSON.parse(out.trim().split("\n").pop()));
  await page.close();
});
