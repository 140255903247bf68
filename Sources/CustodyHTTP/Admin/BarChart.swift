import Foundation

/// A small horizontal bar chart drawn on the server as SVG: one bar per label, scaled to the largest value.
///
/// Only numbers computed here and escaped labels reach the template, so the SVG needs no script and no client.
struct BarChart {
    /// One bar, with its geometry in SVG user units.
    struct Bar {
        let label: String
        let value: String
        let y: Int
        let textY: Int
        let width: Int
        let valueX: Int
    }

    static let labelWidth = 170
    static let barArea = 280
    static let rowHeight = 24
    static let top = 30

    let id: String
    let title: String
    let color: String
    let width: Int
    let height: Int
    let bars: [Bar]

    /// A chart of `values` (label, value), each value written with `format`.
    init(id: String, title: String, color: String, values: [(String, Double)], format: (Double) -> String) {
        self.id = id
        self.title = title
        self.color = color
        let largest = values.map(\.1).max() ?? 0
        width = Self.labelWidth + Self.barArea + 70
        height = Self.top + max(values.count, 1) * Self.rowHeight + 6
        bars = values.enumerated().map { offset, item in
            let y = Self.top + offset * Self.rowHeight
            let length = largest > 0 ? Int((item.1 / largest * Double(Self.barArea)).rounded()) : 0
            return Bar(
                label: item.0, value: format(item.1), y: y, textY: y + 13, width: length,
                valueX: Self.labelWidth + length + 6)
        }
    }

    /// The chart's template, rendered inside a page's section that holds a `BarChart`.
    static let template = """
        <svg id="{{id}}" xmlns="http://www.w3.org/2000/svg" width="{{width}}" height="{{height}}" viewBox="0 0 {{width}} {{height}}" role="img" aria-label="{{title}}">
        <title>{{title}}</title>
        <text x="8" y="18" font-size="14" font-weight="bold">{{title}}</text>
        {{#bars}}<text x="164" y="{{textY}}" font-size="12" text-anchor="end">{{label}}</text><rect x="170" y="{{y}}" width="{{width}}" height="17" fill="{{color}}"/><text x="{{valueX}}" y="{{textY}}" font-size="12">{{value}}</text>
        {{/bars}}
        </svg>
        """
}
