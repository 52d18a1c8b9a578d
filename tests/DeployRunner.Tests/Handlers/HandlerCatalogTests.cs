using DeployRunner.Configuration;
using DeployRunner.Handlers;
using DeployRunner.Inputs;

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
}
