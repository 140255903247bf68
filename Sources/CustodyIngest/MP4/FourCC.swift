/// A four-character code naming an ISO BMFF box type or brand.
struct FourCC: Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt32

    init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Creates a code from a four-character ASCII literal.
    init(_ text: StaticString) {
        precondition(text.utf8CodeUnitCount == 4, "a four-character code has four ASCII characters")
        var value: UInt32 = 0
        for index in 0..<4 {
            value = value << 8 | UInt32(text.utf8Start[index])
        }
        rawValue = value
    }

    var bytes: [UInt8] {
        [
            UInt8(truncatingIfNeeded: rawValue >> 24), UInt8(truncatingIfNeeded: rawValue >> 16),
            UInt8(truncatingIfNeeded: rawValue >> 8), UInt8(truncatingIfNeeded: rawValue),
        ]
    }

    /// Whether every character is printable ASCII, as in every registered box type.
    var isPrintable: Bool { bytes.allSatisfy { (0x20...0x7E).contains($0) } }

    /// The four characters, or `0x` and eight hex digits when they are not printable ASCII.
    var description: String {
        if isPrintable { return String(decoding: bytes, as: UTF8.self) }
        let hex = String(rawValue, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Box types that may start an MP4 or QuickTime file.
    static let openingTypes: Set<FourCC> = [.ftyp, .moov, .mdat, .wide, .free, .skip, .pnot]
    /// Top-level types a power cut can leave unfinished; any other running past the end is a lie.
    static let cuttableTypes: Set<FourCC> = [.mdat, .moov, .moof, .mfra, .free, .skip, .wide, .uuid]
    /// Containers descended to reach the metadata.
    static let containerTypes: Set<FourCC> = [.moov, .trak, .mdia, .minf, .stbl, .mvex, .moof, .traf]
    /// Brands of ISO BMFF still images (HEIF, AVIF, JPEG 2000), which are not recordings.
    static let stillImageBrands: Set<String> = ["mif1", "heic", "heix", "avif", "jp2 ", "jpx "]

    static let ftyp = FourCC("ftyp")
    static let moov = FourCC("moov")
    static let mdat = FourCC("mdat")
    static let moof = FourCC("moof")
    static let mfra = FourCC("mfra")
    static let free = FourCC("free")
    static let skip = FourCC("skip")
    static let wide = FourCC("wide")
    static let pnot = FourCC("pnot")
    static let uuid = FourCC("uuid")
    static let mvhd = FourCC("mvhd")
    static let trak = FourCC("trak")
    static let tkhd = FourCC("tkhd")
    static let mdia = FourCC("mdia")
    static let mdhd = FourCC("mdhd")
    static let hdlr = FourCC("hdlr")
    static let minf = FourCC("minf")
    static let stbl = FourCC("stbl")
    static let stts = FourCC("stts")
    static let mvex = FourCC("mvex")
    static let mehd = FourCC("mehd")
    static let trex = FourCC("trex")
    static let traf = FourCC("traf")
    static let tfhd = FourCC("tfhd")
    static let trun = FourCC("trun")
    static let vide = FourCC("vide")
}
