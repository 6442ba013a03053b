namespace Realm.Data.Pooling;

/// <summary>No connection became free within <see cref="ConnectionPoolOptions.AcquireTimeout"/>; the message gives the pool's state.</summary>
public sealed class PoolTimeoutException : TimeoutException
{
    /// <summary>Creates the exception with a message.</summary>
    public PoolTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public PoolTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PoolTimeoutException()
    {
    }
}
