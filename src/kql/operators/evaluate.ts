/** Operator plug-in: evaluate (filled in by its own module). */
export {};
