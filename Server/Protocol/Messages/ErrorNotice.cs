namespace Realm.Server.Protocol.Messages;

/// <summary>A request was refused. Reliable ordered. Wire: code (byte), text (UTF-8, at most <see cref="MaxTextBytes"/>).</summary>
internal readonly ref struct ErrorNotice : IMessage<ErrorNotice>
{
    public const int MaxTextBytes = 128;

    public ErrorNotice(ErrorCode code, ReadOnlySpan<byte> text)
    {
        Code = code;
        Text = text;
    }

    public static byte Id => MessageIds.ErrorNotice;

    public ErrorCode Code { get; }

    public ReadOnlySpan<byte> Text { get; }

    public static bool TryRead(scoped ref PacketReader reader, out ErrorNotice message)
    {
        PacketReader r = reader;
        if (r.TryReadByte(out byte code) && r.TryReadUtf8(MaxTextBytes, out ReadOnlySpan<byte> text))
        {
            reader = r;
            message = new ErrorNotice((ErrorCode)code, text);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer)
    {
        if (Text.Length > MaxTextBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(Text), $"error text of {Text.Length} bytes exceeds {MaxTextBytes}");
        }

        writer.WriteByte((byte)Code);
        writer.WriteBytes(Text);
    }
}
