namespace Realm.Data.Pooling;

/// <summary>
/// The pool's circuit breaker is open (the database refused new connections repeatedly), so the
/// acquisition failed fast instead of waiting; the message says for how long.
/// </summary>
public sealed class PoolUnavailableException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public PoolUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the last connection error.</summary>
    public PoolUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PoolUnavailableException()
    {
    }
}
