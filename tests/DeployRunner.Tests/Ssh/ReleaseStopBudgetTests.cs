using DeployRunner.Handlers;
using DeployRunner.Handlers.Ssh.Releases;

namespace DeployRunner.Tests.Ssh;

public sealed class ReleaseStopBudgetTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(3.5)]
    [InlineData(10.0)]
    public void Every_clean_up_after_a_stop_ends_with_the_lock_removed_before_the_runner_stops_waiting_for_the_handler(double handlerStopSeconds)
    {
        var shutdown = new ShutdownBudget(TimeSpan.FromSeconds(handlerStopSeconds), TimeSpan.FromSeconds(2.5));

        var budget = ReleaseStopBudget.From(shutdown);

        Assert.True(budget.Rollback + budget.Unlock < shutdown.HandlerStop, $"rollback {budget.Rollback} + unlock {budget.Unlock}");
        Assert.True(budget.AbortPartials + budget.Unlock < shutdown.HandlerStop, $"abort {budget.AbortPartials} + unlock {budget.Unlock}");
        Assert.True(budget.Rollback > TimeSpan.Zero);
        Assert.True(budget.AbortPartials > TimeSpan.Zero);
    }

    [Fact]
    public void A_longer_shutdown_budget_gives_the_rollback_more_time()
    {
        var longer = ReleaseStopBudget.From(ShutdownBudget.Default with { HandlerStop = ShutdownBudget.Default.HandlerStop * 2 });

        Assert.True(longer.Rollback > ReleaseStopBudget.From(ShutdownBudget.Default).Rollback);
    }
}
