using DeployRunner.Inputs;

namespace DeployRunner.Health;

/// <summary>
/// Input <c>health-check-url</c> (with <c>{host}</c> for the ssh handler's server and
/// <c>{environment-url}</c> for the deployment's environment URL) and <c>health-check-timeout</c>.
/// </summary>
internal sealed record HealthCheckSettings(string UrlTemplate, TimeSpan Deadline)
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(60);

    public const string HostPlaceholder = "{host}";
    public const string EnvironmentUrlPlaceholder = "{environment-url}";

    public static HealthCheckSettings? From(InputSet inputs)
    {
        var url = inputs.Get("health-check-url");
        var deadline = inputs.GetDuration("health-check-timeout", DefaultDeadline);
        if (url is null) return null;
        if (url.Any(char.IsControl)) throw new ConfigurationException("Input `health-check-url` must be one line.", setting: "health-check-url");
        var probe = url.Replace(HostPlaceholder, "example.com", StringComparison.Ordinal)
            .Replace(EnvironmentUrlPlaceholder, "https://example.com", StringComparison.Ordinal);
        if (!Uri.TryCreate(probe, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
            throw new ConfigurationException($"Input `health-check-url` must be an http or https URL (for example https://{{host}}/up), not '{url}'.", setting: "health-check-url");
        return new HealthCheckSettings(url, deadline);
    }

    /// <summary>
    /// Before any status: the URL this deployment would poll is whole, with <c>{environment-url}</c>
    /// filled in (an environment URL that is missing, or one that makes no http(s) URL, would
    /// otherwise be found only after the deploy, or after the switch on every server).
    /// </summary>
    public void CheckFor(string? environmentUrl)
    {
        var url = UrlFor("example.com", environmentUrl);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || parsed.Host.Length == 0)
            throw new ConfigurationException($"Input `health-check-url` '{UrlTemplate}' becomes '{url}' with this deployment's environment URL, which is not an http or https URL. Set `environment-url` to the app's address (for example https://pr-1.example.com), or write the URL out in `health-check-url`.", setting: "health-check-url");
    }

    /// <summary>The URL for one target: <c>{host}</c> and <c>{environment-url}</c> filled in.</summary>
    public string UrlFor(string? host, string? environmentUrl)
    {
        var url = UrlTemplate;
        if (url.Contains(HostPlaceholder, StringComparison.Ordinal))
        {
            // An IPv6 address goes in brackets in a URL (RFC 3986 3.2.2): http://::1:8080/ is no URL.
            if (host is not null && host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[')) host = $"[{host}]";
            url = url.Replace(HostPlaceholder, host ?? throw new ConfigurationException("Input `health-check-url` uses {host}, which only the ssh handler fills in (with each server's name).", setting: "health-check-url"), StringComparison.Ordinal);
        }

        if (url.Contains(EnvironmentUrlPlaceholder, StringComparison.Ordinal))
        {
            url = url.Replace(EnvironmentUrlPlaceholder, environmentUrl?.TrimEnd('/') ?? throw new ConfigurationException("Input `health-check-url` uses {environment-url}, but this deployment has no environment URL: set `environment-url`, or write the URL out in `health-check-url`.", setting: "health-check-url"), StringComparison.Ordinal);
        }

        return url;
    }
}
