using System.Diagnostics.CodeAnalysis;

namespace Realm.Server;

/// <summary>
/// Throws for broken invariants in Realm.Server. Kept out of line so the methods that call it stay
/// small enough to inline; client input never reaches here (parsers return false instead).
/// </summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName, string message) => throw new ArgumentOutOfRangeException(paramName, message);
}
