import Foundation
import Hummingbird
import Mustache

/// The admin pages' templates, compiled once, and the HTML response they render into.
///
/// The templates are Swift string constants, one beside each page's view model, not resource files: SwiftPM
/// resources on Linux are found through `Bundle.module`, which breaks when only the binary is installed.
enum AdminRenderer {
    /// Every template by name: the layout and one per page.
    static let templates: [String: String] = [
        AdminLayout.name: AdminLayout.template,
        LoginPage.name: LoginPage.template,
        IngestLogPage.name: IngestLogPage.template,
        RecordersPage.name: RecordersPage.template,
        ClipPage.name: ClipPage.template,
        GapsPage.name: GapsPage.template,
        LatePage.name: LatePage.template,
        CompliancePage.name: CompliancePage.template,
    ]

    /// The compiled library. A template that does not parse is a programming error that every route test shows.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in templates {
            do {
                try library.register(text, named: name)
            } catch {
                fatalError("the admin template \(name) does not parse: \(error)")
            }
        }
        return library
    }()

    /// Renders `model` with the template `name` inside the layout, as `text/html; charset=utf-8`; without a caller
    /// (the login form) the navigation is left out, since every link would lead back to the form.
    static func render<Model>(
        _ name: String, title: String, current: String, caller: String?, model: Model,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let context = AdminPage(
            title: title, nav: caller == nil ? [] : AdminNavItem.items(current: current), callerName: caller,
            page: model)
        let html = library.render(context, withTemplate: name) ?? ""
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
