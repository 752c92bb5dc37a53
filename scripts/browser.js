// scripts/browser.js — what the browser tests (web/test/) and the scripts that drive the page share: Debian's
// Chromium, headless, its WebGL on SwiftShader (or on Mesa's lavapipe through ANGLE's Vulkan back end: `vulkan`, needs
// the mesa-vulkan-drivers package), driven by playwright-core; and a static file server on 127.0.0.1.
"use strict";
const http = require("node:http"), fs = require("node:fs"), path = require("node:path");
const { chromium } = require("playwright-core");

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

function launch({ vulkan = false } = {}) {
  const webgl = vulkan ? ["--use-angle=vulkan", "--ignore-gpu-blocklist"]
                       : ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"];
  return chromium.launch({ executablePath: "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", ...webgl] });
}

// Serves the files under `dir` ("/" is its index.html) on a free port of 127.0.0.1, and `routes` before them: a URL
// path -> { file: PATH } or { html: TEXT }. Resolves to { server, base }, base = "http://127.0.0.1:PORT".
async function serve(dir, routes = {}) {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const route = routes[url];
    if (route && route.html !== undefined) {
      res.writeHead(200, { "Content-Type": "text/html" });
      return res.end(route.html);
    }
    const file = route ? route.file : path.join(dir, url.replace(/^\/$/, "/index.html"));
    if ((!route && !file.startsWith(dir)) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { "Content-Type": types[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

module.exports = { launch, serve };
