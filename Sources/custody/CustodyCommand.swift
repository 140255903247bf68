import ArgumentParser

/// `custody`: the administrators' command line for a Custody station.
@main
struct CustodyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custody",
        abstract: "Administer a Custody evidence station: its manifest, checkpoints and proofs.",
        discussion: """
            The configuration file is --config, else $CUSTODY_CONFIG, else /etc/custody/custody.toml.
            Start with `custody --config DIR/custody.toml init`.
            """,
        subcommands: [
            InitCommand.self, VerifierKeyCommand.self, EntriesCommand.self, CheckpointCommand.self,
            ProveCommand.self, VerifyCommand.self, AppendNoteCommand.self, IngestCommand.self, ClipsCommand.self,
            OfficersCommand.self, AssignCommand.self, GapsCommand.self, ExplainCommand.self, ExceptionCommand.self,
            OverdueCommand.self, LinkCommand.self, UnlinkCommand.self, CaseCommand.self, ReindexCommand.self,
            StatusCommand.self, UdevRulesCommand.self,
            HoldCommand.self, ReleaseCommand.self, HoldsCommand.self, RetainCommand.self, PurgeCommand.self,
            ArchiveCommand.self, CloseCommand.self, ReportCommand.self, TokensCommand.self, FollowCommand.self,
        ]
    )

    @OptionGroup var global: GlobalOptions
}
