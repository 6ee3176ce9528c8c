/**
 * Assorted scalar functions and aggregates: `tohex()`, the `convert_*()` unit conversions and the
 * `buildschema()` aggregate.
 *
 * Unit conversions follow the library Kusto uses (UnitsNet): a value goes to the quantity's base unit
 * and from there to the target unit, with the same double arithmetic (a prefixed unit such as
 * Kilometer applies its base unit's formula, then `* 1e3` / `/ 1e3`). The formulas are the unit
 * definitions UnitsNet shipped from 2021 to late 2024 (later releases changed the base units and many
 * factors, and the documented outputs match the older ones, e.g. AcreFoot = m³ * 0.000810714). A
 * documented unit whose formula changed within that span is in UNCERTAIN_UNITS and fails as not
 * supported rather than risk a different answer; a unit Kusto does not know gives null, as documented.
 */
import { KqlError } from '../errors.js';
import { type Dynamic, isPlainObject, longToBigInt, type Value } from '../values.js';
import { toReal } from './coerce.js';
import { registerAggregate, registerScalar } from './registry.js';

// ---- tohex ----

/** Lower-case hex of an int (32-bit two's complement) or long (64-bit), zero-padded to minLength. */
export function toHex(value: number | bigint, bits: 32 | 64, minLength?: number): string {
  const text = BigInt.asUintN(bits, longToBigInt(value)).toString(16);
  return minLength !== undefined && minLength > text.length ? text.padStart(minLength, '0') : text;
}

registerScalar('tohex', ({ argTypes }) => {
  const bits = argTypes[0] === 'int' ? 32 : 64;
  if (argTypes[0] !== 'int' && argTypes[0] !== 'long')
    throw new KqlError(`not supported: tohex() of ${argTypes[0]}`, 'NotSupported');
  return (value, minLength) => {
    if (value === null) return '';
    const min = typeof minLength === 'bigint' ? Number(minLength) : (minLength as number | null | undefined);
    return toHex(value as number | bigint, bits, min ?? undefined);
  };
});

// ---- convert_*() ----

type Convert = (x: number) => number;

const UNITS: Record<string, Record<string, [Convert, Convert]>> = {
  angle: {
    Arcminute: [(x) => x / 60, (x) => x * 60],
    Arcsecond: [(x) => x / 3600, (x) => x * 3600],
    Centiradian: [(x) => ((x * 180) / Math.PI) * 1e-2, (x) => ((x / 180) * Math.PI) / 1e-2],
    Deciradian: [(x) => ((x * 180) / Math.PI) * 1e-1, (x) => ((x / 180) * Math.PI) / 1e-1],
    Degree: [(x) => x, (x) => x],
    Gradian: [(x) => x * 0.9, (x) => x / 0.9],
    Microdegree: [(x) => x * 1e-6, (x) => x / 1e-6],
    Microradian: [(x) => ((x * 180) / Math.PI) * 1e-6, (x) => ((x / 180) * Math.PI) / 1e-6],
    Millidegree: [(x) => x * 1e-3, (x) => x / 1e-3],
    Milliradian: [(x) => ((x * 180) / Math.PI) * 1e-3, (x) => ((x / 180) * Math.PI) / 1e-3],
    Nanodegree: [(x) => x * 1e-9, (x) => x / 1e-9],
    Nanoradian: [(x) => ((x * 180) / Math.PI) * 1e-9, (x) => ((x / 180) * Math.PI) / 1e-9],
    NatoMil: [(x) => (x * 9) / 160, (x) => (x * 160) / 9],
    Radian: [(x) => (x * 180) / Math.PI, (x) => (x / 180) * Math.PI],
    Revolution: [(x) => x * 360, (x) => x / 360],
    Tilt: [(x) => (Math.asin(x) * 180) / Math.PI, (x) => Math.sin((x / 180) * Math.PI)],
  },
  energy: {
    BritishThermalUnit: [(x) => x * 1055.05585262, (x) => x / 1055.05585262],
    Calorie: [(x) => x * 4.184, (x) => x / 4.184],
    DecathermEc: [(x) => x * 1.05505585262e8 * 1e1, (x) => x / 1.05505585262e8 / 1e1],
    DecathermImperial: [(x) => x * 105505585.257348 * 1e1, (x) => x / 105505585.257348 / 1e1],
    DecathermUs: [(x) => x * 1.054804e8 * 1e1, (x) => x / 1.054804e8 / 1e1],
    ElectronVolt: [(x) => x * 1.602176565e-19, (x) => x / 1.602176565e-19],
    Erg: [(x) => x * 1e-7, (x) => x / 1e-7],
    FootPound: [(x) => x * 1.355817948, (x) => x / 1.355817948],
    GigabritishThermalUnit: [(x) => x * 1055.05585262 * 1e9, (x) => x / 1055.05585262 / 1e9],
    GigaelectronVolt: [(x) => x * 1.602176565e-19 * 1e9, (x) => x / 1.602176565e-19 / 1e9],
    Gigajoule: [(x) => x * 1e9, (x) => x / 1e9],
    GigawattDay: [(x) => x * 24 * 3600 * 1e9, (x) => x / (24 * 3600) / 1e9],
    GigawattHour: [(x) => x * 3600 * 1e9, (x) => x / 3600 / 1e9],
    HorsepowerHour: [(x) => x * 2.6845195377e6, (x) => x / 2.6845195377e6],
    Joule: [(x) => x, (x) => x],
    KilobritishThermalUnit: [(x) => x * 1055.05585262 * 1e3, (x) => x / 1055.05585262 / 1e3],
    Kilocalorie: [(x) => x * 4.184 * 1e3, (x) => x / 4.184 / 1e3],
    KiloelectronVolt: [(x) => x * 1.602176565e-19 * 1e3, (x) => x / 1.602176565e-19 / 1e3],
    Kilojoule: [(x) => x * 1e3, (x) => x / 1e3],
    KilowattDay: [(x) => x * 24 * 3600 * 1e3, (x) => x / (24 * 3600) / 1e3],
    KilowattHour: [(x) => x * 3600 * 1e3, (x) => x / 3600 / 1e3],
    MegabritishThermalUnit: [(x) => x * 1055.05585262 * 1e6, (x) => x / 1055.05585262 / 1e6],
    Megacalorie: [(x) => x * 4.184 * 1e6, (x) => x / 4.184 / 1e6],
    MegaelectronVolt: [(x) => x * 1.602176565e-19 * 1e6, (x) => x / 1.602176565e-19 / 1e6],
    Megajoule: [(x) => x * 1e6, (x) => x / 1e6],
    MegawattDay: [(x) => x * 24 * 3600 * 1e6, (x) => x / (24 * 3600) / 1e6],
    MegawattHour: [(x) => x * 3600 * 1e6, (x) => x / 3600 / 1e6],
    Millijoule: [(x) => x * 1e-3, (x) => x / 1e-3],
    TeraelectronVolt: [(x) => x * 1.602176565e-19 * 1e12, (x) => x / 1.602176565e-19 / 1e12],
    TerawattDay: [(x) => x * 24 * 3600 * 1e12, (x) => x / (24 * 3600) / 1e12],
    TerawattHour: [(x) => x * 3600 * 1e12, (x) => x / 3600 / 1e12],
    ThermEc: [(x) => x * 1.05505585262e8, (x) => x / 1.05505585262e8],
    ThermImperial: [(x) => x * 105505585.257348, (x) => x / 105505585.257348],
    ThermUs: [(x) => x * 1.054804e8, (x) => x / 1.054804e8],
    WattDay: [(x) => x * 24 * 3600, (x) => x / (24 * 3600)],
    WattHour: [(x) => x * 3600, (x) => x / 3600],
  },
  force: {
    Decanewton: [(x) => x * 1e1, (x) => x / 1e1],
    Dyn: [(x) => x / 1e5, (x) => x * 1e5],
    Kilonewton: [(x) => x * 1e3, (x) => x / 1e3],
    Meganewton: [(x) => x * 1e6, (x) => x / 1e6],
    Micronewton: [(x) => x * 1e-6, (x) => x / 1e-6],
    Millinewton: [(x) => x * 1e-3, (x) => x / 1e-3],
    Newton: [(x) => x, (x) => x],
  },
  length: {
    Angstrom: [(x) => x * 1e-10, (x) => x / 1e-10],
    AstronomicalUnit: [(x) => x * 1.495978707e11, (x) => x / 1.495978707e11],
    Centimeter: [(x) => x * 1e-2, (x) => x / 1e-2],
    Chain: [(x) => x * 20.1168, (x) => x / 20.1168],
    DataMile: [(x) => x * 1828.8, (x) => x / 1828.8],
    Decameter: [(x) => x * 1e1, (x) => x / 1e1],
    Decimeter: [(x) => x * 1e-1, (x) => x / 1e-1],
    DtpPica: [(x) => x / 236.220472441, (x) => x * 236.220472441],
    DtpPoint: [(x) => (x / 72) * 2.54e-2, (x) => (x / 2.54e-2) * 72],
    Fathom: [(x) => x * 1.8288, (x) => x / 1.8288],
    Foot: [(x) => x * 0.3048, (x) => x / 0.3048],
    Hand: [(x) => x * 1.016e-1, (x) => x / 1.016e-1],
    Hectometer: [(x) => x * 1e2, (x) => x / 1e2],
    Inch: [(x) => x * 2.54e-2, (x) => x / 2.54e-2],
    KilolightYear: [(x) => x * 9.46073047258e15 * 1e3, (x) => x / 9.46073047258e15 / 1e3],
    Kilometer: [(x) => x * 1e3, (x) => x / 1e3],
    Kiloparsec: [(x) => x * 3.08567758128e16 * 1e3, (x) => x / 3.08567758128e16 / 1e3],
    LightYear: [(x) => x * 9.46073047258e15, (x) => x / 9.46073047258e15],
    MegalightYear: [(x) => x * 9.46073047258e15 * 1e6, (x) => x / 9.46073047258e15 / 1e6],
    Megaparsec: [(x) => x * 3.08567758128e16 * 1e6, (x) => x / 3.08567758128e16 / 1e6],
    Meter: [(x) => x, (x) => x],
    Microinch: [(x) => x * 2.54e-8, (x) => x / 2.54e-8],
    Micrometer: [(x) => x * 1e-6, (x) => x / 1e-6],
    Mil: [(x) => x * 2.54e-5, (x) => x / 2.54e-5],
    Millimeter: [(x) => x * 1e-3, (x) => x / 1e-3],
    Nanometer: [(x) => x * 1e-9, (x) => x / 1e-9],
    NauticalMile: [(x) => x * 1852, (x) => x / 1852],
    Parsec: [(x) => x * 3.08567758128e16, (x) => x / 3.08567758128e16],
    PrinterPica: [(x) => x / 237.106301584, (x) => x * 237.106301584],
    PrinterPoint: [(x) => (x / 72.27) * 2.54e-2, (x) => (x / 2.54e-2) * 72.27],
    Shackle: [(x) => x * 27.432, (x) => x / 27.432],
    Twip: [(x) => x / 56692.913385826, (x) => x * 56692.913385826],
    UsSurveyFoot: [(x) => (x * 1200) / 3937, (x) => (x * 3937) / 1200],
    Yard: [(x) => x * 0.9144, (x) => x / 0.9144],
  },
  mass: {
    Centigram: [(x) => (x / 1e3) * 1e-2, (x) => (x * 1e3) / 1e-2],
    Decagram: [(x) => (x / 1e3) * 1e1, (x) => (x * 1e3) / 1e1],
    Decigram: [(x) => (x / 1e3) * 1e-1, (x) => (x * 1e3) / 1e-1],
    EarthMass: [(x) => x * 5.9722e24, (x) => x / 5.9722e24],
    Grain: [(x) => x / 15432.358352941432, (x) => x * 15432.358352941432],
    Gram: [(x) => x / 1e3, (x) => x * 1e3],
    Hectogram: [(x) => (x / 1e3) * 1e2, (x) => (x * 1e3) / 1e2],
    Kilogram: [(x) => (x / 1e3) * 1e3, (x) => (x * 1e3) / 1e3],
    Kilopound: [(x) => x * 0.45359237 * 1e3, (x) => x / 0.45359237 / 1e3],
    Kilotonne: [(x) => x * 1e3 * 1e3, (x) => x / 1e3 / 1e3],
    LongHundredweight: [(x) => x / 0.01968413055222121, (x) => x * 0.01968413055222121],
    LongTon: [(x) => x * 1.0160469088e3, (x) => x / 1.0160469088e3],
    Megapound: [(x) => x * 0.45359237 * 1e6, (x) => x / 0.45359237 / 1e6],
    Megatonne: [(x) => x * 1e3 * 1e6, (x) => x / 1e3 / 1e6],
    Microgram: [(x) => (x / 1e3) * 1e-6, (x) => (x * 1e3) / 1e-6],
    Milligram: [(x) => (x / 1e3) * 1e-3, (x) => (x * 1e3) / 1e-3],
    Nanogram: [(x) => (x / 1e3) * 1e-9, (x) => (x * 1e3) / 1e-9],
    Pound: [(x) => x * 0.45359237, (x) => x / 0.45359237],
    ShortHundredweight: [(x) => x / 0.022046226218487758, (x) => x * 0.022046226218487758],
    ShortTon: [(x) => x * 9.0718474e2, (x) => x / 9.0718474e2],
    Slug: [(x) => x / 0.06852176556196105, (x) => x * 0.06852176556196105],
    SolarMass: [(x) => x * 1.98947e30, (x) => x / 1.98947e30],
    Stone: [(x) => x / 0.1574731728702698, (x) => x * 0.1574731728702698],
    Tonne: [(x) => x * 1e3, (x) => x / 1e3],
  },
  speed: {
    CentimeterPerHour: [(x) => (x / 3600) * 1e-2, (x) => (x * 3600) / 1e-2],
    CentimeterPerMinute: [(x) => (x / 60) * 1e-2, (x) => (x * 60) / 1e-2],
    CentimeterPerSecond: [(x) => x * 1e-2, (x) => x / 1e-2],
    DecimeterPerMinute: [(x) => (x / 60) * 1e-1, (x) => (x * 60) / 1e-1],
    DecimeterPerSecond: [(x) => x * 1e-1, (x) => x / 1e-1],
    FootPerHour: [(x) => (x * 0.3048) / 3600, (x) => (x / 0.3048) * 3600],
    FootPerMinute: [(x) => (x * 0.3048) / 60, (x) => (x / 0.3048) * 60],
    FootPerSecond: [(x) => x * 0.3048, (x) => x / 0.3048],
    InchPerHour: [(x) => (x / 3600) * 2.54e-2, (x) => (x / 2.54e-2) * 3600],
    InchPerMinute: [(x) => (x / 60) * 2.54e-2, (x) => (x / 2.54e-2) * 60],
    InchPerSecond: [(x) => x * 2.54e-2, (x) => x / 2.54e-2],
    KilometerPerHour: [(x) => (x / 3600) * 1e3, (x) => (x * 3600) / 1e3],
    KilometerPerMinute: [(x) => (x / 60) * 1e3, (x) => (x * 60) / 1e3],
    KilometerPerSecond: [(x) => x * 1e3, (x) => x / 1e3],
    MeterPerHour: [(x) => x / 3600, (x) => x * 3600],
    MeterPerMinute: [(x) => x / 60, (x) => x * 60],
    MeterPerSecond: [(x) => x, (x) => x],
    MicrometerPerMinute: [(x) => (x / 60) * 1e-6, (x) => (x * 60) / 1e-6],
    MicrometerPerSecond: [(x) => x * 1e-6, (x) => x / 1e-6],
    MilePerHour: [(x) => x * 0.44704, (x) => x / 0.44704],
    MillimeterPerHour: [(x) => (x / 3600) * 1e-3, (x) => (x * 3600) / 1e-3],
    MillimeterPerMinute: [(x) => (x / 60) * 1e-3, (x) => (x * 60) / 1e-3],
    MillimeterPerSecond: [(x) => x * 1e-3, (x) => x / 1e-3],
    NanometerPerMinute: [(x) => (x / 60) * 1e-9, (x) => (x * 60) / 1e-9],
    NanometerPerSecond: [(x) => x * 1e-9, (x) => x / 1e-9],
    UsSurveyFootPerHour: [(x) => (x * 1200) / 3937 / 3600, (x) => ((x * 3937) / 1200) * 3600],
    UsSurveyFootPerMinute: [(x) => (x * 1200) / 3937 / 60, (x) => ((x * 3937) / 1200) * 60],
    UsSurveyFootPerSecond: [(x) => (x * 1200) / 3937, (x) => (x * 3937) / 1200],
    YardPerHour: [(x) => (x * 0.9144) / 3600, (x) => (x / 0.9144) * 3600],
    YardPerMinute: [(x) => (x * 0.9144) / 60, (x) => (x / 0.9144) * 60],
    YardPerSecond: [(x) => x * 0.9144, (x) => x / 0.9144],
  },
  temperature: {
    DegreeCelsius: [(x) => x + 273.15, (x) => x - 273.15],
    DegreeDelisle: [(x) => (x * -2) / 3 + 373.15, (x) => ((x - 373.15) * -3) / 2],
    DegreeFahrenheit: [(x) => (x * 5) / 9 + (459.67 * 5) / 9, (x) => ((x - (459.67 * 5) / 9) * 9) / 5],
    DegreeNewton: [(x) => (x * 100) / 33 + 273.15, (x) => ((x - 273.15) * 33) / 100],
    DegreeRankine: [(x) => (x * 5) / 9, (x) => (x * 9) / 5],
    DegreeReaumur: [(x) => (x * 5) / 4 + 273.15, (x) => ((x - 273.15) * 4) / 5],
    DegreeRoemer: [
      (x) => (x * 40) / 21 + 273.15 - (7.5 * 40) / 21,
      (x) => ((x - (273.15 - (7.5 * 40) / 21)) * 21) / 40,
    ],
    Kelvin: [(x) => x, (x) => x],
    MillidegreeCelsius: [(x) => x / 1000 + 273.15, (x) => (x - 273.15) * 1000],
    SolarTemperature: [(x) => x * 5778, (x) => x / 5778],
  },
  volume: {
    AcreFoot: [(x) => x / 0.000810714, (x) => x * 0.000810714],
    AuTablespoon: [(x) => x * 2e-5, (x) => x / 2e-5],
    BoardFoot: [(x) => x * 2.3597372158e-3, (x) => x / 2.3597372158e-3],
    Centiliter: [(x) => (x / 1e3) * 1e-2, (x) => (x * 1e3) / 1e-2],
    CubicCentimeter: [(x) => x / 1e6, (x) => x * 1e6],
    CubicDecimeter: [(x) => x / 1e3, (x) => x * 1e3],
    CubicHectometer: [(x) => x * 1e6, (x) => x / 1e6],
    CubicKilometer: [(x) => x * 1e9, (x) => x / 1e9],
    CubicMeter: [(x) => x, (x) => x],
    CubicMicrometer: [(x) => x / 1e18, (x) => x * 1e18],
    CubicMile: [(x) => x * 4168181825.44058, (x) => x / 4168181825.44058],
    CubicMillimeter: [(x) => x / 1e9, (x) => x * 1e9],
    CubicYard: [(x) => x * 0.764554858, (x) => x / 0.764554858],
    Decaliter: [(x) => (x / 1e3) * 1e1, (x) => (x * 1e3) / 1e1],
    Deciliter: [(x) => (x / 1e3) * 1e-1, (x) => (x * 1e3) / 1e-1],
    HectocubicMeter: [(x) => x * 1e2, (x) => x / 1e2],
    Hectoliter: [(x) => (x / 1e3) * 1e2, (x) => (x * 1e3) / 1e2],
    ImperialBeerBarrel: [(x) => x * 0.16365924, (x) => x / 0.16365924],
    ImperialOunce: [(x) => x * 0.0000284130624999629, (x) => x / 0.0000284130624999629],
    ImperialPint: [(x) => x * 5.6826125e-4, (x) => x / 5.6826125e-4],
    KilocubicMeter: [(x) => x * 1e3, (x) => x / 1e3],
    Kiloliter: [(x) => (x / 1e3) * 1e3, (x) => (x * 1e3) / 1e3],
    Liter: [(x) => x / 1e3, (x) => x * 1e3],
    Megaliter: [(x) => (x / 1e3) * 1e6, (x) => (x * 1e3) / 1e6],
    MetricCup: [(x) => x * 0.00025, (x) => x / 0.00025],
    MetricTeaspoon: [(x) => x * 0.5e-5, (x) => x / 0.5e-5],
    Microliter: [(x) => (x / 1e3) * 1e-6, (x) => (x * 1e3) / 1e-6],
    Milliliter: [(x) => (x / 1e3) * 1e-3, (x) => (x * 1e3) / 1e-3],
    OilBarrel: [(x) => x * 0.158987294928, (x) => x / 0.158987294928],
    UkTablespoon: [(x) => x * 1.5e-5, (x) => x / 1.5e-5],
    UsBeerBarrel: [(x) => x * 0.1173477658, (x) => x / 0.1173477658],
    UsCustomaryCup: [(x) => x * 0.0002365882365, (x) => x / 0.0002365882365],
    UsLegalCup: [(x) => x * 0.00024, (x) => x / 0.00024],
    UsOunce: [(x) => x * 0.000029573529562537606, (x) => x / 0.000029573529562537606],
    UsPint: [(x) => x * 4.73176473e-4, (x) => x / 4.73176473e-4],
    UsQuart: [(x) => x * 9.46352946e-4, (x) => x / 9.46352946e-4],
    UsTablespoon: [(x) => x * 1.478676478125e-5, (x) => x / 1.478676478125e-5],
    UsTeaspoon: [(x) => x * 4.92892159375e-6, (x) => x / 4.92892159375e-6],
  },
};
const UNCERTAIN_UNITS: Record<string, string[]> = {
  angle: [],
  energy: [],
  force: [
    'KilogramForce',
    'KiloPond',
    'KilopoundForce',
    'OunceForce',
    'Poundal',
    'PoundForce',
    'ShortTonForce',
    'TonneForce',
  ],
  length: ['Mile', 'SolarRadius'],
  mass: ['Ounce'],
  speed: ['Knot'],
  temperature: [],
  volume: [
    'CubicFoot',
    'CubicInch',
    'DecausGallon',
    'DeciusGallon',
    'HectocubicFoot',
    'HectousGallon',
    'ImperialGallon',
    'KilocubicFoot',
    'KiloimperialGallon',
    'KilousGallon',
    'MegacubicFoot',
    'MegaimperialGallon',
    'MegausGallon',
    'UsGallon',
  ],
};

/** Converts between two units of a quantity; null for units Kusto does not know. */
export function convertUnit(quantity: string, value: number, from: string, to: string): number | null {
  const table = UNITS[quantity];
  const source = unitFor(quantity, table, from);
  const target = unitFor(quantity, table, to);
  if (!source || !target) return null;
  if (from === to) return value;
  return target[1](source[0](value));
}

function unitFor(
  quantity: string,
  table: Record<string, [Convert, Convert]>,
  name: string,
): [Convert, Convert] | undefined {
  if (Object.hasOwn(table, name)) return table[name];
  const lower = name.toLowerCase();
  const uncertain = UNCERTAIN_UNITS[quantity].some((u) => u.toLowerCase() === lower);
  if (uncertain || Object.keys(table).some((u) => u.toLowerCase() === lower))
    throw new KqlError(`not supported: convert_${quantity}() with unit '${name}'`, 'NotSupported');
  return undefined;
}

for (const quantity of Object.keys(UNITS)) {
  registerScalar(`convert_${quantity}`, ({ argTypes }) => (value, from, to) => {
    const x = toReal(value, argTypes[0]);
    if (x === null || typeof from !== 'string' || typeof to !== 'string') return null;
    return convertUnit(quantity, x, from, to);
  });
}

// ---- buildschema ----

/** A schema: a primitive type name, a container (bag keys or `indexer`), or a union of those. */
type Schema = string | { [key: string]: Schema } | Schema[];

const INDEXER = '`indexer`';

function primitiveType(value: Dynamic): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'bigint') return 'long';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'double';
  throw new KqlError(
    `not supported: buildschema() of a ${value === null ? 'null' : typeof value} value`,
    'NotSupported',
  );
}

/** The schema of one value; an empty array is a container with nothing known about its items. */
export function schemaOf(value: Dynamic): Schema | undefined {
  if (Array.isArray(value)) {
    let items: Schema | undefined;
    for (const item of value) items = mergeSchemas(items, schemaOf(item));
    return items === undefined ? {} : { [INDEXER]: items };
  }
  if (isPlainObject(value)) {
    const out: { [key: string]: Schema } = {};
    for (const [key, item] of Object.entries(value)) {
      const schema = schemaOf(item);
      if (schema !== undefined) out[key] = schema;
    }
    return out;
  }
  return primitiveType(value);
}

const isContainer = (s: Schema): s is { [key: string]: Schema } => isPlainObject(s);

/** The least schema admitting both: containers merge key by key, other types form a union. */
export function mergeSchemas(a: Schema | undefined, b: Schema | undefined): Schema | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const members = Array.isArray(a) ? a.slice() : [a];
  for (const item of Array.isArray(b) ? b : [b]) {
    if (isContainer(item)) {
      const index = members.findIndex(isContainer);
      if (index >= 0) members[index] = mergeContainers(members[index] as { [key: string]: Schema }, item);
      else members.push(item);
    } else if (!members.includes(item)) {
      members.push(item);
    }
  }
  return members.length === 1 ? members[0] : members;
}

function mergeContainers(
  a: { [key: string]: Schema },
  b: { [key: string]: Schema },
): { [key: string]: Schema } {
  const out = { ...a };
  for (const [key, schema] of Object.entries(b)) out[key] = mergeSchemas(out[key], schema)!;
  return out;
}

registerAggregate('buildschema', () => () => {
  let schema: Schema | undefined;
  return {
    add(args) {
      const value = args[0] as Dynamic;
      if (value === null) return;
      schema = mergeSchemas(schema, schemaOf(value));
    },
    result: (): Value => (schema === undefined ? null : (schema as Dynamic)),
  };
});
