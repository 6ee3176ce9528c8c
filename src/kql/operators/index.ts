/** Loads every operator plug-in into the registry. */
export {};
