import Foundation
import Logging
import Testing

@testable import CustodyDevices

/// The dock watcher against this machine's real /sys and netlink: it sets up, reports the end of enumeration,
/// and stops when its consumer does. (Events from fake recorders are tested end to end in DockingTests.)
@Suite struct DockWatcherTests {
    @Test func enumeratesThenReportsEnumeratedAndStopsWithItsConsumer() async throws {
        let watcher = DockWatcher(tag: "custody-test-\(UUID().uuidString.prefix(8))", logger: Logger(label: "test"))
        let events = try watcher.events()
        var seen: [DockEvent] = []
        for await event in events {
            seen.append(event)
            if event == .enumerated { break }
        }
        // No device on this machine carries a random tag: the only event is the end of enumeration.
        #expect(seen == [.enumerated])
    }
}
