extension MP4Reader {
    /// Bounds on the work and memory one probe may use, whatever sizes and counts the file declares.
    public struct Limits: Sendable, Equatable {
        /// The largest box the reader loads to parse (`ftyp`), and the largest single read it makes;
        /// `trun` and `stts` tables are streamed in chunks of at most this size. At least 64; default 1 MiB.
        public var maxParsedBoxSize: Int
        /// How many levels below the top level a box may sit. Default 16; real files use about 6.
        public var maxDepth: Int
        /// How many box headers one probe may read. Default 1,000,000, enough for a 12-hour recording
        /// fragmented every half second (about 7 boxes per fragment), and bounding a probe to about a
        /// million small reads.
        public var maxBoxCount: Int

        /// Creates limits; `maxParsedBoxSize` is raised to 64 if smaller.
        public init(maxParsedBoxSize: Int = 1 << 20, maxDepth: Int = 16, maxBoxCount: Int = 1_000_000) {
            self.maxParsedBoxSize = max(64, maxParsedBoxSize)
            self.maxDepth = maxDepth
            self.maxBoxCount = maxBoxCount
        }
    }
}
