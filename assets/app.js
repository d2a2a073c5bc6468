// Recourse: progressive enhancement only; every page works without it.
(function () {
	"use strict";

	// Move focus to the error summary so screen readers announce it.
	var summary = document.querySelector(".error-summary");
	if (summary) summary.focus();

	// A second click while the first submission travels does nothing;
	// the server would recognise the replay anyway.
	var forms = document.querySelectorAll("form");
	Array.prototype.forEach.call(forms, function (form) {
		form.addEventListener("submit", function (ev) {
			if (form.dataset.sent === "1") {
				ev.preventDefault();
				return;
			}
			form.dataset.sent = "1";
			var b = form.querySelector("button[type=submit]");
			if (b) b.setAttribute("aria-disabled", "true");
		});
	});

	// A live character count for the description.
	var text = document.getElementById("f-description");
	if (text) {
		var out = document.createElement("p");
		out.className = "counter";
		out.id = "f-description-count";
		out.setAttribute("aria-live", "polite");
		text.parentNode.insertBefore(out, text.nextSibling);
		var update = function () {
			var n = Array.from(text.value).length;
			out.textContent = n + " of 10 000 characters" +
			    (n < 20 ? " (at least 20)" : "");
		};
		text.addEventListener("input", update);
		update();
	}
}());
