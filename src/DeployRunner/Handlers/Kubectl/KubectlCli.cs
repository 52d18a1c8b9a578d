using System.Text;
using CliWrap;
using DeployRunner.ChildProcesses;
using DeployRunner.Workflow;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// Runs the real kubectl against the deployment's cluster: the private kubeconfig, the chosen
/// context, a private discovery cache, and the job's environment minus the runner's secrets.
/// kubectl's output is untrusted text (it echoes object names, server messages): it streams into
/// the log inside a <c>::stop-commands::</c> block so none of it can become a workflow command.
/// It runs through <see cref="ProcessRunner"/>, so a cancel stops it the same way as a script.
/// </summary>
internal sealed class KubectlCli(string kubectlPath, PrivateKubeconfig kubeconfig, string context, HandlerContext handlerContext)
{
    private readonly IWorkflowLog _log = handlerContext.Log;

    /// <summary>Runs kubectl; <paramref name="capture"/> keeps stdout out of the log and returns it (JSON, rendered YAML).</summary>
    public async Task<KubectlOutcome> RunAsync(IReadOnlyList<string> arguments, string? input, bool capture, CancellationToken cancellationToken)
    {
        var output = new StringBuilder();
        var messages = new Queue<string>();
        var gate = new Lock();
        void Message(string line)
        {
            _log.Output(line);
            lock (gate)
            {
                if (line.Trim().Length == 0) return;
                messages.Enqueue(line.Trim());
                if (messages.Count > 10) messages.Dequeue();
            }
        }

        var command = Cli.Wrap(kubectlPath)
            .WithArguments([.. arguments, "--context", context, "--cache-dir", kubeconfig.CacheDirectory])
            .WithEnvironmentVariables(Environment())
            .WithStandardOutputPipe(capture ? PipeTarget.ToStringBuilder(output) : OutputLines.Target(Message, _log.FlushOutput))
            .WithStandardErrorPipe(OutputLines.Target(Message, _log.FlushOutput))
            .WithValidation(CommandResultValidation.None);
        if (input is not null) command = command.WithStandardInputPipe(PipeSource.FromString(input));

        var token = _log.BeginUntrustedBlock();
        _log.Output($"$ kubectl {string.Join(' ', arguments)}");
        try
        {
            var outcome = await ProcessRunner.RunAsync(command, handlerContext.Time, cancellationToken);
            return new KubectlOutcome(outcome.ExitCode, outcome.Cancelled, output.ToString(), Snapshot(), outcome.Duration);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ConfigurationException($"kubectl could not be started ({kubectlPath}): {e.Message}");
        }
        finally
        {
            _log.EndUntrustedBlock(token);
        }

        List<string> Snapshot()
        {
            lock (gate) return [.. messages];
        }
    }

    /// <summary>The job's environment without the runner's secrets, with KUBECONFIG set: for kubectl and for the user's scripts.</summary>
    public IReadOnlyDictionary<string, string?> Environment()
    {
        var changes = handlerContext.Environment.Changes();
        changes["KUBECONFIG"] = kubeconfig.Path;
        return changes;
    }
}
