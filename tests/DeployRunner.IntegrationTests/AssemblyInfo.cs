// The runner is a Linux container action; its integration tests drive Linux processes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
