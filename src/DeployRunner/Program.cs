using System.Collections;
using System.Runtime.InteropServices;
using DeployRunner;
using DeployRunner.ChildProcesses;
using DeployRunner.Edge;
using DeployRunner.Workflow;

// The edge: the environment, the arguments and the signals are read here, once, and handed
// down as immutable values. Everything below receives what it needs.
var variables = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
    variables[(string)entry.Key] = entry.Value as string ?? "";

Console.OutputEncoding = new System.Text.UTF8Encoding(false);
// Not Console.Out, which flushes (one write system call) on every line: the log flushes when
// it should, and script output goes out in batches (bench/streaming.sh).
await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
// Workflow commands only where the Actions runner reads them; elsewhere they would print secrets
// (::add-mask::) and plumbing (::stop-commands::) in clear.
var log = new ConsoleWorkflowLog(stdout, variables.GetValueOrDefault("RUNNER_DEBUG") == "1", workflowCommands: variables.GetValueOrDefault("GITHUB_ACTIONS") == "true");

// In a container the runner is PID 1, which ignores signals it does not handle. The Actions
// runner sends SIGINT on cancel, SIGTERM 7.5 s later: both start an orderly stop.
using var shutdown = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    if (!shutdown.IsCancellationRequested)
        log.Warning($"Received {context.Signal}: stopping the deployment.");
    shutdown.Cancel();
}

using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

// action.yml's post-entrypoint starts this same program as `deploy-runner-post` (a symlink in
// the image): no shell in between, which would drop the hyphenated STATE_* and INPUT_* names.
var application = new RunnerApplication(variables, Directory.GetCurrentDirectory(), stdout, log, shutdown.Token);
int exitCode;
try
{
    exitCode = CommandLine.IsPostStep(Environment.GetCommandLineArgs().FirstOrDefault(), args)
        ? await application.RunPostStepAsync()
        : await application.RunAsync(args);
}
finally
{
    log.FlushOutput();
}

// Secret-holding temp folders go on every path the runner survives, including a handler it had
// to abandon (it ignored its token) or a time-out.
PrivateTempFolders.DeleteAll();
return exitCode;
