namespace Realm.Server.Hosting;

/// <summary>Outcome of <see cref="RealmHost.StartAsync"/>: a running host, or why it could not start.</summary>
internal readonly record struct HostStartResult(RealmHost? Host, string? Error)
{
    public bool Succeeded => Host is not null;
}
