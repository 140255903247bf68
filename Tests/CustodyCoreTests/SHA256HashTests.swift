import CustodyCore
import CustodyTesting
import Foundation
import Testing

@Suite("SHA256Hash")
struct SHA256HashTests {
    @Test func digestsMatchKnownSHA256Values() {
        #expect(SHA256Hash.of(Data()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            SHA256Hash.of(Data("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func hexRoundTripsAndIsLowercase() {
        var generator = SeededGenerator(seed: 256)
        for _ in 0..<500 {
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let hash = SHA256Hash(bytes: bytes)!
            #expect(hash.hex.count == 64)
            #expect(hash.hex == hash.hex.lowercased())
            #expect(SHA256Hash(hex: hash.hex) == hash)
            #expect(hash.description == hash.hex)
            #expect(Data(base64Encoded: hash.base64).map(Array.init) == bytes)
        }
        #expect(SHA256Hash(bytes: [UInt8](repeating: 0xAB, count: 32))?.hex == String(repeating: "ab", count: 32))
    }

    @Test func onlySixtyFourLowercaseHexDigitsParse() {
        let valid = String(repeating: "0f", count: 32)
        #expect(SHA256Hash(hex: valid) != nil)
        #expect(SHA256Hash(hex: valid.dropFirst(2)) == nil)
        for bad in [
            valid.uppercased(), "0F" + valid.dropFirst(2), String(valid.dropLast()), valid + "0", "",
            "0g" + valid.dropFirst(2), "+f" + valid.dropFirst(2), " 0" + valid.dropFirst(2), "é" + valid.dropFirst(2),
        ] {
            #expect(SHA256Hash(hex: bad) == nil, "\(bad)")
        }
    }

    @Test func onlyThirtyTwoBytesMakeAHash() {
        #expect(SHA256Hash(bytes: [UInt8](repeating: 1, count: 31)) == nil)
        #expect(SHA256Hash(bytes: [UInt8](repeating: 1, count: 33)) == nil)
        #expect(SHA256Hash(bytes: [UInt8]()) == nil)
        #expect(SHA256Hash(bytes: [UInt8](repeating: 1, count: 32))?.bytes.count == 32)
    }

    @Test func hashesOrderByTheirBytes() {
        let low = SHA256Hash(bytes: [0x00] + [UInt8](repeating: 0xFF, count: 31))!
        let high = SHA256Hash(bytes: [0x01] + [UInt8](repeating: 0x00, count: 31))!
        #expect(low < high)
        #expect(!(high < low))
    }
}
