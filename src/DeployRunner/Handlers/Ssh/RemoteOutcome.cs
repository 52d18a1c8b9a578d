using System.Text;
using DeployRunner.ChildProcesses;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace DeployRunner.Handlers.Ssh;

/// <summary>How a remote script ended: its exit status, or the signal that ended it.</summary>
internal sealed record RemoteOutcome(int? ExitCode, string? Signal, bool Cancelled, TimeSpan Duration);
