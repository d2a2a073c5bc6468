/*
 * The back office's account pages: login, the one-time set-up of password
 * and authenticator, and what a spent or unknown set-up link shows.
 */

#include <string.h>

#include "app.h"

static void
password_input(struct sbuf *b, const char *id, const char *label,
    const char *hint, const char *autocomplete, const char *error)
{
	page_field_intro(b, id, label, hint, error, 0);
	html_raw(b, "<input type=\"password\" maxlength=\"512\" autocomplete=\"");
	html_attrs(b, autocomplete);
	html_raw(b, "\"");
	page_field_aria(b, id, error);
	html_raw(b, ">\n</div>\n");
}

static void
code_input(struct sbuf *b, const char *id, const char *error)
{
	page_field_intro(b, id, "Code from your authenticator app",
	    "Six digits; a new one every 30 seconds.", error, 0);
	html_raw(b, "<input type=\"text\" inputmode=\"numeric\" "
	    "autocomplete=\"one-time-code\" maxlength=\"7\" class=\"short\"");
	page_field_aria(b, id, error);
	html_raw(b, ">\n</div>\n");
}

void
view_login(struct sbuf *b, const char *csrf, const char *typed,
    const char *error)
{
	static const char *const ids[] = { "login" };
	const char		*msgs[] = { error };

	page_begin(b, error ? "Error: log in" : "Log in");
	html_raw(b, "<h1>Log in to the back office</h1>\n");
	if (error != NULL)
		page_error_summary(b, ids, msgs, 1);
	html_raw(b, "<form method=\"post\" action=\"/review/login\" "
	    "enctype=\"multipart/form-data\" novalidate>\n");
	page_hidden(b, "csrf", csrf);
	page_field_intro(b, "login", "Login name",
	    "The name your administrator gave you.", error, 0);
	html_raw(b, "<input type=\"text\" autocomplete=\"username\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"40\"");
	page_field_aria(b, "login", error);
	html_raw(b, " value=\"");
	html_attrs(b, typed != NULL ? typed : "");
	html_raw(b, "\">\n</div>\n");
	password_input(b, "password", "Password", "12 to 128 characters.",
	    "current-password", NULL);
	code_input(b, "code", NULL);
	html_raw(b, "<button type=\"submit\" class=\"button\">Log in</button>\n"
	    "</form>\n<p>Forgotten your password or lost your authenticator? "
	    "Ask an administrator for a new set-up link.</p>\n");
	page_end(b);
}

/*
 * The authenticator key in groups of four, as apps show keys: easier to
 * type and to check, and read out group by group.
 */
static void
key_groups(struct sbuf *b, const char *key)
{
	size_t	 i, n;

	n = strlen(key);
	for (i = 0; i < n; i += 4) {
		if (i > 0)
			html_raw(b, " ");
		html_text(b, key + i, n - i < 4 ? n - i : 4);
	}
}

void
view_setup(struct sbuf *b, const struct setup_view *v)
{
	static const char *const ids[] = { "password", "password_confirm",
	    "code" };
	const char		*msgs[] = { v->error_password, v->error_confirm,
	    v->error_code };
	int			 errors;

	errors = v->error_password || v->error_confirm || v->error_code;
	page_begin(b, errors ? "Error: set up your account" :
	    "Set up your account");
	html_raw(b, "<h1>Set up your account</h1>\n<p>Login name: <strong>");
	html_texts(b, v->login);
	html_raw(b, "</strong></p>\n");
	if (errors)
		page_error_summary(b, ids, msgs, 3);
	html_raw(b, "<form method=\"post\" action=\"/account/setup\" "
	    "enctype=\"multipart/form-data\" novalidate>\n");
	page_hidden(b, "csrf", v->csrf);
	page_hidden(b, "token", v->token);
	html_raw(b, "<h2>1. Choose a password</h2>\n");
	password_input(b, "password", "New password", "12 to 128 characters. "
	    "A passphrase of several words is easiest to remember.",
	    "new-password", v->error_password);
	password_input(b, "password_confirm", "New password again",
	    "To catch a typing mistake.", "new-password", v->error_confirm);
	html_raw(b, "<h2>2. Add Recourse to your authenticator app</h2>\n"
	    "<p>Every login needs a code from an authenticator app on your "
	    "phone (for example FreeOTP, Aegis or Google Authenticator). In "
	    "the app, add an account and scan this QR code, or type the key "
	    "beside it.</p>\n<div class=\"enrol\">\n");
	if (v->qr != NULL)
		html_raw(b, v->qr);
	html_raw(b, "\n<div><p>Key, to type if you cannot scan:</p>\n"
	    "<p class=\"code key\" id=\"totp-secret\">");
	key_groups(b, v->secret);
	html_raw(b, "</p>\n<p>Spaces do not matter. On this phone? Open "
	    "<a href=\"");
	html_attrs(b, v->uri);
	html_raw(b, "\">the otpauth link</a> in your app instead.</p>\n"
	    "</div>\n</div>\n<h2>3. Confirm</h2>\n");
	code_input(b, "code", v->error_code);
	html_raw(b, "<button type=\"submit\" class=\"button\">Save and finish"
	    "</button>\n</form>\n");
	page_end(b);
}

void
view_setup_done(struct sbuf *b, const char *login)
{
	page_begin(b, "Your account is ready");
	html_raw(b, "<h1>Your account is ready</h1>\n<p>You can now "
	    "<a href=\"/review/login\">log in</a> as <strong>");
	html_texts(b, login);
	html_raw(b, "</strong> with your password and a code from your "
	    "authenticator app.</p>\n");
	page_end(b);
}

void
view_setup_gone(struct sbuf *b)
{
	page_begin(b, "This link cannot be used");
	html_raw(b, "<h1>This link cannot be used</h1>\n<p>Set-up links work "
	    "once and for 72 hours. Ask an administrator for a new one.</p>\n");
	page_end(b);
}

/* A token's lifetime, chosen when it is made. */
static void
days_radios(struct sbuf *b, const struct account_view *v)
{
	static const int	 days[] = { 7, 30, 90 };
	const char		*err = v->error_days;
	int			 chosen, i;
	char			 id[16], val[8];

	chosen = v->typed_days > 0 ? v->typed_days : 90;
	html_raw(b, "<fieldset class=\"field");
	if (err != NULL)
		html_raw(b, " has-error");
	html_raw(b, "\" id=\"f-days\" aria-describedby=\"f-days-hint");
	if (err != NULL)
		html_raw(b, " f-days-error");
	html_raw(b, "\">\n<legend>How long it works</legend>\n"
	    "<p class=\"hint\" id=\"f-days-hint\">Then it stops; make a new "
	    "one. It also stops when your password changes.</p>\n");
	if (err != NULL) {
		html_raw(b, "<p class=\"error\" id=\"f-days-error\"><span "
		    "class=\"visually-hidden\">Error: </span>");
		html_texts(b, err);
		html_raw(b, "</p>\n");
	}
	for (i = 0; i < 3; i++) {
		(void)snprintf(id, sizeof(id), "f-days-%d", days[i]);
		(void)snprintf(val, sizeof(val), "%d", days[i]);
		html_raw(b, "<div class=\"radio\"><input type=\"radio\" "
		    "name=\"days\" id=\"");
		html_attrs(b, id);
		html_raw(b, "\" value=\"");
		html_attrs(b, val);
		html_raw(b, days[i] == chosen ? "\" checked>" : "\">");
		html_raw(b, "<label for=\"");
		html_attrs(b, id);
		html_raw(b, "\">");
		html_texts(b, val);
		html_raw(b, " days</label></div>\n");
	}
	html_raw(b, "</fieldset>\n");
}

/* The new token's form: a name, a lifetime, the password and a code. */
static void
token_form(struct sbuf *b, const struct account_view *v)
{
	static const char *const ids[] = { "label", "days", "token_password",
	    "token_code" };
	const char		*msgs[] = { v->error_label, v->error_days,
	    v->error_token_password, v->error_token_code };

	if (v->error_label || v->error_days || v->error_token_password ||
	    v->error_token_code)
		page_error_summary(b, ids, msgs, 4);
	html_raw(b, "<form method=\"post\" action=\"/review/account/tokens\" "
	    "enctype=\"multipart/form-data\" novalidate>\n");
	page_hidden(b, "csrf", v->csrf);
	page_field_intro(b, "label", "Name of a new token", "What will use it, "
	    "so you know what to revoke later.", v->error_label, 0);
	html_raw(b, "<input type=\"text\" maxlength=\"100\"");
	page_field_aria(b, "label", v->error_label);
	html_raw(b, " value=\"");
	html_attrs(b, v->typed_label != NULL ? v->typed_label : "");
	html_raw(b, "\">\n</div>\n");
	days_radios(b, v);
	password_input(b, "token_password", "Your password", "To make a "
	    "token, confirm it is you.", "current-password",
	    v->error_token_password);
	code_input(b, "token_code", v->error_token_code);
	html_raw(b, "<button type=\"submit\" class=\"button\">Create a token"
	    "</button>\n</form>\n");
}

/* A row's status: revoked, expired, or a button to revoke it. */
static void
token_status(struct sbuf *b, const struct account_view *v, json_t *t)
{
	char	 id[24];

	if (json_is_string(json_object_get(t, "revoked_at"))) {
		html_raw(b, "Revoked");
		return;
	}
	if (json_is_true(json_object_get(t, "expired"))) {
		html_raw(b, "Expired");
		return;
	}
	(void)snprintf(id, sizeof(id), "%lld", (long long)
	    json_integer_value(json_object_get(t, "id")));
	html_raw(b, "<form method=\"post\" action=\"/review/account/tokens/"
	    "revoke\" class=\"inline\">");
	page_hidden(b, "csrf", v->csrf);
	page_hidden(b, "id", id);
	html_raw(b, "<button type=\"submit\" class=\"link\">Revoke</button>"
	    "</form>");
}

/* API tokens: the new one once, the list with revoke buttons, a form. */
static void
account_tokens(struct sbuf *b, const struct account_view *v)
{
	json_t	*t;
	size_t	 i;

	html_raw(b, "<h2 id=\"tokens\">API tokens</h2>\n<p>A token lets a "
	    "program use the staff API as you (send it as <code>"
	    "Authorization: Bearer</code>). Treat it like your password. "
	    "Tokens stop working when they expire, when you change your "
	    "password and when your account is deactivated.</p>\n");
	if (v->new_token != NULL) {
		html_raw(b, "<div class=\"notice\" role=\"status\"><p>Your new "
		    "token, shown only this once: copy it now.</p><p class=\"code\" "
		    "id=\"new-token\">");
		html_texts(b, v->new_token);
		html_raw(b, "</p><p id=\"new-token-expires\">It works until ");
		html_texts(b, v->new_token_expires);
		html_raw(b, " UTC.</p></div>\n");
	}
	if (v->error_token != NULL) {
		html_raw(b, "<p class=\"error\" role=\"alert\" "
		    "id=\"token-error\">");
		html_texts(b, v->error_token);
		html_raw(b, "</p>\n");
	}
	if (json_array_size(v->tokens) > 0) {
		html_raw(b, "<div class=\"table-wrap\" role=\"region\" "
		    "aria-label=\"API tokens\" tabindex=\"0\"><table><thead><tr>"
		    "<th scope=\"col\">Name</th>"
		    "<th scope=\"col\">Created</th><th scope=\"col\">Last used"
		    "</th><th scope=\"col\">Expires (UTC)</th>"
		    "<th scope=\"col\">Status</th></tr></thead><tbody>\n");
		json_array_foreach(v->tokens, i, t) {
			html_raw(b, "<tr><td dir=\"auto\">");
			html_texts(b, json_text(t, "label"));
			html_raw(b, "</td><td>");
			html_text(b, json_text(t, "created_at"), strnlen(json_text(t,
			    "created_at"), 10));
			html_raw(b, "</td><td>");
			html_text(b, json_text(t, "last_used_at"), strnlen(json_text(t,
			    "last_used_at"), 10));
			html_raw(b, "</td><td class=\"expires\">");
			html_texts(b, json_text(t, "expires_at"));
			html_raw(b, "</td><td>");
			token_status(b, v, t);
			html_raw(b, "</td></tr>\n");
		}
		html_raw(b, "</tbody></table></div>\n");
	}
	token_form(b, v);
}

void
view_account(struct sbuf *b, const struct account_view *v)
{
	static const char *const ids[] = { "current_password", "password",
	    "password_confirm" };
	const char		*msgs[] = { v->error_current, v->error_password,
	    v->error_confirm };
	int			 errors;

	errors = v->error_current || v->error_password || v->error_confirm;
	page_staff_begin(b, errors ? "Error: your account" : "Your account",
	    v->who, v->csrf);
	html_raw(b, "<h1>Your account</h1>\n<dl class=\"summary\"><dt>Login "
	    "name</dt><dd>");
	html_texts(b, v->who->login);
	html_raw(b, "</dd><dt>Name</dt><dd dir=\"auto\">");
	html_texts(b, v->who->name);
	html_raw(b, "</dd><dt>Roles</dt><dd>");
	html_raw(b, staff_has(v->who, STAFF_REVIEWER) ? "reviewer " : "");
	html_raw(b, staff_has(v->who, STAFF_SUPERVISOR) ? "supervisor " : "");
	html_raw(b, staff_has(v->who, STAFF_ADMIN) ? "admin" : "");
	html_raw(b, "</dd></dl>\n<h2>Change your password</h2>\n<p>Changing "
	    "it logs you out everywhere else.</p>\n");
	if (errors)
		page_error_summary(b, ids, msgs, 3);
	html_raw(b, "<form method=\"post\" action=\"/review/account/password\" "
	    "enctype=\"multipart/form-data\" novalidate>\n");
	page_hidden(b, "csrf", v->csrf);
	password_input(b, "current_password", "Current password", "The one "
	    "you log in with now.", "current-password", v->error_current);
	password_input(b, "password", "New password", "12 to 128 characters.",
	    "new-password", v->error_password);
	password_input(b, "password_confirm", "New password again",
	    "To catch a typing mistake.", "new-password", v->error_confirm);
	html_raw(b, "<button type=\"submit\" class=\"button\">Change password"
	    "</button>\n</form>\n");
	account_tokens(b, v);
	page_end(b);
}
