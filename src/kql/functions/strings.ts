/** Function family: strings (filled in by its own module). */
export {};
