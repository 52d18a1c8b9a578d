namespace DeployRunner.Locking;

/// <summary>What an environment's lock says about one deployment to it.</summary>
internal abstract record LockVerdict
{
    private LockVerdict()
    {
    }

    /// <summary>No lock (or only an expired one).</summary>
    public sealed record Free : LockVerdict;

    /// <summary>Locked by the deployment's own owner: it goes ahead.</summary>
    public sealed record OwnersOwn(EnvironmentLock Lock) : LockVerdict;

    /// <summary>Locked by someone else (or by an unreadable lock): the deployment is refused.</summary>
    public sealed record Locked(EnvironmentLock Lock, string Description) : LockVerdict;

    /// <summary>
    /// The lock could not be read (a malformed answer, a missing permission, no answer after the
    /// retries): refused, never run blind. <see cref="Unreachable"/> when GitHub did not answer
    /// at all (a server error or a lost answer after every retry): a status would not get through either.
    /// </summary>
    public sealed record CheckFailed(string Message, bool Unreachable) : LockVerdict;

    /// <summary>No token (a local run): nothing to ask.</summary>
    public sealed record NotChecked : LockVerdict;
}
