/** Function family: dynamic (filled in by its own module). */
export {};
