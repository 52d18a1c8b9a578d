using DeployRunner.Configuration;
using DeployRunner.Edge;
using DeployRunner.Events;
using DeployRunner.Handlers;
using DeployRunner.Inputs;
using DeployRunner.Planning;
using DeployRunner.Running;
using DeployRunner.Workflow;

namespace DeployRunner.TestKit;

/// <summary>What one run of the ssh handler did: its result and the job log it wrote, line by line.</summary>
internal sealed record SshRun(HandlerResult Result, IReadOnlyList<string> Lines)
{
    public string Log => string.Join('\n', Lines);

    public TargetResult Target(string display) =>
        Result.Targets.SingleOrDefault(t => t.Target == display) ?? throw new Xunit.Sdk.XunitException($"No result for {display}. Log:\n{Log}");

    public IReadOnlyList<string> Errors => Lines.Where(l => l.StartsWith("::error", StringComparison.Ordinal)).ToList();
}

/// <summary>
/// Runs the real ssh handler (prepared by the runner's own <see cref="DeploymentPreparer"/>, as
/// Program does) against the test servers, with a <see cref="ConsoleWorkflowLog"/> writing into memory.
/// </summary>
internal sealed class SshHarness(SshServers? servers)
{
    /// <summary>A harness for tests that bring their own servers and inputs (<see cref="CertificateServers"/>).</summary>
    public SshHarness()
        : this(null)
    {
    }

    private SshServers Servers => servers ?? throw new InvalidOperationException("This harness was made without SshServers: pass the inputs to RunAsync.");

    public string Scratch { get; } = Directory.CreateTempSubdirectory("deploy-runner-ssh-scratch-").FullName;

    /// <summary>Inputs for the fleet hosts given, with the ed25519 key and plain known_hosts.</summary>
    public InputSet Inputs(string script, params int[] hosts) => InputSet.Of(
            ("handler", "ssh"),
            ("hosts", string.Join('\n', (hosts.Length == 0 ? [0, 1] : hosts).Select(Servers.Host))),
            ("ssh-user", SshServers.User),
            ("ssh-key", Servers.Ed25519.PrivateKey),
            ("ssh-known-hosts", Servers.KnownHosts()),
            ("script", script))
        .With("connect-timeout", "10s");

    public static IDeploymentHandler Create(InputSet inputs, IWorkflowLog log) =>
        HandlerCatalog.Create("ssh", inputs, new HandlerContext(log, new Dictionary<string, string>(), Path.GetTempPath(), TimeProvider.System));

    public async Task<SshRun> RunAsync(InputSet inputs, string? eventJson = null, CancellationToken cancellationToken = default, Action<string>? onLine = null)
    {
        var writer = new LineWriter(onLine);
        var log = new ConsoleWorkflowLog(writer, debugEnabled: false);
        // The runner's own masking, as Program does it.
        SettingCatalog.MaskSecrets(inputs, log);

        // The runner's own preparation, as Program does it: settings resolved, plan, handler.
        var deploymentEvent = DeploymentEventReader.Parse(eventJson ?? WebhookEvents.Deployment());
        var environment = RunnerEnvironment.From(new Dictionary<string, string>(), Path.GetTempPath());
        var context = new HandlerContext(log, new Dictionary<string, string>(), environment.Workspace, TimeProvider.System);
        var (plan, handler) = await new DeploymentPreparer(inputs, environment, context).PrepareAsync(deploymentEvent, cancellationToken);
        var result = await handler.RunAsync(plan, cancellationToken);
        return new SshRun(result, writer.Lines);
    }

    /// <summary>A TextWriter that keeps whole lines and can watch for one.</summary>
    private sealed class LineWriter(Action<string>? onLine) : TextWriter
    {
        private readonly List<string> _lines = [];
        private readonly System.Text.StringBuilder _current = new();
        private readonly Lock _gate = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public IReadOnlyList<string> Lines
        {
            get { lock (_gate) return _lines.ToList(); }
        }

        public override void Write(char value)
        {
            string? line = null;
            lock (_gate)
            {
                if (value == '\n')
                {
                    line = _current.ToString();
                    _lines.Add(line);
                    _current.Clear();
                }
                else
                {
                    _current.Append(value);
                }
            }

            if (line is not null) onLine?.Invoke(line);
        }
    }
}
