import CustodyCore
import CustodyManifest
import Foundation

/// `/admin/late`: clips stored after their deadline, and recorders out longer than the upload window (Art 23).
struct LatePage {
    static let name = "late"
    /// The most late clips listed.
    static let limit = 500

    /// A clip ingested after its deadline.
    struct LateClip {
        let sha256: String
        let serial: String
        let officer: String?
        let officerName: String?
        let recordingEnd: String
        let ingestTime: String
        let after: String
    }

    /// A recorder not docked within the window.
    struct Overdue {
        let serial: String
        let officer: String
        let officerName: String?
        let outSince: String
        let overdueBy: String
    }

    let windowHours: Int
    let clips: [LateClip]
    let noClips: Bool
    let overdue: [Overdue]
    let noneOverdue: Bool

    static func build(store: ManifestStore, window: UploadWindow, now: Date) throws(ManifestError) -> LatePage {
        let names = try OfficerNames(store)
        let clips = try store.clips(lateOnly: true, limit: limit).map { clip in
            LateClip(
                sha256: clip.sha256, serial: clip.serial, officer: clip.officerCertificate,
                officerName: names.name(clip.officerCertificate), recordingEnd: AdminFormat.time(clip.recordingEnd),
                ingestTime: AdminFormat.time(clip.ingestTime),
                after: AdminFormat.duration(clip.ingestTime.timeIntervalSince(clip.recordingEnd)))
        }
        let overdue = OverdueReport.overdue(recorders: try store.assignedRecorders(at: now), window: window, now: now)
            .map { item in
                Overdue(
                    serial: item.serial, officer: item.officer, officerName: names.name(item.officer),
                    outSince: AdminFormat.time(item.outSince), overdueBy: AdminFormat.duration(item.overdueBy))
            }
        return LatePage(
            windowHours: Int(window.length / 3600), clips: clips, noClips: clips.isEmpty, overdue: overdue,
            noneOverdue: overdue.isEmpty)
    }

    static let template = """
        {{<layout}}{{$content}}
        {{#page}}
        <p>Footage must be stored within {{windowHours}} h after recording ends, or after the officer returns when an
        exception is declared (Art 23).</p>
        <h2>Overdue recorders</h2>
        {{#noneOverdue}}<p>No recorder is overdue.</p>{{/noneOverdue}}
        {{^noneOverdue}}
        <table id="overdue">
        <tr><th>Recorder</th><th>Officer</th><th>Out since (UTC)</th><th>Past the window by</th></tr>
        {{#overdue}}
        <tr><td><a href="/admin/?recorder={{serial}}">{{serial}}</a></td>
        <td>{{#officerName}}<span class="officer-name">{{officerName}}</span> {{/officerName}}<span class="muted">{{officer}}</span></td>
        <td>{{outSince}}</td><td class="late">{{overdueBy}}</td></tr>
        {{/overdue}}
        </table>
        {{/noneOverdue}}
        <h2>Late clips</h2>
        {{#noClips}}<p>No clip was stored late.</p>{{/noClips}}
        {{^noClips}}
        <table id="late-clips">
        <tr><th>Clip</th><th>Recorder</th><th>Officer</th><th>Recording ended (UTC)</th><th>Stored (UTC)</th><th>After</th></tr>
        {{#clips}}
        <tr><td><a class="hash" href="/admin/clips/{{sha256}}">{{sha256}}</a></td><td>{{serial}}</td>
        <td>{{#officerName}}<span class="officer-name">{{officerName}}</span> {{/officerName}}{{#officer}}<span class="muted">{{officer}}</span>{{/officer}}{{^officer}}<span class="muted">unassigned</span>{{/officer}}</td>
        <td>{{recordingEnd}}</td><td>{{ingestTime}}</td><td class="late">{{after}}</td></tr>
        {{/clips}}
        </table>
        {{/noClips}}
        {{/page}}
        {{/content}}{{/layout}}
        """
}
