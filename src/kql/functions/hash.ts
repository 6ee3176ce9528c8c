/** Function family: hash (filled in by its own module). */
export {};
