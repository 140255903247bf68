import CustodyCore
import CustodyManifest
import Foundation

/// `/admin/` (or `/admin/log`): the ingest log — docks, undocks, clips, interrupted copies and gaps — newest first,
/// a page at a time, filtered by recorder, officer or UTC day (Art 2, 5).
struct IngestLogPage {
    static let name = "log"
    /// Rows per page.
    static let pageSize = 50
    /// The entry types the log shows.
    static let types: Set<EntryType> = [
        .recorderDocked, .recorderUndocked, .clipIngested, .ingestInterrupted, .recordingGap,
    ]

    /// The query form's values.
    struct Filter {
        var recorder: String?
        var officer: String?
        var date: String?
    }

    /// One event.
    struct Row {
        let index: UInt64
        let time: String
        let event: String
        let recorder: String
        let officer: String?
        let officerName: String?
        let detail: String
        /// For a clip: its digest, linked to its page.
        let sha256: String?
        let late: Bool
    }

    let filter: Filter
    let rows: [Row]
    let empty: Bool
    /// The next (older) page's link, with the filter kept.
    let older: String?

    static func build(store: ManifestStore, filter: Filter, before: UInt64?) throws(ManifestError) -> IngestLogPage {
        let names = try OfficerNames(store)
        var assignments = [String: [Assignment]]()
        var rows = [Row]()
        let size = try store.size()
        var cursor = min(before ?? UInt64.max, size)
        var nextBefore: UInt64?
        scan: while cursor > 0 {
            let start = cursor > 256 ? cursor - 256 : 0
            for stored in try store.entries(start: start, limit: Int(cursor - start)).reversed() {
                guard let entry = try? ManifestEntry(body: stored.body), types.contains(entry.type) else { continue }
                let fields = entry.fields
                let serial = fields["recorder"]?["serial"]?.stringValue ?? ""
                if let recorder = filter.recorder, recorder != serial { continue }
                if let date = filter.date, !entry.time.hasPrefix(date) { continue }
                var officer = fields["officer"]?["certificate"]?.stringValue
                if officer == nil, entry.type != .clipIngested, entry.type != .recordingGap,
                    let time = RFC3339.parse(entry.time)
                {
                    if assignments[serial] == nil { assignments[serial] = try store.assignments(serial: serial) }
                    officer = AssignmentRegister.officer(holding: serial, at: time, in: assignments[serial] ?? [])
                }
                if let wanted = filter.officer, wanted != officer { continue }
                if rows.count == pageSize {
                    nextBefore = rows.last.map { $0.index }
                    break scan
                }
                rows.append(row(stored.index, entry, serial: serial, officer: officer, names: names))
            }
            cursor = start
        }
        return IngestLogPage(
            filter: filter, rows: rows, empty: rows.isEmpty,
            older: nextBefore.map { before in
                "/admin/"
                    + AdminFormat.query([
                        ("recorder", filter.recorder), ("officer", filter.officer), ("date", filter.date),
                        ("before", String(before)),
                    ])
            })
    }

    static func row(
        _ index: UInt64, _ entry: ManifestEntry, serial: String, officer: String?, names: OfficerNames
    ) -> Row {
        let fields = entry.fields
        let path = fields["path"]?.stringValue ?? ""
        var sha256: String?
        var late = false
        let event: String
        let detail: String
        switch entry.type {
        case .recorderDocked:
            event = "docked"
            detail = "bay \(fields["bay"]?.stringValue ?? "?")"
        case .recorderUndocked:
            event = "undocked"
            let counts = fields["counts"]
            let ingested = counts?["ingested"]?.intValue ?? 0
            let failed = counts?["failed"]?.intValue ?? 0
            let complete = fields["complete"]?.boolValue ?? false
            detail =
                "bay \(fields["bay"]?.stringValue ?? "?"): \(ingested) ingested, \(failed) failed"
                + (complete ? "" : " — incomplete")
        case .clipIngested:
            event = "clip"
            sha256 = fields["sha256"]?.stringValue
            late = fields["late"]?.boolValue ?? false
            let size = UInt64(clamping: fields["size"]?.intValue ?? 0)
            detail =
                "\(path), \(AdminFormat.bytes(size)), recorded "
                + AdminFormat.time(fields["recordingStart"]?.stringValue ?? "")
        case .ingestInterrupted:
            event = "interrupted"
            detail =
                "\(path): \(fields["reason"]?.stringValue ?? "") after "
                + AdminFormat.bytes(UInt64(clamping: fields["bytesDone"]?.intValue ?? 0))
        default:
            event = "gap: \(fields["kind"]?.stringValue ?? "")"
            detail = fields["evidence"]?.stringValue ?? ""
        }
        return Row(
            index: index, time: AdminFormat.time(entry.time), event: event, recorder: serial, officer: officer,
            officerName: names.name(officer), detail: detail, sha256: sha256, late: late)
    }

    static let template = """
        {{<layout}}{{$content}}
        {{#page}}
        <form class="filter" method="get" action="/admin/">
        {{#filter}}
        <label>Recorder <input name="recorder" value="{{recorder}}" size="14"></label>
        <label>Officer (certificate) <input name="officer" value="{{officer}}" size="10"></label>
        <label>Day (UTC) <input name="date" type="date" value="{{date}}"></label>
        {{/filter}}
        <button type="submit">Filter</button> <a href="/admin/">Clear</a>
        </form>
        {{#empty}}<p>No events match.</p>{{/empty}}
        {{^empty}}
        <table id="log">
        <tr><th>Entry</th><th>Time (UTC)</th><th>Event</th><th>Recorder</th><th>Officer</th><th>Detail</th></tr>
        {{#rows}}
        <tr>
        <td class="number">{{index}}</td><td>{{time}}</td>
        <td>{{event}}{{#late}} <span class="late">late</span>{{/late}}</td>
        <td>{{recorder}}</td>
        <td>{{#officerName}}<span class="officer-name">{{officerName}}</span> {{/officerName}}{{#officer}}<span class="muted">{{officer}}</span>{{/officer}}</td>
        <td>{{detail}}{{#sha256}}<br><a class="hash" href="/admin/clips/{{sha256}}">{{sha256}}</a>{{/sha256}}</td>
        </tr>
        {{/rows}}
        </table>
        {{/empty}}
        {{#older}}<p><a id="older" href="{{older}}">Older events →</a></p>{{/older}}
        {{/page}}
        {{/content}}{{/layout}}
        """
}
