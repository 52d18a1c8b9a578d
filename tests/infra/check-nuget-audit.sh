#!/usr/bin/env bash
# Proves the NuGet vulnerability audit of Directory.Build.props: with DEPLOYRUNNER_NUGET_AUDIT=true
# a package with a known vulnerability fails the restore (NU1903, a warning made an error), and
# without it the same restore passes. The advisory comes from a fake vulnerability feed on
# loopback (NuGet's VulnerabilityInfo resource: a service index, a page index, one page), set as
# the only audit source of a scratch project that uses this repository's Directory.Build.props,
# so this runs the same here (whose package feed has no vulnerability data) and on GitHub.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)

work=$(mktemp -d)
server=""
cleanup() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

# The fake feed, served by python3's http.server on a free loopback port.
mkdir -p "$work/feed/vulnerability" "$work/project"
python3 - "$work/feed" <<'PY' &
import functools, http.server, json, os, sys
root = sys.argv[1]
httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(http.server.SimpleHTTPRequestHandler, directory=root))
base = f"http://127.0.0.1:{httpd.server_address[1]}"
def write(path, value):
    with open(os.path.join(root, path), "w") as f: json.dump(value, f)
write("vulnerability/base.json", {"octokit": [{"severity": 2, "url": "https://example.invalid/advisories/deployrunner-audit-check", "versions": "(, 999.0.0)"}]})
write("vulnerability/index.json", [{"@name": "base", "@id": f"{base}/vulnerability/base.json", "@updated": "2026-01-01T00:00:00Z"}])
write("index.json", {"version": "3.0.0", "resources": [{"@id": f"{base}/vulnerability/index.json", "@type": "VulnerabilityInfo/6.7.0"}]})
with open(os.path.join(root, "..", "base-url"), "w") as f: f.write(base)
http.server.SimpleHTTPRequestHandler.log_message = lambda *args: None
httpd.serve_forever()
PY
server=$!
for _ in $(seq 1 50); do [ -s "$work/base-url" ] && break; sleep 0.1; done
[ -s "$work/base-url" ] || { echo "The fake vulnerability feed did not start" >&2; exit 1; }

# A scratch project with this repository's build settings and one package the feed calls
# vulnerable (Octokit, at the version the runner uses: already in the package cache).
cp "$repo/Directory.Build.props" "$repo/global.json" "$work/project/"
octokit=$(grep -oP '<PackageVersion Include="Octokit" Version="\K[^"]+' "$repo/Directory.Packages.props")
cat > "$work/project/Directory.Packages.props" <<XML
<Project><ItemGroup><PackageVersion Include="Octokit" Version="$octokit" /></ItemGroup></Project>
XML
cat > "$work/project/AuditCheck.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><PackageReference Include="Octokit" /></ItemGroup></Project>
XML
cat > "$work/project/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <auditSources>
    <clear />
    <add key="fake-advisories" value="$(cat "$work/base-url")/index.json" allowInsecureConnections="true" />
  </auditSources>
</configuration>
XML

status=0
if DEPLOYRUNNER_NUGET_AUDIT=true dotnet restore "$work/project" --nologo >"$work/on.log" 2>&1; then
  echo "FAILED: with DEPLOYRUNNER_NUGET_AUDIT=true, a package with a known vulnerability did not fail the restore"; cat "$work/on.log"; status=1
elif ! grep -q 'error NU1903' "$work/on.log"; then
  echo "FAILED: the audited restore failed, but not with the vulnerability finding (NU1903)"; cat "$work/on.log"; status=1
else
  echo "passed: with DEPLOYRUNNER_NUGET_AUDIT=true a known vulnerable package fails the restore (NU1903)"
fi
rm -rf "$work/project/obj"
if DEPLOYRUNNER_NUGET_AUDIT=false dotnet restore "$work/project" --nologo >"$work/off.log" 2>&1; then
  echo "passed: without it the same restore passes (the audit is off)"
else
  echo "FAILED: with the audit off the restore failed"; cat "$work/off.log"; status=1
fi
exit $status
