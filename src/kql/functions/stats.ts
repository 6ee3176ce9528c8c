/** Function family: stats (filled in by its own module). */
export {};
