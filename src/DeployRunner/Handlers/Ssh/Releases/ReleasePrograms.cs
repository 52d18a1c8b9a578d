namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// The runner's own bash programs on the servers. The layout under the deploy path:
/// <c>releases/NAME/</c>, <c>releases/.partial-NAME/</c> while uploading (a name no rollback or
/// switch ever picks), <c>current -&gt; releases/NAME</c> (relative, so the deploy path can move),
/// and <c>.deploy-runner/</c> with the ordering log <c>releases.log</c> and one manifest per release.
/// Every value arrives as a positional argument.
/// </summary>
internal static class ReleasePrograms
{
    /// <summary>
    /// $1 root, $2 name: the first lines of every program that writes the release during phase
    /// one (the lists, <see cref="Begin"/>, the tar stream, <see cref="Finish"/>). A stop's clean-up
    /// (<see cref="Abort"/>) must end them all before it removes what they made, including one whose
    /// exec request was sent before the stop but which starts after the clean-up has begun: without
    /// this, a late <see cref="Begin"/> made <c>releases/.partial-NAME</c> again behind the clean-up.
    /// The program writes its pid (its process group's: sshd starts it as a session leader, and
    /// <c>exec bash</c> keeps that pid) to <c>.deploy-runner/NAME.pids</c>, then checks for the
    /// stop's mark <c>.deploy-runner/stopped-NAME</c>; the clean-up writes the mark, then reads
    /// the pids. Whatever the interleaving, a program either sees the mark and leaves, or the
    /// clean-up sees its pid and kills its group. The check runs before and after the pid is
    /// written, so a program that starts after the mark leaves no pid file behind.
    /// </summary>
    public const string Enter = """
        meta="$1/.deploy-runner"
        stopped() { [ ! -e "$meta/stopped-$2" ] || { rm -f -- "$meta/$2.pids"; echo "this release was stopped on the server (a stop's clean-up ran)"; exit 7; }; }
        stopped "$1" "$2"
        printf '%s\n' "$$" >> "$meta/$2.pids" 2>/dev/null || true
        stopped "$1" "$2"

        """;

    /// <summary>The release log's size, at most, when it is read back (about 100,000 deploys; the runner reads it whole).</summary>
    public const long MaxLogBytes = 8L * 1024 * 1024;

    /// <summary>
    /// $1 deploy path. Prints the resolved root, the current release, the release folders, the
    /// log, whether tar is there; with $2, the current release's manifest and its symbolic links
    /// (a script may link a folder to shared/: a file under it is not the release's own, so it is
    /// sent, never copied through the link). The files it prints
    /// are checked against their limits first, so a server says which file is too big instead of
    /// the runner reading it into memory (the runner bounds the answer too: <see cref="RemoteShell"/>).
    /// </summary>
    public static readonly string Inspect = $$"""
        set -e
        mkdir -p -- "$1/releases" "$1/.deploy-runner"
        cd -- "$1"
        too_big() {
          local size
          [ -f "$1" ] || return 0
          size=$(wc -c < "$1")
          [ "$size" -le "$2" ] && return 0
          echo "$(pwd -P)/$1 is $size bytes, over the runner's limit of $2 bytes for this file: $3"
          exit 5
        }
        too_big .deploy-runner/releases.log {{MaxLogBytes}} "keep its newest lines (tail -n 10000 into a new file, then mv it over the old one) or move it away"
        printf 'root\t%s\n' "$(pwd -P)"
        cur=
        if [ -L current ]; then
          link=$(readlink current); cur=${link%/}; cur=${cur##*/}
          # A link to anything but a folder in releases/ (a legacy folder, a link elsewhere) would
          # be switched away from and never found again by a rollback: refuse it before anything.
          if [ -z "$cur" ] || [ ! -d "releases/$cur" ] || [ "$(cd -P -- current 2>/dev/null && pwd -P)" != "$(pwd -P)/releases/$cur" ]; then
            echo "current points outside releases/ (to '$link' in $(pwd -P)): move that folder into releases/ and point current at it, or remove current; then deploy again."
            exit 3
          fi
          printf 'current\t%s\n' "$cur"
        elif [ -e current ]; then
          echo "$(pwd -P)/current exists but is not a symbolic link: move it away, releases manage current as a link."
          exit 3
        fi
        for d in releases/*/ releases/.partial-*/; do
          [ -d "$d" ] || continue
          d=${d%/}; printf 'dir\t%s\n' "${d#releases/}"
        done
        if [ -f .deploy-runner/releases.log ]; then sed 's/^/log\t/' .deploy-runner/releases.log; fi
        if command -v tar >/dev/null 2>&1; then printf 'tool\ttar\n'; fi
        if [ -n "$2" ] && [ -n "$cur" ] && [ -d "releases/$cur" ] && [ -f ".deploy-runner/$cur.manifest" ]; then
          too_big ".deploy-runner/$cur.manifest" {{UploadSet.MaxManifestBytes}} "the runner never writes one that big; remove it (the next release is then sent whole)"
          sed 's/^/manifest\t/' ".deploy-runner/$cur.manifest"
          (cd -- "releases/$cur" && find . -type l -printf 'symlink\t%P\n' | head -n 100000)
        fi
        """;

    /// <summary>
    /// $1 root, $2 name, $3 base release or empty. Starts <c>releases/.partial-NAME</c>: the
    /// folders (list .deploy-runner/NAME.dirs), and copies of the base release's unchanged files
    /// (list NAME.link) made on the server, so only changed files are sent. Copies, not hard
    /// links: <c>script</c>, <c>after-switch</c> and the app itself write in the release (a
    /// <c>&gt; .env</c>, a <c>chmod</c>, a runtime opening a file in place), and through a shared
    /// inode that write would change <c>current</c> and every older release at once. Read-only
    /// links do not stop it (the owner may <c>chmod u+w</c>, root ignores modes). <c>--reflink=auto</c>
    /// makes the copy copy-on-write where the filesystem has it (Btrfs, XFS, ZFS 2.2): no data
    /// copied and no space used until a write; elsewhere (ext4) a full copy, on the server's disk.
    /// The server checks again what the runner checked (<see cref="ReleasePath"/>): every listed
    /// path is relative and made of plain parts, so <c>mkdir -p</c>, <c>cp</c> and <c>chmod</c> stay
    /// inside the partial release; nothing is copied through a symbolic link of the base release
    /// (<c>-P</c>, and a linked folder is refused); and once it is built, the partial release holds
    /// no symbolic link, because the uploads that follow resolve their paths on the server (SFTP's
    /// REALPATH, tar's open) and would follow it out.
    /// </summary>
    public const string Begin = Enter + """
        set -e
        cd -- "$1"
        name=$2
        partial="releases/.partial-$name"
        refuse() { printf '%s\n' "$1"; exit 6; }
        for list in dirs link exec; do
          f=".deploy-runner/$name.$list"
          [ -f "$f" ] || continue
          bad=$(tr '\0' '\n' < "$f" | LC_ALL=C grep -a -n -m1 -E '^$|^/|(^|/)\.{1,2}(/|$)|//|/$|\\' || true)
          [ -z "$bad" ] || refuse "refused: the runner's list $f names (line:entry) $(printf '%q' "$bad"), which is not a plain path inside the release"
        done
        rm -rf -- "$partial" "releases/$name"
        mkdir -- "$partial"
        (cd -- "$partial" && xargs -0 -r -a "../../.deploy-runner/$name.dirs" mkdir -p --)
        if [ -n "$3" ] && [ -s ".deploy-runner/$name.link" ]; then
          while IFS= read -r -d '' p; do
            while [[ $p == */* ]]; do
              p=${p%/*}
              [ ! -L "releases/$3/$p" ] || refuse "refused: releases/$3/$(printf '%q' "$p") is a symbolic link, and files under it would be copied through it; deploy again (the runner then sends those files)"
            done
          done < ".deploy-runner/$name.link"
        fi
        if [ -n "$3" ] && [ -s ".deploy-runner/$name.link" ]; then
          (cd -- "releases/$3" && xargs -0 -r -a "../../.deploy-runner/$name.link" cp --reflink=auto -p -P --parents -t "../.partial-$name" --)
        fi
        link=$(find "$partial" -type l -print -quit)
        if [ -n "$link" ]; then
          rm -rf -- "$partial"
          refuse "refused: $(printf '%q' "$link") is a symbolic link (copied from releases/$3, which was changed on the server); uploads into the new release could follow it out. Remove the link from releases/$3, or remove its manifest .deploy-runner/$3.manifest so the next release is sent whole"
        fi
        """;

    /// <summary>$1 root, $2 name. Exec bits (SFTP creates files without them), the manifest staged with the lists takes its name, then the partial release gets its real name and a log line.</summary>
    public const string Finish = Enter + """
        set -e
        cd -- "$1"
        name=$2
        (cd -- "releases/.partial-$name" && xargs -0 -r -a "../../.deploy-runner/$name.exec" chmod +x --)
        if [ -f ".deploy-runner/$name.manifest-new" ]; then mv -f -- ".deploy-runner/$name.manifest-new" ".deploy-runner/$name.manifest"; fi
        mv -T -- "releases/.partial-$name" "releases/$name"
        rm -f -- ".deploy-runner/$name.link" ".deploy-runner/$name.dirs" ".deploy-runner/$name.exec" ".deploy-runner/$name.pids"
        printf '%s\tuploaded\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" >> .deploy-runner/releases.log
        """;

    /// <summary>
    /// $1 root, $2 name. The atomic switch: a new link under a temporary name in the same folder,
    /// renamed over <c>current</c> by rename(2) (GNU <c>mv -T</c>, BSD <c>mv -h</c>; plain
    /// <c>mv</c> would follow the old link, and <c>ln -sfn</c> leaves a moment without current).
    /// </summary>
    public const string Switch = """
        set -e
        cd -- "$1"
        name=$2
        [ -d "releases/$name" ] || { echo "release $name is missing on this server"; exit 3; }
        if [ -e current ] && [ ! -L current ]; then echo "$(pwd -P)/current is not a symbolic link"; exit 3; fi
        tmp=".current.$$.tmp"
        rm -f -- "$tmp"
        ln -s -- "releases/$name" "$tmp"
        if ! mv -T -- "$tmp" current 2>/dev/null && ! mv -h -- "$tmp" current 2>/dev/null; then
          rm -f -- "$tmp"
          echo "could not rename the new link over current (this server's mv knows neither -T nor -h, or the folder is not writable)"
          exit 4
        fi
        printf '%s\tlive\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" >> .deploy-runner/releases.log
        """;

    /// <summary>
    /// $1 root, $2 owner (deployment and a per-run token), $3 seconds the run may still last. One
    /// run at a time per deploy path: <c>mkdir</c> is atomic, so of two runs exactly one gets
    /// <c>.deploy-runner/lock</c>; the other is refused before it writes anything (its pruning
    /// could otherwise remove the first run's partial release). The owner writes when its lock
    /// goes stale (its own timeout plus the stop budget, on this server's clock): a run killed
    /// before it could unlock blocks the next one only until then. A lock folder without that file
    /// (a run killed between the two steps) is stale after ten minutes.
    /// </summary>
    public const string Lock = """
        cd -- "$1/.deploy-runner"
        now=$(date +%s)
        if ! mkdir lock 2>/dev/null; then
          owner=$(head -c 300 lock/owner 2>/dev/null || true)
          until=$(head -c 20 lock/until 2>/dev/null || true)
          case "$until" in ''|*[!0-9]*) until=;; esac
          if { [ -n "$until" ] && [ "$until" -lt "$now" ]; } || { [ -z "$until" ] && [ -n "$(find lock -maxdepth 0 -mmin +10)" ]; }; then
            printf 'stale\t%s\n' "${owner:-unknown}"
            rm -rf -- lock
            mkdir lock 2>/dev/null || { echo "another run took $(pwd -P)/lock just now"; exit 5; }
          else
            echo "another run holds $(pwd -P)/lock (${owner:-owner not written yet}${until:+, stale after $(date -u -d "@$until" +%H:%M:%SZ 2>/dev/null || echo "$until")}); two runs must not change the same servers at once: use a concurrency group per environment, or remove that folder if no run is going on."
            exit 5
          fi
        fi
        printf '%s\n' "$2" > lock/owner
        printf '%s\n' "$((now + $3))" > lock/until
        # An earlier run's stop marks and pid lists are its own: with the lock held, no program of
        # that run is left to fence off, and a retry of the same release must not find its mark.
        rm -f -- ./stopped-* ./*.pids
        # What an earlier stop's clean-up set aside and had not finished removing.
        for d in ./.removing-*; do
          [ -d "$d" ] && { rm -rf -- "$d" </dev/null >/dev/null 2>&1 & }
        done
        true
        """;

    /// <summary>$1 root, $2 owner: the lock goes, only if it is still this run's.</summary>
    public const string Unlock = """
        cd -- "$1/.deploy-runner" || exit 0
        if [ "$(head -c 300 lock/owner 2>/dev/null)" = "$2" ]; then rm -rf -- lock; fi
        """;

    /// <summary>$1 root, $2 event (failed, rolled-back), $3 name: one line in the ordering log.</summary>
    public const string Mark = """
        printf '%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$2" "$3" >> "$1/.deploy-runner/releases.log"
        """;

    /// <summary>$1 root, then release names: their folders and manifests go.</summary>
    public const string Prune = """
        set -e
        cd -- "$1"
        shift
        for n in "$@"; do
          rm -rf -- "releases/$n"
          rm -f -- ".deploy-runner/$n.manifest"
        done
        """;

    /// <summary>
    /// $1 root, $2 name: a cancelled upload's partial release is removed. First the stop's mark
    /// (<see cref="Enter"/>), so that no program of this release starts writing from now on; then
    /// every program that did start is killed with its process group (Begin's <c>xargs</c> and
    /// <c>cp</c>, the tar unpacking what it had received): otherwise it writes behind the removal and
    /// the folder comes back. A pid is killed only while its command line still names this
    /// release, so a pid reused by another program is left alone. KILL, not TERM and a wait: the
    /// upload is being thrown away. Then the folder is renamed aside into <c>.deploy-runner/</c>
    /// (one rename, however big the upload was, so it is out of <c>releases/</c> within the stop
    /// budget) and deleted there in the background; the next run's <see cref="Lock"/> finishes a
    /// deletion that did not. A release that a <see cref="Finish"/> already under way gave its
    /// real name goes too, unless it is live (it cannot be in phase one; the check is cheap).
    /// </summary>
    public const string Abort = """
        cd -- "$1" || exit 3
        meta=.deploy-runner
        name=$2
        : > "$meta/stopped-$name"
        if [ -f "$meta/$name.pids" ]; then
          killed=
          for pid in $(grep -E '^[0-9]+$' "$meta/$name.pids" | sort -u); do
            [ "$pid" != $$ ] || continue
            if [ -r "/proc/$pid/cmdline" ]; then args=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null); else args=$(ps -o args= -p "$pid" 2>/dev/null); fi
            case "$args" in
              *" $name"*) kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; killed=1 ;;
            esac
          done
          # A system call under way when the signal lands still ends; give it that moment.
          [ -z "$killed" ] || sleep 0.05
          rm -f -- "$meta/$name.pids"
        fi
        doomed=("releases/.partial-$name")
        live=$(readlink current 2>/dev/null || true)
        if [ "${live%/}" != "releases/$name" ]; then doomed+=("releases/$name"); rm -f -- "$meta/$name.manifest"; fi
        n=0
        for d in "${doomed[@]}"; do
          [ -d "$d" ] || continue
          n=$((n + 1))
          aside="$meta/.removing-$name.$$.$n"
          mv -T -- "$d" "$aside" || exit 4
          { rm -rf -- "$aside" </dev/null >/dev/null 2>&1 & }
        done
        rm -f -- "$meta/$name.link" "$meta/$name.dirs" "$meta/$name.exec" "$meta/$name.manifest-new"
        """;
}
