namespace DeployRunner.Inputs;

/// <summary>The did-you-mean of every name a user types: an option, a deploy.yml key, a target.</summary>
internal static class NearestName
{
    /// <summary>The known name a few one-letter edits from <paramref name="name"/> (case ignored), or null.</summary>
    public static string? Find(string name, IEnumerable<string> known) => known
        .Select(candidate => (Candidate: candidate, Distance: EditDistance(name.ToLowerInvariant(), candidate.ToLowerInvariant())))
        .Where(c => c.Distance <= Math.Max(2, c.Candidate.Length / 3))
        .OrderBy(c => c.Distance)
        .Select(c => c.Candidate)
        .FirstOrDefault();

    /// <summary>Levenshtein distance: how many one-letter edits turn one word into the other.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }

        return previous[b.Length];
    }
}
