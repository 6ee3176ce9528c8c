/**
 * The geometry libraries, loaded on the first geo function call rather than with every query
 * (together they add ~100 ms to start-up).
 */
import { createRequire } from 'node:module';

type H3 = typeof import('h3-js');
type S2 = typeof import('s2js')['s2'];
type Polyclip = typeof import('polyclip-ts');
type Geodesic = typeof import('geographiclib-geodesic');

const require = createRequire(import.meta.url);
let h3: H3 | undefined;
let s2: S2 | undefined;
let polyclip: Polyclip | undefined;
let geodesic: Geodesic | undefined;

export function h3Library(): H3 {
  h3 ??= require('h3-js') as H3;
  return h3;
}

export function s2Library(): S2 {
  s2 ??= (require('s2js') as typeof import('s2js')).s2;
  return s2;
}

export function polyclipLibrary(): Polyclip {
  polyclip ??= require('polyclip-ts') as Polyclip;
  return polyclip;
}

export function geodesicLibrary(): Geodesic {
  if (!geodesic) {
    geodesic = require('geographiclib-geodesic') as Geodesic;
  }
  return geodesic;
}
