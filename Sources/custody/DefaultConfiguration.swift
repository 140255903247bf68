/// The configuration `custody init` writes when there is none: the same keys and defaults as config/custody.toml.
enum DefaultConfiguration {
    static func text(stateDirectory: String, origin: String) -> String {
        """
        # Custody station configuration, written by `custody init`.
        # Every key is documented in config/custody.toml of the Custody sources.

        [storage]
        # The root of the manifest database (custody.sqlite), the signing key (keys/), the footage store (store/)
        # and copies in flight (staging/). A relative path is resolved against this file's folder.
        state_directory = "\(stateDirectory)"

        [manifest]
        # The log's name: the first line of every checkpoint and the name of its signing key. No spaces, no '+'.
        # It cannot change once checkpoints are signed.
        origin = "\(origin)"
        # How often custodyd signs a checkpoint when there are new entries.
        checkpoint_interval_seconds = 60

        [ingest]
        # How many files copy at once.
        concurrent_files = 2
        # Free space always kept on the store, in bytes; a file that would eat into it is refused.
        reserve_bytes = 1073741824

        [upload]
        # Art 23: footage must be stored within this many hours after recording ends.
        window_hours = 24
        # A clip claiming to start this many seconds after its ingest is a clockAnomaly gap.
        clock_future_tolerance_seconds = 300

        [retention]
        # Art 25: footage is kept at least this many years from its recording start; case links and holds keep
        # it longer (docs/lifecycle.md).
        years = 2

        [scrub]
        # Art 28: custodyd re-hashes the store in the background at this rate and reports any changed object.
        enabled = true
        bytes_per_second = 16777216
        pause_seconds = 86400

        # A recorder model with GA/T 947-style names, e.g. DSJ8A1234_64000123_20260301081530_0007.MP4.
        # Add one [[models]] table per model; config/custody.toml documents every key.
        [[models]]
        name = "GA947"
        media = ["**/*.MP4", "**/*.MOV", "**/*.JPG", "**/*.WAV"]
        file_name = "{serial}_{officer}_{start}_{sequence}.MP4"
        time_zone = "+08:00"

        """
    }
}
