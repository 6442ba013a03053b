using System.Globalization;

namespace Realm.LoadTester.Game;

/// <summary>The kernel's UDP counters from <c>/proc/net/snmp</c> (Linux): datagrams dropped for a full receive buffer.</summary>
internal static class KernelUdpCounters
{
    /// <summary><c>Udp: RcvbufErrors</c>, or −1 where the file is missing (not Linux).</summary>
    public static long ReceiveBufferErrors()
    {
        const string path = "/proc/net/snmp";
        if (!File.Exists(path))
        {
            return -1;
        }

        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            if (!lines[i].StartsWith("Udp: ", StringComparison.Ordinal) || !lines[i + 1].StartsWith("Udp: ", StringComparison.Ordinal))
            {
                continue;
            }

            string[] names = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string[] values = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int column = Array.IndexOf(names, "RcvbufErrors");
            if (column > 0 && column < values.Length)
            {
                return long.Parse(values[column], CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }
}
