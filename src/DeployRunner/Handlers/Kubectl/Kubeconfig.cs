using System.Text;
using DeployRunner.Inputs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// The <c>kubeconfig</c> input, decoded and checked: its contexts, the one to use, and every
/// credential in it (to be masked before anything is printed). The text itself is only ever
/// written to a private file for kubectl.
/// </summary>
internal sealed record Kubeconfig(string Text, IReadOnlyList<string> Contexts, string Context, IReadOnlyList<string> Secrets)
{
    /// <summary>
    /// Keys whose values are credentials, anywhere under <c>users</c> (including an auth
    /// provider's <c>config</c> and an exec plugin's <c>env</c>), plus the clusters' CA data.
    /// </summary>
    private static readonly HashSet<string> SecretKeys = new(StringComparer.Ordinal)
    {
        "token", "password", "client-key-data", "client-certificate-data", "certificate-authority-data",
        "id-token", "refresh-token", "access-token", "client-secret", "value",
    };

    /// <summary>
    /// Reads the input: raw YAML (or JSON) as is, or base64 of it (base64 has no <c>:</c>, YAML
    /// always does). <paramref name="context"/> is the <c>kube-context</c> input, if any.
    /// </summary>
    public static Kubeconfig Parse(string input, string? context)
    {
        var text = input.Contains(':', StringComparison.Ordinal) ? input : DecodeBase64(input);
        YamlMappingNode root;
        try
        {
            var stream = YamlLimits.Load(text);
            root = stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode mapping
                ? mapping
                : throw new ConfigurationException("Input `kubeconfig` is not a kubeconfig: expected one YAML mapping with `clusters`, `contexts` and `users`.", setting: "kubeconfig");
        }
        catch (YamlLimitException e)
        {
            throw new ConfigurationException($"Input `kubeconfig` is {e.Message.Replace("refused: ", "refused as hostile YAML: ", StringComparison.Ordinal)}.", setting: "kubeconfig");
        }
        catch (YamlException e)
        {
            // The message names a line and column, never the text: it may be a secret.
            throw new ConfigurationException($"Input `kubeconfig` is not valid YAML (line {e.Start.Line}, column {e.Start.Column}). Paste the file as is, or base64-encode it (`base64 -w0 ~/.kube/config`).", setting: "kubeconfig");
        }

        var contexts = Names(root, "contexts");
        if (contexts.Count == 0 || Names(root, "clusters").Count == 0)
            throw new ConfigurationException("Input `kubeconfig` has no `contexts` or no `clusters`: give a complete kubeconfig (`kubectl config view --minify --raw`).", setting: "kubeconfig");

        var current = Scalar(root, "current-context");
        var chosen = context ?? current
            ?? throw new ConfigurationException($"Input `kubeconfig` has no `current-context`: set input `kube-context` to one of: {string.Join(", ", contexts)}.", setting: "kubeconfig");
        if (!contexts.Contains(chosen, StringComparer.Ordinal))
        {
            throw new ConfigurationException(context is null
                ? $"The kubeconfig's `current-context` '{chosen}' is not among its contexts ({string.Join(", ", contexts)}): set input `kube-context`."
                : $"Input `kube-context` names '{chosen}', which the kubeconfig does not have. Its contexts: {string.Join(", ", contexts)}.", setting: context is null ? "kubeconfig" : "kube-context");
        }

        // kubectl gets --context, but the user's scripts only get KUBECONFIG: make the chosen
        // context the file's current one so that both talk to the same cluster.
        if (chosen != current)
        {
            root.Children[new YamlScalarNode("current-context")] = new YamlScalarNode(chosen) { Style = ScalarStyle.DoubleQuoted };
            var writer = new StringWriter { NewLine = "\n" };
            new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
            text = writer.ToString();
        }

        var secrets = new List<string>();
        if (root.Children.TryGetValue(new YamlScalarNode("users"), out var users)) CollectSecrets(users, secrets);
        if (root.Children.TryGetValue(new YamlScalarNode("clusters"), out var clusters)) CollectSecrets(clusters, secrets, onlyKey: "certificate-authority-data");
        return new Kubeconfig(text, contexts, chosen, secrets.Distinct(StringComparer.Ordinal).ToList());
    }

    private static string DecodeBase64(string input)
    {
        var compact = string.Concat(input.Where(c => !char.IsWhiteSpace(c)));
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(compact));
            if (text.Contains(':', StringComparison.Ordinal)) return text;
        }
        catch (FormatException)
        {
            // Reported below, as for base64 of something else.
        }

        throw new ConfigurationException("Input `kubeconfig` is neither kubeconfig YAML nor base64 of it. Paste the file as is, or `base64 -w0 ~/.kube/config`.", setting: "kubeconfig");
    }

    private static List<string> Names(YamlMappingNode root, string section) =>
        root.Children.TryGetValue(new YamlScalarNode(section), out var node) && node is YamlSequenceNode items
            ? items.OfType<YamlMappingNode>().Select(item => Scalar(item, "name")).OfType<string>().ToList()
            : [];

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { Length: > 0 } text } ? text : null;

    private static void CollectSecrets(YamlNode node, List<string> secrets, string? onlyKey = null)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    var name = (key as YamlScalarNode)?.Value ?? "";
                    if (value is YamlScalarNode { Value: { Length: > 0 } secret } && (onlyKey is null ? SecretKeys.Contains(name) : name == onlyKey))
                        AddSecret(name, secret, secrets);
                    else
                        CollectSecrets(value, secrets, onlyKey);
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var item in sequence) CollectSecrets(item, secrets, onlyKey);
                break;
        }
    }

    /// <summary>A <c>*-data</c> value is base64 of PEM: mask the decoded body lines too, should anything print them.</summary>
    private static void AddSecret(string key, string value, List<string> secrets)
    {
        secrets.Add(value);
        if (!key.EndsWith("-data", StringComparison.Ordinal)) return;
        try
        {
            var pem = Encoding.UTF8.GetString(Convert.FromBase64String(value));
            secrets.AddRange(pem.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(line => !line.StartsWith("-----", StringComparison.Ordinal) && line.Length >= 16));
        }
        catch (FormatException)
        {
            // Not base64: kubectl will say so; the value itself is masked already.
        }
    }
}
