using System.Runtime.CompilerServices;
using DeployRunner.Handlers.Ssh.Releases;

namespace DeployRunner.Tests.Ssh;

public sealed class ReleaseEventTests
{
    public static TheoryData<Type> Kinds() => [.. typeof(ReleaseEvent).GetNestedTypes().Where(t => t.IsSubclassOf(typeof(ReleaseEvent)))];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_of_release_event_has_its_wording(Type kind)
    {
        var blank = (ReleaseEvent)RuntimeHelpers.GetUninitializedObject(kind);

        // A kind added without a case in ReleaseEvent.Text throws "has no wording"; a blank one may fail on its nulls otherwise.
        var thrown = Record.Exception(() => blank.Text);

        Assert.False(thrown is InvalidOperationException, thrown?.Message);
    }

    [Fact]
    public void A_failed_server_is_an_error_annotation_titled_with_its_host_and_a_rollback_a_warning()
    {
        var failed = new ReleaseEvent.ServerFailed("web1", "script failed (exit code 7)", "\nLast output:\nboom");
        var rollingBack = new ReleaseEvent.RollingBack(1);

        Assert.Equal(ReleaseEvent.Level.Error, failed.Severity);
        Assert.Equal("Host web1 failed", failed.Title);
        Assert.Equal("web1: script failed (exit code 7)\nLast output:\nboom", failed.Text);
        Assert.Equal(ReleaseEvent.Level.Warning, rollingBack.Severity);
        Assert.Equal("Rolling back 1 server to their previous release (auto-rollback).", rollingBack.Text);
        Assert.Null(rollingBack.Title);
    }
}
