/** Loads every operator plug-in into the registry. */
import './mv-expand.js';
import './parse.js';
import './make-series.js';
import './evaluate.js';
import './top-nested.js';
import './graph.js';
import './scan.js';
import './misc.js';
