import ArgumentParser
import CustodyManifest
import Foundation

/// `custody follow`: the reference consumer of a station's feed (docs/http.md "Following the feed", Art 28). It
/// verifies each checkpoint's signature and its consistency with the one it stored (RFC 9162 §2.1.4), checks every
/// entry's leaf hash and inclusion, prints entries as JSON lines, and stops loudly on a fork, keeping both
/// checkpoints as evidence.
struct FollowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow",
        abstract: "Follow a station's manifest feed, verifying every checkpoint and entry.",
        discussion: """
            Prints each new entry once, verified, as a JSON line: {"entry":{…},"index":I,"leaf":"hex"}.
            The state file holds the last verified checkpoint; it is replaced only after every entry up to it was
            printed. Exit status: 0 with --once when up to date; 1 network or usage error; 3 the log FORKED (the
            conflicting checkpoint is kept as STATE.fork-SIZE.txt beside the state file); 4 the station served
            something that does not verify.
            """)

    @ParentCommand var custody: CustodyCommand

    @Argument(help: "The station's base URL, e.g. http://127.0.0.1:8440.")
    var url: String

    @Option(help: "The station's verifier key (`custody verifier-key` on the station prints it).")
    var key: String

    @Option(help: "The file holding the last verified checkpoint; created on the first run.")
    var state: String

    @Option(help: "The bearer token (default: $CUSTODY_TOKEN). Prefer the variable: arguments show in ps.")
    var token: String?

    @Flag(help: "Poll once and exit instead of following.")
    var once = false

    @Option(help: "Seconds between polls when following.")
    var interval: Double = 10

    @Option(help: "Entries asked for per page (1 to 1000).")
    var pageSize: Int = 1000

    /// The exit status of a fork: a validly signed checkpoint that does not extend the stored one.
    static let forkStatus: Int32 = 3
    /// The exit status of a response that does not verify.
    static let rejectedStatus: Int32 = 4

    func validate() throws {
        guard (1...1000).contains(pageSize) else { throw ValidationError("--page-size must be between 1 and 1000") }
        guard interval > 0 else { throw ValidationError("--interval must be above 0") }
        guard let base = URL(string: url), ["http", "https"].contains(base.scheme ?? ""), base.host != nil else {
            throw ValidationError("\(url) is not an http(s) URL; give the station's base URL, e.g. http://127.0.0.1:8440")
        }
    }

    func run() throws {
        let verifier = try manifest { () throws(ManifestError) in try NoteVerifier(verifierKey: key) }
        let stateFile = FollowState(url: URL(fileURLWithPath: state))
        let client = FeedClient(
            base: URL(string: url)!, token: token ?? ProcessInfo.processInfo.environment["CUSTODY_TOKEN"])
        while true {
            do {
                try poll(client, verifier, stateFile)
            } catch let failure as FeedClient.Failure {
                if once { throw CLIError(failure.description) }
                printError("custody follow: \(failure.description); trying again in \(interval) s")
            }
            if once { return }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// One poll: runs the follower to the end, printing verified entries as they come, then stores the checkpoint.
    private func poll(_ client: FeedClient, _ verifier: NoteVerifier, _ stateFile: FollowState) throws {
        var follower: FeedFollower
        do {
            follower = try FeedFollower(verifier: verifier, storedNote: try stateFile.load(), pageSize: pageSize)
            while let request = follower.next {
                let response = try FeedFollower.Response(parsing: try client.fetch(request), answering: request)
                for entry in try follower.receive(response) { print(entry.jsonLine) }
                fflush(nil)
            }
        } catch let error as FeedFollowError {
            try stop(error, stateFile)
        }
        if let checkpoint = follower.checkpointToStore { try stateFile.store(checkpoint.note) }
    }

    private func stop(_ error: FeedFollowError, _ stateFile: FollowState) throws -> Never {
        fflush(nil)
        switch error.kind {
        case .fork:
            var evidence = "the conflicting checkpoint could not be saved"
            if let note = error.conflictingNote, let size = try? FeedFollower.verify(note, with: verifier()).checkpoint.size {
                evidence = (try? stateFile.keepEvidence(note, size: size)).map { "the station's conflicting checkpoint "
                    + "is in \($0)" } ?? evidence
            }
            printError(
                """
                custody follow: \(error.message)
                The station at \(url) has served two histories signed with the same key: the log FORKED.
                Evidence: the checkpoint you verified earlier is in \(stateFile.url.path) (left unchanged); \(evidence).
                Keep both files, stop accepting this station's feed, and report it to the station's administrator and \
                your security officer.
                """)
            throw ExitCode(Self.forkStatus)
        case .rejected:
            printError("custody follow: \(error.message)")
            throw ExitCode(Self.rejectedStatus)
        }
    }

    private func verifier() throws -> NoteVerifier {
        try manifest { () throws(ManifestError) in try NoteVerifier(verifierKey: key) }
    }
}
