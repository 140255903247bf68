import Glibc

/// Runs a program to completion with posix_spawn and waitpid, its output appended to a file.
///
/// Foundation's `Process` is not used: a FUSE mount program forks a daemon and exits, and `Process` was seen to
/// miss that exit (the parent left a zombie and the wait never returned).
enum Spawn {
    /// Runs `program` with `arguments`; standard input is /dev/null, standard output and error go to `logPath`.
    /// Returns the exit status, or -signal when it was killed by one.
    static func run(_ program: String, _ arguments: [String], logPath: String) throws(DeviceError) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let error = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard error == 0 else {
            throw DeviceError(.mount, "cannot run \(program): \(SystemCall.describe(error))", errno: error)
        }
        var status: Int32 = 0
        try SystemCall.retrying(.mount, "waiting for \(program) failed") { waitpid(pid, &status, 0) }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Glibc's Swift module does not expose as functions.
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return -(status & 0x7f)
    }
}
