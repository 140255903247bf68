import ArgumentParser
import CustodyCore
import CustodyManifest

/// `custody prove`: inclusion and consistency proofs (RFC 9162 §2.1.3, §2.1.4).
struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove", abstract: "Print Merkle proofs for the case system.",
        subcommands: [Inclusion.self, Consistency.self])

    struct Inclusion: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that entry INDEX is in the tree of SIZE entries.")

        @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
        @Option(help: "The entry's index.") var index: UInt64
        @Option(help: "The tree size (default: the current size).") var size: UInt64?
        @Flag(help: "Print JSON: {\"index\",\"size\",\"leaf\",\"root\",\"proof\"}.") var json = false

        func run() throws {
            let station = try global.openStation(readOnly: true)
            let proof = try manifest { () throws(ManifestError) in
                let proof = try station.store.inclusionProof(index: index, size: size)
                try proof.verify()
                return proof
            }
            if json {
                print(
                    "{\"index\":\(proof.index),\"size\":\(proof.size),\"leaf\":\"\(proof.leafHash.hex)\","
                        + "\"root\":\"\(proof.root.hex)\",\"proof\":\(hexArray(proof.path))}")
            } else {
                print("entry \(proof.index) in tree of size \(proof.size)")
                print("leaf  \(proof.leafHash.hex)")
                print("root  \(proof.root.hex)")
                for hash in proof.path { print("path  \(hash.hex)") }
            }
        }
    }

    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that the tree of FROM entries is a prefix of the tree of TO entries.")

        @ParentCommand var custody: CustodyCommand
    var global: GlobalOptions { custody.global }
        @Option(help: "The older tree size (at least 1).") var from: UInt64
        @Option(help: "The newer tree size (default: the current size).") var to: UInt64?
        @Flag(help: "Print JSON: {\"from\",\"to\",\"old_root\",\"new_root\",\"proof\"}.") var json = false

        func run() throws {
            let station = try global.openStation(readOnly: true)
            let proof = try manifest { () throws(ManifestError) in
                let proof = try station.store.consistencyProof(from: from, to: to)
                try proof.verify()
                return proof
            }
            if json {
                print(
                    "{\"from\":\(proof.oldSize),\"to\":\(proof.newSize),\"old_root\":\"\(proof.oldRoot.hex)\","
                        + "\"new_root\":\"\(proof.newRoot.hex)\",\"proof\":\(hexArray(proof.path))}")
            } else {
                print("tree of size \(proof.oldSize) is a prefix of tree of size \(proof.newSize)")
                print("old root  \(proof.oldRoot.hex)")
                print("new root  \(proof.newRoot.hex)")
                for hash in proof.path { print("path      \(hash.hex)") }
            }
        }
    }
}

private func hexArray(_ hashes: [SHA256Hash]) -> String {
    "[" + hashes.map { "\"\($0.hex)\"" }.joined(separator: ",") + "]"
}
