/* The account page: change the password through the API (GIS.fetchJSON sends the CSRF token). */
"use strict";
(function () {
  const form = document.getElementById("password-form");
  const result = document.getElementById("password-result");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await GIS.fetchJSON("/api/v1/me/password", {json: {
        current_password: data.get("current_password"),
        new_password: data.get("new_password"),
      }});
      GIS.message(result, GIS.t("web.account.password_changed"), false);
      setTimeout(() => { window.location.href = "/login"; }, 1200);
    } catch (error) {
      GIS.message(result, error.message, true);
    }
  });
})();
