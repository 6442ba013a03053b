namespace Realm.Server.Protocol.Messages;

/// <summary>
/// The connect data of a game client, carried by the transport's connect request. Wire: id, protocol
/// version (uint16), token (UTF-8, at most <see cref="MaxTokenBytes"/>).
/// </summary>
internal readonly ref struct LoginRequest : IMessage<LoginRequest>
{
    /// <summary>The protocol this server speaks; a client with another version is refused.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>Longest token accepted (the transport's connect data is 128 bytes in all).</summary>
    public const int MaxTokenBytes = 96;

    public LoginRequest(ushort version, ReadOnlySpan<byte> token)
    {
        Version = version;
        Token = token;
    }

    public static byte Id => MessageIds.Login;

    public ushort Version { get; }

    /// <summary>UTF-8 token; for the development authenticator <c>playerId:name</c>.</summary>
    public ReadOnlySpan<byte> Token { get; }

    public static bool TryRead(scoped ref PacketReader reader, out LoginRequest message)
    {
        PacketReader r = reader;
        if (r.TryReadUInt16(out ushort version) && r.TryReadUtf8(MaxTokenBytes, out ReadOnlySpan<byte> token))
        {
            reader = r;
            message = new LoginRequest(version, token);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer)
    {
        if (Token.Length > MaxTokenBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(Token), $"login token of {Token.Length} bytes exceeds {MaxTokenBytes}");
        }

        writer.WriteUInt16(Version);
        writer.WriteBytes(Token);
    }
}
