/** Operator plug-in: top-nested (filled in by its own module). */
export {};
