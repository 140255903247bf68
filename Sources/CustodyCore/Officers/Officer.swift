/// An enforcement officer, known by the number of the enforcement certificate (执法证号) and the name (Art 8).
public struct Officer: Sendable, Equatable, Hashable {
    /// The enforcement-certificate number: the officer's identity in every entry.
    public let certificate: String
    /// The officer's name as written on the certificate, UTF-8 (e.g. 张伟).
    public let name: String

    /// Creates an officer record.
    public init(certificate: String, name: String) {
        self.certificate = certificate
        self.name = name
    }

    /// Checks a certificate number: 1–32 ASCII letters, digits or hyphens.
    public static func isValidCertificate(_ text: String) -> Bool {
        (1...32).contains(text.utf8.count)
            && text.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") }
    }
}

extension UInt8 {
    /// Whether this byte is an ASCII letter or digit.
    var isASCIIAlphanumeric: Bool {
        (48...57).contains(self) || (65...90).contains(self) || (97...122).contains(self)
    }
}
