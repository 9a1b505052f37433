/**
 * Branded units. Mixing kilometres with milliseconds, or degrees with radians,
 * fails to compile; converting is always an explicit call.
 */
declare const brand: unique symbol;
type Branded<T, B extends string> = T & { readonly [brand]: B };

export type Km = Branded<number, 'Km'>;
export type Ms = Branded<number, 'Ms'>;
export type Degrees = Branded<number, 'Degrees'>;
export type Radians = Branded<number, 'Radians'>;
export type KmPerMs = Branded<number, 'KmPerMs'>;
export type Km2 = Branded<number, 'Km2'>;
export type Steradians = Branded<number, 'Steradians'>;

export const km = (n: number): Km => n as Km;
export const ms = (n: number): Ms => n as Ms;
export const degrees = (n: number): Degrees => n as Degrees;
export const radians = (n: number): Radians => n as Radians;
export const kmPerMs = (n: number): KmPerMs => n as KmPerMs;
export const km2 = (n: number): Km2 => n as Km2;
export const steradians = (n: number): Steradians => n as Steradians;

const DEG = Math.PI / 180;
export const toRadians = (d: Degrees): Radians => radians(d * DEG);
export const toDegrees = (r: Radians): Degrees => degrees(r / DEG);
