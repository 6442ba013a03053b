namespace Realm.Server.Simulation;

/// <summary>The work of one tick, run by <see cref="TickLoop"/> on the logic thread.</summary>
internal interface ITickHandler
{
    /// <summary>Runs tick <paramref name="tick"/>: drain input, step the world, flush output.</summary>
    void Tick(long tick);
}
