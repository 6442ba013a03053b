namespace Realm.Server.Hosting;

/// <summary>Process exit codes of the server, for scripts and supervisors.</summary>
internal static class ExitCodes
{
    /// <summary>Ran and stopped cleanly on a signal.</summary>
    public const int Clean = 0;

    /// <summary>A configuration value or command-line argument was rejected; nothing was started.</summary>
    public const int BadOptions = 2;

    /// <summary>Start-up failed: port in use, database or Redis unreachable.</summary>
    public const int StartFailed = 3;
}
