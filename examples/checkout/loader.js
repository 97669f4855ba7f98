/* loader.js: stands in for Kustomer's real loader snippet, with the toolkit's reference double
 * (kustomer_contract/reference/kustomer-double.mjs) as the SDK.
 *
 * Like the real loader it first sets a stub window.Kustomer with only `start`, which queues
 * the call; a little later the SDK arrives, replaces the stub, and the queued start is
 * replayed on it (its callback then runs as the SDK's own). Pages may call Kustomer.start at
 * once; every other method exists only once the SDK is in.
 *
 * The double is served by `kustomer-contract record` (and the browser checks) at
 * /__kustomer_contract__/kustomer-double.mjs.
 */
(function () {
  "use strict";
  var queued = [];
  window.Kustomer = {
    start: function (options, callback) {
      queued.push([options, callback]);
    },
  };
  window.checkoutLoader = { stubStarts: 0, sdkLoaded: false };

  setTimeout(function () {
    import("/__kustomer_contract__/kustomer-double.mjs").then(
      function (sdk) {
        var kustomer = sdk.createKustomer({
          klass: ["favoriteColorStr", "loyaltyPointsNum", "vipBool"],
          // A fixed delay, so callbacks run in the order of their calls and a recording of
          // this page is the same every time (the double's default draws 0-1 ms per call).
          delay: [1, 1],
        });
        window.Kustomer = kustomer;
        window.checkoutLoader.stubStarts = queued.length;
        window.checkoutLoader.sdkLoaded = true;
        queued.splice(0).forEach(function (call) {
          kustomer.start(call[0], call[1]);
        });
        window.dispatchEvent(new Event("kustomerLoaded"));
      },
      function (error) {
        console.error("loader.js: the Kustomer SDK did not load:", error);
      }
    );
  }, 50);
})();
