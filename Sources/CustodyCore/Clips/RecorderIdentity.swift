/// Which recorder footage came from: its serial number and its configured model.
public struct RecorderIdentity: Sendable, Equatable, Hashable {
    /// The recorder's serial number (from the USB descriptor, or given by hand for a card reader).
    public let serial: String
    /// The configured model name.
    public let model: String

    /// Creates an identity.
    public init(serial: String, model: String) {
        self.serial = serial
        self.model = model
    }

    /// Checks a serial number: 1–64 printable ASCII characters without spaces or `/`.
    public static func isValidSerial(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }
    }
}
