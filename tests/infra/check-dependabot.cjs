// Checks .github/dependabot.yml offline (no schema can be downloaded here): the keys Dependabot
// v2 knows (a misspelt key is otherwise only found when Dependabot next runs), and what this
// project needs from it: an entry, with a grouped schedule, for each ecosystem the repository
// has (NuGet packages, the Dockerfile's images, the workflows' actions), each pointing at a
// directory that holds that ecosystem's files. Usage: node check-dependabot.cjs NODE_MODULES_DIR
// [FILE]; exit 1 on any finding.
const { existsSync, readFileSync, readdirSync } = require("node:fs");
const { join } = require("node:path");

const [modules, file = ".github/dependabot.yml"] = process.argv.slice(2);
const YAML = require(join(modules, "yaml"));

// docs.github.com, "Dependabot options reference".
const updateKeys = new Set([
  "allow", "assignees", "commit-message", "cooldown", "directories", "directory", "exclude-paths",
  "groups", "ignore", "insecure-external-code-execution", "labels", "milestone",
  "multi-ecosystem-group", "open-pull-requests-limit", "package-ecosystem", "patterns",
  "pull-request-branch-name", "rebase-strategy", "registries", "reviewers", "schedule",
  "target-branch", "vendor", "versioning-strategy",
]);
const groupKeys = new Set(["applies-to", "dependency-type", "patterns", "exclude-patterns", "update-types", "group-by"]);
const intervals = new Set(["daily", "weekly", "monthly", "quarterly", "semiannually", "yearly", "cron"]);
const updateTypes = new Set(["major", "minor", "patch"]);

// What each ecosystem needs to find in its directory.
const needed = {
  nuget: (dir) => existsSync(join(dir, "Directory.Packages.props")) || readdirSync(dir).some((f) => /\.(csproj|sln)$/.test(f)),
  docker: (dir) => existsSync(join(dir, "Dockerfile")),
  "github-actions": (dir) => existsSync(join(dir, ".github", "workflows")),
};

const findings = [];
const fail = (message) => findings.push(message);

let config;
try {
  config = YAML.parse(readFileSync(file, "utf8"));
} catch (e) {
  console.log(`${file}: not valid YAML: ${e.message}`);
  process.exit(1);
}

if (config?.version !== 2) fail("version must be 2");
for (const key of Object.keys(config ?? {})) {
  if (!["version", "updates", "registries", "enable-beta-ecosystems", "multi-ecosystem-groups"].includes(key)) fail(`unknown top-level key "${key}"`);
}
const updates = Array.isArray(config?.updates) ? config.updates : [];
if (updates.length === 0) fail("updates must list at least one ecosystem");

const covered = new Set();
updates.forEach((update, index) => {
  const name = `updates[${index}] (${update?.["package-ecosystem"] ?? "no package-ecosystem"})`;
  for (const key of Object.keys(update ?? {})) if (!updateKeys.has(key)) fail(`${name}: unknown key "${key}"`);
  const ecosystem = update["package-ecosystem"];
  const dirs = update.directories ?? (update.directory !== undefined ? [update.directory] : []);
  if (dirs.length === 0) fail(`${name}: needs directory or directories`);
  for (const dir of dirs) {
    const local = join(".", String(dir));
    if (!existsSync(local)) fail(`${name}: directory ${dir} does not exist`);
    else if (needed[ecosystem] && !needed[ecosystem](local)) fail(`${name}: directory ${dir} has no ${ecosystem} files`);
  }
  if (!intervals.has(update.schedule?.interval)) fail(`${name}: schedule.interval must be one of ${[...intervals].join(", ")}`);
  const groups = update.groups ?? {};
  if (Object.keys(groups).length === 0) fail(`${name}: no groups: every dependency would open its own pull request`);
  for (const [groupName, group] of Object.entries(groups)) {
    for (const key of Object.keys(group ?? {})) if (!groupKeys.has(key)) fail(`${name}: group ${groupName}: unknown key "${key}"`);
    if (!Array.isArray(group?.patterns) || group.patterns.length === 0) fail(`${name}: group ${groupName} needs patterns`);
    for (const type of group?.["update-types"] ?? []) if (!updateTypes.has(type)) fail(`${name}: group ${groupName}: unknown update type "${type}"`);
  }
  if (!Object.values(groups).some((g) => Array.isArray(g?.patterns) && g.patterns.includes("*"))) {
    fail(`${name}: no group takes every dependency ("*"): the ungrouped ones would flood`);
  }
  if (ecosystem) covered.add(ecosystem);
});

for (const ecosystem of Object.keys(needed)) {
  if (needed[ecosystem](".") && !covered.has(ecosystem)) fail(`the repository has ${ecosystem} dependencies but no updates entry for them`);
}

for (const finding of findings) console.log(`${file}: ${finding}`);
console.log(`dependabot: ${updates.length} ecosystem(s), ${findings.length} finding(s)`);
process.exit(findings.length === 0 ? 0 : 1);
