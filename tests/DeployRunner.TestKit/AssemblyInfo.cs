// The runner is a Linux container action; its test kit drives Linux processes (bash, sshd, kubectl).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
