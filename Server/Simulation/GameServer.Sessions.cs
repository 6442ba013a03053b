using System.Text;
using Realm.Data.Ownership;
using Realm.Server.Net.Transport;
using Realm.Server.Protocol;
using Realm.Server.Protocol.Messages;
using Realm.Server.Simulation.Sessions;
using Realm.Server.Simulation.World;

namespace Realm.Server.Simulation;

/// <summary>Logins, the ownership claim, duplicate logins, logout and the final save.</summary>
internal sealed partial class GameServer
{
    private ConnectDecision OnConnectRequest(in ConnectRequest request)
    {
        _pendingIdentity = null;
        if (!_accepting)
        {
            return ConnectDecision.Reject("server shutting down"u8);
        }

        var reader = new PacketReader(request.Data);
        if (!Message.TryRead(ref reader, out LoginRequest login) || !reader.IsAtEnd)
        {
            return ConnectDecision.Reject("bad login data"u8);
        }

        if (login.Version != LoginRequest.CurrentVersion)
        {
            return ConnectDecision.Reject("protocol version 1 required"u8);
        }

        if (!_authenticator.TryAuthenticate(login.Token, out PlayerIdentity? identity, out string? reason))
        {
            return ConnectDecision.Reject(Encoding.UTF8.GetBytes(reason!));
        }

        bool replacing = _byPlayer.TryGetValue(identity!.PlayerId, out Session? existing);
        if (replacing && existing!.State == SessionState.Claiming)
        {
            return ConnectDecision.Reject("login already in progress"u8);
        }

        if (!replacing && _byPeer.Count >= _options.MaxPlayers)
        {
            return ConnectDecision.Reject("server full"u8);
        }

        _pendingIdentity = identity; // OnConnected follows at once, on this thread
        return ConnectDecision.Accept();
    }

    private void OnConnected(NetPeer peer)
    {
        PlayerIdentity identity = _pendingIdentity!;
        _pendingIdentity = null;
        var session = new Session(peer, identity);
        _byPeer[peer.Id] = session;

        if (_byPlayer.TryGetValue(identity.PlayerId, out Session? older))
        {
            // The same player again on this server: the newer login wins, and takes the ownership (and the
            // in-memory state, which is newer than the database's) with it; no second claim.
            PlayerOwner owner = older.Owner!;
            int zone = older.Entity?.Zone?.Id ?? owner.Loaded.Zone;
            int x = older.Entity?.X ?? owner.Loaded.X;
            int y = older.Entity?.Y ?? owner.Loaded.Y;
            older.Owner = null;
            Kick(older, "logged in elsewhere");
            _byPlayer[identity.PlayerId] = session;
            session.Owner = owner;
            Spawn(session, zone, x, y);
            return;
        }

        _byPlayer[identity.PlayerId] = session;
        int peerId = peer.Id;
        Track(Task.Run(async () =>
        {
            ClaimResult result;
            try
            {
                result = await _ownership.ClaimAsync(identity.PlayerId, identity.Name).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                result = new ClaimResult(ClaimStatus.Unavailable, null, "login service unavailable, try again");
                GameLog.LoginRefused(_logger, identity.PlayerId, e.Message);
            }

            await PostAsync(new InboxItem(InboxKind.ClaimDone, peerId, result)).ConfigureAwait(false);
        }));
    }

    private void OnClaimDone(int peerId, ClaimResult result)
    {
        if (!_byPeer.TryGetValue(peerId, out Session? session) || session.State != SessionState.Claiming)
        {
            // Gone while the claim ran: give the player back at once (nothing changed, nothing to save).
            if (result.Owner is { } orphan)
            {
                Track(orphan.DisposeAsync().AsTask());
            }

            return;
        }

        if (result.Status != ClaimStatus.Owned)
        {
            GameLog.LoginRefused(_logger, session.Identity.PlayerId, result.Reason!);
            Kick(session, result.Reason!);
            return;
        }

        PlayerOwner owner = result.Owner!;
        session.Owner = owner;
        owner.Ended.Register(static state =>
        {
            (GameServer server, int id, PlayerOwner o) = ((GameServer, int, PlayerOwner))state!;
            _ = server.PostAsync(new InboxItem(InboxKind.OwnershipEnded, id, o.EndReason ?? "ownership lost"));
        }, (this, peerId, owner));
        if (owner.Loaded.X == 0 && owner.Loaded.Y == 0)
        {
            (int zone, int x, int y) = SpawnPoint(session.Identity.PlayerId);
            Spawn(session, zone, x, y);
        }
        else
        {
            Spawn(session, owner.Loaded.Zone, owner.Loaded.X, owner.Loaded.Y);
        }
    }

    /// <summary>A new player's spawn: zone 0, a point near the centre fixed per player id (its stable hash).</summary>
    private (int Zone, int X, int Y) SpawnPoint(long playerId)
    {
        const int zone = 0;
        int size = _zones[zone].Size;
        int radius = _options.SpawnRadius < 0 ? size / 2 : Math.Min(_options.SpawnRadius, size / 2);
        if (radius == 0)
        {
            return (zone, size / 2, size / 2);
        }

        ulong hash = Data.Routing.StableHash.Hash(playerId);
        int span = (2 * radius) + 1;
        int x = Math.Clamp((size / 2) - radius + (int)((uint)hash % (uint)span), 0, size - 1);
        int y = Math.Clamp((size / 2) - radius + (int)((uint)(hash >> 32) % (uint)span), 0, size - 1);
        return (zone, x, y);
    }

    /// <summary>
    /// Puts a player into the world without a login or an ownership claim (nothing is saved for it), on the
    /// calling thread. For benchmarks and tests that drive <see cref="Tick"/> themselves, never while the
    /// logic thread runs.
    /// </summary>
    internal Entity JoinWithoutClaim(ISessionLink link, PlayerIdentity identity, int zone, int x, int y)
    {
        var session = new Session(link, identity);
        _byPeer[link.Id] = session;
        _byPlayer[identity.PlayerId] = session;
        Spawn(session, zone, x, y);
        return session.Entity!;
    }

    private void Spawn(Session session, int zoneId, int x, int y)
    {
        Zone zone = zoneId >= 0 && zoneId < _zones.Length ? _zones[zoneId] : _zones[0];
        if (!zone.Contains(x, y))
        {
            (x, y) = (zone.Size / 2, zone.Size / 2); // a stored position that no longer fits the zone
        }

        var entity = new Entity(++_nextEntityId, session) { X = x, Y = y, TargetX = x, TargetY = y };
        session.Entity = entity;
        session.State = SessionState.Playing;
        SendReliable(session, new Welcome(entity.Id, session.Identity.PlayerId, (uint)zone.Id, x, y, (uint)_options.TickRate, (uint)_options.CellSize, (ulong)_tick));
        EnterZone(entity, zone);
        GameLog.Joined(_logger, session.Identity.PlayerId, session.Identity.Name, zone.Id, entity.Id);
    }

    private void OnDisconnected(NetPeer peer, DisconnectReason reason)
    {
        if (!_byPeer.Remove(peer.Id, out Session? session))
        {
            return;
        }

        if (session.Entity is { Zone: { } zone } entity)
        {
            LeaveZone(entity, zone);
        }

        if (_byPlayer.TryGetValue(session.Identity.PlayerId, out Session? current) && ReferenceEquals(current, session))
        {
            _byPlayer.Remove(session.Identity.PlayerId);
        }

        session.State = SessionState.Closing;
        string why = reason.ToString();
        GameLog.Left(_logger, session.Identity.PlayerId, why);
        if (session.Owner is { } owner)
        {
            session.Owner = null;
            Entity? e = session.Entity;
            PlayerState state = e is null
                ? new PlayerState(owner.Loaded.Zone, owner.Loaded.X, owner.Loaded.Y, owner.Loaded.Gold)
                : new PlayerState(e.Zone?.Id ?? owner.Loaded.Zone, e.X, e.Y, owner.Loaded.Gold);
            Track(SaveAndReleaseAsync(owner, state));
        }
    }

    /// <summary>The logout save with the owner's fencing token, then the lock is released; a failure is retried, then reported.</summary>
    private async Task SaveAndReleaseAsync(PlayerOwner owner, PlayerState state)
    {
        await using (owner.ConfigureAwait(false))
        {
            for (int attempt = 1; ; attempt++)
            {
                SaveResult result = await _ownership.SaveAsync(owner, state).ConfigureAwait(false);
                if (result.Outcome == SaveOutcome.Saved)
                {
                    return;
                }

                if (result.Outcome == SaveOutcome.StaleOwner || attempt == 3)
                {
                    GameLog.SaveProblem(_logger, owner.PlayerId, result.Outcome.ToString(), result.Error);
                    return;
                }

                await Task.Delay(200 * attempt).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Ends a session with a reason the client receives; its logout (and save) follows from the disconnect event.</summary>
    private void Kick(Session session, string reason)
    {
        if (session.State == SessionState.Closing)
        {
            return;
        }

        GameLog.Kicked(_logger, session.Identity.PlayerId, reason);
        session.State = SessionState.Closing;
        Span<byte> text = stackalloc byte[Encoding.UTF8.GetMaxByteCount(reason.Length)];
        int length = Encoding.UTF8.GetBytes(reason, text);
        session.Peer.Disconnect(text[..Math.Min(length, 100)]);
    }

    private void Track(Task task)
    {
        lock (_saves)
        {
            _saves.RemoveAll(static t => t.IsCompleted);
            _saves.Add(task);
        }
    }
}
