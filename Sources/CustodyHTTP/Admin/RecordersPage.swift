import CustodyCore
import CustodyManifest
import Foundation

/// `/admin/recorders`: the recorders docked now, bay by bay, with the progress of their ingest (from the status
/// custodyd publishes), and every recorder the manifest knows with its assignment and last ingest (Art 8, 24).
struct RecordersPage {
    static let name = "recorders"

    /// A recorder in a bay now.
    struct Docked {
        let bay: String
        let serial: String
        let model: String
        let since: String
        let state: String
        let error: String?
        let filesDone: Int
        let filesTotal: Int
        let filesFailed: Int
        let hasFailures: Bool
        let bytes: String
        /// Bytes copied of bytes planned, 0…100.
        let percent: Int
        let copying: [String]
    }

    /// A recorder the manifest knows.
    struct Recorder {
        let serial: String
        let model: String
        let officer: String?
        let officerName: String?
        let assignedSince: String?
        let clips: Int
        let lastIngest: String?
        let bay: String?
    }

    let statusKnown: Bool
    let docked: [Docked]
    let noneDocked: Bool
    let recorders: [Recorder]

    static func build(store: ManifestStore, status: StationStatus?, now: Date) throws(ManifestError) -> RecordersPage {
        let names = try OfficerNames(store)
        let docked = (status?.recorders ?? []).map { recorder in
            Docked(
                bay: recorder.bay, serial: recorder.serial, model: recorder.model,
                since: AdminFormat.time(recorder.docked), state: recorder.state, error: recorder.error,
                filesDone: recorder.filesDone, filesTotal: recorder.filesTotal, filesFailed: recorder.filesFailed,
                hasFailures: recorder.filesFailed > 0,
                bytes: "\(AdminFormat.bytes(recorder.bytesCopied)) of \(AdminFormat.bytes(recorder.bytesTotal))",
                percent: recorder.bytesTotal == 0
                    ? (recorder.state == "done" ? 100 : 0)
                    : Int(min(100, recorder.bytesCopied * 100 / recorder.bytesTotal)),
                copying: recorder.copying.map {
                    "\($0.path) (\(AdminFormat.bytes($0.bytesDone)) of \(AdminFormat.bytes($0.size)))"
                })
        }
        var bays = [String: String]()
        for recorder in status?.recorders ?? [] { bays[recorder.serial] = recorder.bay }
        var known = [String: (model: String, clips: Int, lastIngest: Date?)]()
        for total in try store.recorderClipTotals() {
            known[total.serial] = (total.model, total.clips, total.lastIngest)
        }
        var assigned = [String: (officer: String, since: Date)]()
        for recorder in try store.assignedRecorders(at: now) {
            assigned[recorder.serial] = (recorder.officer, recorder.since)
            if known[recorder.serial] == nil { known[recorder.serial] = ("", 0, nil) }
        }
        for recorder in status?.recorders ?? [] where known[recorder.serial] == nil {
            known[recorder.serial] = (recorder.model, 0, nil)
        }
        let recorders = known.keys.sorted().map { serial in
            let item = known[serial]!
            let assignment = assigned[serial]
            return Recorder(
                serial: serial, model: item.model, officer: assignment?.officer,
                officerName: names.name(assignment?.officer),
                assignedSince: assignment.map { AdminFormat.time($0.since) },
                clips: item.clips, lastIngest: item.lastIngest.map { AdminFormat.time($0) }, bay: bays[serial])
        }
        return RecordersPage(
            statusKnown: status != nil, docked: docked, noneDocked: docked.isEmpty, recorders: recorders)
    }

    static let template = """
        {{<layout}}{{$content}}
        {{#page}}
        <h2>Docked now</h2>
        {{^statusKnown}}<p class="muted">custodyd has published no status: it may not be running.</p>{{/statusKnown}}
        {{#statusKnown}}{{#noneDocked}}<p>No recorder is docked.</p>{{/noneDocked}}{{/statusKnown}}
        {{^noneDocked}}
        <table id="docked">
        <tr><th>Bay</th><th>Recorder</th><th>Since (UTC)</th><th>State</th><th>Progress</th><th>Copying</th></tr>
        {{#docked}}
        <tr>
        <td>{{bay}}</td><td>{{serial}} <span class="muted">{{model}}</span></td><td>{{since}}</td>
        <td>{{state}}{{#error}}<br><span class="error">{{error}}</span>{{/error}}</td>
        <td><progress max="100" value="{{percent}}">{{percent}} %</progress> {{percent}} %<br>
        {{filesDone}} of {{filesTotal}} files{{#hasFailures}}, <span class="error">{{filesFailed}} failed</span>{{/hasFailures}}<br>{{bytes}}</td>
        <td>{{#copying}}{{.}}<br>{{/copying}}</td>
        </tr>
        {{/docked}}
        </table>
        {{/noneDocked}}
        <h2>All recorders</h2>
        <table id="recorders">
        <tr><th>Recorder</th><th>Model</th><th>Assigned to</th><th>Since (UTC)</th><th>Clips</th><th>Last ingest (UTC)</th><th>Bay now</th></tr>
        {{#recorders}}
        <tr>
        <td><a href="/admin/?recorder={{serial}}">{{serial}}</a></td><td>{{model}}</td>
        <td>{{#officerName}}<span class="officer-name">{{officerName}}</span> {{/officerName}}{{#officer}}<span class="muted">{{officer}}</span>{{/officer}}{{^officer}}<span class="muted">unassigned</span>{{/officer}}</td>
        <td>{{assignedSince}}</td><td class="number">{{clips}}</td><td>{{lastIngest}}</td><td>{{bay}}</td>
        </tr>
        {{/recorders}}
        </table>
        {{/page}}
        {{/content}}{{/layout}}
        """
}
