namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>How the changed files of one upload travelled.</summary>
internal enum UploadRoute
{
    /// <summary>File by file over SFTP, next to the unchanged files copied on the server (a few files changed).</summary>
    Sftp,

    /// <summary>One tar stream over exec (a first release, or most files changed).</summary>
    TarStream,

    /// <summary>File by file over SFTP where a tar stream would have been used, because the server has no <c>tar</c>.</summary>
    SftpWithoutTar,
}
