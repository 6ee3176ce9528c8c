/** Function family: datetime (filled in by its own module). */
export {};
