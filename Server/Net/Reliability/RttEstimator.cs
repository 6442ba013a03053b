namespace Realm.Server.Net.Reliability;

/// <summary>
/// Smoothed round-trip time and retransmission timeout as specified in RFC 6298 (Paxson et al., 2011):
/// the first sample sets SRTT = R and RTTVAR = R/2; later ones RTTVAR = (1 - β)·RTTVAR + β·|SRTT - R|
/// and SRTT = (1 - α)·SRTT + α·R with α = 1/8, β = 1/4; RTO = SRTT + max(G, 4·RTTVAR), clamped to
/// [<see cref="MinRto"/>, <see cref="MaxRto"/>]. A timeout doubles RTO (section 5.5) until a new sample.
/// </summary>
/// <remarks>
/// The RFC's 1 s minimum suits TCP over the internet; a game tick is 16–50 ms, so the minimum here is a
/// parameter (default 50 ms). All times in milliseconds. Owned by the logic thread; not thread-safe.
/// </remarks>
internal sealed class RttEstimator
{
    private const double Alpha = 1.0 / 8;
    private const double Beta = 1.0 / 4;
    private const double K = 4;

    private bool _hasSample;

    public RttEstimator(double minRto = 50, double maxRto = 2_000, double initialRto = 1_000, double clockGranularity = 1)
    {
        if (!(minRto > 0 && maxRto >= minRto && initialRto >= minRto && initialRto <= maxRto && clockGranularity >= 0))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(minRto), $"need 0 < minRto ({minRto}) <= initialRto ({initialRto}) <= maxRto ({maxRto}) and granularity >= 0");
        }

        MinRto = minRto;
        MaxRto = maxRto;
        Granularity = clockGranularity;
        Rto = initialRto;
    }

    public double MinRto { get; }

    public double MaxRto { get; }

    public double Granularity { get; }

    /// <summary>Smoothed RTT (0 until the first sample).</summary>
    public double SmoothedRtt { get; private set; }

    /// <summary>RTT variation (0 until the first sample).</summary>
    public double RttVariation { get; private set; }

    /// <summary>Newest sample.</summary>
    public double LatestRtt { get; private set; }

    /// <summary>Current retransmission timeout.</summary>
    public double Rto { get; private set; }

    public bool HasSample => _hasSample;

    /// <summary>
    /// Adds a round-trip sample. Per Karn's algorithm (RFC 6298 section 3) the caller passes only samples
    /// from datagrams that were not retransmitted. Negative or non-finite samples are ignored.
    /// </summary>
    public void AddSample(double rtt)
    {
        if (!(rtt >= 0 && double.IsFinite(rtt)))
        {
            return;
        }

        LatestRtt = rtt;
        if (!_hasSample)
        {
            _hasSample = true;
            SmoothedRtt = rtt;
            RttVariation = rtt / 2;
        }
        else
        {
            RttVariation = ((1 - Beta) * RttVariation) + (Beta * Math.Abs(SmoothedRtt - rtt));
            SmoothedRtt = ((1 - Alpha) * SmoothedRtt) + (Alpha * rtt);
        }

        Rto = Math.Clamp(SmoothedRtt + Math.Max(Granularity, K * RttVariation), MinRto, MaxRto);
    }

    /// <summary>A retransmission timer expired: back off (RFC 6298 5.5), up to <see cref="MaxRto"/>.</summary>
    public void OnTimeout() => Rto = Math.Min(Rto * 2, MaxRto);
}
