namespace DeployRunner.GitHub;

/// <summary>The query of <c>GET /repos/{owner}/{repo}/deployments</c>; null fields are not sent.</summary>
internal sealed record DeploymentFilter(string? Ref = null, string? Sha = null, string? Environment = null, string? Task = null)
{
    public IDictionary<string, string> ToQuery()
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Ref is not null) query["ref"] = Ref;
        if (Sha is not null) query["sha"] = Sha;
        if (Environment is not null) query["environment"] = Environment;
        if (Task is not null) query["task"] = Task;
        return query;
    }

    public override string ToString() => string.Join(", ", ToQuery().Select(q => $"{q.Key}={q.Value}"));
}
