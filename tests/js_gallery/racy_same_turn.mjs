// breaks: no-lost-update
// racy_global's read-modify-write race with the smallest window there is: each request completes
// in the microtask right after the call returns. Two describes overlap only when they are made
// in the same turn of the event loop (as an integration calling one after the other does); made
// in two turns, the first has landed before the second reads.
import { racyKustomer } from "./racy_global.mjs";

export default function make() {
  return racyKustomer(queueMicrotask);
}
