// tests/tiktoken_reference.js — the reference GPT-2 encoder for tokenizer tests: js-tiktoken (npm), gpt2 ranks.
// Reads a JSON array of strings on stdin, writes a JSON array of id arrays.
const { getEncoding } = require("js-tiktoken");
const enc = getEncoding("gpt2");
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const texts = JSON.parse(input);
  process.stdout.write(JSON.stringify(texts.map((t) => enc.encode(t, "all"))));
});
