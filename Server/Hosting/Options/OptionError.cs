namespace Realm.Server.Hosting.Options;

/// <summary>One rejected configuration value: the full key, the value as given, and what is allowed.</summary>
internal readonly record struct OptionError(string Key, string? Value, string Allowed)
{
    public override string ToString() => Value is null
        ? $"{Key}: {Allowed}"
        : $"{Key} = \"{Value}\" is not allowed: {Allowed}";
}
