#!/usr/bin/env node
// scripts/bench_web.js — times the browser build in headless Chromium (WebGL 1.0 on SwiftShader, or Mesa's lavapipe
// through ANGLE's Vulkan back end with --vulkan) against the CPU reference in the same run, as ratios: on a machine
// without a GPU only ratios mean anything. Needs build/ (native) and build-web/site (scripts/build_web.sh).
//   node scripts/bench_web.js [--tokens 32] [--vulkan]
"use strict";
const fs = require("node:fs"), path = require("node:path");
const { execFileSync } = require("node:child_process");
const { launch, serve } = require("./browser.js");

const root = path.resolve(__dirname, "..");
const site = path.join(root, "build-web/site");
const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : def; };
const tokens = +arg("--tokens", "32"), vulkan = process.argv.includes("--vulkan");

(async () => {
  // the CPU reference on this machine, now
  const json = path.join(fs.mkdtempSync(path.join(require("node:os").tmpdir(), "gpt2gl-")), "bench.json");
  execFileSync(path.join(root, "build/gpt2gl"), ["bench", "--precision", "fp32", "--contexts", "16", "--steps", "8",
    "--json", json], { stdio: "ignore" });
  const cpu = JSON.parse(fs.readFileSync(json, "utf8"));
  const cpuMs = cpu[0].cpu_reference["16"].decode_ms, nativeMs = cpu[0].decode[0].ms_per_token;
  const { server, base } = await serve(site);
  const browser = await launch({ vulkan });
  const rows = [];
  for (const precision of ["fp32", "fp16", "rgba8"]) {
    const page = await browser.newPage();
    await page.goto(`${base}/?precision=${precision}&ctx=128`);
    await page.waitForFunction(() => window.gpt2gl.ready || document.getElementById("error").textContent);
    const r = await page.evaluate((n) => {
      const a = window.gpt2gl.api, ids = Array.from({ length: 16 }, (_, i) => (i * 7919 + 13) % 50257);
      a.start(JSON.stringify(ids), 0, 0, 1, 1);  // warm-up: shaders compile on first use
      a.step();
      let t0 = performance.now();
      a.start(JSON.stringify(ids), 0, 0, 1, 1);
      const prefill = performance.now() - t0;
      t0 = performance.now();
      let ran = 0;  // a step that ends the text (-3) or meets a full context (-2) runs nothing: not counted
      for (let i = 0; i < n && a.step() >= 0; i++) ran++;
      return { tier: a.info().tier, renderer: a.info().renderer, prefill, decode: (performance.now() - t0) / Math.max(ran, 1), ran };
    }, tokens);
    rows.push(r);
    await page.close();
  }
  await browser.close();
  server.close();
  console.log(`headless Chromium (${vulkan ? "ANGLE on Vulkan: lavapipe" : "ANGLE on SwiftShader"}), default model, ` +
    `prefill 16 tokens then ${tokens} decode steps; CPU reference decode ${cpuMs.toFixed(2)} ms/token, native llvmpipe fp32 ${nativeMs.toFixed(2)} ms/token`);
  for (const r of rows)
    console.log(`  ${r.tier.padEnd(5)} prefill ${r.prefill.toFixed(1)} ms, decode ${r.decode.toFixed(2)} ms/token over ${r.ran} steps: ` +
      `${(cpuMs / r.decode).toFixed(3)}x the CPU reference's speed`);
})();
