using System.Text;
using DeployRunner.Handlers.Kubectl;

namespace DeployRunner.Tests.Kubectl;

public sealed class KubeconfigTests
{
    private static readonly string ClientKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n"));

    private static readonly string Config = $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: prod
          cluster:
            server: https://k8s.example:6443
            certificate-authority-data: Q0EtREFUQS1FWEFNUExFLTEyMzQ1Njc4
        - name: dev
          cluster: {server: https://dev.example:6443}
        contexts:
        - name: prod-admin
          context: {cluster: prod, user: admin}
        - name: dev
          context: {cluster: dev, user: oidc}
        current-context: prod-admin
        users:
        - name: admin
          user:
            token: sha256~secret-token-value
            client-key-data: {{ClientKey}}
        - name: oidc
          user:
            auth-provider:
              name: oidc
              config:
                client-id: kubernetes
                client-secret: oidc-client-secret
                id-token: eyJhbGciOi.id.token
                refresh-token: refresh-token-value
        """;

    [Fact]
    public void Raw_yaml_gives_its_contexts_and_current_context()
    {
        var kubeconfig = Kubeconfig.Parse(Config, context: null);

        Assert.Equal(["prod-admin", "dev"], kubeconfig.Contexts);
        Assert.Equal("prod-admin", kubeconfig.Context);
        Assert.Equal(Config, kubeconfig.Text);
    }

    [Fact]
    public void Base64_is_decoded_even_when_wrapped_over_lines()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(Config), Base64FormattingOptions.InsertLineBreaks);

        var kubeconfig = Kubeconfig.Parse(encoded + "\n", context: "prod-admin");

        Assert.Equal(Config, kubeconfig.Text);
        Assert.Equal("prod-admin", kubeconfig.Context);
    }

    [Fact]
    public void Every_credential_is_found_for_masking()
    {
        var secrets = Kubeconfig.Parse(Config, context: null).Secrets;

        Assert.Contains("sha256~secret-token-value", secrets);
        Assert.Contains(ClientKey, secrets);
        Assert.Contains("MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49", secrets);
        Assert.Contains("Q0EtREFUQS1FWEFNUExFLTEyMzQ1Njc4", secrets);
        Assert.Contains("oidc-client-secret", secrets);
        Assert.Contains("eyJhbGciOi.id.token", secrets);
        Assert.Contains("refresh-token-value", secrets);
        Assert.DoesNotContain("kubernetes", secrets);
        Assert.DoesNotContain("https://k8s.example:6443", secrets);
        Assert.DoesNotContain(secrets, s => s.StartsWith("-----", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_context_names_the_ones_there_are()
    {
        var error = Assert.Throws<ConfigurationException>(() => Kubeconfig.Parse(Config, "staging"));
        Assert.Equal("Input `kube-context` names 'staging', which the kubeconfig does not have. Its contexts: prod-admin, dev.", error.Message);
    }

    [Fact]
    public void Without_a_current_context_the_input_must_name_one()
    {
        var error = Assert.Throws<ConfigurationException>(() => Kubeconfig.Parse(Config.Replace("current-context: prod-admin\n", "", StringComparison.Ordinal), null));
        Assert.Contains("set input `kube-context` to one of: prod-admin, dev", error.Message);
    }

    [Theory]
    [InlineData("users: [\n  token: sha256~leaked-if-printed")]
    [InlineData("{token: sha256~leaked-if-printed")]
    public void Invalid_yaml_is_refused_without_echoing_the_text(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => Kubeconfig.Parse(text, null));
        Assert.StartsWith("Input `kubeconfig` is not valid YAML", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("leaked", error.Message);
    }

    [Theory]
    [InlineData("bm90IGEga3ViZWNvbmZpZw==")] // base64 of "not a kubeconfig"
    [InlineData("%%%not-base64%%%")]
    public void Neither_yaml_nor_base64_is_refused(string text) =>
        Assert.Contains("neither kubeconfig YAML nor base64", Assert.Throws<ConfigurationException>(() => Kubeconfig.Parse(text, null)).Message);

    [Theory]
    [InlineData("just: a mapping")]
    [InlineData("apiVersion: v1\nkind: Config\ncontexts: []\n")]
    public void A_mapping_that_is_no_kubeconfig_is_refused(string text) =>
        Assert.Contains("no `contexts` or no `clusters`", Assert.Throws<ConfigurationException>(() => Kubeconfig.Parse(text, null)).Message);

    [Fact]
    public void A_chosen_context_becomes_the_files_current_context_for_the_scripts()
    {
        var kubeconfig = Kubeconfig.Parse(Config, "dev");

        var reparsed = Kubeconfig.Parse(kubeconfig.Text, context: null);
        Assert.Equal("dev", reparsed.Context);
        Assert.Contains("sha256~secret-token-value", reparsed.Secrets);
    }
}
