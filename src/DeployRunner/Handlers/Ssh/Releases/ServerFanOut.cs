namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>A step run on every server of a release run, at most <c>max-parallel</c> at a time.</summary>
internal static class ServerFanOut
{
    /// <summary>
    /// Runs <paramref name="step"/> on every server; true when it succeeded everywhere. With
    /// <paramref name="failFast"/>, servers not yet started are skipped after a failure. A step
    /// that throws (a fault of the runner's own) fails its server through <paramref name="onFault"/>
    /// and the others still finish. False, without waiting further, once the run is cancelled.
    /// </summary>
    public static async Task<bool> ForEachAsync(
        IReadOnlyList<ServerRelease> servers,
        int maxParallel,
        bool failFast,
        Func<ServerRelease, CancellationToken, Task<bool>> step,
        Action<ServerRelease, Exception> onFault,
        CancellationToken cancellationToken)
    {
        var allGood = true;
        try
        {
            await Parallel.ForEachAsync(servers, new ParallelOptions { MaxDegreeOfParallelism = maxParallel, CancellationToken = cancellationToken }, async (server, token) =>
            {
                if (failFast && !Volatile.Read(ref allGood))
                {
                    server.Failure = new ServerFailure(TargetState.Skipped, "skipped (fail-fast)");
                    return;
                }

                try
                {
                    if (!await step(server, token)) Volatile.Write(ref allGood, false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One server's fault must not end the loop (Parallel.ForEachAsync stops at the
                    // first exception): the server fails, the others finish, and the run decides on
                    // the whole fleet (phase two rolls back every server already switched).
                    Volatile.Write(ref allGood, false);
                    if (!cancellationToken.IsCancellationRequested) onFault(server, e);
                }
            });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return allGood;
    }
}
