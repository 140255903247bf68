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

        """
    }
}
