/** Operator plug-in: parse (filled in by its own module). */
export {};
