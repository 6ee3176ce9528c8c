/** Loads every function family into the registry. */
import './operators.js';
import './core.js';
import './aggregates.js';
