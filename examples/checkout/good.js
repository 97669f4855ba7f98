/* good.js: a correct integration. start first (on the loader's stub: it is queued); the
 * "Sign in" button is enabled in start's callback; its click logs in, and describeCustomer
 * runs inside login's callback, once the customer is identified. */
(function () {
  "use strict";
  // A demo token (HS256 JWT with externalId and iat claims), as a server would hand it out.
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
      if (error) return show("Sign-in failed: " + error.message, "error");
      // Inside login's callback: the attributes land on the signed-in customer.
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
  });
})();
