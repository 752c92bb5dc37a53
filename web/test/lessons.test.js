// web/test/lessons.test.js — every lesson's browser build (lessons/index.html?lesson=N on WebGL 1.0, SwiftShader in
// headless Chromium) runs to its end and passes every check it makes against its CPU loop; lesson 6's page links
// to the main page. Run with: node --test web/test/   (after scripts/build_web.sh)
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const { launch, serve } = require("../../scripts/browser.js");

const site = process.env.GPT2GL_SITE || path.resolve(__dirname, "../../build-web/site");
let server, browser, base;

before(async () => {
  assert.ok(fs.existsSync(path.join(site, "lessons/lesson01.wasm")), `no lessons in ${site}: scripts/build_web.sh`);
  ({ server, base } = await serve(site));
  base += "/lessons/index.html";
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.close();
});

// Each lesson's checks, as its native build makes them: the browser must make the same number and pass them all.
const checks = { 1: 1, 2: 3, 3: 2, 4: 2, 5: 12 };
for (const [n, count] of Object.entries(checks)) {
  test(`lesson ${n} runs in the browser and passes its ${count} checks`, async () => {
    const page = await browser.newPage();
    await page.goto(`${base}?lesson=${n}`);
    await page.waitForFunction(() => window.lesson.done, null, { timeout: 60000 });
    const r = await page.evaluate(() => window.lesson);
    assert.strictEqual(r.exit, 0, r.output);
    assert.match(r.output, new RegExp(`all ${count} checks passed`), r.output);
    assert.doesNotMatch(r.output, /FAIL/);
    assert.match(await page.textContent("#out"), /PASS/);
    await page.close();
  });
}

test("the main page links the lessons", async () => {
  const page = await browser.newPage();
  await page.goto(base.replace("lessons/index.html", "index.html"));
  assert.strictEqual(await page.getAttribute("a[href='lessons/index.html']", "href"), "lessons/index.html");
  await page.close();
});

test("lesson 6 in the browser is the main page's render passes", async () => {
  const page = await browser.newPage();
  await page.goto(`${base}?lesson=6`);
  assert.match(await page.textContent("#out"), /Render passes/);
  assert.strictEqual(await page.getAttribute("#out a", "href"), "../index.html");
  await page.close();
});
