// scripts/page_screenshot.js — a screenshot of the browser page after a prompt, for the README:
//   node scripts/page_screenshot.js OUT.png [--width 1400] [--height 1100] [--prompt TEXT] [--n 12] [--pass N]
// Serves build-web/site on 127.0.0.1, drives Debian's Chromium (SwiftShader) with playwright-core, generates, points
// the mouse at an attention cell and selects a render pass, then saves the top of the page.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { launch, serve } = require("./browser.js");

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const out = args[0], width = +opt("--width", 1400), height = +opt("--height", 1100);
const prompt = opt("--prompt", "ROMEO: But soft, what light through yonder window breaks?"), n = opt("--n", "12");
const site = path.resolve(__dirname, "../build-web/site");

(async () => {
  if (!out) throw new Error("usage: node scripts/page_screenshot.js OUT.png [--width W] [--height H] [--prompt T] [--n N]");
  if (fs.existsSync(out)) throw new Error(out + " exists; not overwriting it");
  const { server, base } = await serve(site);
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(`${base}/?ctx=128`);
    await page.waitForFunction(() => window.gpt2gl.ready || document.getElementById("error").textContent, null, { timeout: 60000 });
    await page.fill("#prompt", prompt);
    await page.fill("#n", n);
    await page.click("#generate");
    await page.waitForFunction(() => window.gpt2gl.done, null, { timeout: 120000 });
    const v = await page.evaluate(() => window.gpt2gl.view.attention);
    const box = await page.locator("#attention").boundingBox();
    await page.mouse.move(box.x + v.x0 + v.cell * 4.5, box.y + v.y0 + v.cell * 9.5);
    await page.screenshot({ path: out, clip: { x: 0, y: 0, width, height } });
  } finally {
    await browser.close();
    server.close();
  }
})().catch((e) => { console.error("page_screenshot: " + e.message); process.exit(1); });
