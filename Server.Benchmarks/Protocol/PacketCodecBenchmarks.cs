using System.Numerics;
using BenchmarkDotNet.Attributes;
using Realm.Server.Protocol;

namespace Realm.Server.Benchmarks.Protocol;

/// <summary>
/// Question: what does writing and reading one small game message cost with Realm's codec, against
/// the obvious BCL alternative (BinaryWriter/BinaryReader over a reused MemoryStream)? The message is a
/// movement-input shape: sequence, client tick, position, a flag and a short string.
/// </summary>
[MemoryDiagnoser]
public class PacketCodecBenchmarks
{
    private const float Scale = 100f;

    private readonly byte[] _buffer = new byte[256];
    private readonly MemoryStream _stream = new(256);
    private BinaryWriter _binaryWriter = null!;
    private BinaryReader _binaryReader = null!;
    private Vector3 _position;

    [GlobalSetup]
    public void Setup()
    {
        _binaryWriter = new BinaryWriter(_stream, System.Text.Encoding.UTF8, leaveOpen: true);
        _binaryReader = new BinaryReader(_stream, System.Text.Encoding.UTF8, leaveOpen: true);
        _position = new Vector3(123.45f, -6.5f, 789.01f);
        if (BinaryWriterReader() != RealmWriterReader())
        {
            throw new InvalidOperationException("the two codecs disagree on the decoded message");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _binaryWriter.Dispose();
        _binaryReader.Dispose();
        _stream.Dispose();
    }

    [Benchmark(Baseline = true)]
    public long BinaryWriterReader()
    {
        _stream.Position = 0;
        _binaryWriter.Write(1234u);
        _binaryWriter.Write(98_765L);
        _binaryWriter.Write(_position.X);
        _binaryWriter.Write(_position.Y);
        _binaryWriter.Write(_position.Z);
        _binaryWriter.Write(true);
        _binaryWriter.Write("run");
        _binaryWriter.Flush();
        _stream.Position = 0;
        uint sequence = _binaryReader.ReadUInt32();
        long tick = _binaryReader.ReadInt64();
        float x = _binaryReader.ReadSingle();
        _ = _binaryReader.ReadSingle();
        _ = _binaryReader.ReadSingle();
        bool flag = _binaryReader.ReadBoolean();
        string action = _binaryReader.ReadString();
        return sequence + tick + (long)x + (flag ? 1 : 0) + action.Length;
    }

    [Benchmark]
    public long RealmWriterReader()
    {
        var writer = new PacketWriter(_buffer);
        writer.WriteVarUInt32(1234u);
        writer.WriteVarInt64(98_765L);
        writer.WriteFixedVector3(_position, Scale);
        writer.WriteBool(true);
        writer.WriteString("run", 32);
        var reader = new PacketReader(writer.Written);
        long result = 0;
        if (reader.TryReadVarUInt32(out uint sequence)
            && reader.TryReadVarInt64(out long tick)
            && reader.TryReadFixedVector3(Scale, out Vector3 position)
            && reader.TryReadBool(out bool flag)
            && reader.TryReadUtf8(32, out ReadOnlySpan<byte> action))
        {
            result = sequence + tick + (long)position.X + (flag ? 1 : 0) + action.Length;
        }

        writer.Dispose();
        return result;
    }
}
