import CustodyCore
import CustodyManifest
import Foundation

/// `/admin/compliance`: the supervision summary per officer and per recorder for a period — hours recorded, clips,
/// late clips, gaps by kind, unexplained gaps, overdue recorders, archives missed — with bar charts drawn on the
/// server (Art 29, 31). The figures are `ManifestStore.complianceReport`'s, the same as `custody report`'s.
struct CompliancePage {
    static let name = "compliance"

    /// One row of a table.
    struct Row {
        let key: String
        let name: String?
        let hours: String
        let clips: Int
        let late: Int
        let gaps: [Int]
        let unexplained: Int
        let overdue: Int
        let archivesMissed: Int
        let total: Bool
    }

    /// A table of rows and its charts.
    struct Table {
        let id: String
        let heading: String
        let keyHeading: String
        let rows: [Row]
        let charts: [BarChart]
    }

    let from: String
    let to: String
    let kinds: [String]
    let tables: [Table]

    /// The page for `from ..< to`; `to` is the day after the last day shown.
    static func build(
        store: ManifestStore, from: Date, to: Date, window: UploadWindow, now: Date
    ) throws(ManifestError) -> CompliancePage {
        let names = try OfficerNames(store)
        let kinds = GapKind.allCases.map(\.rawValue)
        func rows(_ report: [ComplianceRow], named: Bool) -> [Row] {
            report.map { row in
                Row(
                    key: row.key, name: named ? names.name(row.key) : nil,
                    hours: String(format: "%.2f", row.hoursRecorded), clips: row.clips, late: row.lateClips,
                    gaps: kinds.map { row.gapsByKind[$0] ?? 0 }, unexplained: row.unexplainedGaps,
                    overdue: row.overdueRecorders, archivesMissed: row.archivesMissed, total: row.key == "TOTAL")
            }
        }
        func label(_ row: ComplianceRow, named: Bool) -> String {
            guard named, let name = names.name(row.key) else { return row.key }
            return "\(name) \(row.key)"
        }
        func charts(_ report: [ComplianceRow], named: Bool, prefix: String) -> [BarChart] {
            let grouped = report.filter { $0.key != "TOTAL" }
            return [
                BarChart(
                    id: "\(prefix)-hours", title: "Hours recorded", color: "#2f6fb0",
                    values: grouped.map { (label($0, named: named), $0.hoursRecorded) },
                    format: { String(format: "%.2f h", $0) }),
                BarChart(
                    id: "\(prefix)-unexplained", title: "Unexplained gaps", color: "#b03a2f",
                    values: grouped.map { (label($0, named: named), Double($0.unexplainedGaps)) },
                    format: { String(Int($0)) }),
            ]
        }
        let byOfficer = try store.complianceReport(from: from, to: to, by: .officer, window: window, now: now)
        let byRecorder = try store.complianceReport(from: from, to: to, by: .recorder, window: window, now: now)
        return CompliancePage(
            from: String(RFC3339.format(from).prefix(10)),
            to: String(RFC3339.format(to.addingTimeInterval(-86_400)).prefix(10)), kinds: kinds,
            tables: [
                Table(
                    id: "by-officer", heading: "Per officer", keyHeading: "Officer", rows: rows(byOfficer, named: true),
                    charts: charts(byOfficer, named: true, prefix: "officer")),
                Table(
                    id: "by-recorder", heading: "Per recorder", keyHeading: "Recorder",
                    rows: rows(byRecorder, named: false), charts: charts(byRecorder, named: false, prefix: "recorder")),
            ])
    }

    static let template = """
        {{<layout}}{{$content}}
        {{#page}}
        <form class="filter" method="get" action="/admin/compliance">
        <label>From (UTC day) <input name="from" type="date" value="{{from}}"></label>
        <label>To (UTC day, included) <input name="to" type="date" value="{{to}}"></label>
        <button type="submit">Show</button>
        </form>
        <p class="muted">Clips and hours count recordings that started in the period; gaps, those whose span starts in
        it; overdue recorders are counted at the period's end; missed archives (Art 27) only in the total. The same
        figures as <code>custody report --from {{from}} --to …</code>.</p>
        {{#tables}}
        <h2>{{heading}}</h2>
        <div class="charts">{{#charts}}
        """ + BarChart.template + """
            {{/charts}}</div>
            <table id="{{id}}">
            <tr><th>{{keyHeading}}</th><th>Hours</th><th>Clips</th><th>Late</th>{{#kinds}}<th>{{.}}</th>{{/kinds}}<th>Unexplained</th><th>Overdue</th><th>Archives missed</th></tr>
            {{#rows}}
            <tr{{#total}} style="font-weight:bold"{{/total}}>
            <td>{{#name}}<span class="officer-name">{{name}}</span> {{/name}}{{key}}</td>
            <td class="number">{{hours}}</td><td class="number">{{clips}}</td><td class="number">{{late}}</td>
            {{#gaps}}<td class="number">{{.}}</td>{{/gaps}}
            <td class="number">{{unexplained}}</td><td class="number">{{overdue}}</td><td class="number">{{archivesMissed}}</td>
            </tr>
            {{/rows}}
            </table>
            {{/tables}}
            {{/page}}
            {{/content}}{{/layout}}
            """
}
