using System.Diagnostics;

namespace DeployRunner.IntegrationTests.FirstHour;

/// <summary>What a new user has at hand: a sandbox run as on their own machine, and throw-away credentials.</summary>
internal static class LocalRun
{
    /// <summary>A sandbox as on a developer's machine: no GITHUB_* or ACTIONS_* variables, no CI.</summary>
    public static RunnerSandbox OutsideActions(this RunnerSandbox sandbox, bool keepApi = false)
    {
        foreach (var name in sandbox.Environment.Keys.ToList())
        {
            var api = name is "GITHUB_API_URL" or "GITHUB_REPOSITORY" or "INPUT_TOKEN";
            if ((name.StartsWith("GITHUB_", StringComparison.Ordinal) || name.StartsWith("ACTIONS_", StringComparison.Ordinal) || name == "CI") && !(keepApi && api))
                sandbox.Environment.Remove(name);
        }

        return sandbox;
    }

    /// <summary>A fresh ed25519 key pair from the real ssh-keygen: (private key, public key line).</summary>
    public static (string PrivateKey, string PublicKey) NewSshKey()
    {
        var folder = Directory.CreateTempSubdirectory("deploy-runner-key-").FullName;
        try
        {
            var file = Path.Combine(folder, "id");
            var info = new ProcessStartInfo("ssh-keygen") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-q", "-t", "ed25519", "-N", "", "-C", "first-hour", "-f", file }) info.ArgumentList.Add(argument);
            using var process = Process.Start(info) ?? throw new InvalidOperationException("ssh-keygen did not start");
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "ssh-keygen failed: " + process.StandardError.ReadToEnd());
            return (File.ReadAllText(file), File.ReadAllText(file + ".pub").Trim());
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail("ssh-keygen is not installed: these tests need the real OpenSSH client (apt-get install openssh-client).");
            throw;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public const string KubeToken = "kube-token-must-stay-hidden-0123456789";

    /// <summary>A kubeconfig with two contexts and a bearer token; nothing in these tests contacts its server.</summary>
    public static string Kubeconfig(string server = "https://127.0.0.1:6443") => $"""
        apiVersion: v1
        kind: Config
        current-context: staging
        clusters:
        - name: staging-cluster
          cluster:
            server: {server}
        contexts:
        - name: staging
          context:
            cluster: staging-cluster
            user: deployer
            namespace: apps
        - name: other
          context:
            cluster: staging-cluster
            user: deployer
        users:
        - name: deployer
          user:
            token: {KubeToken}
        """;

    public const string App = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels: { app: web }
          template:
            metadata:
              labels: { app: web }
            spec:
              containers:
              - name: web
                image: nginx:1.25
              - name: sidecar
                image: busybox:1.36
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector: { app: web }
          ports:
          - port: 80
        """;

    /// <summary>The one <c>::error</c> line a refused run prints.</summary>
    public static string SingleError(RunnerResult result) =>
        Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));

    /// <summary>The lines that are neither errors nor warnings must hold no workflow command, no escaped property.</summary>
    public static void ShowsNoPlumbing(RunnerResult result)
    {
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Lines, l => l.Contains("%3A", StringComparison.Ordinal) || l.Contains("%0A", StringComparison.Ordinal));
        Assert.DoesNotContain("stop-commands", result.Log);
    }
}
