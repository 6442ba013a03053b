namespace Realm.Data.Caching;

/// <summary>A cache whose expired entries a <see cref="CacheRegistry"/> can sweep.</summary>
public interface ICacheSweepable
{
    /// <summary>The cache's name in the registry.</summary>
    string Name { get; }

    /// <summary>Removes every expired entry now; returns how many.</summary>
    int RemoveExpired();
}
