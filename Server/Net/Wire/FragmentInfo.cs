namespace Realm.Server.Net.Wire;

/// <summary>
/// Identifies a fragment: message <see cref="Group"/> (per sender, wrapping), split into <see cref="Count"/>
/// pieces of which this is number <see cref="Index"/>, <see cref="Total"/> bytes in all.
/// </summary>
internal readonly record struct FragmentInfo(ushort Group, int Count, int Index, int Total)
{
    /// <summary>False for the default value: the message is whole.</summary>
    public bool IsFragment => Count != 0;
}
