using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DeployRunner.ChildProcesses;

namespace DeployRunner.IntegrationTests.Shell;

/// <summary>
/// The script's output through the real runner: every line, in order, in bounded memory, and the
/// step ends when the script ends (memory stays flat however much a script prints; the step ends when the script ends, whatever it left running).
/// </summary>
public sealed partial class OutputStreamingTests : FakeApiTest
{
    [Fact(Timeout = 60_000)]
    public async Task Two_hundred_thousand_lines_arrive_in_order_with_none_lost_or_merged()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", "seq 1 200000; echo done >&2");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var numbers = result.Lines.Where(l => l.Length > 0 && l.All(char.IsAsciiDigit)).ToList();
        Assert.Equal(200_000, numbers.Count);
        for (var i = 0; i < numbers.Count; i++)
        {
            if (numbers[i] != (i + 1).ToString(CultureInfo.InvariantCulture))
                Assert.Fail($"Line {i + 1} is '{numbers[i]}'.");
        }

        Assert.Contains("done", result.Lines);
        Assert.Equal(["in_progress", "success"], Api.States);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_gigabyte_line_without_a_newline_is_cut_with_a_note_and_the_runner_memory_stays_flat()
    {
        // The script reports the runner's peak memory itself: bash's parent is the runner (setsid
        // execs bash in place). The pause lets the runner finish reading before the figure is taken.
        const string reportPeak = "sleep 0.5; echo \"peak $(awk '/VmHWM/ {print $2}' /proc/$PPID/status) kB\"";
        using var small = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", $"seq 1 1000; {reportPeak}");
        var smallPeak = PeakKilobytes(await small.RunAsync());

        using var huge = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", $"head -c 1073741824 /dev/zero | tr '\\0' x; echo; echo after-the-long-line; {reportPeak}");
        var result = await huge.RunAsync(TimeSpan.FromSeconds(150));

        result.ShouldExitWith(0);
        var cut = result.Lines.Single(l => l.StartsWith('x'));
        Assert.Equal(OutputLines.MaxLineBytes, cut.Length);
        Assert.Contains("[deploy-runner] The line above was cut: it was 1073741824 bytes long, over the limit of 65536 bytes per line; the rest of it was left out.", result.Lines);
        Assert.Contains("after-the-long-line", result.Lines);
        var hugePeak = PeakKilobytes(result);
        // Flat: a gigabyte line costs what 1,000 short lines cost, within a few MB of noise
        // (it took 24 GB before). The absolute figure is bench/streaming.sh's.
        Assert.True(hugePeak < smallPeak + 16 * 1024, $"Peak memory {hugePeak} kB for a 1 GB line against {smallPeak} kB for 1,000 lines.");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_million_lines_cost_what_a_thousand_cost_even_on_a_host_whose_cache_asks_for_a_large_gen0_budget()
    {
        // The GC sizes its youngest generation from the CPU's last-level cache: on a host with a
        // 260 MiB L3 the same million lines peaked at 98 MB, 33 MB with 32 MiB. DOTNET_GCgen0size
        // stands in for such a host (a 64 MiB budget, what a large cache gives); the cap baked into
        // the runner (System.GC.Gen0MaxBudget, embedded by Native AOT, in the runtimeconfig of the
        // framework build) must hold the budget at 4 MiB anyway. Without the cap the million lines
        // peak about 60 MB above the thousand.
        const string reportPeak = "sleep 0.5; echo \"peak $(awk '/VmHWM/ {print $2}' /proc/$PPID/status) kB\"";
        async Task<long> PeakAsync(int lines)
        {
            using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
                .Input("script", $"seq -f '%037.0f' 1 {lines}; {reportPeak}");
            sandbox.Environment["DOTNET_GCgen0size"] = "4000000"; // hexadecimal: 64 MiB
            var result = await sandbox.RunAsync(TimeSpan.FromSeconds(90));
            result.ShouldExitWith(0);
            Assert.Equal(lines, result.Lines.Count(l => l.Length == 37 && l.All(char.IsAsciiDigit)));
            return PeakKilobytes(result);
        }

        var thousand = await PeakAsync(1_000);
        var million = await PeakAsync(1_000_000);

        Assert.True(million < thousand + 16 * 1024, $"Peak memory {million} kB for 1,000,000 lines against {thousand} kB for 1,000 lines: is System.GC.Gen0MaxBudget still in src/DeployRunner/DeployRunner.csproj?");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_background_process_that_holds_the_output_open_does_not_hold_the_step()
    {
        var marker = $"60{Random.Shared.Next(1000, 9999)}";
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", $"setsid bash -c 'sleep 0.5; echo within-the-grace; exec sleep {marker}' &\necho started; exit 0");
        try
        {
            var clock = Stopwatch.StartNew();
            var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));
            var took = clock.Elapsed;

            result.ShouldExitWith(0);
            Assert.Equal(["in_progress", "success"], Api.States);
            Assert.Contains("started", result.Lines);
            // Output within the grace still arrives; then the step ends without waiting for the pipe.
            Assert.Contains("within-the-grace", result.Lines);
            Assert.Contains(result.Lines, l => l.StartsWith("::warning", StringComparison.Ordinal) && l.Contains("background"));
            Assert.True(took < ProcessRunner.OutputGrace + TimeSpan.FromSeconds(6), $"The step took {took.TotalSeconds:0.0} s.");
            Assert.NotEmpty(Processes.WithCommandLineContaining(marker));
        }
        finally
        {
            foreach (var pid in Processes.WithCommandLineContaining(marker))
            {
                try { Process.GetProcessById(pid).Kill(); } catch (Exception e) when (e is ArgumentException or InvalidOperationException) { }
            }
        }
    }

    private static long PeakKilobytes(RunnerResult result)
    {
        var line = result.Lines.LastOrDefault(l => PeakLine().IsMatch(l)) ?? throw new InvalidOperationException("No peak line printed:\n" + result.Log);
        return long.Parse(PeakLine().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^peak (\d+) kB$")]
    private static partial Regex PeakLine();
}
