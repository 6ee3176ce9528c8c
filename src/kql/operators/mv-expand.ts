/** Operator plug-in: mv-expand (filled in by its own module). */
export {};
