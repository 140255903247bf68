import CustodyCore
import CustodyManifest
import CustodyTransport
import Foundation

/// The recorder clock at dock: GA/T 947's drift rule against the clock's last known good reading (docs/docking.md
/// "Clock drift").
extension DockService {
    /// Entries read per step of the backward scan.
    static let clockScanBatch = 512

    /// The last known good reading of `serial`'s clock: its latest `recorder.docked` entry where the clock was set
    /// to the station's and read back within `limitSeconds` (`clockSet`: the reading after setting is the baseline),
    /// or else with a clock offset whose `clockDrift.withinRule` is true (an entry without `clockDrift` counts when
    /// |offset| ≤ `limitSeconds`).
    ///
    /// The manifest is scanned backwards from its end, which finds a recorder docked daily within the last day's
    /// entries; a recorder never read before costs a scan of the whole manifest (there is no index by recorder of
    /// `recorder.docked` entries yet).
    func clockBaseline(serial: String, limitSeconds: Int) throws(ManifestError) -> ClockBaseline? {
        var end = try store.size()
        while end > 0 {
            let start = end > UInt64(Self.clockScanBatch) ? end - UInt64(Self.clockScanBatch) : 0
            let batch = try store.entries(start: start, limit: Int(end - start))
            for stored in batch.reversed() {
                guard let entry = try? ManifestEntry(body: stored.body), entry.type == .recorderDocked,
                    entry.fields["recorder"]?["serial"]?.stringValue == serial
                else { continue }
                if let set = entry.fields["clockSet"], set["error"] == .null,
                    let after = set["offsetAfterSeconds"]?.intValue, after.magnitude <= UInt64(limitSeconds.magnitude),
                    let time = set["time"]?.stringValue.flatMap(RFC3339.parse)
                {
                    return ClockBaseline(
                        dockedIndex: stored.index, dockedLeaf: stored.leafHash.hex, offsetSeconds: Int(after),
                        stationTime: time)
                }
                guard let offset = entry.fields["clockOffsetSeconds"]?.intValue,
                    let time = RFC3339.parse(entry.time)
                else { continue }
                let good =
                    if case .object(let drift)? = entry.fields["clockDrift"] {
                        drift["withinRule"] == .bool(true)
                    } else {
                        offset.magnitude <= UInt64(limitSeconds.magnitude)
                    }
                guard good else { continue }
                return ClockBaseline(
                    dockedIndex: stored.index, dockedLeaf: stored.leafHash.hex, offsetSeconds: Int(offset),
                    stationTime: time)
            }
            end = start
        }
        return nil
    }
}
