using System.Diagnostics.Metrics;

namespace Realm.Server.Tests.Integration;

/// <summary>Reads every observable instrument of a meter once, keyed <c>name|tag=value,…</c>.</summary>
internal static class MeterCapture
{
    public static Dictionary<string, double> Collect(Func<Meter, bool> which)
    {
        var seen = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (which(instrument.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => seen[Key(i, tags)] = v);
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => seen[Key(i, tags)] = v);
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => seen[Key(i, tags)] = v);
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    private static string Key(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var parts = new List<string>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            parts.Add($"{tag.Key}={tag.Value}");
        }

        return instrument.Name + "|" + string.Join(",", parts);
    }
}
