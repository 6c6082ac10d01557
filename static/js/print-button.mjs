// The printable plan's print button: shown only when JavaScript can print (no inline script).
for (const button of document.querySelectorAll("[data-print-button]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
