using System.Diagnostics.CodeAnalysis;

namespace Realm.Data;

/// <summary>Throws from out-of-line methods so callers' hot paths stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string name, string message) => throw new ArgumentOutOfRangeException(name, message);

    [DoesNotReturn]
    public static void ThrowArgument(string name, string message) => throw new ArgumentException(message, name);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);
}
