/** Function family: math (filled in by its own module). */
export {};
