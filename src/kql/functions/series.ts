/** Function family: series (filled in by its own module). */
export {};
