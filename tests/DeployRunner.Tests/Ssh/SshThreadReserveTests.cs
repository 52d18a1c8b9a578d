using DeployRunner.Handlers.Ssh;

namespace DeployRunner.Tests.Ssh;

/// <summary>
/// SSH.NET blocks a pool thread per connect and per channel opening: a run raises the pool's floor
/// so that every server it connects at once has a thread from the start, within a bound.
/// </summary>
public sealed class SshThreadReserveTests
{
    [Fact]
    public void Twenty_servers_at_once_get_a_ready_thread_for_each_connect_and_each_channel()
    {
        SshConnection.ReserveThreadsFor(20);

        ThreadPool.GetMinThreads(out var workers, out _);
        Assert.True(workers >= 40, $"minimum worker threads: {workers}");
    }

    [Fact]
    public void A_huge_fleet_does_not_ask_for_thousands_of_threads()
    {
        ThreadPool.GetMinThreads(out var before, out _);

        SshConnection.ReserveThreadsFor(5000);

        ThreadPool.GetMinThreads(out var after, out _);
        Assert.True(after <= Math.Max(before, 256), $"minimum worker threads: {after}");
    }
}
