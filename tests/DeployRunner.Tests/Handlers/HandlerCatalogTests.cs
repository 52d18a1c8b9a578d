using DeployRunner.Configuration;
using DeployRunner.Events;
using DeployRunner.Handlers;
using DeployRunner.Health;
using DeployRunner.Inputs;
using DeployRunner.Planning;
using NSubstitute;

namespace DeployRunner.Tests.Handlers;

/// <summary>Each handler folder declares its facts once; the catalog and the settings system only gather them.</summary>
public sealed class HandlerCatalogTests
{
    [Fact]
    public void The_catalog_lists_every_handler_folder_definition_once()
    {
        var names = HandlerCatalog.Names.ToArray();

        // Contains, not equals: another handler folder must not need this test changed.
        Assert.Subset(names.ToHashSet(), new HashSet<string> { "shell", "ssh", "kubectl" });
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(names.Length, names.Distinct().Count());
    }

    [Fact]
    public void The_settings_system_is_the_core_settings_plus_every_handler_input()
    {
        var expected = SettingCatalog.Core.Select(s => s.Name)
            .Concat(HandlerCatalog.All.SelectMany(h => h.Inputs).Select(s => s.Name))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal);

        Assert.Equal(expected, SettingCatalog.All.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal(SettingKind.Duration, SettingCatalog.KindOf("connect-timeout"));
        Assert.Equal(SettingKind.Path, SettingCatalog.KindOf("working-directory"));
    }

    [Fact]
    public void The_secret_inputs_are_written_once_in_the_definitions_that_read_them()
    {
        var secrets = SettingCatalog.Secrets.Select(s => s.Name).ToHashSet();

        Assert.Subset(secrets, new HashSet<string> { "kubeconfig", "ssh-key", "ssh-passphrase", "token" });
        Assert.Equal(secrets, HandlerCatalog.All.SelectMany(h => h.Inputs).Concat(SettingCatalog.Core).Where(s => s.Kind == SettingKind.Secret).Select(s => s.Name).ToHashSet());
        Assert.All(SettingCatalog.Secrets, secret => Assert.True(SettingCatalog.IsSecret(secret.Name)));
        Assert.Equal(["kubeconfig"], SettingCatalog.Secrets.Where(s => s.MaskedWhole).Select(s => s.Name).ToArray());
    }

    [Fact]
    public void An_unknown_handler_is_a_configuration_error_naming_the_known_ones()
    {
        var context = new HandlerContext(new RecordingLog(), new Dictionary<string, string>(), Path.GetTempPath(), TimeProvider.System);

        var error = Assert.Throws<ConfigurationException>(() => HandlerCatalog.Create("ftp", InputSet.Empty, context));

        Assert.Equal($"Unknown handler 'ftp'. Set input `handler` to one of: {string.Join(", ", HandlerCatalog.Names)}.", error.Message);
    }

    [Fact]
    public void A_handler_whose_programs_are_missing_says_which_after_its_inputs_are_read()
    {
        var context = new HandlerContext(new RecordingLog(), new Dictionary<string, string> { ["PATH"] = "/nonexistent" }, Path.GetTempPath(), TimeProvider.System);

        var error = Assert.Throws<ConfigurationException>(() => HandlerCatalog.Create("shell", InputSet.Empty, context));

        Assert.Contains("The shell handler needs `bash` and `setsid` on PATH", error.Message);
    }

    [Fact]
    public void Every_handler_that_does_not_read_atomic_refuses_it_before_reading_its_own_inputs()
    {
        var context = new HandlerContext(new RecordingLog(), new Dictionary<string, string>(), Path.GetTempPath(), TimeProvider.System);
        var refusing = HandlerCatalog.All.Where(d => !d.Reads("atomic")).ToList();

        Assert.Contains(refusing, d => d.Name == "shell");
        Assert.Contains(refusing, d => d.Name == "ssh");
        Assert.DoesNotContain(refusing, d => d.Name == "kubectl");
        foreach (var definition in refusing)
        {
            var error = Assert.Throws<ConfigurationException>(() => HandlerCatalog.Create(definition.Name, InputSet.Of(("atomic", "true")), context));
            Assert.Equal("atomic", error.Setting);
            Assert.StartsWith($"Input `atomic` is read by the kubectl handler only; the {definition.Name} handler would ignore it.", error.Message);
        }
    }

    [Fact]
    public void The_pipeline_wraps_the_shell_handler_in_the_health_check_without_its_definition_asking()
    {
        var context = new HandlerContext(new RecordingLog(), new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "" }, Path.GetTempPath(), TimeProvider.System);

        var handler = HandlerCatalog.Create("shell", InputSet.Of(("health-check-url", "https://app.example.com/up")), context);

        Assert.IsType<HealthCheckedHandler>(handler);
        Assert.IsNotType<HealthCheckedHandler>(HandlerCatalog.Create("shell", InputSet.Empty, context));
    }

    [Fact]
    public async Task The_health_check_wrapper_forwards_every_member_of_the_handler_interface()
    {
        var deployment = new Deployment(42, "0123456789abcdef", "main", "deploy", "staging", "staging", null, false, false, DeploymentPayload.None);
        var plan = new DeploymentPlan(deployment, "o/r", "shell", "true", "/tmp", "https://app.example.com",
            TimeSpan.FromMinutes(1), SkipSuperseded: true, DeploymentVariables.For(deployment, "o/r"));
        var inner = Substitute.For<IDeploymentHandler>();
        inner.RunAsync(default!, default).ReturnsForAnyArgs(HandlerResult.Failed("no need to probe"));
        inner.DescribeAsync(default!, default).ReturnsForAnyArgs(Task.FromResult<IReadOnlyList<string>>([]));
        var context = new HandlerContext(new RecordingLog(), ChildEnvironment.Empty, Path.GetTempPath(), TimeProvider.System);
        var wrapped = HealthCheckedHandler.Wrap(inner, InputSet.Of(("health-check-url", "https://app.example.com/up")), context);

        // Every member, found by reflection: one added to the interface later is checked too.
        foreach (var member in typeof(IDeploymentHandler).GetMethods())
        {
            var arguments = member.GetParameters().Select(p => p.ParameterType == typeof(DeploymentPlan) ? plan : (object)CancellationToken.None).ToArray();
            var returned = member.Invoke(wrapped, arguments);
            if (returned is Task task) await task;
            if (returned is IEnumerable<DryRunNote> notes) _ = notes.ToList();
            Assert.Contains(inner.ReceivedCalls(), call => call.GetMethodInfo() == member);
        }
    }
}
