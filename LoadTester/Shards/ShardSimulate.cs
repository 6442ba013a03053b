using System.Globalization;
using Realm.Data.Routing;

namespace Realm.LoadTester.Shards;

/// <summary>
/// <c>shards simulate --keys K --from A --to B</c>: for every strategy, the share of K keys that move when the
/// shard count goes from A to B, and the balance after — the evidence for choosing a strategy.
/// </summary>
internal static class ShardSimulate
{
    public static int Run(string[] args, TextWriter output)
    {
        long keys = 1_000_000;
        int from = 4;
        int to = 5;
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : string.Empty;
            bool ok = args[i] switch
            {
                "--keys" => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out keys) && keys is >= 1 and <= 1_000_000_000,
                "--from" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out from) && from is >= 1 and <= 100_000,
                "--to" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out to) && to is >= 1 and <= 100_000,
                _ => false,
            };
            if (!ok)
            {
                Console.Error.WriteLine($"loadtester shards simulate: bad option \"{args[i]} {value}\" (--keys 1..1e9, --from N, --to N with N 1..100000)");
                return 2;
            }

            i++;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{keys} keys, {from} -> {to} shards; the least that must move is {Math.Abs(to - from) / (double)Math.Max(from, to):P2}"));
        output.WriteLine($"{"strategy",-10} {"moved",9} {"max/mean",9} {"cv",8}");
        foreach ((IShardStrategy before, IShardStrategy after) in new (IShardStrategy, IShardStrategy)[]
        {
            (new ModuloStrategy(from), new ModuloStrategy(to)),
            (new JumpHashStrategy(from), new JumpHashStrategy(to)),
            (new RingStrategy(from), new RingStrategy(to)),
        })
        {
            Write(output, after.Name, ShardMovement.Measure(before, after, keys));
        }

        // A directory keeps every recorded key where it is (placed by jump over the old count): nothing moves,
        // but the new shards start empty until new keys arrive or keys are moved by hand.
        var placement = new JumpHashStrategy(from);
        Write(output, "directory", ShardMovement.Measure(placement, new KeptPlacement(placement, to), keys));
        output.WriteLine("directory: recorded keys stay put; the balance is the old placement over the new count (new shards empty until new keys arrive)");
        return 0;
    }

    private static void Write(TextWriter output, string name, ShardMovement m) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-10} {m.MovedFraction,9:P2} {m.MaxOverMean,9:F4} {m.CoefficientOfVariation,8:F4}"));

    /// <summary>The keys' recorded shards, seen over a larger (or smaller) shard count.</summary>
    private sealed class KeptPlacement(IShardStrategy recorded, int shards) : IShardStrategy
    {
        public string Name => "directory";

        public int Shards => shards;

        public int ShardOf(ulong hash) => Math.Min(recorded.ShardOf(hash), shards - 1);
    }
}
