using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using DeployRunner.Inputs;

namespace DeployRunner.Handlers.Ssh;

/// <summary>One server to deploy to, as written in <c>hosts</c>: <c>[user@]host[:port]</c>.</summary>
internal sealed partial record SshHost(string User, string Host, int Port)
{
    public const int DefaultPort = 22;

    /// <summary>
    /// The name the log, the results and the error messages use: the host, with the port when it
    /// is not 22. IPv6 addresses are always bracketed, so a line can never start with <c>::</c>.
    /// </summary>
    public string Display
    {
        get
        {
            var host = IsIPv6 ? $"[{Host}]" : Host;
            return Port == DefaultPort ? host : $"{host}:{Port.ToString(CultureInfo.InvariantCulture)}";
        }
    }

    /// <summary>The name OpenSSH writes into known_hosts: <c>host</c> for port 22, else <c>[host]:port</c>.</summary>
    public string KnownHostsName =>
        Port == DefaultPort ? Host.ToLowerInvariant() : $"[{Host.ToLowerInvariant()}]:{Port.ToString(CultureInfo.InvariantCulture)}";

    private bool IsIPv6 => Host.Contains(':', StringComparison.Ordinal);

    /// <summary>
    /// Parses the <c>hosts</c> input: entries separated by newlines, commas or spaces; <c>#</c>
    /// starts a comment line. Hosts that name no user or port get <paramref name="defaultUser"/>
    /// and <paramref name="defaultPort"/>.
    /// </summary>
    public static IReadOnlyList<SshHost> ParseList(string inputName, string? text, string? defaultUser, int defaultPort)
    {
        var hosts = new List<SshHost>();
        foreach (var entry in SettingText.Items(text))
        {
            var host = Parse(inputName, entry, defaultUser, defaultPort);
            if (hosts.Contains(host))
                throw new ConfigurationException($"Input `{inputName}` lists {host.User}@{host.Display} twice. List each server once.", setting: inputName);
            hosts.Add(host);
        }

        return hosts;
    }

    public static SshHost Parse(string inputName, string entry, string? defaultUser, int defaultPort)
    {
        string Problem(string what) =>
            $"Input `{inputName}`: '{Printable(entry)}' is not a server: {what}. Write servers as [user@]host[:port], IPv6 addresses as [::1]:22.";

        var rest = entry;
        string? user = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            user = rest[..at];
            rest = rest[(at + 1)..];
            if (!UserPattern().IsMatch(user)) throw new ConfigurationException(Problem("the user name is empty or has characters a user name cannot have"), setting: inputName);
        }

        string host;
        string? portText = null;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) throw new ConfigurationException(Problem("'[' without a closing ']'"), setting: inputName);
            host = rest[1..close];
            var after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                if (!after.StartsWith(':')) throw new ConfigurationException(Problem("only ':port' may follow ']'"), setting: inputName);
                portText = after[1..];
            }
        }
        else if (rest.Count(c => c == ':') > 1)
        {
            // A bare IPv6 address (::1): it cannot carry a port without brackets.
            host = rest;
        }
        else
        {
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? rest : rest[..colon];
            portText = colon < 0 ? null : rest[(colon + 1)..];
        }

        if (host.Length == 0) throw new ConfigurationException(Problem("the host name is empty"), setting: inputName);
        if (host.Contains(':', StringComparison.Ordinal))
        {
            if (!IPAddress.TryParse(host, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
                throw new ConfigurationException(Problem($"'{host}' is not an IPv6 address"), setting: inputName);
        }
        else if (!HostPattern().IsMatch(host) || host.StartsWith('-') || host.StartsWith('.') || host.Contains("..", StringComparison.Ordinal))
        {
            // A leading '-' reads as an option to any tool the name reaches (ssh -oProxyCommand=...),
            // and no DNS label starts with '-' or is empty ('..'): refused here, never resolved.
            throw new ConfigurationException(Problem($"'{Printable(host)}' is not a host name or IP address"), setting: inputName);
        }

        var port = defaultPort;
        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw new ConfigurationException(Problem($"the port '{portText}' is not a number from 1 to 65535"), setting: inputName);
        }

        user ??= defaultUser
            ?? throw new ConfigurationException($"Input `{inputName}`: '{entry}' names no user. Write it as user@{entry}, or set input `ssh-user`.", setting: inputName);
        return new SshHost(user, host, port);
    }

    /// <summary>Input text as an error message shows it: control bytes (escape sequences, NUL) as '?', at most 100 characters.</summary>
    public static string Printable(string text) =>
        new(text.Take(100).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    [GeneratedRegex(@"^[A-Za-z0-9._-]+$")]
    private static partial Regex HostPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$")]
    private static partial Regex UserPattern();
}
