namespace Realm.Server.Net.Fragmentation;

/// <summary>Outcome of <see cref="FragmentReassembler.Add"/>.</summary>
internal enum ReassemblyStatus
{
    /// <summary>Stored; the message still misses fragments.</summary>
    Incomplete,

    /// <summary>This fragment completed the message, which is handed out.</summary>
    Completed,

    /// <summary>This fragment was already stored; ignored.</summary>
    Duplicate,

    /// <summary>The message would exceed the maximum message size; dropped.</summary>
    TooLarge,

    /// <summary>Count, index, total length or fragment length do not fit together, or differ from earlier fragments of the group; dropped.</summary>
    Inconsistent,

    /// <summary>The limit of incomplete messages is reached; dropped.</summary>
    TooManyIncomplete,

    /// <summary>Storing it would exceed the reassembly memory budget; dropped.</summary>
    OverBudget,
}
