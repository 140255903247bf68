import CustodyCore
import CustodyManifest
import Foundation

/// `/admin/gaps`: registered gaps and interruptions, the unexplained ones first, each with its kind, recorder,
/// officer, span and evidence (Art 19, 22). `?open=1` shows only the open ones.
struct GapsPage {
    static let name = "gaps"

    /// One gap.
    struct Gap {
        let index: UInt64
        let kind: String
        let serial: String
        let officer: String?
        let officerName: String?
        let start: String
        let end: String
        let span: String
        let evidence: String
        let open: Bool
        let status: String
    }

    let openOnly: Bool
    let gaps: [Gap]
    let empty: Bool
    let openCount: Int

    static func build(store: ManifestStore, openOnly: Bool) throws(ManifestError) -> GapsPage {
        let names = try OfficerNames(store)
        let summaries = try store.gaps(openOnly: openOnly)
        // Unexplained first; within each group, the newest first.
        let ordered = summaries.filter(\.isOpen).reversed() + summaries.filter { !$0.isOpen }.reversed()
        let gaps = ordered.map { gap in
            Gap(
                index: gap.entryIndex, kind: gap.kind.rawValue, serial: gap.serial, officer: gap.officer,
                officerName: names.name(gap.officer), start: AdminFormat.time(gap.start),
                end: AdminFormat.time(gap.end),
                span: AdminFormat.duration(gap.end.timeIntervalSince(gap.start)), evidence: gap.evidence,
                open: gap.isOpen,
                status: gap.resolvedBy.map { "resolved by entry \($0)" }
                    ?? (gap.explanations > 0 ? "explained (\(gap.explanations))" : "unexplained"))
        }
        return GapsPage(
            openOnly: openOnly, gaps: gaps, empty: gaps.isEmpty, openCount: summaries.filter(\.isOpen).count)
    }

    static let template = """
        {{<layout}}{{$content}}
        {{#page}}
        <p><strong id="open-count">{{openCount}}</strong> open (unexplained and unresolved).
        {{#openOnly}}<a href="/admin/gaps">Show all</a>{{/openOnly}}{{^openOnly}}<a href="/admin/gaps?open=1">Only open</a>{{/openOnly}}.
        Explain one with <code>custody explain</code> (Art 22: spoken, or written and signed by two officers).</p>
        {{#empty}}<p>No gaps.</p>{{/empty}}
        {{^empty}}
        <table id="gaps">
        <tr><th>Entry</th><th>Status</th><th>Kind</th><th>Recorder</th><th>Officer</th><th>Span (UTC)</th><th>Evidence</th></tr>
        {{#gaps}}
        <tr>
        <td class="number">{{index}}</td>
        <td>{{#open}}<span class="open">{{status}}</span>{{/open}}{{^open}}{{status}}{{/open}}</td>
        <td>{{kind}}</td><td>{{serial}}</td>
        <td>{{#officerName}}<span class="officer-name">{{officerName}}</span> {{/officerName}}{{#officer}}<span class="muted">{{officer}}</span>{{/officer}}{{^officer}}<span class="muted">unassigned</span>{{/officer}}</td>
        <td>{{start}} → {{end}}<br><span class="muted">{{span}}</span></td>
        <td>{{evidence}}</td>
        </tr>
        {{/gaps}}
        </table>
        {{/empty}}
        {{/page}}
        {{/content}}{{/layout}}
        """
}
