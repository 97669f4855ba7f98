// expect: ImplementationError when loading
// Throws while the module is evaluated.
throw new Error("kustomer config missing: set KUSTOMER_API_KEY");
