/** Operator plug-in: make-series (filled in by its own module). */
export {};
