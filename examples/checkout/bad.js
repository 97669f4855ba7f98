/* bad.js: a broken integration. Everything is as in good.js except that describeCustomer is
 * called right after login, without waiting for login's callback: it may describe the
 * anonymous visitor instead of the signed-in customer (obligation describe-after-login). */
(function () {
  "use strict";
  var JWT = "eyJhbGciOiJIUzI1NiJ9.eyJleHRlcm5hbElkIjoiNDIiLCJpYXQiOjE3MDAwMDAwMDB9.c2ln";
  var button = document.getElementById("sign-in");
  var status = document.getElementById("status");

  function show(text, state) {
    status.textContent = text;
    status.dataset.state = state;
  }

  Kustomer.start({}, function () {
    document.getElementById("chat").textContent = "ready";
    button.disabled = false;
  });

  button.addEventListener("click", function () {
    button.disabled = true;
    Kustomer.login({ jwtToken: JWT }, function (response, error) {
      if (error) show("Sign-in failed: " + error.message, "error");
    });
    // BUG: login has not called back yet.
    Kustomer.describeCustomer(
      {
        attributes: { emails: ["marsha@example.com"], phones: ["+1 555 555 5555"] },
        customAttributes: { favoriteColorStr: "teal", loyaltyPointsNum: 120 },
      },
      function (customer, error) {
        if (error) return show("Could not save your details: " + error.message, "error");
        show("Signed in as " + customer.emails.join(", "), "done");
      }
    );
  });
})();
