namespace Realm.Server.Protocol.Messages;

/// <summary>
/// A client's chat line. Reliable ordered. Wire: scope (byte), target player (varint64; whispers only,
/// 0 otherwise), text (UTF-8, at most <see cref="MaxWireBytes"/>; the server's own cap is lower and a longer
/// line gets an <see cref="ErrorNotice"/> rather than being dropped as malformed).
/// </summary>
internal readonly ref struct ChatSend : IMessage<ChatSend>
{
    public const int MaxWireBytes = 1024;

    public ChatSend(ChatScope scope, long target, ReadOnlySpan<byte> text)
    {
        Scope = scope;
        Target = target;
        Text = text;
    }

    public static byte Id => MessageIds.ChatSend;

    public ChatScope Scope { get; }

    public long Target { get; }

    public ReadOnlySpan<byte> Text { get; }

    public static bool TryRead(scoped ref PacketReader reader, out ChatSend message)
    {
        PacketReader r = reader;
        if (r.TryReadByte(out byte scope) && scope <= (byte)ChatScope.Whisper && r.TryReadVarInt64(out long target)
            && r.TryReadUtf8(MaxWireBytes, out ReadOnlySpan<byte> text))
        {
            reader = r;
            message = new ChatSend((ChatScope)scope, target, text);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer)
    {
        if (Text.Length > MaxWireBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(Text), $"chat text of {Text.Length} bytes exceeds {MaxWireBytes}");
        }

        writer.WriteByte((byte)Scope);
        writer.WriteVarInt64(Target);
        writer.WriteBytes(Text);
    }
}
