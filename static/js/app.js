document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen readers announce it and keyboard users start there.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // A table wider than the screen scrolls sideways: keyboard users must be able to reach and scroll it.
  document.querySelectorAll(".table-responsive").forEach(function (region) {
    if (region.scrollWidth > region.clientWidth && !region.hasAttribute("tabindex")) {
      var caption = region.querySelector("caption");
      region.setAttribute("tabindex", "0");
      region.setAttribute("role", "region");
      region.setAttribute("aria-label", (caption ? caption.textContent.trim() + ": " : "") + "table, scrolls sideways");
    }
  });
});
