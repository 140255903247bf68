public import CustodyCore

/// One poll of a Custody feed, as a state machine without I/O: it says which request to make next (``next``), takes
/// each response (``receive(_:)``), and hands back the entries it has verified, ready to print.
///
/// A poll:
/// 1. fetches the checkpoint and verifies its C2SP signed-note signature with the station's verifier key, whose name
///    must be the checkpoint's origin;
/// 2. when a checkpoint is stored, refuses a smaller one or a same-size one with another root (a fork), and verifies
///    the RFC 9162 §2.1.4 consistency proof from the stored size to the new one: a proof that fails is a fork;
/// 3. rebuilds the right edge of the stored tree from the inclusion proof of its last leaf (RFC 9162 §2.1.3), checked
///    against the stored root;
/// 4. fetches the new entries in pages; recomputes each leaf hash from the body, appends it to the right edge, and
///    after each page verifies a consistency proof from the page's end to the new checkpoint, with the root it
///    computed itself. Only then are the page's entries released.
///
/// Step 4 proves each page's inclusion with one proof of O(log n) hashes instead of one inclusion proof per entry
/// (a thousand requests per page), and the follower never holds more than a page in memory.
///
/// When ``next`` is nil the poll is over; ``checkpointToStore`` is the verified note to keep, if it changed.
public struct FeedFollower: Sendable {
    /// A request the follower needs answered, in the feed's terms (docs/http.md).
    public enum Request: Sendable, Equatable {
        /// `GET /v1/checkpoint`.
        case checkpoint
        /// `GET /v1/proof/consistency?from=A&to=B`.
        case consistency(from: UInt64, to: UInt64)
        /// `GET /v1/proof/inclusion?index=I&size=S`.
        case inclusion(index: UInt64, size: UInt64)
        /// `GET /v1/entries?start=N&limit=M`.
        case entries(start: UInt64, limit: Int)
    }

    /// The answer to a ``Request``, parsed.
    public enum Response: Sendable, Equatable {
        /// The signed checkpoint note's text.
        case checkpoint(String)
        /// A consistency proof's hashes.
        case consistency([SHA256Hash])
        /// An inclusion proof: the leaf hash the server claims and the audit path.
        case inclusion(leaf: SHA256Hash, proof: [SHA256Hash])
        /// A page of entries.
        case entries([FeedEntry])
    }

    /// A checkpoint whose signature verified, with its note as served.
    public struct VerifiedCheckpoint: Sendable, Equatable {
        /// The signed note, byte for byte.
        public let note: String
        /// Its parsed body.
        public let checkpoint: Checkpoint
    }

    private enum Phase: Sendable {
        case checkpoint
        case consistency(VerifiedCheckpoint)
        case rightEdge(VerifiedCheckpoint)
        case entries(VerifiedCheckpoint, MerkleFrontier)
        case pageProof(VerifiedCheckpoint, MerkleFrontier, [FollowedEntry])
        case done
    }

    /// The most entries asked for in one page (the feed's maximum is 1000).
    public let pageSize: Int
    /// The checkpoint held before this poll, if any.
    public let stored: VerifiedCheckpoint?
    /// The verified checkpoint to store when the poll is over; nil when nothing changed.
    public private(set) var checkpointToStore: VerifiedCheckpoint?
    private let verifier: NoteVerifier
    private var phase = Phase.checkpoint

    /// Starts a poll. `storedNote` is the checkpoint kept from the last poll; it is verified again with `verifier`.
    public init(verifier: NoteVerifier, storedNote: String?, pageSize: Int = 1000) throws(FeedFollowError) {
        self.verifier = verifier
        self.pageSize = max(1, pageSize)
        if let storedNote {
            do {
                stored = try Self.verify(storedNote, with: verifier)
            } catch {
                throw FeedFollowError(
                    .rejected,
                    "the stored checkpoint does not verify with this key (\(error.message)); give the key the state "
                        + "was made with, or a new --state file to start over")
            }
        } else {
            stored = nil
        }
    }

    /// The request to make next; nil when the poll is over.
    public var next: Request? {
        switch phase {
        case .checkpoint: return .checkpoint
        case .consistency(let new): return .consistency(from: stored?.checkpoint.size ?? 0, to: new.checkpoint.size)
        case .rightEdge:
            let size = stored?.checkpoint.size ?? 0
            return .inclusion(index: size - 1, size: size)
        case .entries(let new, let frontier):
            return .entries(start: frontier.size, limit: Int(min(UInt64(pageSize), new.checkpoint.size - frontier.size)))
        case .pageProof(let new, let frontier, _):
            return .consistency(from: frontier.size, to: new.checkpoint.size)
        case .done: return nil
        }
    }

    /// Takes the answer to ``next`` and returns the entries it has now verified, in order (often none).
    public mutating func receive(_ response: Response) throws(FeedFollowError) -> [FollowedEntry] {
        switch (phase, response) {
        case (.checkpoint, .checkpoint(let note)):
            try acceptCheckpoint(note)
            return []
        case (.consistency(let new), .consistency(let proof)):
            let old = stored!.checkpoint
            do {
                try MerkleProof.verifyConsistency(
                    oldSize: old.size, newSize: new.checkpoint.size, oldRoot: old.root, newRoot: new.checkpoint.root,
                    proof: proof)
            } catch {
                throw fork(
                    new,
                    "the station's checkpoint of size \(new.checkpoint.size) does not extend the stored one of size "
                        + "\(old.size): \(error.message)")
            }
            phase = .rightEdge(new)
            return []
        case (.rightEdge(let new), .inclusion(let leaf, let proof)):
            let old = stored!.checkpoint
            let frontier: MerkleFrontier
            do {
                try MerkleProof.verifyInclusion(
                    index: old.size - 1, size: old.size, leafHash: leaf, proof: proof, root: old.root)
                frontier = try MerkleFrontier(size: old.size, lastLeaf: leaf, auditPath: proof)
            } catch {
                throw FeedFollowError(
                    .rejected, "the inclusion proof of entry \(old.size - 1) does not match the stored checkpoint: "
                        + "\(error.message); try again, and report it if it persists")
            }
            phase = .entries(new, frontier)
            return []
        case (.entries(let new, var frontier), .entries(let page)):
            guard case .entries(_, let limit) = next else { return [] }
            guard !page.isEmpty, page.count <= limit else {
                throw FeedFollowError(
                    .rejected, "the feed returned \(page.count) entries from \(frontier.size) when \(limit) were asked "
                        + "for and its checkpoint has \(new.checkpoint.size); try again, and report it if it persists")
            }
            var verified = [FollowedEntry]()
            for served in page {
                verified.append(try verify(served, expectedIndex: frontier.size))
                frontier.append(leaf: served.leaf)
            }
            if frontier.size == new.checkpoint.size {
                guard frontier.root == new.checkpoint.root else {
                    throw notIncluded(frontier.size, new, "the root computed from the entries differs")
                }
                finish(new)
                return verified
            }
            phase = .pageProof(new, frontier, verified)
            return []
        case (.pageProof(let new, let frontier, let verified), .consistency(let proof)):
            do {
                try MerkleProof.verifyConsistency(
                    oldSize: frontier.size, newSize: new.checkpoint.size, oldRoot: frontier.root,
                    newRoot: new.checkpoint.root, proof: proof)
            } catch {
                throw notIncluded(frontier.size, new, error.message)
            }
            phase = .entries(new, frontier)
            return verified
        default:
            throw FeedFollowError(.rejected, "internal error: a response that was not asked for; report this bug")
        }
    }

    private mutating func acceptCheckpoint(_ note: String) throws(FeedFollowError) {
        let new: VerifiedCheckpoint
        do {
            new = try Self.verify(note, with: verifier)
        } catch {
            throw FeedFollowError(
                .rejected,
                "the served checkpoint does not verify: \(error.message); check --key is the station's verifier key "
                    + "(custody verifier-key on the station) and the URL is the station's")
        }
        guard let stored else {
            if new.checkpoint.size == 0 { finish(new) } else { phase = .entries(new, MerkleFrontier()) }
            return
        }
        let old = stored.checkpoint
        if new.checkpoint.size < old.size {
            throw fork(new, "the station now serves a checkpoint of size \(new.checkpoint.size), smaller than the "
                + "stored one of size \(old.size): the log was cut back or replaced")
        }
        if new.checkpoint.size == old.size {
            guard new.checkpoint.root == old.root else {
                throw fork(new, "the station serves a checkpoint of size \(old.size) with a different root from the "
                    + "stored one: two histories of the same length")
            }
            phase = .done
            return
        }
        phase = old.size == 0 ? .entries(new, MerkleFrontier()) : .consistency(new)
    }

    private func verify(_ served: FeedEntry, expectedIndex: UInt64) throws(FeedFollowError) -> FollowedEntry {
        guard served.index == expectedIndex else {
            throw FeedFollowError(
                .rejected, "the feed returned entry \(served.index) where entry \(expectedIndex) was due; try again, "
                    + "and report it if it persists")
        }
        guard MerkleHash.leaf(served.body.utf8) == served.leaf else {
            throw FeedFollowError(
                .rejected, "entry \(served.index)'s leaf hash is not SHA-256(0x00 ‖ body): the feed altered it; "
                    + "report it to the station's administrator")
        }
        do {
            return FollowedEntry(index: served.index, leaf: served.leaf, entry: try CanonicalJSON.decode(served.body.utf8))
        } catch {
            throw FeedFollowError(
                .rejected, "entry \(served.index) is not canonical JSON (\(error)); report it to the station's "
                    + "administrator")
        }
    }

    private mutating func finish(_ new: VerifiedCheckpoint) {
        checkpointToStore = new
        phase = .done
    }

    private func fork(_ new: VerifiedCheckpoint, _ reason: String) -> FeedFollowError {
        FeedFollowError(.fork, "FORK: \(reason)", conflictingNote: new.note)
    }

    private func notIncluded(_ size: UInt64, _ new: VerifiedCheckpoint, _ reason: String) -> FeedFollowError {
        FeedFollowError(
            .rejected,
            "the entries served up to \(size) are not those of the signed checkpoint of size \(new.checkpoint.size) "
                + "(\(reason)); nothing from them was printed; try again, and report it if it persists")
    }

    /// Verifies a signed checkpoint note with `verifier`, whose key name must be the checkpoint's origin.
    public static func verify(_ note: String, with verifier: NoteVerifier) throws(ManifestError) -> VerifiedCheckpoint {
        let text = try verifier.open(SignedNote(serialized: note))
        let checkpoint = try Checkpoint(text: text)
        guard checkpoint.origin == verifier.name else {
            throw ManifestError(
                .badSignature, "the checkpoint's origin \"\(checkpoint.origin)\" is not the key's name \"\(verifier.name)\"")
        }
        return VerifiedCheckpoint(note: note, checkpoint: checkpoint)
    }
}
