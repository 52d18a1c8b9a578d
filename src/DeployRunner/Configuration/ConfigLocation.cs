namespace DeployRunner.Configuration;

/// <summary>Where a value was written: file, line and column (1-based), for error messages.</summary>
internal sealed record ConfigLocation(string File, long Line, long Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
