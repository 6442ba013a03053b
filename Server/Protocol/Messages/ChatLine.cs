namespace Realm.Server.Protocol.Messages;

/// <summary>
/// A chat line delivered to a client. Reliable ordered. Wire: scope (byte), sender player (varint64),
/// sender name (UTF-8, at most 32), text (UTF-8, at most <see cref="ChatSend.MaxWireBytes"/>).
/// </summary>
internal readonly ref struct ChatLine : IMessage<ChatLine>
{
    public ChatLine(ChatScope scope, long from, ReadOnlySpan<byte> fromName, ReadOnlySpan<byte> text)
    {
        Scope = scope;
        From = from;
        FromName = fromName;
        Text = text;
    }

    public static byte Id => MessageIds.ChatLine;

    public ChatScope Scope { get; }

    public long From { get; }

    public ReadOnlySpan<byte> FromName { get; }

    public ReadOnlySpan<byte> Text { get; }

    public static bool TryRead(scoped ref PacketReader reader, out ChatLine message)
    {
        PacketReader r = reader;
        if (r.TryReadByte(out byte scope) && scope <= (byte)ChatScope.Whisper && r.TryReadVarInt64(out long from)
            && r.TryReadUtf8(EntityEnter.MaxNameBytes, out ReadOnlySpan<byte> name) && r.TryReadUtf8(ChatSend.MaxWireBytes, out ReadOnlySpan<byte> text))
        {
            reader = r;
            message = new ChatLine((ChatScope)scope, from, name, text);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer)
    {
        if (FromName.Length > EntityEnter.MaxNameBytes || Text.Length > ChatSend.MaxWireBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(Text), "chat line name or text over its cap");
        }

        writer.WriteByte((byte)Scope);
        writer.WriteVarInt64(From);
        writer.WriteBytes(FromName);
        writer.WriteBytes(Text);
    }
}
