// Every page: an htmx request refused because the login ended, the role may not, or the thing is
// gone (401/403/404) reloads the page, which then says so itself.
document.addEventListener("htmx:responseError", (event) => {
  if ([401, 403, 404].includes(event.detail.xhr.status)) window.location.reload();
});
