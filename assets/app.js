// Recourse: progressive enhancement only; every page works without it.
(function () {
	"use strict";

	// Move focus to the error summary so screen readers announce it.
	var summary = document.querySelector(".error-summary");
	if (summary) summary.focus();

	// A link in the summary puts the focus in its field and scrolls the
	// whole field into view: its label or question, hint and message too,
	// not just the box as following the link alone would.
	if (summary) summary.addEventListener("click", function (ev) {
		var a = ev.target.closest("a[href^='#']");
		var field = a && document.getElementById(
		    a.getAttribute("href").slice(1));
		if (!field) return;
		ev.preventDefault();
		(field.closest("fieldset, .field, .check") || field)
		    .scrollIntoView();
		field.focus({ preventScroll: true });
	});

	// A second click while the first submission travels does nothing;
	// the server would recognise the replay anyway.  The guard lifts after
	// ten seconds, or when the page comes back from the history, so that a
	// stalled or stopped submission can be sent again.
	var forms = document.querySelectorAll("form");
	var release = function (form) {
		delete form.dataset.sent;
		var b = form.querySelector("button[type=submit]");
		if (b) b.removeAttribute("aria-disabled");
	};
	Array.prototype.forEach.call(forms, function (form) {
		form.addEventListener("submit", function (ev) {
			if (form.dataset.sent === "1") {
				ev.preventDefault();
				return;
			}
			form.dataset.sent = "1";
			var b = form.querySelector("button[type=submit]");
			if (b) b.setAttribute("aria-disabled", "true");
			window.setTimeout(function () { release(form); }, 10000);
		});
	});
	window.addEventListener("pageshow", function () {
		Array.prototype.forEach.call(forms, release);
	});

	// A character count for the description.  It is not a live region
	// (that would speak on every keystroke); screen readers hear it as
	// part of the field's description when they reach the field.
	var text = document.getElementById("f-description");
	if (text) {
		var out = document.createElement("p");
		out.className = "counter";
		out.id = "f-description-count";
		text.parentNode.insertBefore(out, text.nextSibling);
		text.setAttribute("aria-describedby",
		    (text.getAttribute("aria-describedby") || "") + " " + out.id);
		var update = function () {
			var n = Array.from(text.value).length;
			out.textContent = n + " of 10\u00a0000 characters" +
			    (n < 20 ? " (at least 20)" : "");
		};
		text.addEventListener("input", update);
		update();
	}

	// The questions about the complainant are asked only once they have
	// allowed us to use the answers; without the script they are always
	// shown, and the server keeps them only with that consent.
	var consent = document.getElementById("f-consent_demographics");
	var about = document.getElementById("demographics");
	if (consent && about) {
		var showAbout = function () { about.hidden = !consent.checked; };
		consent.setAttribute("aria-controls", about.id);
		consent.addEventListener("change", showAbout);
		showAbout();
	}
}());
