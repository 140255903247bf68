/// The header of one box as read from the file, before anyone trusts its size.
struct BoxHeader: Sendable {
    /// The box type.
    let type: FourCC
    /// The offset of the first byte of the box.
    let offset: UInt64
    /// The header length: 8, 16 with a `largesize`, plus 16 for a `uuid` box's user type.
    let headerSize: UInt64
    /// Whether the box declared size 0 ("extends to the end of its container").
    let extendsToEnd: Bool
    /// The offset just past the box as declared; `UInt64.max` when the declared size overflows.
    /// It may lie beyond the container; the walker checks that before using it.
    let end: UInt64

    /// The offset of the first payload byte.
    var payloadOffset: UInt64 { offset + headerSize }

    /// The number of payload bytes the box declares.
    var payloadSize: UInt64 { end - payloadOffset }
}
