// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "Custody",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "custody", targets: ["custody"]),
        .executable(name: "custodyd", targets: ["custodyd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "CustodyCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .target(
            name: "CustodyManifest",
            dependencies: [
                "CustodyCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(name: "CCustodySystem"),
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"])]),
        .target(
            name: "CustodyDevices",
            dependencies: [
                "CUdev",
                "CLibUSB",
                "CustodyCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CustodyIngest",
            dependencies: [
                "CCustodySystem",
                "CustodyCore",
                "CustodyManifest",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "custody",
            dependencies: [
                "CustodyCore",
                "CustodyManifest",
                "CustodyIngest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Adapters between the ingest pipeline and device transports (PTP/MTP), which CustodyIngest may not import.
        .target(name: "CustodyTransport", dependencies: ["CustodyCore", "CustodyIngest", "CustodyDevices"]),
        // The HTTP listener: manifest feed, proofs, footage, writes, admin pages, metrics (docs/http.md).
        .target(
            name: "CustodyHTTP",
            dependencies: [
                "CustodyCore",
                "CustodyManifest",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "custodyd",
            dependencies: [
                "CustodyHTTP",
                "CustodyCore",
                "CustodyManifest",
                "CustodyIngest",
                "CustodyDevices",
                "CustodyTransport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "custody-bench",
            dependencies: [
                "CustodyCore",
                "CustodyManifest",
                "CustodyIngest",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/custody-bench"
        ),
        .target(
            name: "CustodyTesting",
            dependencies: ["CustodyCore", "CustodyManifest"]
        ),
        .testTarget(name: "CustodyCoreTests", dependencies: ["CustodyCore", "CustodyTesting"]),
        .testTarget(
            name: "CustodyManifestTests",
            dependencies: [
                "CustodyManifest", "CustodyTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "CustodyIngestTests", dependencies: ["CustodyIngest", "CustodyTesting"]),
        .testTarget(name: "CustodyDevicesTests", dependencies: ["CustodyDevices", "CustodyTesting"]),
        .testTarget(
            name: "CustodyTransportTests",
            dependencies: ["CustodyTransport", "CustodyDevices", "CustodyIngest", "CustodyManifest", "CustodyTesting"]
        ),
        .testTarget(
            name: "CustodyHTTPTests",
            dependencies: [
                "CustodyHTTP", "CustodyCore", "CustodyManifest", "CustodyTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "CustodyCLITests", dependencies: ["CustodyCore", "CustodyManifest", "CustodyTesting"]),
    ]
)

// One strict-settings loop over every Swift target of ours (shared/STYLE.md habit 6).
for target in package.targets where !["CCustodySystem", "CUdev", "CLibUSB"].contains(target.name) {
    var settings = target.swiftSettings ?? []
    settings += [
        .swiftLanguageMode(.v6),
        .treatAllWarnings(as: .error),
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ]
    target.swiftSettings = settings
}

// The libFuzzer targets of issue 9 (docs/fuzzing.md), only with CUSTODY_FUZZ=1: they link libFuzzer's own `main`, so
// they build only with `--sanitize=fuzzer` (scripts/fuzz, `make fuzz`). Each checks one `*FuzzCheck` of the module.
if Context.environment["CUSTODY_FUZZ"] == "1" {
    let fuzzTargets = [
        ("FuzzMP4Reader", "CustodyIngest"),
        ("FuzzCanonicalJSON", "CustodyManifest"),
        ("FuzzSignedNote", "CustodyManifest"),
        ("FuzzMerkleProof", "CustodyManifest"),
        ("FuzzPTPCodec", "CustodyDevices"),
    ]
    for (name, module) in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: name,
                dependencies: [.target(name: module)],
                path: "Fuzz/\(name)",
                swiftSettings: [
                    .swiftLanguageMode(.v6),
                    .treatAllWarnings(as: .error),
                    .enableUpcomingFeature("ExistentialAny"),
                    .enableUpcomingFeature("InternalImportsByDefault"),
                    .unsafeFlags(["-parse-as-library"]),
                ],
                // SwiftPM links an executable against "<target>_main"; point that at libFuzzer's main.
                linkerSettings: [.unsafeFlags(["-Xlinker", "--defsym", "-Xlinker", "\(name)_main=main"])]
            ))
    }
}
