/// `GET /admin/login`: the form that takes a token and sets the session cookie, without JavaScript.
struct LoginPage {
    static let name = "login"

    /// Why the last attempt failed, for a person; nil on the first visit.
    let error: String?

    static let template = """
        {{<layout}}{{$content}}
        {{#page}}
        {{#error}}<p class="error" id="login-error">{{error}}</p>{{/error}}
        <form method="post" action="/admin/login">
        <p><label for="token">Token (from <code>custody tokens add --role admin</code> or <code>--role auditor</code>)</label></p>
        <p><input type="password" id="token" name="token" size="60" autocomplete="off" required autofocus></p>
        <p><button type="submit" id="login">Sign in</button></p>
        </form>
        <p class="muted">The token stays in an HttpOnly cookie for this browser's session; sign out to remove it.</p>
        {{/page}}
        {{/content}}{{/layout}}
        """
}
