namespace DeployRunner.Configuration;

/// <summary>Where a setting's value came from, for messages that point at the right place.</summary>
internal abstract record SettingOrigin
{
    public sealed record Input : SettingOrigin
    {
        public override string ToString() => "the action input";
    }

    public sealed record File(ConfigLocation Location) : SettingOrigin
    {
        public override string ToString() => $"set at {Location}";
    }

    public sealed record Payload : SettingOrigin
    {
        public override string ToString() => "from the deployment payload (allowed by `payload-overrides`)";
    }
}
