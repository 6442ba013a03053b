namespace Realm.Data.Queries;

/// <summary>A query catalog is wrong: an unknown name, a missing dialect, a bad declaration, or SQL the database rejects.</summary>
public sealed class QueryCatalogException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public QueryCatalogException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public QueryCatalogException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error behind it.</summary>
    public QueryCatalogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
