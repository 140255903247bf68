/// The layout every admin page shares: UTF-8, a title, the navigation, a little inline CSS and a logout button.
///
/// Pages extend it with Mustache inheritance (`{{<layout}}{{$content}}…{{/content}}{{/layout}}`), so no page
/// needs a triple mustache: every value is HTML-escaped by `{{ }}`.
enum AdminLayout {
    /// The template's name in the library.
    static let name = "layout"

    /// The template. Its context is an `AdminPage`.
    static let template = """
        <!DOCTYPE html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Custody</title>
        <style>
        body { font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; margin: 0; color: #1d2630; background: #f6f7f9; }
        header { background: #1f3a5f; color: #fff; padding: .5em 1em; display: flex; align-items: center; gap: 1.5em; flex-wrap: wrap; }
        header a { color: #fff; text-decoration: none; }
        header a.current { text-decoration: underline; font-weight: bold; }
        header form { margin-left: auto; }
        main { padding: 1em; }
        h1 { font-size: 1.4em; margin-top: 0; }
        table { border-collapse: collapse; background: #fff; margin-bottom: 1.2em; }
        th, td { border: 1px solid #ccd2da; padding: .25em .5em; text-align: left; vertical-align: top; }
        th { background: #e6eaf0; }
        td.number { text-align: right; }
        .hash { font-family: monospace; font-size: .9em; word-break: break-all; }
        .open { color: #a40000; font-weight: bold; }
        .late { color: #a45a00; font-weight: bold; }
        .error { color: #a40000; }
        .muted { color: #5a6672; }
        pre { background: #fff; border: 1px solid #ccd2da; padding: .5em; white-space: pre-wrap; word-break: break-all; }
        progress { width: 10em; }
        form.filter { background: #fff; border: 1px solid #ccd2da; padding: .5em; margin-bottom: 1em; }
        svg { background: #fff; border: 1px solid #ccd2da; margin: 0 1em 1em 0; }
        </style>
        </head>
        <body>
        <header>
        <strong>Custody</strong>
        {{#nav}}<a href="{{href}}"{{#current}} class="current"{{/current}}>{{label}}</a>
        {{/nav}}
        {{#callerName}}<form method="post" action="/admin/logout"><span class="muted">{{callerName}}</span> <button type="submit">Log out</button></form>{{/callerName}}
        </header>
        <main>
        <h1>{{title}}</h1>
        {{$content}}{{/content}}
        </main>
        </body>
        </html>

        """
}

/// One link of the navigation.
struct AdminNavItem {
    let href: String
    let label: String
    let current: Bool

    /// The pages in the navigation, with `current` marked.
    static func items(current: String) -> [AdminNavItem] {
        [
            ("/admin/", "Ingest log"), ("/admin/recorders", "Recorders"), ("/admin/gaps", "Gaps"),
            ("/admin/late", "Late and overdue"), ("/admin/compliance", "Compliance"),
        ].map { AdminNavItem(href: $0.0, label: $0.1, current: $0.0 == current) }
    }
}

/// The context a page renders with: the layout's values and the page's view model under `page`.
struct AdminPage<Model> {
    let title: String
    let nav: [AdminNavItem]
    /// The name of the signed-in token (never its text), for the header; nil on the login page.
    let callerName: String?
    let page: Model
}
