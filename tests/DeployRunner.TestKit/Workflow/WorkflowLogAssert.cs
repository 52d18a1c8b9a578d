namespace DeployRunner.TestKit;

/// <summary>Checks on the job log as the Actions runner would parse it.</summary>
public static class WorkflowLogAssert
{
    /// <summary>
    /// Each untrusted snippet may appear only while commands are stopped
    /// (between <c>::stop-commands::TOKEN</c> and <c>::TOKEN::</c>), or not at the start of a line.
    /// </summary>
    public static void NoUntrustedCommands(IReadOnlyList<string> lines, params string[] untrusted)
    {
        string? stopToken = null;
        foreach (var raw in lines)
        {
            var line = raw.TrimStart();
            if (stopToken is null && line.StartsWith("::stop-commands::", StringComparison.Ordinal))
            {
                stopToken = line["::stop-commands::".Length..];
                Assert.True(stopToken.Length >= 16, $"stop-commands token too short: '{stopToken}'");
                continue;
            }

            if (stopToken is not null)
            {
                if (line == $"::{stopToken}::") stopToken = null;
                continue;
            }

            foreach (var snippet in untrusted)
                Assert.False(line.StartsWith(snippet, StringComparison.Ordinal), $"Untrusted text became a workflow command: '{raw}'");
        }
    }
}
