// Small behaviours of the console that htmx does not cover.
document.addEventListener("click", function (event) {
  // Move form: picking a suggested address fills the premise number.
  const pick = event.target.closest("[data-pick-premise]");
  if (pick) {
    const input = document.getElementById("id_to_premise");
    if (input) input.value = pick.dataset.pickPremise;
    pick.closest("ul").querySelectorAll("[data-pick-premise]").forEach((b) => b.classList.remove("picked"));
    pick.classList.add("picked");
  }
});
