/** Loads every function family into the registry. */
import './operators.js';
import './core.js';
import './aggregates.js';
import './strings.js';
import './datetime.js';
import './math.js';
import './hash.js';
import './dynamic.js';
import './stats.js';
import './series.js';
import './window.js';
import './geo-lines.js';
import './geo-polygons.js';
import './misc.js';
import './geo-cells.js';
